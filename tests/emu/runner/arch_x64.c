/* x64 for the emulator proof: calls are E8 and FF /2 (after any legacy and
 * REX prefixes); the non-volatile set is RBX, RBP, RSI, RDI, R12-R15 and
 * XMM6-XMM15; each frame of a walk is compared on RIP, RSP, that set,
 * AddrPC/AddrStack/AddrReturn and AddrFrame. */
#include "emu.h"

#include <stdio.h>
#include <string.h>

/* The register snapshot kept per frame. */
struct x64_regs {
    uint64_t gpr[8];     /* rbx rbp rsi rdi r12 r13 r14 r15 */
    uint8_t xmm[10][16]; /* xmm6-xmm15 */
};
_Static_assert(sizeof(struct x64_regs) <= EMU_REGS_MAX, "register snapshot too big");

static const int nonvolatile_gpr[8] = {
    UC_X86_REG_RBX, UC_X86_REG_RBP, UC_X86_REG_RSI, UC_X86_REG_RDI,
    UC_X86_REG_R12, UC_X86_REG_R13, UC_X86_REG_R14, UC_X86_REG_R15,
};
static const char *const gpr_name[8] = {"RBX", "RBP", "RSI", "RDI", "R12", "R13", "R14", "R15"};

static bool x64_load_functions(struct emu *e, char *err, size_t err_size)
{
    unsigned n = e->img.exception_size / 12;
    IMAGE_RUNTIME_FUNCTION_ENTRY *entries;

    if (n == 0) {
        snprintf(err, err_size, "no exception directory (.pdata)");
        return false;
    }
    if (!emu_alloc_functions(e, e->img.exception_rva, n, 12, err, err_size))
        return false;
    entries = e->function_entries;
    for (unsigned i = 0; i < n; i++) {
        e->functions[i].begin = entries[i].BeginAddress;
        e->functions[i].end = entries[i].EndAddress;
        e->functions[i].entry = &entries[i];
    }
    e->function_count = n;
    return true;
}

static uint64_t x64_read_sp(struct emu *e)
{
    uint64_t sp = 0;
    uc_reg_read(e->uc, UC_X86_REG_RSP, &sp);
    return sp;
}

static void x64_capture(struct emu *e, unsigned char *out)
{
    struct x64_regs r;
    void *gpr_ptrs[8];

    memset(&r, 0, sizeof(r));
    for (int i = 0; i < 8; i++)
        gpr_ptrs[i] = &r.gpr[i];
    uc_reg_read_batch(e->uc, (int *)nonvolatile_gpr, gpr_ptrs, 8);
    for (int i = 0; i < 10; i++)
        uc_reg_read(e->uc, UC_X86_REG_XMM6 + i, r.xmm[i]);
    memcpy(out, &r, sizeof(r));
}

static bool x64_start(struct emu *e, uint64_t stack_top, uint64_t sentinel)
{
    /* The entry's return-address slot is the last 8 bytes of the stack
     * mapping: the walk's read past the sentinel frame runs off the end. */
    uint64_t sp = stack_top - 8, value;
    uint8_t slot[8], xmm[16];

    for (int i = 0; i < 8; i++)
        slot[i] = (uint8_t)(sentinel >> (8 * i));
    if (uc_mem_write(e->uc, sp, slot, 8) != UC_ERR_OK)
        return false;
    uc_reg_write(e->uc, UC_X86_REG_RSP, &sp);
    /* Distinct values everywhere, so that a register restored from the
     * wrong place shows. */
    for (int i = 0; i < 8; i++) {
        value = 0xC0DE000000000000ull | (uint64_t)(i + 1) * 0x0101010101ull;
        uc_reg_write(e->uc, nonvolatile_gpr[i], &value);
    }
    value = 0xAAAA0000AAAA0001ull;
    uc_reg_write(e->uc, UC_X86_REG_RAX, &value);
    uc_reg_write(e->uc, UC_X86_REG_RCX, &value);
    uc_reg_write(e->uc, UC_X86_REG_RDX, &value);
    for (int i = 0; i < 16; i++) {
        for (int k = 0; k < 16; k++)
            xmm[k] = (uint8_t)(0x40 + i * 16 + k);
        uc_reg_write(e->uc, UC_X86_REG_XMM0 + i, xmm);
    }
    x64_capture(e, e->start_regs);
    e->shadow[0].sp = sp + 8;
    e->shadow[0].hash = sentinel;
    return true;
}

/* E8 rel32, or FF with ModRM.reg = 2, after legacy prefixes and one REX. */
static bool x64_is_call(const uint8_t *code, size_t size)
{
    size_t i = emu_x86_prefixes(code, size);

    if (i < size && (code[i] & 0xF0) == 0x40)
        i++;
    if (i >= size)
        return false;
    if (code[i] == 0xE8)
        return true;
    return code[i] == 0xFF && i + 1 < size && ((code[i + 1] >> 3) & 7) == 2;
}

static bool x64_machine_frame(struct emu *e, uint64_t sp, bool error_code, uint64_t *pc,
                              uint64_t *interrupted_sp)
{
    uint64_t base = sp + (error_code ? 8 : 0);
    return emu_read_u64(e, base, pc) && emu_read_u64(e, base + 24, interrupted_sp);
}

static void x64_seed(struct emu *e, CONTEXT *ctx)
{
    static const int gpr[17] = {
        UC_X86_REG_RAX, UC_X86_REG_RCX, UC_X86_REG_RDX, UC_X86_REG_RBX, UC_X86_REG_RSP,
        UC_X86_REG_RBP, UC_X86_REG_RSI, UC_X86_REG_RDI, UC_X86_REG_R8,  UC_X86_REG_R9,
        UC_X86_REG_R10, UC_X86_REG_R11, UC_X86_REG_R12, UC_X86_REG_R13, UC_X86_REG_R14,
        UC_X86_REG_R15, UC_X86_REG_RIP,
    };
    void *ptrs[17];
    uint64_t eflags = 0;
    uint32_t mxcsr = 0;

    memset(ctx, 0, sizeof(*ctx));
    ctx->ContextFlags = CONTEXT_FULL;
    for (int i = 0; i < 16; i++)
        ptrs[i] = &(&ctx->Rax)[i];
    ptrs[16] = &ctx->Rip;
    uc_reg_read_batch(e->uc, (int *)gpr, ptrs, 17);
    uc_reg_read(e->uc, UC_X86_REG_EFLAGS, &eflags);
    uc_reg_read(e->uc, UC_X86_REG_MXCSR, &mxcsr);
    ctx->EFlags = (DWORD)eflags;
    ctx->MxCsr = mxcsr;
    ctx->FltSave.MxCsr = mxcsr;
    for (int i = 0; i < 16; i++) {
        uint8_t x[16];
        uc_reg_read(e->uc, UC_X86_REG_XMM0 + i, x);
        memcpy(&ctx->FltSave.XmmRegisters[i], x, 16);
    }
}

static bool differs(const CONTEXT *ctx, const struct x64_regs *want, char *why, size_t why_size)
{
    const DWORD64 got_gpr[8] = {ctx->Rbx, ctx->Rbp, ctx->Rsi, ctx->Rdi,
                                ctx->R12, ctx->R13, ctx->R14, ctx->R15};
    for (int i = 0; i < 8; i++)
        if (got_gpr[i] != want->gpr[i]) {
            snprintf(why, why_size, "%s %#llx, expected %#llx", gpr_name[i],
                     (unsigned long long)got_gpr[i], (unsigned long long)want->gpr[i]);
            return true;
        }
    for (int i = 0; i < 10; i++) {
        const M128A *x = &ctx->FltSave.XmmRegisters[6 + i];
        if (memcmp(x, want->xmm[i], 16) != 0) {
            uint64_t lo, hi;
            memcpy(&lo, want->xmm[i], 8);
            memcpy(&hi, want->xmm[i] + 8, 8);
            snprintf(why, why_size, "XMM%d %016llx%016llx, expected %016llx%016llx", 6 + i,
                     (unsigned long long)x->High, (unsigned long long)x->Low,
                     (unsigned long long)hi, (unsigned long long)lo);
            return true;
        }
    }
    return false;
}

/* Frame i on RIP, RSP, the non-volatile set, AddrReturn and AddrFrame. */
static enum emu_frame_check x64_compare(struct emu *e, const struct emu_frame *expected,
                                        unsigned count, unsigned i, const STACKFRAME64 *frame,
                                        const void *context, char *detail, size_t detail_size)
{
    const CONTEXT *ctx = context;
    const struct emu_frame *want = &expected[i];
    uint64_t want_return = i + 1 < count ? expected[i + 1].pc : 0;

    (void)e;
    if (frame->AddrPC.Offset != want->pc || ctx->Rip != want->pc) {
        snprintf(detail, detail_size, "AddrPC %#llx / Rip %#llx, expected %#llx",
                 (unsigned long long)frame->AddrPC.Offset, (unsigned long long)ctx->Rip,
                 (unsigned long long)want->pc);
        return EMU_FRAME_WRONG;
    }
    if (frame->AddrStack.Offset != want->sp || ctx->Rsp != want->sp) {
        snprintf(detail, detail_size, "AddrStack %#llx / Rsp %#llx, expected %#llx",
                 (unsigned long long)frame->AddrStack.Offset, (unsigned long long)ctx->Rsp,
                 (unsigned long long)want->sp);
        return EMU_FRAME_WRONG;
    }
    if (differs(ctx, (const struct x64_regs *)want->regs, detail, detail_size))
        return EMU_FRAME_WRONG;
    if (frame->AddrReturn.Offset != want_return) {
        snprintf(detail, detail_size, "AddrReturn %#llx, expected %#llx",
                 (unsigned long long)frame->AddrReturn.Offset, (unsigned long long)want_return);
        return EMU_STEP_WRONG;
    }
    if (i + 1 < count && expected[i + 1].kind != EMU_FRAME_MACHINE &&
        frame->AddrFrame.Offset != expected[i + 1].sp - 16) {
        /* the return-address slot - 8 */
        snprintf(detail, detail_size, "AddrFrame %#llx, expected %#llx",
                 (unsigned long long)frame->AddrFrame.Offset,
                 (unsigned long long)(expected[i + 1].sp - 16));
        return EMU_STEP_WRONG;
    }
    if (i + 1 == count && frame->AddrFrame.Offset != ctx->Rbp) {
        snprintf(detail, detail_size, "AddrFrame %#llx at the end, expected RBP %#llx",
                 (unsigned long long)frame->AddrFrame.Offset, (unsigned long long)ctx->Rbp);
        return EMU_STEP_WRONG;
    }
    return EMU_FRAME_RIGHT;
}

static bool x64_walk_and_compare(struct emu *e, const struct emu_frame *expected, unsigned count,
                                 char *why, size_t why_size)
{
    CONTEXT ctx;

    x64_seed(e, &ctx);
    return emu_walk_compare(e, &ctx, ctx.Rip, ctx.Rsp, ctx.Rbp, expected, count, x64_compare, why,
                            why_size) == count + 1;
}

static bool x64_finish(struct emu *e, char *why, size_t why_size)
{
    uint64_t rax = 0, rsp = 0;
    unsigned char regs[EMU_REGS_MAX];
    CONTEXT ctx;

    uc_reg_read(e->uc, UC_X86_REG_RAX, &rax);
    uc_reg_read(e->uc, UC_X86_REG_RSP, &rsp);
    if ((rax & 0xFFFF) != 0x600D) {
        snprintf(why, why_size, "the program returned %#llx, not EMU_OK (0x600D)",
                 (unsigned long long)rax);
        return false;
    }
    if (rsp != e->shadow[0].sp) {
        snprintf(why, why_size, "RSP %#llx at the end, expected %#llx", (unsigned long long)rsp,
                 (unsigned long long)e->shadow[0].sp);
        return false;
    }
    x64_capture(e, regs);
    x64_seed(e, &ctx);
    if (differs(&ctx, (const struct x64_regs *)e->start_regs, why, why_size))
        return false; /* the program broke the calling convention */
    printf("  program result %#llx\n", (unsigned long long)rax);
    return true;
}

static size_t x64_seed_context(struct emu *e, void *out)
{
    x64_seed(e, out);
    return sizeof(CONTEXT);
}

const struct emu_arch emu_arch_x64 = {
    .name = "x64",
    .machine = IMAGE_FILE_MACHINE_AMD64,
    .uc_arch = UC_ARCH_X86,
    .uc_mode = UC_MODE_64,
    .load_functions = x64_load_functions,
    .start = x64_start,
    .read_sp = x64_read_sp,
    .capture = x64_capture,
    .is_call = x64_is_call,
    .machine_frame = x64_machine_frame,
    .walk_and_compare = x64_walk_and_compare,
    .seed_context = x64_seed_context,
    .entry_size = 12,
    .finish = x64_finish,
};
