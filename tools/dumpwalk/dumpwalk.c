/*
 * dumpwalk: walks every thread of a Windows minidump with StackWalk64.
 *
 *   dumpwalk [-i IMAGE_PATH] [-y SYMPATH] [--json] [--scan] [--threads all|crashed] file.dmp...
 *
 * The dump is the target: its SystemInfo stream gives the machine, its
 * thread list the contexts, its Memory and Memory64 lists the memory (served
 * by a ReadProcessMemory-like routine), its module list the modules, which
 * are registered with SymLoadModuleEx so that SymFunctionTableAccess64 and
 * SymGetModuleBase64 can serve the walk. Minidumps carry no images: with
 * -i DIR, DIR/<module file name> is loaded where it exists, and its .pdata
 * (x64, ARM64) drives the unwind; without it only what the dump's memory
 * holds is available. With -y SYMPATH each module's PDB is looked for in
 * SYMPATH from the CodeView record the dump stores (no image needed), and
 * frames are named module!function+0xoffset [file @ line].
 *
 * A malformed dump is reported and skipped (exit status 1).
 *
 * This file holds the walks (main.c the command line); dumpwalk.h lists the
 * other files and what each does.
 */
#include "dumpwalk.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The registers the walk starts from and the frame's seed. */
static void context_registers(const struct dump *d, const union context *c, uint64_t *pc,
                              uint64_t *sp, uint64_t *fp)
{
    switch (d->machine) {
    case IMAGE_FILE_MACHINE_I386:
        *pc = c->x86.Eip, *sp = c->x86.Esp, *fp = c->x86.Ebp;
        break;
    case IMAGE_FILE_MACHINE_AMD64:
        *pc = c->x64.Rip, *sp = c->x64.Rsp, *fp = c->x64.Rbp;
        break;
    default:
        *pc = c->arm64.Pc, *sp = c->arm64.Sp, *fp = c->arm64.Fp;
        break;
    }
}

static uint32_t context_flags(const struct dump *d, const union context *c)
{
    return d->machine == IMAGE_FILE_MACHINE_I386    ? c->x86.ContextFlags
           : d->machine == IMAGE_FILE_MACHINE_AMD64 ? c->x64.ContextFlags
                                                    : c->arm64.ContextFlags;
}

/* The smallest dumped context that holds PC, SP and the frame pointer. */
static size_t context_minimum(const struct dump *d)
{
    return d->machine == IMAGE_FILE_MACHINE_I386    ? offsetof(WOW64_CONTEXT, SegSs)
           : d->machine == IMAGE_FILE_MACHINE_AMD64 ? offsetof(CONTEXT, Rip) + 8
                                                    : offsetof(ARM64_NT_CONTEXT, Pc) + 8;
}

static uint32_t context_architecture_flag(const struct dump *d)
{
    return d->machine == IMAGE_FILE_MACHINE_I386    ? WOW64_CONTEXT_i386
           : d->machine == IMAGE_FILE_MACHINE_AMD64 ? CONTEXT_AMD64
                                                    : CONTEXT_ARM64;
}

static void set_context_registers(const struct dump *d, union context *c, uint64_t pc,
                                  uint64_t sp)
{
    switch (d->machine) {
    case IMAGE_FILE_MACHINE_I386:
        c->x86.Eip = (DWORD)pc, c->x86.Esp = (DWORD)sp;
        break;
    case IMAGE_FILE_MACHINE_AMD64:
        c->x64.Rip = pc, c->x64.Rsp = sp;
        break;
    default:
        c->arm64.Pc = pc, c->arm64.Sp = sp;
        break;
    }
}

#define SCAN_WORDS 256u        /* stack words looked at per --scan recovery */
#define SHADOW_SLOT_WORDS 8192u /* words searched for a shadow-stack return address */
#define RECOVERIES_MAX 64u     /* recoveries per walk */

static int add_frame(struct walk_result *r, const struct walked_frame *f)
{
    if (r->count == r->capacity) {
        unsigned capacity = r->capacity ? r->capacity * 2 : 32;
        struct walked_frame *frames = realloc(r->frames, capacity * sizeof(*frames));
        if (!frames)
            return 0;
        r->frames = frames;
        r->capacity = capacity;
    }
    r->frames[r->count++] = *f;
    return 1;
}

/* The trust of the caller of a frame the walker unwound with (or without)
 * a function-table entry; TRUST_CONTEXT when the caller would be invented:
 * on x64 and ARM64, a frame reached by a return address with no unwind
 * data made calls, so the leaf rule cannot find its caller. */
static enum frame_trust caller_trust(const struct dump *d, const STACKFRAME64 *frame,
                                     int exact_pc)
{
    if (d->machine == IMAGE_FILE_MACHINE_I386)
        return frame->FuncTableEntry ? TRUST_FRAME_DATA : TRUST_FRAME_POINTER;
    if (frame->FuncTableEntry)
        return TRUST_UNWIND_DATA;
    return exact_pc ? TRUST_LEAF_RULE : TRUST_CONTEXT;
}

/* Checks a frame reached by a return address against the shadow stack: the
 * next entry, or one further on (frames the walk skipped). */
static void shadow_check(const struct shadow_stack *s, unsigned *next, struct walked_frame *f,
                         struct walk_result *r)
{
    for (unsigned i = *next; i < s->count; i++) {
        if (s->entries[i] == f->pc) {
            f->shadow = SHADOW_MATCH;
            r->shadow_matched++;
            *next = i + 1;
            return;
        }
    }
    f->shadow = SHADOW_MISMATCH;
}

/* Where the unwind rules end (--scan): the shadow stack's next return
 * address, else a scanned one, becomes the seed of a new walk from its
 * stack slot. A shadow-stack caller whose slot is not in the dump is
 * reported with its PC alone, and so are the ones after it. 0 when nothing
 * is found. */
static int recover(struct dump *d, const struct shadow_stack *shadow, unsigned *next_shadow,
                   int ended_by_rule, struct walk_result *r, union context *context,
                   STACKFRAME64 *frame, enum frame_trust *trust)
{
    unsigned size = d->machine == IMAGE_FILE_MACHINE_I386 ? 4 : 8;
    uint64_t from = r->frames[r->count - 1].sp, fp = r->frames[r->count - 1].fp;
    uint64_t slot = 0, found = 0;

    while (*next_shadow < shadow->count && r->count < FRAME_LIMIT) {
        struct walked_frame f;
        found = shadow->entries[(*next_shadow)++];
        r->shadow_matched++;
        if (from && find_stack_word(d, from, SHADOW_SLOT_WORDS, found, &slot)) {
            *trust = TRUST_SHADOW_STACK;
            goto seed;
        }
        memset(&f, 0, sizeof(f));
        f.pc = found;
        f.trust = TRUST_SHADOW_STACK;
        f.shadow = SHADOW_MATCH;
        if (!add_frame(r, &f))
            return 0;
        from = 0; /* no stack pointer to search from any more */
        snprintf(r->end, sizeof(r->end), "the shadow stack's last return address");
    }
    if (*next_shadow < shadow->count || !from)
        return 0;
    /* after a walker's stop the last frame's return slot may be at its SP */
    if (!scan_for_return_address(d, from + (ended_by_rule ? 0 : size), SCAN_WORDS, &slot, &found))
        return 0;
    *trust = TRUST_SCAN;
seed:
    set_context_registers(d, context, found, slot + size);
    memset(frame, 0, sizeof(*frame));
    frame->AddrPC.Offset = found;
    frame->AddrStack.Offset = slot + size;
    frame->AddrFrame.Offset = fp;
    frame->AddrPC.Mode = frame->AddrStack.Mode = frame->AddrFrame.Mode = AddrModeFlat;
    return 1;
}

/* One walk from `thread`'s context into r. */
static void walk(struct dump *d, const struct options *o, const struct thread *thread,
                 struct walk_result *r)
{
    union context context;
    STACKFRAME64 frame, last;
    struct shadow_stack *shadow = calloc(1, sizeof(*shadow));
    uint64_t pc, sp, fp;
    size_t copy = thread->context_size;
    const uint8_t *bytes = span(d, thread->context_rva, copy);
    DWORD error = 0;
    unsigned next_shadow = 0, recoveries = 0;
    int exact_pc = 1, ended_by_rule = 0;
    enum frame_trust trust = TRUST_CONTEXT;

    if (!bytes || copy < context_minimum(d) || !shadow) {
        snprintf(r->end, sizeof(r->end), "context of %u bytes: too small for a %s context, "
                 "not walked", thread->context_size, d->machine_name);
        free(shadow);
        return;
    }
    r->walked = 1;
    if (read_shadow_stack(d, bytes, copy, shadow)) {
        r->has_shadow = 1;
        r->shadow_entries = shadow->count;
    }
    /* An x64 context may be shorter than CONTEXT (older writers) or longer
     * (CONTEXT_EX and the XSAVE area follow it): the CONTEXT part, zero-filled. */
    memset(&context, 0, sizeof(context));
    if (copy > d->context_size)
        copy = d->context_size;
    memcpy(&context, bytes, copy);
    if ((context_flags(d, &context) & context_architecture_flag(d)) == 0)
        fprintf(stderr, "dumpwalk: %s: %s: warning: ContextFlags 0x%x lack the %s flag 0x%x\n",
                d->path, r->title, context_flags(d, &context), d->machine_name,
                context_architecture_flag(d));

    context_registers(d, &context, &pc, &sp, &fp);
    memset(&frame, 0, sizeof(frame));
    memset(&last, 0, sizeof(last));
    frame.AddrPC.Offset = pc;
    frame.AddrStack.Offset = sp;
    frame.AddrFrame.Offset = fp;
    frame.AddrPC.Mode = frame.AddrStack.Mode = frame.AddrFrame.Mode = AddrModeFlat;
    d->reads = 0;
    d->image_bytes = 0;

    while (r->count < FRAME_LIMIT) {
        struct walked_frame f;
        int invented_caller;
        SetLastError(0);
        if (!StackWalk64(d->machine, (HANDLE)d, NULL, &frame, &context, read_memory,
                         SymFunctionTableAccess64, SymGetModuleBase64, NULL)) {
            char detail[400];
            error = GetLastError();
            /* the walker says why; the dump says what it had to go on */
            DbgWalkLastEndReason(&r->walker_end);
            describe_end_reason(d, r->count, error, &last, &context, detail, sizeof(detail));
            snprintf(r->end, sizeof(r->end), "%s: %s", r->walker_end, detail);
        } else {
            memset(&f, 0, sizeof(f));
            f.pc = frame.AddrPC.Offset;
            f.sp = frame.AddrStack.Offset;
            f.fp = frame.AddrFrame.Offset;
            f.trust = trust;
            /* a caller found by a rule that lands in no module is a guess */
            if (r->count && !module_at(d, f.pc) &&
                (trust == TRUST_LEAF_RULE || trust == TRUST_FRAME_POINTER)) {
                snprintf(r->end, sizeof(r->end), "the caller the %s gives, 0x%llx, is in no "
                         "module: not a frame", trust_name(trust), (unsigned long long)f.pc);
                ended_by_rule = 1;
            } else {
                if (trust == TRUST_SHADOW_STACK)
                    f.shadow = SHADOW_MATCH; /* taken from it */
                else if (r->count && shadow->count)
                    shadow_check(shadow, &next_shadow, &f, r);
                if (!add_frame(r, &f))
                    break;
                last = frame;
                trust = caller_trust(d, &frame, exact_pc);
                invented_caller = trust == TRUST_CONTEXT;
                exact_pc = 0;
                if (!invented_caller)
                    continue;
                snprintf(r->end, sizeof(r->end), "no unwind data for pc 0x%llx (%s): its caller "
                         "would be a guess", (unsigned long long)f.pc,
                         module_at(d, f.pc) ? module_at(d, f.pc)->name : "in no module");
                ended_by_rule = 1;
            }
        }
        /* the unwind rules end here: --scan may find the caller */
        if (!o->scan || recoveries++ >= RECOVERIES_MAX ||
            !recover(d, shadow, &next_shadow, ended_by_rule, r, &context, &frame, &trust))
            break;
        ended_by_rule = 0;
        error = 0;
        r->walker_end = NULL;
    }
    if (r->count == FRAME_LIMIT)
        snprintf(r->end, sizeof(r->end), "stopped at the limit of %u frames", FRAME_LIMIT);
    r->reads = d->reads;
    r->image_bytes = d->image_bytes;
    free(shadow);
}

const char *exception_name(uint32_t code)
{
    switch (code) {
    case 0x80000003: return "breakpoint";
    case 0xC0000005: return "access violation";
    case 0xC000000D: return "invalid parameter";
    case 0xC00000FD: return "stack overflow";
    case 0xC0000409: return "fast fail / stack buffer overrun";
    case 0xC0000374: return "heap corruption";
    case 0xE06D7363: return "C++ exception";
    default: return "";
    }
}

static int walk_and_report(struct dump *d, const struct options *o, const struct thread *t,
                           const char *title, int is_exception, unsigned index)
{
    struct walk_result r;
    int walked;

    memset(&r, 0, sizeof(r));
    snprintf(r.title, sizeof(r.title), "%s", title);
    r.thread_id = t->id;
    r.is_exception = is_exception;
    r.index = index;
    walk(d, o, t, &r);
    report_walk(d, o, &r);
    walked = r.count > 0;
    free(r.frames);
    return walked;
}

int walk_dump(struct dump *d, struct options *o)
{
    int ok = 1;
    unsigned walks = 0;

    if (!SymInitialize((HANDLE)d, o->sympath, FALSE)) {
        fprintf(stderr, "dumpwalk: %s: SymInitialize failed (error %u)\n", d->path,
                (unsigned)GetLastError());
        return 0;
    }
    register_modules(d, o->image_dir);
    report_begin(d, o);

    for (size_t i = 0; i < d->thread_count && !o->crashed_only; i++) {
        char title[160];
        const struct thread *t = &d->threads[i];
        snprintf(title, sizeof(title), "thread %zu (id 0x%x%s%s%s)", i, t->id,
                 t->name[0] ? ", \"" : "", t->name, t->name[0] ? "\"" : "");
        if (!walk_and_report(d, o, t, title, 0, walks++))
            ok = 0;
    }
    if (d->has_exception) {
        char title[160];
        const char *name = exception_name(d->exception_code);
        snprintf(title, sizeof(title), "exception (thread id 0x%x, code 0x%08x%s%s, at 0x%llx)",
                 d->exception_thread, d->exception_code, name[0] ? " " : "", name,
                 (unsigned long long)d->exception_address);
        if (!walk_and_report(d, o, &d->exception_context, title, 1, walks++))
            ok = 0;
    }
    report_end(d, o);
    SymCleanup((HANDLE)d);
    return ok;
}

uint8_t *read_file(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    uint8_t *data = NULL;
    long length;

    if (!f)
        return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (length = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
        (data = malloc((size_t)length + 1)) != NULL &&
        fread(data, 1, (size_t)length, f) != (size_t)length) {
        free(data);
        data = NULL;
    }
    if (data)
        *size = (size_t)length;
    fclose(f);
    return data;
}

void free_dump(struct dump *d)
{
    for (size_t m = 0; m < d->module_count; m++)
        free(d->modules[m].file_bytes);
    free(d->regions);
    free(d->modules);
    free(d->threads);
}
