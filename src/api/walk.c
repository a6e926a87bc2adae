/*
 * One call of a stack walk: seeding on the first call, one unwind in place on
 * each later one, a look-ahead unwind of a copy for AddrReturn, and the end
 * conditions of stackwalk.md "The end of a walk".
 *
 * State between calls lives in the caller's STACKFRAME64.Reserved[]:
 *   Reserved[0]  the walk id (0: the next call starts a walk)
 *   Reserved[1]  frames reported (low 24 bits) and the flags below; it fits
 *                in 32 bits so that StackWalk can keep it in a DWORD
 * Reserved[2] is left alone. The walk id also keys the thread's read cache.
 *
 * Inline frames (StackWalkEx): at a physical frame whose PC is in inlined
 * code the walk first reports one virtual frame per inlinee, innermost
 * first, then the physical frame; every one of them carries the physical
 * frame's registers. Where it is in that sequence lives in the caller's
 * InlineFrameContext (as in DbgHelp): a call given a virtual frame's context
 * moves to the next inline level without unwinding; the frame counter and
 * the look-ahead count physical frames only.
 */
#include "walk.h"

#include "../arch/arch.h"
#include "../sym/function_entry.h"
#include "../sym/inline_context.h"
#include "../walk_state.h"

#define STATE_FRAMES_MASK 0x00FFFFFFu
#define STATE_ENDED (1u << 30)
#define STATE_PC_EXACT (1u << 31) /* this frame's PC is not a return address */

#define FRAME_CAP 65536u

#ifdef _WIN32
/* The documented default: ReadProcessMemory on hProcess. */
static BOOL WINAPI read_process_memory(HANDLE process, DWORD64 address, PVOID buffer, DWORD size,
                                       LPDWORD bytes_read)
{
    SIZE_T got = 0;
    BOOL ok;

    *bytes_read = 0;
    if (address > (DWORD64)UINTPTR_MAX)
        return FALSE;
    ok = ReadProcessMemory(process, (LPCVOID)(uintptr_t)address, buffer, size, &got);
    *bytes_read = (DWORD)got;
    return ok;
}
#endif

static BOOL fail(DWORD error)
{
    dw_set_last_error(error);
    return FALSE;
}

/* Turns a seeded address into a flat one; false when that is impossible. */
static bool flatten(const struct walk_request *request, ADDRESS64 *address)
{
    if (address->Mode == AddrModeFlat || address->Offset == 0)
        return true;
    if (request->translate) {
        address->Offset = request->translate(request->process, request->thread, address);
    } else if (request->translate32) {
        ADDRESS32 narrow = {(DWORD)address->Offset, address->Segment, address->Mode};
        address->Offset = request->translate32(request->process, request->thread, &narrow);
    } else {
        return false;
    }
    address->Mode = AddrModeFlat;
    return true;
}

/* Whether unwinding from (pc, sp) to (next_pc, next_sp) made progress.
 * An exact PC (frame 0, or one restored from a machine frame or context
 * record) may be a leaf that has not moved SP yet: there, and only there,
 * an architecture whose leaves return through a register (ARM64: PC = LR)
 * may unwind without raising SP. */
static enum walk_end_reason progress(const struct arch_unwinder *arch, bool pc_exact, uint64_t pc,
                                     uint64_t sp, uint64_t next_pc, uint64_t next_sp)
{
    if (next_pc == 0)
        return WALK_END_PC_ZERO;
    if (next_sp > sp)
        return WALK_END_NONE;
    if (pc_exact && arch->first_unwind_may_keep_sp && next_sp == sp && next_pc != pc)
        return WALK_END_NONE;
    return WALK_END_NO_PROGRESS;
}

static enum walk_end_reason end_reason_of(enum unwind_result result)
{
    switch (result) {
    case UNWIND_OK:
        return WALK_END_NONE;
    case UNWIND_NO_CALLER:
        return WALK_END_NO_CALLER;
    case UNWIND_BAD_DATA:
        return WALK_END_UNWIND_DATA_MALFORMED;
    case UNWIND_STACK_UNREADABLE:
        return WALK_END_STACK_UNREADABLE;
    case UNWIND_DATA_UNREADABLE:
        return WALK_END_UNWIND_DATA_UNREADABLE;
    case UNWIND_LEAF_REFUSED:
        return WALK_END_LEAF_REFUSED;
    case UNWIND_NO_MODULE_BASE:
        return WALK_END_NO_MODULE_BASE;
    }
    return WALK_END_UNWIND_DATA_MALFORMED;
}

/* One checked unwind step of `context` in place: WALK_END_NONE, or why
 * there is no caller. */
static enum walk_end_reason step(const struct arch_unwinder *arch,
                                 const struct walk_services *services, void *context,
                                 bool pc_exact, struct unwind_step *info)
{
    uint64_t pc = arch->pc(context), sp = arch->sp(context);
    enum unwind_result r = arch->unwind(services, context, pc_exact, info);

    if (r != UNWIND_OK)
        return end_reason_of(r);
    return progress(arch, pc_exact, pc, sp, arch->pc(context), arch->sp(context));
}

static void set_flat(ADDRESS64 *address, uint64_t offset)
{
    address->Offset = offset;
    address->Segment = 0;
    address->Mode = AddrModeFlat;
}

/* The unwinder's registers of `from` into `to`; the rest of `to` is left
 * as it is (the walk never looks at it). */
static void copy_state(const struct arch_unwinder *arch, void *to, const void *from)
{
    for (unsigned i = 0; i < ARCH_STATE_RANGES && arch->state[i].size; i++)
        memcpy((uint8_t *)to + arch->state[i].offset,
               (const uint8_t *)from + arch->state[i].offset, arch->state[i].size);
}

/* The registers an unwind restored besides its state (`restored`, its
 * step's mask), from the context it unwound into `to`. */
static void copy_restored(const struct arch_unwinder *arch, void *to, const void *from,
                          uint64_t restored)
{
    const struct restorable_registers *r = &arch->restorable;

    for (; restored; restored &= restored - 1) {
        unsigned i = (unsigned)__builtin_ctzll(restored);
        if (i < r->count)
            memcpy((uint8_t *)to + r->offset + i * r->size,
                   (const uint8_t *)from + r->offset + i * r->size, r->size);
    }
}

static bool same_state(const struct arch_unwinder *arch, const void *a, const void *b)
{
    for (unsigned i = 0; i < ARCH_STATE_RANGES && arch->state[i].size; i++)
        if (memcmp((const uint8_t *)a + arch->state[i].offset,
                   (const uint8_t *)b + arch->state[i].offset, arch->state[i].size) != 0)
            return false;
    return true;
}

/* Fills the caller's STACKFRAME64 for the frame in `context`, keeping the
 * look-ahead in `memo`. `from_lookahead`: `context` was just given the
 * look-ahead's caller registers, so that buffer already holds them. */
static void report(const struct arch_unwinder *arch, const struct walk_services *services,
                   struct lookahead *memo, const void *context, bool pc_exact, uint64_t walk_id,
                   uint32_t frames, bool from_lookahead, STACKFRAME64 *frame)
{
    unsigned reported = from_lookahead ? memo->reported ^ 1u : memo->reported;
    uint8_t *caller = memo->buffers[reported ^ 1u];
    struct unwind_step info = {0};
    enum walk_end_reason why;
    uint32_t epoch;

    memo->walk_id = 0;
    epoch = ++memo->epoch;
    copy_state(arch, caller, context);
    why = step(arch, services, caller, pc_exact, &info);
    /* A read routine that walked another stack on this thread reported
     * into these buffers: copy what we report again. */
    if (!from_lookahead || memo->epoch != epoch)
        copy_state(arch, memo->buffers[reported], context);
    memo->reported = (uint8_t)reported;
    memo->info = info;
    memo->has_caller = why == WALK_END_NONE;
    memo->end = why; /* kept for the next call, which ends the walk with it */
    memo->frames = frames;
    memo->walk_id = walk_id;

    set_flat(&frame->AddrPC, arch->pc(context));
    set_flat(&frame->AddrStack, arch->sp(context));
    set_flat(&frame->AddrReturn, memo->has_caller ? arch->pc(caller) : 0);
    frame->AddrFrame.Segment = 0;
    frame->AddrFrame.Mode = AddrModeFlat;
    arch->describe(services, context, memo->has_caller ? caller : NULL, &info, frame);
    frame->FuncTableEntry = info.function_entry;
    frame->Far = FALSE;
    frame->Virtual = TRUE;
}

/* Unwinds the reported frame `frames - 1` in `context` to its caller,
 * committing only on success: WALK_END_NONE, or why there is none.
 * `*from_lookahead` says the look-ahead gave the caller. */
static enum walk_end_reason unwind_in_place(const struct arch_unwinder *arch,
                                            const struct walk_services *services,
                                            const struct lookahead *memo, void *context,
                                            uint64_t walk_id, uint32_t frames, bool *pc_exact,
                                            bool *from_lookahead)
{
    _Alignas(16) uint8_t caller[ARCH_MAX_CONTEXT_SIZE];
    struct unwind_step info = {0};
    enum walk_end_reason why;

    /* Given back with the registers as we reported them (whatever else the
     * caller changed, the unwind would read the same): take the look-ahead. */
    if (memo->walk_id == walk_id && memo->frames + 1 == frames &&
        same_state(arch, memo->buffers[memo->reported], context)) {
        if (!memo->has_caller)
            return memo->end;
        copy_state(arch, context, memo->buffers[memo->reported ^ 1u]);
        copy_restored(arch, context, memo->buffers[memo->reported ^ 1u], memo->info.restored);
        *pc_exact = memo->info.caller_pc_exact;
        *from_lookahead = true;
        return WALK_END_NONE;
    }
    copy_state(arch, caller, context);
    why = step(arch, services, caller, *pc_exact, &info);
    if (why != WALK_END_NONE)
        return why;
    copy_state(arch, context, caller);
    copy_restored(arch, context, caller, info.restored);
    *pc_exact = info.caller_pc_exact;
    return WALK_END_NONE;
}

/* The context the next frame at a physical position gets after the one
 * with `context` was reported: the next outer inline level, then the
 * physical frame. False when `context` is not a virtual frame's (the walk
 * unwinds). */
static bool next_inline_level(const struct walk_request *request, uint64_t pc, DWORD *context)
{
    unsigned depth, count;

    if (!inline_context_is_virtual(*context, &depth))
        return false;
    count = sym_inline_count_for_walk(request->process, pc);
    if (depth + 1 < count)
        *context = inline_context_virtual(depth + 1);
    else
        *context = count ? inline_context_physical(count) : INLINE_FRAME_CONTEXT_INIT;
    return true;
}

/* The context of the first frame reported at a new physical position: the
 * innermost inlinee's, or the physical frame's when nothing is inlined
 * there (INIT, as without inline data). IGNORE stays. */
static void first_inline_level(const struct walk_request *request, uint64_t pc, DWORD *context)
{
    if (*context == INLINE_FRAME_CONTEXT_IGNORE)
        return;
    *context = sym_inline_count_for_walk(request->process, pc) ? inline_context_virtual(0)
                                                               : INLINE_FRAME_CONTEXT_INIT;
}

BOOL walk_next_frame(const struct walk_request *request)
{
    STACKFRAME64 *frame = request->frame;
    const struct arch_unwinder *arch;
    _Alignas(16) uint8_t seeded[ARCH_MAX_CONTEXT_SIZE];
    void *context = request->context;
    struct memory_reader memory;
    struct walk_services services;
    uint64_t walk_id, state;
    bool first = false, pc_exact, from_lookahead = false;
    struct walk_reader_state saved_reader;
    struct walk_thread_state *thread = walk_thread_state(); /* the one TLS access */
    struct walk_caches *caches;
    enum walk_end_reason why = WALK_END_NONE;
    BOOL ok = FALSE;

    if (!frame || !(arch = arch_for_machine(request->machine)) ||
        (!context && arch->context_required)) {
        thread->last_end = WALK_END_BAD_ARGUMENT;
        return fail(frame && !arch ? ERROR_NOT_SUPPORTED : ERROR_INVALID_PARAMETER);
    }
    /* allocated at the thread's first walk: without them no walk starts */
    if (!(caches = walk_thread_caches(thread))) {
        thread->last_end = WALK_END_BAD_ARGUMENT;
        return fail(ERROR_NOT_ENOUGH_MEMORY);
    }

    services.process = request->process;
    services.table = request->table;
    services.target_attribute = request->target_attribute;
    services.flags = request->flags;
    services.memory = &memory;
    PREAD_PROCESS_MEMORY_ROUTINE64 read = request->read;
    if (!read && !request->read32) {
#ifdef _WIN32
        read = read_process_memory;
#else
        thread->last_end = WALK_END_BAD_ARGUMENT;
        return fail(ERROR_INVALID_PARAMETER); /* no process to read from here */
#endif
    }

    walk_id = frame->Reserved[0];
    state = frame->Reserved[1];
    if (walk_id == 0) {
        if (!flatten(request, &frame->AddrPC) || !flatten(request, &frame->AddrStack) ||
            !flatten(request, &frame->AddrFrame)) {
            thread->last_end = WALK_END_BAD_ARGUMENT;
            return fail(ERROR_INVALID_PARAMETER);
        }
        first = true;
        walk_id = memory_new_walk_id();
        state = STATE_PC_EXACT;
    } else if (state & STATE_ENDED) {
        return FALSE;
    }

    /* Without a context (x86 only) the frame itself carries the registers. */
    if (!context) {
        memset(seeded, 0, sizeof(seeded));
        context = seeded;
        arch->seed(context, frame);
    } else if (first) {
        arch->seed(context, frame);
    }

    services.table.read = read;
    services.table.machine = arch->machine;
#ifdef _WIN32
    services.table.last_error = NULL; /* the TEB's: no thread-local emulation */
#else
    services.table.last_error = &thread->last_error;
#endif
    function_table_bind_cache(&services.table, &caches->entries, walk_id);
    /* Our Sym* functions, given to us as the table routines, read target
     * memory with this walk's routine. */
    saved_reader = thread->sym_reader;
    thread->sym_reader.process = request->process;
    thread->sym_reader.read = read;
    memory_reader_open_cache(&memory, &caches->cache, request->process, read, request->read32,
                             walk_id);
    pc_exact = (state & STATE_PC_EXACT) != 0;
    /* Another inline level of the frame last reported: its registers stay. */
    if (!first && request->inline_context &&
        next_inline_level(request, frame->AddrPC.Offset, request->inline_context)) {
        ok = TRUE;
        goto out;
    }
    if (!first) {
        uint32_t frames = (uint32_t)(state & STATE_FRAMES_MASK);
        why = frames >= FRAME_CAP ? WALK_END_FRAME_CAP
                                  : unwind_in_place(arch, &services, &caches->lookahead, context,
                                                    walk_id, frames, &pc_exact,
                                                    &from_lookahead);
        if (why != WALK_END_NONE)
            goto out;
    }
    report(arch, &services, &caches->lookahead, context, pc_exact, walk_id,
           (uint32_t)(state & STATE_FRAMES_MASK), from_lookahead, frame);
    if (request->inline_context)
        first_inline_level(request, frame->AddrPC.Offset, request->inline_context);
    state = ((state & STATE_FRAMES_MASK) + 1) | (pc_exact ? STATE_PC_EXACT : 0);
    ok = TRUE;
out:
    memory_reader_close(&memory);
    thread->sym_reader = saved_reader;
    thread->last_end = why;
    frame->Reserved[0] = walk_id;
    frame->Reserved[1] = ok ? state : (state | STATE_ENDED);
    return ok;
}
