/*
 * The ARM64 unwind-code interpreter (spec/unwind-rules.md "ARM64 — one
 * unwind step", codes table). Codes undo prolog instructions in reverse
 * order; multi-byte codes are big-endian.
 */
#include "arm64.h"

enum {
    OP_ALLOC_L = 0xE0,
    OP_SET_FP = 0xE1,
    OP_ADD_FP = 0xE2,
    OP_NOP = 0xE3,
    OP_END = 0xE4,
    OP_END_C = 0xE5,
    OP_SAVE_NEXT = 0xE6,
    OP_SAVE_ANY_REG = 0xE7,
    OP_TRAP_FRAME = 0xE8,
    OP_MACHINE_FRAME = 0xE9,
    OP_CONTEXT = 0xEA,
    OP_EC_CONTEXT = 0xEB,
    OP_CLEAR_UNWOUND_TO_CALL = 0xEC,
    OP_PAC_SIGN_LR = 0xFC,
};

/* arm64.h's arm64_code_info, built at compile time from the codes table. */
#define CODE_LENGTH(b)                                                                            \
    ((b) < 0xC0 ? 1 : (b) < 0xE0 ? 2 : (b) == OP_ALLOC_L ? 4 : (b) == OP_ADD_FP ? 2               \
     : (b) == OP_SAVE_ANY_REG ? 3 : 1)
#define CODE_INFO(b)                                                                              \
    (CODE_LENGTH(b) | ((b) >= 0xE8 && (b) <= 0xEF ? ARM64_INFO_CUSTOM : 0) |                      \
     ((b) == OP_END ? ARM64_INFO_END : 0) | ((b) == OP_END_C ? ARM64_INFO_END_C : 0))
#define INFO4(b) CODE_INFO(b), CODE_INFO((b) + 1), CODE_INFO((b) + 2), CODE_INFO((b) + 3)
#define INFO16(b) INFO4(b), INFO4((b) + 4), INFO4((b) + 8), INFO4((b) + 12)
#define INFO64(b) INFO16(b), INFO16((b) + 16), INFO16((b) + 32), INFO16((b) + 48)
const uint8_t arm64_code_info[256] = {INFO64(0), INFO64(64), INFO64(128), INFO64(192)};

/* The register classes a save restores: x19.. (through fp and lr), the low
 * halves of v8.. (d registers) and whole v registers (q). */
enum reg_kind { REG_X, REG_D, REG_Q };

struct interp {
    struct memory_reader *memory;
    struct arm64_regs *regs;
    struct arm64_code_effect *effect;
    unsigned pending_pairs; /* save_next codes seen, for the next pair save */
};

static bool load_u64(struct interp *in, uint64_t address, uint64_t *value)
{
    return memory_read_u64(in->memory, address, value);
}

static void set_d(struct arm64_regs *regs, unsigned n, uint64_t value)
{
    uint8_t *v = arm64_v(regs, n);

    regs->v_written |= 1ull << (2 * n);
    for (unsigned i = 0; i < 8; i++)
        v[i] = (uint8_t)(value >> (8 * i));
}

/* restore_run register by register, each read on its own: the run is not
 * in a recent cache block whole (or holds Q registers). Kept out of line so
 * that the usual case stays small. */
static __attribute__((noinline)) enum unwind_result
restore_each(struct interp *in, enum reg_kind kind, unsigned first, unsigned count,
             uint64_t address)
{
    for (unsigned i = 0; i < count; i++) {
        unsigned reg = first + i;
        uint64_t value;
        if (kind == REG_Q) {
            if (!memory_read(in->memory, address + 16u * i, arm64_v(in->regs, reg), 16))
                return UNWIND_STACK_UNREADABLE;
            in->regs->v_written |= 3ull << (2 * reg);
            continue;
        }
        if (!load_u64(in, address + 8u * i, &value))
            return UNWIND_STACK_UNREADABLE;
        if (kind == REG_X) {
            arm64_set_x(in->regs, reg, value);
            if (reg == ARM64_LR)
                in->effect->lr_restored = true;
        } else {
            set_d(in->regs, reg, value);
        }
    }
    return UNWIND_OK;
}

/* Restores `count` consecutive registers of one class from `address`, 8
 * bytes each (16 for Q). save_next stays in the class: an X run goes on
 * from x27/x28 to x29 (fp)/x30 (lr), a D run from d8 up, a Q run 32 bytes
 * per pair (spec/unwind-rules.md, save_next). */
static enum unwind_result restore_run(struct interp *in, enum reg_kind kind, unsigned first,
                                      unsigned count, uint64_t address)
{
    struct arm64_regs *regs = in->regs;
    const uint8_t *saved;

    if (first + count > (kind == REG_X ? ARM64_LR + 1u : 32u))
        return UNWIND_BAD_DATA; /* past the last register of the class */
    /* X and D runs are usually in a cached stack block whole: one look for
     * the run instead of one per register. */
    saved = kind == REG_Q ? NULL : memory_recent_bytes(in->memory, address, 8u * count);
    if (!saved)
        return restore_each(in, kind, first, count, address);
    if (kind == REG_X) {
        for (unsigned i = 0; i < count; i++)
            regs->x[first + i] = dw_le64(saved + 8u * i);
        regs->x_valid |= ((1u << count) - 1u) << first;
        if (first + count == ARM64_LR + 1u)
            in->effect->lr_restored = true;
    } else {
        /* The low half of v(first + i), little-endian in both. */
        for (unsigned i = 0; i < count; i++) {
            memcpy(arm64_v(regs, first + i), saved + 8u * i, 8);
            regs->v_written |= 1ull << (2 * (first + i));
        }
    }
    return UNWIND_OK;
}

/* A pair save (regp, fregp, r19r20_x, save_any_reg pairs) restores one more
 * pair per save_next that preceded it in the code stream. */
static enum unwind_result restore_pairs(struct interp *in, enum reg_kind kind, unsigned first,
                                        uint64_t address)
{
    unsigned count = 2 + 2 * in->pending_pairs;

    in->pending_pairs = 0;
    return restore_run(in, kind, first, count, address);
}

/* save_any_reg: with writeback the registers are at [SP] and SP moves by
 * 16 x (offset + 1), like the other pre-indexed forms. */
static enum unwind_result save_any_reg(struct interp *in, uint8_t r, uint8_t o)
{
    bool pair = (r & 0x40) != 0, writeback = (r & 0x20) != 0;
    unsigned reg = r & 0x1F, type = o >> 6;
    enum reg_kind kind = type == 0 ? REG_X : type == 1 ? REG_D : REG_Q;
    uint64_t unit = (pair || writeback || kind == REG_Q) ? 16 : 8;
    uint64_t offset = (uint64_t)(o & 0x3F);
    uint64_t sp = in->regs->sp;
    uint64_t address = writeback ? sp : sp + offset * unit;
    enum unwind_result result;

    if (type == 3)
        return UNWIND_BAD_DATA;
    result = pair ? restore_pairs(in, kind, reg, address) : restore_run(in, kind, reg, 1, address);
    if (result == UNWIND_OK && writeback)
        in->regs->sp = sp + 16u * (offset + 1u);
    return result;
}

/* An x64 CONTEXT on the stack, as ARM64EC code saves it (contract.md §7.5). */
static enum unwind_result ec_context(struct interp *in)
{
    static const struct {
        uint8_t reg;
        uint16_t offset;
    } map[] = {
        {8, 0x78},  {0, 0x80},  {1, 0x88},  {27, 0x90}, {29, 0xA0}, {25, 0xA8},
        {26, 0xB0}, {2, 0xB8},  {3, 0xC0},  {4, 0xC8},  {5, 0xD0},  {19, 0xD8},
        {20, 0xE0}, {21, 0xE8}, {22, 0xF0}, {30, 0x120}, {6, 0x130}, {7, 0x140},
        {9, 0x150}, {10, 0x160}, {11, 0x170}, {12, 0x180}, {15, 0x190},
    };
    uint8_t x64[0x4D0];
    struct arm64_regs *regs = in->regs;

    if (!memory_read(in->memory, regs->sp, x64, sizeof(x64)))
        return UNWIND_STACK_UNREADABLE;
    /* The record replaces the whole context, as Windows' conversion does:
     * registers ARM64EC has no slot for (x13, x14, x18, x23, x24, x28,
     * v16-v31) come back zero, and x16/x17 are assembled from the 16-bit
     * pieces kept in the high words of FloatRegisters[0..7]. */
    memset(regs->x, 0, sizeof(regs->x));
    memset(regs->v, 0, sizeof(regs->v));
    regs->x_valid = (1u << 31) - 1u;
    regs->v_valid = 0xFFFFFFFFu;
    regs->v_written = ~0ull;
    for (size_t i = 0; i < DW_ARRAY_SIZE(map); i++)
        regs->x[map[i].reg] = dw_le64(x64 + map[i].offset);
    for (unsigned piece = 0; piece < 4; piece++) {
        regs->x[16] |= (uint64_t)dw_le16(x64 + 0x128 + 16 * piece) << (16 * piece);
        regs->x[17] |= (uint64_t)dw_le16(x64 + 0x168 + 16 * piece) << (16 * piece);
    }
    in->effect->lr_restored = true; /* x30 is among them */
    for (unsigned n = 0; n < 16; n++)
        memcpy(regs->v[n], x64 + 0x1A0 + 16 * n, 16);
    regs->pc = dw_le64(x64 + 0xF8);
    regs->sp = dw_le64(x64 + 0x98);
    return UNWIND_OK;
}

static enum unwind_result run_one(struct interp *in, const uint8_t *c,
                                  struct arm64_code_effect *effect)
{
    struct arm64_regs *regs = in->regs;
    uint8_t op = c[0];
    uint64_t sp = regs->sp;
    enum unwind_result r;

    if (op < 0x20) { /* alloc_s */
        regs->sp += 16u * (op & 0x1F);
        return UNWIND_OK;
    }
    if (op < 0x40) { /* save_r19r20_x: Z x 8, not (Z + 1) x 8 */
        r = restore_pairs(in, REG_X, 19, sp);
        if (r == UNWIND_OK)
            regs->sp = sp + 8u * (op & 0x1F);
        return r;
    }
    if (op < 0x80) /* save_fplr */
        return restore_run(in, REG_X, ARM64_FP, 2, sp + 8u * (op & 0x3F));
    if (op < 0xC0) { /* save_fplr_x */
        r = restore_run(in, REG_X, ARM64_FP, 2, sp);
        if (r == UNWIND_OK)
            regs->sp = sp + 8u * ((op & 0x3F) + 1u);
        return r;
    }

    unsigned word = ((unsigned)op << 8) | c[1];
    unsigned z6 = c[1] & 0x3F, reg4 = (word >> 6) & 0x0F, reg3 = (word >> 6) & 0x07;
    switch (op & 0xFC) {
    case 0xC0:
    case 0xC4: /* alloc_m */
        regs->sp += 16u * (word & 0x7FF);
        return UNWIND_OK;
    case 0xC8: /* save_regp */
        return restore_pairs(in, REG_X, 19 + reg4, sp + 8u * z6);
    case 0xCC: /* save_regp_x */
        r = restore_pairs(in, REG_X, 19 + reg4, sp);
        if (r == UNWIND_OK)
            regs->sp = sp + 8u * (z6 + 1u);
        return r;
    case 0xD0: /* save_reg */
        return restore_run(in, REG_X, 19 + reg4, 1, sp + 8u * z6);
    case 0xD4:
        if (!(op & 0x02)) { /* save_reg_x: 1101010x xxxzzzzz */
            r = restore_run(in, REG_X, 19 + ((word >> 5) & 0x0F), 1, sp);
            if (r == UNWIND_OK)
                regs->sp = sp + 8u * ((c[1] & 0x1F) + 1u);
            return r;
        }
        /* save_lrpair: 1101011x xxzzzzzz */
        r = restore_run(in, REG_X, 19 + 2 * reg3, 1, sp + 8u * z6);
        return r == UNWIND_OK ? restore_run(in, REG_X, ARM64_LR, 1, sp + 8u * z6 + 8) : r;
    case 0xD8:
        if (!(op & 0x02)) /* save_fregp */
            return restore_pairs(in, REG_D, 8 + reg3, sp + 8u * z6);
        r = restore_pairs(in, REG_D, 8 + reg3, sp); /* save_fregp_x */
        if (r == UNWIND_OK)
            regs->sp = sp + 8u * (z6 + 1u);
        return r;
    case 0xDC:
        if (!(op & 0x02)) /* save_freg */
            return restore_run(in, REG_D, 8 + reg3, 1, sp + 8u * z6);
        if (op != 0xDE)
            return UNWIND_BAD_DATA;
        /* save_freg_x: 11011110 xxxzzzzz */
        r = restore_run(in, REG_D, 8 + (c[1] >> 5), 1, sp);
        if (r == UNWIND_OK)
            regs->sp = sp + 8u * ((c[1] & 0x1F) + 1u);
        return r;
    }

    switch (op) {
    case OP_ALLOC_L:
        regs->sp += 16u * (((uint64_t)c[1] << 16) | ((uint64_t)c[2] << 8) | c[3]);
        return UNWIND_OK;
    case OP_SET_FP:
        regs->sp = arm64_x(regs, ARM64_FP);
        return UNWIND_OK;
    case OP_ADD_FP: /* x 8, not x 16 */
        regs->sp = arm64_x(regs, ARM64_FP) - 8u * c[1];
        return UNWIND_OK;
    case OP_NOP:
    case OP_END_C:
        return UNWIND_OK;
    case OP_SAVE_NEXT:
        in->pending_pairs++;
        return UNWIND_OK;
    case OP_SAVE_ANY_REG:
        return save_any_reg(in, c[1], c[2]);
    case OP_TRAP_FRAME: /* a kernel trap frame: not unwound in user mode */
        return UNWIND_NO_CALLER;
    case OP_MACHINE_FRAME: {
        uint64_t new_sp, pc;
        if (!load_u64(in, sp, &new_sp) || !load_u64(in, sp + 8, &pc))
            return UNWIND_STACK_UNREADABLE;
        regs->sp = new_sp;
        regs->pc = pc;
        effect->pc_set = effect->pc_exact = true;
        return UNWIND_OK;
    }
    case OP_CONTEXT: {
        uint8_t saved[ARM64_CTX_SIZE];
        if (!memory_read(in->memory, sp, saved, sizeof(saved)))
            return UNWIND_STACK_UNREADABLE;
        arm64_regs_load_all(regs, saved); /* copied: `saved` dies here */
        effect->pc_set = effect->pc_exact = true;
        return UNWIND_OK;
    }
    case OP_EC_CONTEXT:
        r = ec_context(in);
        if (r == UNWIND_OK)
            effect->pc_set = effect->pc_exact = true;
        return r;
    case OP_CLEAR_UNWOUND_TO_CALL:
        regs->pc = arm64_x(regs, ARM64_LR);
        effect->pc_set = effect->pc_exact = true;
        return UNWIND_OK;
    case OP_PAC_SIGN_LR:
        effect->lr_signed = true;
        return UNWIND_OK;
    default:
        return UNWIND_BAD_DATA;
    }
}

enum unwind_result arm64_run_codes(const struct walk_services *services, struct arm64_regs *regs,
                                   const struct arm64_codes *codes, unsigned start, unsigned skip,
                                   struct arm64_code_effect *effect)
{
    struct interp in = {.memory = services->memory, .regs = regs, .effect = effect};
    unsigned i = start;

    /* Skipping counts every code, custom ones included. */
    for (; skip > 0 && i < codes->size; skip--) {
        if (codes->bytes[i] == OP_END)
            return UNWIND_OK;
        i += arm64_code_length(codes->bytes[i]);
    }
    while (i < codes->size) {
        const uint8_t *c = codes->bytes + i;
        unsigned length = arm64_code_length(c[0]);
        enum unwind_result r;

        if (c[0] == OP_END)
            return UNWIND_OK;
        if (i + length > codes->size)
            return UNWIND_BAD_DATA; /* a code running off the end */
        r = run_one(&in, c, effect);
        if (r != UNWIND_OK)
            return r;
        i += length;
    }
    return UNWIND_OK; /* ran out without end: treated as end */
}
