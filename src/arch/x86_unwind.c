/*
 * One x86 unwind step: the FrameData program of the PDB where the walk uses
 * our own symbol services and one covers the PC; FPO data where the function-table routine has it
 * (FRAME_FPO, FRAME_NONFPO, FRAME_TRAP, FRAME_TSS), the EBP chain where it has
 * not, and for frame 0 the instruction at the PC (a prolog start or an
 * epilog), where neither FPO data nor EBP describe the frame yet.
 */
#include "x86.h"
#include "x86_framedata.h"
#include "../sym/function_entry.h"

#define RETURN_SCAN_WORDS 64u

/* The KTRAP_FRAME fields a FRAME_TRAP function's frame (at EBP) holds. */
enum {
    TRAP_EDX = 0x3C, TRAP_ECX = 0x40, TRAP_EAX = 0x44, TRAP_EDI = 0x54, TRAP_ESI = 0x58,
    TRAP_EBX = 0x5C, TRAP_EBP = 0x60, TRAP_EIP = 0x68, TRAP_CS = 0x6C, TRAP_EFLAGS = 0x70,
    TRAP_ESP = 0x74, TRAP_SIZE = 0x78,
};
#define EFLAGS_V86 0x20000u

static bool is_callee_saved(int reg)
{
    return reg == X86_EBX || reg == X86_EBP || reg == X86_ESI || reg == X86_EDI;
}

/* [EBP] = caller EBP, [EBP + 4] = return address, with the frame above the
 * stack pointer and aligned. */
static enum unwind_result ebp_chain(struct memory_reader *memory, struct x86_regs *regs,
                                    struct unwind_step *step)
{
    uint32_t ebp = regs->gpr[X86_EBP], saved_ebp, ret;

    if (ebp < regs->gpr[X86_ESP] || (ebp & 3) != 0 || ebp > 0xFFFFFFF7u ||
        !memory_read_u32(memory, ebp, &saved_ebp) || !memory_read_u32(memory, ebp + 4, &ret))
        return UNWIND_STACK_UNREADABLE;
    regs->eip = ret;
    regs->gpr[X86_ESP] = ebp + 8;
    regs->gpr[X86_EBP] = saved_ebp;
    step->return_slot = ebp + 4;
    return UNWIND_OK;
}

static enum unwind_result trap_frame(struct memory_reader *memory, struct x86_regs *regs,
                                     struct unwind_step *step)
{
    uint8_t tf[TRAP_SIZE];
    uint32_t base = regs->gpr[X86_EBP], cs, eflags;

    if (!memory_read(memory, base, tf, sizeof(tf)))
        return UNWIND_STACK_UNREADABLE;
    regs->eip = dw_le32(tf + TRAP_EIP);
    regs->gpr[X86_EBP] = dw_le32(tf + TRAP_EBP);
    regs->gpr[X86_EBX] = dw_le32(tf + TRAP_EBX);
    regs->gpr[X86_ESI] = dw_le32(tf + TRAP_ESI);
    regs->gpr[X86_EDI] = dw_le32(tf + TRAP_EDI);
    regs->gpr[X86_EAX] = dw_le32(tf + TRAP_EAX);
    regs->gpr[X86_ECX] = dw_le32(tf + TRAP_ECX);
    regs->gpr[X86_EDX] = dw_le32(tf + TRAP_EDX);
    cs = dw_le32(tf + TRAP_CS);
    eflags = dw_le32(tf + TRAP_EFLAGS);
    /* The CPU pushed ESP only when the trap changed privilege (or came from
     * v86 mode); otherwise the interrupted stack continues above the frame. */
    regs->gpr[X86_ESP] = (cs & 1) || (eflags & EFLAGS_V86) ? dw_le32(tf + TRAP_ESP)
                                                          : base + TRAP_ESP;
    step->caller_pc_exact = true;
    return UNWIND_OK;
}

/* In an FPO body the return address sits above the fixed frame, but the
 * stack pointer may be lower by arguments pushed for a call. Take the first
 * slot from the expected one upwards that holds an address in a module
 * right after a call; keep the expected slot if none does. */
static uint32_t find_return_slot(const struct walk_services *services, uint32_t expected)
{
    struct memory_reader *memory = services->memory;

    for (uint32_t i = 0; i < RETURN_SCAN_WORDS; i++) {
        uint32_t slot = expected + 4 * i, value;
        if (slot < expected || !memory_read_u32(memory, slot, &value))
            break;
        if (value != 0 && function_table_module_base(&services->table, value) != 0 &&
            x86_follows_call(memory, value))
            return slot;
    }
    return expected;
}

/* What the FrameData program's callbacks need. */
struct program_context {
    const struct walk_services *services;
    uint32_t function_start; /* the frame's procedure, 0 if unknown */
};

static bool read_stack_word(void *ctx, uint32_t address, uint32_t *out)
{
    const struct program_context *c = ctx;
    return memory_read_u32(c->services->memory, address, out);
}

/* Whether the call before `ret` is a direct call to somewhere other than
 * `function` (directly, or through a `jmp rel32` thunk): then `ret` is one
 * the function's own calls left below its frame, not its caller's. */
static bool direct_call_elsewhere(struct memory_reader *memory, uint32_t ret, uint32_t function)
{
    uint8_t call[5], jump[5];
    uint32_t target;

    if (!memory_read(memory, ret - 5, call, 5) || call[0] != 0xE8)
        return false;
    target = ret + dw_le32(call + 1);
    if (target == function)
        return false;
    return !(memory_read(memory, target, jump, 5) && jump[0] == 0xE9 &&
             target + 5 + dw_le32(jump + 1) == function);
}

/* `.raSearch`: the first slot from `start` upwards that holds an address in
 * a module right after a call, as Windows searches (the stack pointer may
 * be below the record's frame by arguments pushed for a call). Where the
 * frame's procedure is known, a return address whose direct call went
 * elsewhere (left by the function's own earlier calls, e.g. __chkstk's) is
 * passed over, and used only if nothing better lies within the window. */
static uint32_t search_return_address(void *ctx, uint32_t start)
{
    const struct program_context *c = ctx;
    struct memory_reader *memory = c->services->memory;
    uint32_t loose = start;
    bool have_loose = false;

    for (uint32_t i = 0; i < RETURN_SCAN_WORDS; i++) {
        uint32_t slot = start + 4 * i, value;
        if (slot < start || !memory_read_u32(memory, slot, &value))
            break;
        if (value == 0 || function_table_module_base(&c->services->table, value) == 0 ||
            !x86_follows_call(memory, value))
            continue;
        if (c->function_start == 0 || !direct_call_elsewhere(memory, value, c->function_start))
            return slot;
        if (!have_loose) {
            loose = slot;
            have_loose = true;
        }
    }
    return loose;
}

/* Runs the program of the innermost FrameData record covering `lookup`. A
 * program that fails (bad syntax, an unreadable word, no $eip/$esp) or gives
 * a caller below the callee leaves `regs` alone: the FPO and EBP rules then
 * apply. */
static bool framedata_unwind(const struct walk_services *services, struct x86_regs *regs,
                             uint32_t lookup, struct unwind_step *step)
{
    struct sym_walk_frame_data fd;
    struct x86_fd_regs callee, caller;
    struct x86_fd_sizes sizes;
    struct program_context context = {services, 0};
    uint32_t ret;

    if (!function_table_frame_data(&services->table, lookup, &fd))
        return false;
    if (fd.function_start <= 0xFFFFFFFFu)
        context.function_start = (uint32_t)fd.function_start;
    callee = (struct x86_fd_regs){regs->eip, regs->gpr[X86_ESP], regs->gpr[X86_EBP],
                                  regs->gpr[X86_EBX], regs->gpr[X86_ESI], regs->gpr[X86_EDI]};
    /* .cbCalleeParams has no field in the record: 0 */
    sizes = (struct x86_fd_sizes){fd.record.params_size, fd.record.saved_regs_size,
                                  fd.record.locals_size, 0};
    if (x86_framedata_eval_search(fd.program, &callee, &sizes, read_stack_word,
                                  search_return_address, &context, &caller) != X86_FD_OK ||
        caller.esp <= callee.esp)
        return false;
    regs->eip = caller.eip;
    regs->gpr[X86_ESP] = caller.esp;
    regs->gpr[X86_EBP] = caller.ebp;
    regs->gpr[X86_EBX] = caller.ebx;
    regs->gpr[X86_ESI] = caller.esi;
    regs->gpr[X86_EDI] = caller.edi;
    /* The programs leave $esp just above the return address. */
    step->return_slot = memory_read_u32(services->memory, caller.esp - 4, &ret) &&
                                ret == caller.eip
                            ? caller.esp - 4
                            : 0;
    return true;
}

/* The bytes a function's `ret` pops. FPO_DATA's cdwParams counts the
 * parameters whether the callee pops them (__stdcall) or the caller does
 * (__cdecl); the function's last instruction tells which. */
static uint32_t callee_pops(struct memory_reader *memory, uint64_t start, const struct x86_fpo *fpo)
{
    uint8_t tail[3];

    if (fpo->size >= 3 && memory_read(memory, start + fpo->size - 3, tail, 3)) {
        if (tail[2] == 0xC3)
            return 0;
        if (tail[0] == 0xC2)
            return (uint32_t)tail[1] | ((uint32_t)tail[2] << 8);
    }
    return 4u * fpo->params; /* no ret at the end to read: trust the record */
}

static enum unwind_result fpo_unwind(const struct walk_services *services, struct x86_regs *regs,
                                     const struct x86_fpo *fpo, uint64_t base,
                                     struct unwind_step *step)
{
    struct memory_reader *memory = services->memory;
    uint64_t start = base + fpo->start;
    uint64_t offset = regs->eip >= start ? regs->eip - start : UINT64_MAX;
    bool in_prolog = offset < fpo->prolog;
    struct x86_prolog prolog;
    unsigned done = 0;
    uint32_t entry, depth, ret;
    bool frame_set;

    x86_decode_prolog(memory, start, fpo->prolog, &prolog);
    while (done < prolog.count && (!in_prolog || prolog.end[done] <= offset))
        done++;
    depth = done ? prolog.depth[done - 1] : 0;
    frame_set = prolog.frame_set >= 0 && (unsigned)prolog.frame_set < done;

    if (frame_set) {
        entry = regs->gpr[X86_EBP] + prolog.depth[prolog.frame_set];
    } else if (fpo->frame == X86_FRAME_NONFPO && !in_prolog) {
        entry = regs->gpr[X86_EBP] + 4; /* push ebp; mov ebp, esp, not decoded */
    } else {
        if (!in_prolog && !prolog.complete)
            depth = 4 * (fpo->locals + fpo->regs);
        entry = regs->gpr[X86_ESP] + depth;
        if (!in_prolog)
            entry = find_return_slot(services, entry);
    }
    if (!memory_read_u32(memory, entry, &ret))
        return UNWIND_STACK_UNREADABLE;
    for (unsigned i = 0; i < done; i++) {
        uint32_t value;
        if (prolog.saved[i] >= 0 && is_callee_saved(prolog.saved[i]) &&
            memory_read_u32(memory, entry - prolog.depth[i], &value))
            regs->gpr[prolog.saved[i]] = value;
    }
    regs->eip = ret;
    regs->gpr[X86_ESP] = entry + 4 + callee_pops(memory, start, fpo);
    step->return_slot = entry;
    return UNWIND_OK;
}

enum unwind_result x86_virtual_unwind(const struct walk_services *services, struct x86_regs *regs,
                                      bool pc_exact, struct unwind_step *step)
{
    struct memory_reader *memory = services->memory;
    uint32_t pc = regs->eip, lookup = pc_exact ? pc : pc - 1, slot = 0;
    uint8_t raw[16];
    struct x86_fpo fpo;
    uint64_t base;

    step->caller_pc_exact = false;
    step->return_slot = 0;
    step->function_entry = function_table_lookup(&services->table, lookup, raw, sizeof(raw));

    if (services->flags & SYM_STKWALK_FORCE_FRAMEPTR)
        return ebp_chain(memory, regs, step);

    /* Frame 0 may stop where no frame data applies yet, or any more. */
    if (pc_exact) {
        switch (x86_unwind_by_code(memory, regs, &slot)) {
        case X86_CODE_UNWOUND:
            step->return_slot = slot;
            return UNWIND_OK;
        case X86_CODE_UNREADABLE:
            return UNWIND_STACK_UNREADABLE;
        case X86_CODE_NONE:
            break;
        }
    }

    if (framedata_unwind(services, regs, lookup, step))
        return UNWIND_OK;

    if (!step->function_entry) {
        /* The EBP chain is the rule where there is no frame data. */
        enum unwind_result r = ebp_chain(memory, regs, step);
        return r == UNWIND_STACK_UNREADABLE ? UNWIND_LEAF_REFUSED : r;
    }
    x86_fpo_decode(raw, &fpo);
    switch (fpo.frame) {
    case X86_FRAME_TSS:
        return UNWIND_NO_CALLER; /* a task switch: nothing to follow */
    case X86_FRAME_TRAP:
        return trap_frame(memory, regs, step);
    default:
        base = function_table_module_base(&services->table, lookup);
        if (base == 0)
            return UNWIND_NO_MODULE_BASE;
        return fpo_unwind(services, regs, &fpo, base, step);
    }
}
