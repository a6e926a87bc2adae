/*
 * The ARM64 unwinder as the generic walk sees it: the ARM64_NT_CONTEXT view,
 * one unwind step (leaf rule, .xdata, packed .pdata) and the STACKFRAME
 * fields stackwalk.md fixes for ARM64.
 */
#include "arm64.h"

#define ARM64_ALL_X ((1u << 31) - 1u)

void arm64_regs_load(struct arm64_regs *regs, const uint8_t *c)
{
    regs->sp = dw_le64(c + ARM64_CTX_SP);
    regs->pc = dw_le64(c + ARM64_CTX_PC);
    regs->x_valid = 0;
    regs->v_valid = 0;
    regs->v_written = 0;
    regs->status_valid = false;
    regs->source = c;
}

void arm64_regs_load_all(struct arm64_regs *regs, const uint8_t *c)
{
    arm64_regs_load(regs, c);
    for (unsigned i = 0; i < 31; i++)
        regs->x[i] = dw_le64(c + ARM64_CTX_X(i));
    for (unsigned n = 0; n < 32; n++)
        memcpy(regs->v[n], c + ARM64_CTX_V(n), 16);
    regs->cpsr = dw_le32(c + ARM64_CTX_CPSR);
    regs->fpcr = dw_le32(c + ARM64_CTX_FPCR);
    regs->fpsr = dw_le32(c + ARM64_CTX_FPSR);
    regs->x_valid = ARM64_ALL_X;
    regs->v_valid = 0xFFFFFFFFu;
    regs->v_written = ~0ull;
    regs->status_valid = true;
    regs->source = NULL;
}

void arm64_regs_store(const struct arm64_regs *regs, uint8_t *c)
{
    for (uint32_t valid = regs->x_valid; valid; valid &= valid - 1) {
        unsigned i = (unsigned)__builtin_ctz(valid);
        dw_put_le64(c + ARM64_CTX_X(i), regs->x[i]);
    }
    dw_put_le64(c + ARM64_CTX_SP, regs->sp);
    dw_put_le64(c + ARM64_CTX_PC, regs->pc);
    for (uint32_t valid = regs->v_valid; valid; valid &= valid - 1) {
        unsigned i = (unsigned)__builtin_ctz(valid);
        memcpy(c + ARM64_CTX_V(i), regs->v[i], 16);
    }
    if (regs->status_valid) {
        dw_put_le32(c + ARM64_CTX_CPSR, regs->cpsr);
        dw_put_le32(c + ARM64_CTX_FPCR, regs->fpcr);
        dw_put_le32(c + ARM64_CTX_FPSR, regs->fpsr);
    }
}

/* User-mode addresses fit in 48 bits; what lies above in a signed return
 * address is its authentication code. */
#define USER_ADDRESS_MASK ((1ull << 48) - 1)

uint64_t arm64_strip_pac(const struct walk_services *services, uint64_t address)
{
    DWORD64 mask = 0;

    if (services->target_attribute &&
        services->target_attribute(services->process, TARGET_ATTRIBUTE_PACMASK, address, &mask) &&
        mask != TARGET_ATTRIBUTE_PACMASK_LIVETARGET)
        return address & ~mask;
    return address & USER_ADDRESS_MASK;
}

static enum unwind_result arm64_virtual_unwind(const struct walk_services *services,
                                               struct arm64_regs *regs, bool pc_exact,
                                               struct unwind_step *step)
{
    struct arm64_codes codes;
    struct arm64_plan plan;
    struct arm64_code_effect effect = {0};
    uint8_t raw[8];
    uint32_t begin, unwind_data;
    uint64_t pc = regs->pc, base, k;
    /* A return address is past its call: the call may end the function. */
    uint64_t at = pc_exact ? pc : pc - 4;
    bool signs_lr = false;
    enum unwind_result r;

    step->caller_pc_exact = false;
    step->function_entry = function_table_lookup(&services->table, at, raw, sizeof(raw));
    if (!step->function_entry) {
        /* A leaf without .pdata: its return address is still in LR. */
        if (arm64_x(regs, ARM64_LR) == pc)
            return UNWIND_LEAF_REFUSED;
        regs->pc = arm64_x(regs, ARM64_LR);
        return UNWIND_OK;
    }
    base = function_table_module_base(&services->table, at);
    if (base == 0)
        return UNWIND_NO_MODULE_BASE;
    begin = dw_le32(raw);
    unwind_data = dw_le32(raw + 4);
    if (at < base + begin)
        return UNWIND_BAD_DATA;
    k = (at - (base + begin)) / 4;

    switch (unwind_data & 3) {
    case 0:
        r = arm64_xdata_plan(services->memory, base + unwind_data, k, &codes, &plan);
        break;
    case 1:
    case 2:
        r = arm64_packed_plan(unwind_data, k, &codes, &plan, &signs_lr);
        break;
    default:
        r = UNWIND_BAD_DATA;
        break;
    }
    if (r != UNWIND_OK)
        return r;
    r = arm64_run_codes(services, regs, &codes, plan.start, plan.skip, &effect);
    if (r != UNWIND_OK)
        return r;
    if (effect.pc_set) {
        step->caller_pc_exact = effect.pc_exact;
        return UNWIND_OK;
    }
    /* A signed LR (pacibsp) is stripped, never authenticated: the caller's
     * LR as the call left it is the plain return address. */
    if (effect.lr_signed || signs_lr)
        arm64_set_x(regs, ARM64_LR, arm64_strip_pac(services, arm64_x(regs, ARM64_LR)));
    /* Reached by its return address, this frame's PC came from LR. If its
     * codes did not load LR from the stack, "returning" would give the same
     * PC again, and again, with only SP rising, to the frame cap: nothing
     * called this frame (a recursive caller restores LR, so it continues). */
    if (!pc_exact && !effect.lr_restored && arm64_strip_pac(services, arm64_x(regs, ARM64_LR)) == pc)
        return UNWIND_NO_CALLER;
    regs->pc = arm64_x(regs, ARM64_LR);
    return UNWIND_OK;
}

static void arm64_seed(void *context, const STACKFRAME64 *frame)
{
    uint8_t *c = context;

    if (frame->AddrPC.Offset)
        dw_put_le64(c + ARM64_CTX_PC, frame->AddrPC.Offset);
    if (frame->AddrStack.Offset)
        dw_put_le64(c + ARM64_CTX_SP, frame->AddrStack.Offset);
    if (frame->AddrFrame.Offset && frame->AddrFrame.Offset != frame->AddrStack.Offset)
        dw_put_le64(c + ARM64_CTX_X(ARM64_FP), frame->AddrFrame.Offset);
}

static uint64_t arm64_pc(const void *context)
{
    return dw_le64((const uint8_t *)context + ARM64_CTX_PC);
}

static uint64_t arm64_sp(const void *context)
{
    return dw_le64((const uint8_t *)context + ARM64_CTX_SP);
}

static enum unwind_result arm64_unwind(const struct walk_services *services, void *context,
                                       bool pc_exact, struct unwind_step *step)
{
    struct arm64_regs regs;
    enum unwind_result r;

    arm64_regs_load(&regs, context);
    r = arm64_virtual_unwind(services, &regs, pc_exact, step);
    if (r == UNWIND_OK) {
        arm64_regs_store(&regs, context);
        step->restored = regs.v_written;
    }
    return r;
}

/* AddrFrame is the frame's FP (x29); ARM64 has no home slots for Params. */
static void arm64_describe(const struct walk_services *services, const void *context,
                           const void *caller, const struct unwind_step *step,
                           STACKFRAME64 *frame)
{
    (void)services;
    (void)caller;
    (void)step;
    memset(frame->Params, 0, sizeof(frame->Params));
    frame->AddrFrame.Offset = dw_le64((const uint8_t *)context + ARM64_CTX_X(ARM64_FP));
}

const struct arch_unwinder arch_arm64 = {
    .machine = IMAGE_FILE_MACHINE_ARM64,
    .context_size = ARM64_CTX_SIZE,
    .context_required = true,
    .first_unwind_may_keep_sp = true,
    /* CPSR, X0-X30, SP, PC; FPCR, FPSR. The V registers, which an unwind
     * writes only where codes restore them (a D register: its low half),
     * are restorable halves. */
    .state = {{ARM64_CTX_CPSR, ARM64_CTX_PC + 8 - ARM64_CTX_CPSR}, {ARM64_CTX_FPCR, 8}},
    .restorable = {ARM64_CTX_V(0), 8, 64},
    .table_format = &arm64_table_format,
    .seed = arm64_seed,
    .pc = arm64_pc,
    .sp = arm64_sp,
    .unwind = arm64_unwind,
    .describe = arm64_describe,
};
