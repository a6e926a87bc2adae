/*
 * The x64 unwinder as the generic walk sees it: the CONTEXT view, seeding and
 * the STACKFRAME fields stackwalk.md fixes for x64.
 */
#include "x64.h"

void x64_regs_load(struct x64_regs *regs, const void *context)
{
    const uint8_t *c = context;

    for (unsigned i = 0; i < 16; i++)
        regs->gpr[i] = dw_le64(c + X64_CTX_GPR(i));
    regs->rip = dw_le64(c + X64_CTX_RIP);
    regs->xmm_restored = 0;
}

void x64_regs_store(const struct x64_regs *regs, void *context)
{
    uint8_t *c = context;

    for (unsigned i = 0; i < 16; i++)
        dw_put_le64(c + X64_CTX_GPR(i), regs->gpr[i]);
    dw_put_le64(c + X64_CTX_RIP, regs->rip);
    for (unsigned restored = regs->xmm_restored; restored; restored &= restored - 1) {
        unsigned i = (unsigned)__builtin_ctz(restored);
        memcpy(c + X64_CTX_XMM(i), regs->xmm[i], 16);
    }
}

static void x64_seed(void *context, const STACKFRAME64 *frame)
{
    uint8_t *c = context;

    if (frame->AddrPC.Offset)
        dw_put_le64(c + X64_CTX_RIP, frame->AddrPC.Offset);
    if (frame->AddrStack.Offset)
        dw_put_le64(c + X64_CTX_GPR(X64_RSP), frame->AddrStack.Offset);
    /* Callers that seed AddrFrame = Rsp would otherwise clobber RBP. */
    if (frame->AddrFrame.Offset && frame->AddrFrame.Offset != frame->AddrStack.Offset)
        dw_put_le64(c + X64_CTX_GPR(X64_RBP), frame->AddrFrame.Offset);
}

static uint64_t x64_pc(const void *context)
{
    return dw_le64((const uint8_t *)context + X64_CTX_RIP);
}

static uint64_t x64_sp(const void *context)
{
    return dw_le64((const uint8_t *)context + X64_CTX_GPR(X64_RSP));
}

static enum unwind_result x64_unwind(const struct walk_services *services, void *context,
                                     bool pc_exact, struct unwind_step *step)
{
    struct x64_regs regs;
    enum unwind_result r;

    x64_regs_load(&regs, context);
    r = x64_virtual_unwind(services, &regs, pc_exact, step);
    if (r == UNWIND_OK) {
        x64_regs_store(&regs, context);
        step->restored = regs.xmm_restored;
    }
    return r;
}

/* AddrFrame is DbgHelp's "RBP-chain style" value: the return-address slot
 * minus 8. Params are the four home slots above the return address. */
static void x64_describe(const struct walk_services *services, const void *context,
                         const void *caller, const struct unwind_step *step, STACKFRAME64 *frame)
{
    uint64_t frame_base;

    (void)step;
    memset(frame->Params, 0, sizeof(frame->Params));
    if (!caller) {
        frame->AddrFrame.Offset = dw_le64((const uint8_t *)context + X64_CTX_GPR(X64_RBP));
        return;
    }
    frame_base = x64_sp(caller) - 16;
    frame->AddrFrame.Offset = frame_base;
    /* One read of the four slots; slot by slot only where that fails (the
     * stack may end among them). */
    uint8_t home[32];
    if (memory_read(services->memory, frame_base + 16, home, sizeof(home))) {
        for (unsigned i = 0; i < 4; i++)
            frame->Params[i] = dw_le64(home + 8 * i);
        return;
    }
    for (unsigned i = 0; i < 4; i++) {
        uint64_t value;
        if (memory_read_u64(services->memory, frame_base + 16 + 8 * i, &value))
            frame->Params[i] = value;
    }
}

const struct arch_unwinder arch_x64 = {
    .machine = IMAGE_FILE_MACHINE_AMD64,
    .context_size = X64_CTX_SIZE,
    .context_required = true,
    .first_unwind_may_keep_sp = false,
    .state = {{X64_CTX_GPR(0), X64_CTX_RIP + 8 - X64_CTX_GPR(0)}},
    .restorable = {X64_CTX_XMM(0), 16, 16},
    .table_format = &x64_table_format,
    .seed = x64_seed,
    .pc = x64_pc,
    .sp = x64_sp,
    .unwind = x64_unwind,
    .describe = x64_describe,
};
