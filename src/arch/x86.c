/*
 * The x86 unwinder as the generic walk sees it: the x86 CONTEXT view (also
 * WOW64_CONTEXT), seeding, and the STACKFRAME fields stackwalk.md fixes for
 * x86. A NULL context is allowed: the frame's AddrPC/AddrStack/AddrFrame
 * seed EIP/ESP/EBP.
 */
#include "x86.h"

const uint16_t x86_ctx_gpr_offset[8] = {0xB0, 0xAC, 0xA8, 0xA4, 0xC4, 0xB4, 0xA0, 0x9C};

void x86_regs_load(struct x86_regs *regs, const void *context)
{
    const uint8_t *c = context;

    for (unsigned i = 0; i < 8; i++)
        regs->gpr[i] = dw_le32(c + x86_ctx_gpr_offset[i]);
    regs->eip = dw_le32(c + X86_CTX_EIP);
}

void x86_regs_store(const struct x86_regs *regs, void *context)
{
    uint8_t *c = context;

    for (unsigned i = 0; i < 8; i++)
        dw_put_le32(c + x86_ctx_gpr_offset[i], regs->gpr[i]);
    dw_put_le32(c + X86_CTX_EIP, regs->eip);
}

/* On x86 AddrFrame is EBP, so DbgHelp's seeding copies it without the x64
 * exception. */
static void x86_seed(void *context, const STACKFRAME64 *frame)
{
    uint8_t *c = context;

    if (frame->AddrPC.Offset)
        dw_put_le32(c + X86_CTX_EIP, (uint32_t)frame->AddrPC.Offset);
    if (frame->AddrStack.Offset)
        dw_put_le32(c + x86_ctx_gpr_offset[X86_ESP], (uint32_t)frame->AddrStack.Offset);
    if (frame->AddrFrame.Offset)
        dw_put_le32(c + x86_ctx_gpr_offset[X86_EBP], (uint32_t)frame->AddrFrame.Offset);
}

static uint64_t x86_pc(const void *context)
{
    return dw_le32((const uint8_t *)context + X86_CTX_EIP);
}

static uint64_t x86_sp(const void *context)
{
    return dw_le32((const uint8_t *)context + x86_ctx_gpr_offset[X86_ESP]);
}

static enum unwind_result x86_unwind(const struct walk_services *services, void *context,
                                     bool pc_exact, struct unwind_step *step)
{
    struct x86_regs regs;
    enum unwind_result r;

    x86_regs_load(&regs, context);
    r = x86_virtual_unwind(services, &regs, pc_exact, step);
    if (r == UNWIND_OK)
        x86_regs_store(&regs, context);
    return r;
}

/* AddrFrame: the return-address slot − 4, which is EBP for an EBP frame and
 * the virtual frame base of an FPO frame; Params: the 4 DWORDs above the
 * return address, zero-extended. Without a caller, AddrFrame is EBP. */
static void x86_describe(const struct walk_services *services, const void *context,
                         const void *caller, const struct unwind_step *step, STACKFRAME64 *frame)
{
    memset(frame->Params, 0, sizeof(frame->Params));
    if (!caller || step->return_slot < 4) {
        frame->AddrFrame.Offset =
            dw_le32((const uint8_t *)context + x86_ctx_gpr_offset[X86_EBP]);
        return;
    }
    frame->AddrFrame.Offset = step->return_slot - 4;
    uint8_t args[16];
    if (memory_read(services->memory, step->return_slot + 4, args, sizeof(args))) {
        for (unsigned i = 0; i < 4; i++)
            frame->Params[i] = dw_le32(args + 4 * i);
        return;
    }
    for (unsigned i = 0; i < 4; i++) {
        uint32_t value;
        if (memory_read_u32(services->memory, step->return_slot + 4 + 4 * i, &value))
            frame->Params[i] = value;
    }
}

const struct arch_unwinder arch_x86 = {
    .machine = IMAGE_FILE_MACHINE_I386,
    .context_size = X86_CTX_SIZE,
    .context_required = false,
    .first_unwind_may_keep_sp = false,
    .state = {{0x9C, 0xC8 - 0x9C}}, /* Edi .. Esp: the GPRs, EBP, EIP and ESP */
    .table_format = NULL, /* x86 images carry no function table */
    .seed = x86_seed,
    .pc = x86_pc,
    .sp = x86_sp,
    .unwind = x86_unwind,
    .describe = x86_describe,
};
