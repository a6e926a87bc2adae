/* ARM64 for the emulator proof: calls are BL, BLR and the authenticating
 * BLRAA/BLRAAZ/BLRAB/BLRABZ (the return address is the next instruction, SP
 * is left alone); returns are RET/RETAA/RETAB; the non-volatile set is
 * X19-X28, FP and D8-D15 (the low 64 bits of V8-V15); each frame of a walk
 * is compared on PC, SP, that set, AddrPC/AddrStack/AddrReturn and AddrFrame
 * (the frame's FP).
 *
 * .pdata entries are 8 bytes: {BeginAddress, UnwindData}; UnwindData is an
 * .xdata RVA (flag 0) or packed data (flags 1 and 2), whose FunctionLength
 * gives the entry's end. Marks of kind 2 enter a handler with a machine frame
 * ({SP, PC}) at SP, kind 3 with an ARM64_NT_CONTEXT at SP. */
#include "emu.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The register snapshot kept per frame. */
struct arm64_regs {
    uint64_t x[11]; /* x19-x28, fp */
    uint64_t d[8];  /* d8-d15 */
};
_Static_assert(sizeof(struct arm64_regs) <= EMU_REGS_MAX, "register snapshot too big");

static const char *const gpr_name[11] = {"X19", "X20", "X21", "X22", "X23", "X24",
                                         "X25", "X26", "X27", "X28", "FP"};

static int gpr_reg(unsigned n) /* x0-x30 */
{
    return n == 29 ? UC_ARM64_REG_X29 : n == 30 ? UC_ARM64_REG_X30 : UC_ARM64_REG_X0 + (int)n;
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static bool arm64_load_functions(struct emu *e, char *err, size_t err_size)
{
    unsigned n = e->img.exception_size / 8;
    uint8_t *entries;

    if (n == 0) {
        snprintf(err, err_size, "no exception directory (.pdata)");
        return false;
    }
    if (!emu_alloc_functions(e, e->img.exception_rva, n, 8, err, err_size))
        return false;
    entries = e->function_entries;
    for (unsigned i = 0; i < n; i++) {
        uint32_t begin = le32(entries + 8 * i), data = le32(entries + 8 * i + 4), length;

        if (data & 3) {
            length = ((data >> 2) & 0x7FF) * 4;
        } else {
            if (data > e->img.size - 4) {
                snprintf(err, err_size, ".pdata entry %u: .xdata %#x outside the image", i, data);
                return false;
            }
            length = (le32(e->img.bytes + data) & 0x3FFFF) * 4;
        }
        e->functions[i].begin = begin;
        e->functions[i].end = begin + length;
        e->functions[i].entry = entries + 8 * i;
    }
    e->function_count = n;
    return true;
}

static uint64_t arm64_read_sp(struct emu *e)
{
    uint64_t sp = 0;
    uc_reg_read(e->uc, UC_ARM64_REG_SP, &sp);
    return sp;
}

static void arm64_capture(struct emu *e, unsigned char *out)
{
    struct arm64_regs r;

    memset(&r, 0, sizeof(r));
    for (unsigned i = 0; i < 11; i++)
        uc_reg_read(e->uc, gpr_reg(19 + i), &r.x[i]);
    for (unsigned i = 0; i < 8; i++)
        uc_reg_read(e->uc, UC_ARM64_REG_D8 + (int)i, &r.d[i]);
    memcpy(out, &r, sizeof(r));
}

static bool arm64_start(struct emu *e, uint64_t stack_top, uint64_t sentinel)
{
    /* The entry is "called" with SP at the top of the stack mapping and LR
     * at the sentinel; the walk past the sentinel frame ends on PC == LR. */
    uint64_t sp = stack_top, value;
    uint8_t q[16];

    uc_reg_write(e->uc, UC_ARM64_REG_SP, &sp);
    uc_reg_write(e->uc, UC_ARM64_REG_X30, &sentinel);
    /* Distinct values everywhere, so that a register restored from the
     * wrong place shows. */
    for (unsigned i = 0; i < 30; i++) {
        value = (i >= 19 ? 0xC0DE000000000000ull : 0xAAAA000000000000ull) |
                (uint64_t)(i + 1) * 0x0101010101ull;
        uc_reg_write(e->uc, gpr_reg(i), &value);
    }
    for (int i = 0; i < 32; i++) {
        for (int k = 0; k < 16; k++)
            q[k] = (uint8_t)(0x40 + i * 16 + k);
        uc_reg_write(e->uc, UC_ARM64_REG_Q0 + i, q);
    }
    arm64_capture(e, e->start_regs);
    e->shadow[0].sp = sp;
    e->shadow[0].hash = sentinel;
    return true;
}

static uint32_t insn(const uint8_t *code, size_t size)
{
    return size == 4 ? le32(code) : 0;
}

/* BL imm26; BLR Xn; BLRAA/BLRAB Xn, Xm; BLRAAZ/BLRABZ Xn. */
static bool arm64_is_call(const uint8_t *code, size_t size)
{
    uint32_t i = insn(code, size);

    return (i & 0xFC000000u) == 0x94000000u || (i & 0xFFFFFC1Fu) == 0xD63F0000u ||
           (i & 0xFEFFF800u) == 0xD63F0800u;
}

/* RET Xn; RETAA; RETAB. */
static bool arm64_is_return(const uint8_t *code, size_t size)
{
    uint32_t i = insn(code, size);

    return (i & 0xFFFFFC1Fu) == 0xD65F0000u || i == 0xD65F0BFFu || i == 0xD65F0FFFu;
}

/* Kind 2: {SP, PC} at SP. Kind 3 (`context`): an ARM64_NT_CONTEXT at SP. */
static bool arm64_machine_frame(struct emu *e, uint64_t sp, bool context, uint64_t *pc,
                                uint64_t *interrupted_sp)
{
    if (context)
        return emu_read_u64(e, sp + 0x100, interrupted_sp) && emu_read_u64(e, sp + 0x108, pc);
    return emu_read_u64(e, sp, interrupted_sp) && emu_read_u64(e, sp + 8, pc);
}

static void arm64_seed(struct emu *e, ARM64_NT_CONTEXT *ctx)
{
    uint64_t nzcv = 0, fpcr = 0, fpsr = 0;

    memset(ctx, 0, sizeof(*ctx));
    ctx->ContextFlags = CONTEXT_ARM64_FULL;
    for (unsigned i = 0; i < 31; i++)
        uc_reg_read(e->uc, gpr_reg(i), &ctx->X[i]);
    uc_reg_read(e->uc, UC_ARM64_REG_SP, &ctx->Sp);
    uc_reg_read(e->uc, UC_ARM64_REG_PC, &ctx->Pc);
    uc_reg_read(e->uc, UC_ARM64_REG_NZCV, &nzcv);
    uc_reg_read(e->uc, UC_ARM64_REG_FPCR, &fpcr);
    uc_reg_read(e->uc, UC_ARM64_REG_FPSR, &fpsr);
    ctx->Cpsr = (DWORD)nzcv;
    ctx->Fpcr = (DWORD)fpcr;
    ctx->Fpsr = (DWORD)fpsr;
    for (int i = 0; i < 32; i++) {
        uint8_t q[16];
        uc_reg_read(e->uc, UC_ARM64_REG_Q0 + i, q);
        memcpy(&ctx->V[i], q, 16);
    }
}

static bool differs(const ARM64_NT_CONTEXT *ctx, const struct arm64_regs *want, char *why,
                    size_t why_size)
{
    for (unsigned i = 0; i < 11; i++)
        if (ctx->X[19 + i] != want->x[i]) {
            snprintf(why, why_size, "%s %#llx, expected %#llx", gpr_name[i],
                     (unsigned long long)ctx->X[19 + i], (unsigned long long)want->x[i]);
            return true;
        }
    for (unsigned i = 0; i < 8; i++)
        if (ctx->V[8 + i].Low != want->d[i]) {
            snprintf(why, why_size, "D%u %#llx, expected %#llx", 8 + i,
                     (unsigned long long)ctx->V[8 + i].Low, (unsigned long long)want->d[i]);
            return true;
        }
    return false;
}

/* Frame i on PC, SP, the non-volatile set, AddrReturn and AddrFrame. */
static enum emu_frame_check arm64_compare(struct emu *e, const struct emu_frame *expected,
                                          unsigned count, unsigned i, const STACKFRAME64 *frame,
                                          const void *context, char *detail, size_t detail_size)
{
    const ARM64_NT_CONTEXT *ctx = context;
    const struct emu_frame *want = &expected[i];
    uint64_t want_return = i + 1 < count ? expected[i + 1].pc : 0;

    (void)e;
    if (frame->AddrPC.Offset != want->pc || ctx->Pc != want->pc) {
        snprintf(detail, detail_size, "AddrPC %#llx / Pc %#llx, expected %#llx",
                 (unsigned long long)frame->AddrPC.Offset, (unsigned long long)ctx->Pc,
                 (unsigned long long)want->pc);
        return EMU_FRAME_WRONG;
    }
    if (frame->AddrStack.Offset != want->sp || ctx->Sp != want->sp) {
        snprintf(detail, detail_size, "AddrStack %#llx / Sp %#llx, expected %#llx",
                 (unsigned long long)frame->AddrStack.Offset, (unsigned long long)ctx->Sp,
                 (unsigned long long)want->sp);
        return EMU_FRAME_WRONG;
    }
    if (differs(ctx, (const struct arm64_regs *)want->regs, detail, detail_size))
        return EMU_FRAME_WRONG;
    if (frame->AddrReturn.Offset != want_return) {
        snprintf(detail, detail_size, "AddrReturn %#llx, expected %#llx",
                 (unsigned long long)frame->AddrReturn.Offset, (unsigned long long)want_return);
        return EMU_STEP_WRONG;
    }
    if (frame->AddrFrame.Offset != ctx->Fp) {
        snprintf(detail, detail_size, "AddrFrame %#llx, expected FP %#llx",
                 (unsigned long long)frame->AddrFrame.Offset, (unsigned long long)ctx->Fp);
        return EMU_STEP_WRONG;
    }
    return EMU_FRAME_RIGHT;
}

static bool arm64_walk_and_compare(struct emu *e, const struct emu_frame *expected,
                                   unsigned count, char *why, size_t why_size)
{
    ARM64_NT_CONTEXT ctx;

    arm64_seed(e, &ctx);
    return emu_walk_compare(e, &ctx, ctx.Pc, ctx.Sp, ctx.Fp, expected, count, arm64_compare, why,
                            why_size) == count + 1;
}

static bool arm64_finish(struct emu *e, char *why, size_t why_size)
{
    uint64_t x0 = 0, sp = 0;
    ARM64_NT_CONTEXT ctx;

    uc_reg_read(e->uc, UC_ARM64_REG_X0, &x0);
    uc_reg_read(e->uc, UC_ARM64_REG_SP, &sp);
    if ((x0 & 0xFFFF) != 0x600D) {
        snprintf(why, why_size, "the program returned %#llx, not EMU_OK (0x600D)",
                 (unsigned long long)x0);
        return false;
    }
    if (sp != e->shadow[0].sp) {
        snprintf(why, why_size, "SP %#llx at the end, expected %#llx", (unsigned long long)sp,
                 (unsigned long long)e->shadow[0].sp);
        return false;
    }
    arm64_seed(e, &ctx);
    if (differs(&ctx, (const struct arm64_regs *)e->start_regs, why, why_size))
        return false; /* the program broke the calling convention */
    printf("  program result %#llx\n", (unsigned long long)x0);
    return true;
}

static size_t arm64_seed_context(struct emu *e, void *out)
{
    arm64_seed(e, out);
    return sizeof(ARM64_NT_CONTEXT);
}

const struct emu_arch emu_arch_arm64 = {
    .name = "arm64",
    .machine = IMAGE_FILE_MACHINE_ARM64,
    .uc_arch = UC_ARCH_ARM64,
    .uc_mode = UC_MODE_ARM,
    .load_functions = arm64_load_functions,
    .start = arm64_start,
    .read_sp = arm64_read_sp,
    .capture = arm64_capture,
    .is_call = arm64_is_call,
    .is_return = arm64_is_return,
    .machine_frame = arm64_machine_frame,
    .walk_and_compare = arm64_walk_and_compare,
    .seed_context = arm64_seed_context,
    .entry_size = 8,
    .finish = arm64_finish,
};
