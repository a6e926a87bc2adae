/*
 * ARM64 unwind codes, white-box through arch_arm64.unwind: every code in a
 * described function whose prolog and epilog a simulator runs instruction
 * by instruction; the unwind at every position (prolog, body, epilog, ret)
 * must give back the entry state, in every .xdata form (epilog scope, E bit,
 * extended header, X bit, shared or separate epilog codes). The special
 * codes (end_c, machine frame, context records, trap frame, clear unwound
 * to call, PAC) and unknown codes have their own expectations.
 */
#include "arm64_model.h"

#include <stdio.h>
#include <string.h>

#define IB A64_IMAGE_BASE
#define FUNC 0x1000u
#define XDATA 0x9000u

static struct a64_target t;

static int setup(void **state)
{
    (void)state;
    a64_init(&t);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    a64_free(&t);
    return 0;
}

/* Every .xdata form of `fn`, each checked at every instruction. */
static void check_all_forms(const struct a64_fn *fn, const char *what)
{
    static const enum a64_xdata_form forms[] = {XD_SCOPES, XD_SINGLE, XD_EXTENDED,
                                                XD_SCOPES_HANDLER};
    static const char *const names[] = {"scope", "E bit", "extended header", "X bit"};
    char label[160];

    for (unsigned f = 0; f < DW_ARRAY_SIZE(forms); f++) {
        for (int separate = 0; separate < 2; separate++) {
            t.fn_count = 0;
            a64_write_xdata(&t, XDATA, fn, forms[f], separate != 0);
            a64_add_xdata(&t, FUNC, a64_fn_length(fn), XDATA);
            snprintf(label, sizeof(label), "%s [%s%s]", what, names[f],
                     separate ? ", separate epilog codes" : "");
            a64_check_every_position(&t, fn, FUNC, label);
        }
    }
}

/* alloc_s, save_r19r20_x, save_regp, save_reg, save_fplr, add_fp: the
 * shape MSVC gives a function with a frame record above its saves. */
static void codes_r19r20_x_regp_reg_fplr_add_fp_alloc_s(void **state)
{
    (void)state;
    struct a64_fn fn = {.body = 3};
    a64_fn_add(&fn, a64_save_r19r20_x(80));
    a64_fn_add(&fn, a64_save_regp(21, 16));
    a64_fn_add(&fn, a64_save_reg(23, 32));
    a64_fn_add(&fn, a64_save_fplr(48));
    a64_fn_add(&fn, a64_add_fp(48));
    a64_fn_add(&fn, a64_alloc_s(64));
    a64_fn_mirror(&fn);
    check_all_forms(&fn, "r19r20_x/regp/reg/fplr/add_fp/alloc_s");
}

/* The pre-indexed forms, alloc_m, the d-register saves and set_fp, with an
 * alloca in the body so only the frame pointer knows the frame. */
static void codes_pre_indexed_fregs_alloc_m_set_fp(void **state)
{
    (void)state;
    struct a64_fn fn = {.body = 2, .alloca_size = 48};
    a64_fn_add(&fn, a64_save_fplr_x(32));
    a64_fn_add(&fn, a64_save_regp_x(19, 48));
    a64_fn_add(&fn, a64_save_reg_x(21, 16));
    a64_fn_add(&fn, a64_save_reg_x(28, 16));
    a64_fn_add(&fn, a64_save_fregp_x(8, 32));
    a64_fn_add(&fn, a64_save_freg_x(10, 16));
    a64_fn_add(&fn, a64_save_freg_x(15, 256));
    a64_fn_add(&fn, a64_alloc_m(2048));
    a64_fn_add(&fn, a64_save_fregp(12, 16));
    a64_fn_add(&fn, a64_save_freg(14, 40));
    a64_fn_add(&fn, a64_save_regp(25, 496));
    a64_fn_add(&fn, a64_set_fp());
    a64_fn_mirror(&fn);
    check_all_forms(&fn, "fplr_x/regp_x/reg_x/fregp_x/freg_x/alloc_m/fregp/freg/set_fp");
}

/* save_next runs x21..x28 and, after the x27/x28 pair, x29 (fp)/x30 (lr):
 * an X run stays in the X class; homing nops still count one instruction
 * each and have no epilog twin; alloc_l. */
static void codes_save_next_x27_pair_continues_to_fp_lr(void **state)
{
    (void)state;
    struct a64_fn fn = {.body = 1};
    a64_fn_add(&fn, a64_save_r19r20_x(96));
    a64_fn_add(&fn, a64_save_next(R_X, 21, 16));
    a64_fn_add(&fn, a64_save_next(R_X, 23, 32));
    a64_fn_add(&fn, a64_save_next(R_X, 25, 48));
    a64_fn_add(&fn, a64_save_next(R_X, 27, 64));
    a64_fn_add(&fn, a64_save_next(R_X, 29, 80));
    a64_fn_add(&fn, a64_nop());
    a64_fn_add(&fn, a64_nop());
    a64_fn_add(&fn, a64_alloc_l(0x12340));
    a64_fn_mirror(&fn);
    check_all_forms(&fn, "save_next x27/x28 -> fp/lr, nop, alloc_l");
}

/* D pairs continue through d8..d15: fregp_x d8/d9 then three save_next. */
static void codes_save_next_d_pairs_through_d15(void **state)
{
    (void)state;
    struct a64_fn fn = {.body = 1};
    a64_fn_add(&fn, a64_save_fregp_x(8, 80));
    a64_fn_add(&fn, a64_save_next(R_D, 10, 16));
    a64_fn_add(&fn, a64_save_next(R_D, 12, 32));
    a64_fn_add(&fn, a64_save_next(R_D, 14, 48));
    a64_fn_add(&fn, a64_save_fplr(64));
    a64_fn_mirror(&fn);
    check_all_forms(&fn, "fregp_x d8 + save_next to d15");
}

/* After save_any_reg pairs, save_next continues the same class: X and D
 * pairs 16 bytes on, Q pairs 32 bytes on (a Q register is 16 bytes). */
static void codes_save_next_after_save_any_reg_pairs(void **state)
{
    (void)state;
    struct a64_fn fn = {.body = 1};
    a64_fn_add(&fn, a64_save_any(R_Q, 16, true, true, 128)); /* q16,q17 at [sp]; sp -= 128 */
    a64_fn_add(&fn, a64_save_next(R_Q, 18, 32));             /* q18,q19 at [sp + 32] */
    a64_fn_add(&fn, a64_save_next(R_Q, 20, 64));             /* q20,q21 at [sp + 64] */
    a64_fn_add(&fn, a64_save_any(R_X, 21, true, true, 64));  /* x21,x22 at [sp]; sp -= 64 */
    a64_fn_add(&fn, a64_save_next(R_X, 23, 16));             /* x23,x24 at [sp + 16] */
    a64_fn_add(&fn, a64_save_any(R_D, 8, true, false, 32));  /* d8,d9 at [sp + 32] */
    a64_fn_add(&fn, a64_save_next(R_D, 10, 48));             /* d10,d11 at [sp + 48] */
    a64_fn_mirror(&fn);
    check_all_forms(&fn, "save_any_reg pairs + save_next");
}

/* save_regp_x then save_next, fregp then save_next (d pairs), lrpair. */
static void codes_save_next_after_regp_x_and_fregp_lrpair(void **state)
{
    (void)state;
    struct a64_fn fn = {.body = 4};
    a64_fn_add(&fn, a64_save_regp_x(19, 112));
    a64_fn_add(&fn, a64_save_next(R_X, 21, 16));
    a64_fn_add(&fn, a64_save_lrpair(23, 32));
    a64_fn_add(&fn, a64_save_fregp(8, 48));
    a64_fn_add(&fn, a64_save_next(R_D, 10, 64));
    a64_fn_add(&fn, a64_save_next(R_D, 12, 80));
    a64_fn_add(&fn, a64_save_lrpair(25, 96)); /* lr stored again: the last store wins */
    a64_fn_mirror(&fn);
    check_all_forms(&fn, "regp_x+save_next/lrpair/fregp+save_next");
}

/* save_any_reg (0xE7): X, D and Q; single and pair; plain and pre-indexed. */
static void codes_save_any_reg(void **state)
{
    (void)state;
    struct a64_fn fn = {.body = 2};
    a64_fn_add(&fn, a64_save_any(R_X, 22, false, true, 16));
    a64_fn_add(&fn, a64_save_any(R_X, 23, true, true, 32));
    a64_fn_add(&fn, a64_save_any(R_D, 12, true, true, 32));
    a64_fn_add(&fn, a64_save_any(R_D, 9, false, true, 16));
    a64_fn_add(&fn, a64_save_any(R_Q, 14, false, true, 16));
    a64_fn_add(&fn, a64_save_any(R_Q, 16, true, true, 32));
    a64_fn_add(&fn, a64_alloc_s(256));
    a64_fn_add(&fn, a64_save_any(R_X, 25, false, false, 8));
    a64_fn_add(&fn, a64_save_any(R_X, 26, true, false, 16));
    a64_fn_add(&fn, a64_save_any(R_D, 15, false, false, 40));
    a64_fn_add(&fn, a64_save_any(R_D, 10, true, false, 48));
    a64_fn_add(&fn, a64_save_any(R_Q, 18, true, false, 64));
    a64_fn_add(&fn, a64_save_any(R_Q, 20, false, false, 96));
    a64_fn_add(&fn, a64_save_any(R_X, 29, true, false, 112)); /* fp, lr */
    a64_fn_add(&fn, a64_save_any(R_X, 4, false, false, 248)); /* any x register */
    a64_fn_mirror(&fn);
    check_all_forms(&fn, "save_any_reg");
}

/* pacibsp first, autibsp before ret: the LR restored from the stack is
 * signed and comes back stripped (48-bit user space without a callback). */
static void codes_pac_sign_lr(void **state)
{
    (void)state;
    struct a64_fn fn = {.body = 2, .alloca_size = 32};
    a64_fn_add(&fn, a64_pac());
    a64_fn_add(&fn, a64_save_fplr_x(48));
    a64_fn_add(&fn, a64_save_regp(19, 16));
    a64_fn_add(&fn, a64_save_reg(21, 32));
    a64_fn_add(&fn, a64_set_fp());
    a64_fn_mirror(&fn);
    check_all_forms(&fn, "pac_sign_lr");
}

/* ---- hand-written code arrays ---- */

static void write_codes(const uint8_t *codes, unsigned n, uint32_t function_length)
{
    uint8_t padded[256];
    unsigned words = (n + 3) / 4;
    memset(padded, 0xE4, sizeof(padded));
    memcpy(padded, codes, n);
    t.fn_count = 0;
    a64_write_raw_xdata(&t, XDATA, function_length, false, false, 0, false, NULL, 0, padded,
                        words * 4, words);
    if (words == 0) /* keep the one-word header form: one word of end */
        a64_write_raw_xdata(&t, XDATA, function_length, false, false, 0, false, NULL, 0, padded,
                            4, 1);
    a64_add_xdata(&t, FUNC, function_length, XDATA);
}

static ARM64_NT_CONTEXT context_at(unsigned k, uint64_t sp)
{
    struct a64_machine m;
    ARM64_NT_CONTEXT c;
    a64_entry_state(&m);
    m.sp = sp;
    m.pc = IB + FUNC + 4ull * k;
    a64_to_context(&m, &c);
    return c;
}

/* end_c: the sequence for L ends there, the (phantom) codes after it run. A
 * fragment with a one-instruction prolog of its own, whose parent saved fp,
 * lr and x19/x20 before it. */
static void codes_end_c_chained_scope(void **state)
{
    (void)state;
    struct a64_insn phantom[] = {a64_save_fplr_x(16), a64_save_r19r20_x(16)};
    struct a64_insn own[] = {a64_alloc_s(32), a64_save_reg(22, 8)};
    uint8_t codes[16];
    unsigned n = 0;
    struct a64_machine m, expected;
    ARM64_NT_CONTEXT c;
    struct unwind_step step;

    /* codes: own prolog (reversed), end_c, phantom prolog (reversed), end */
    for (unsigned i = 2; i-- > 0;) {
        memcpy(codes + n, own[i].code, own[i].code_length);
        n += own[i].code_length;
    }
    codes[n++] = 0xE5;
    for (unsigned i = 2; i-- > 0;) {
        memcpy(codes + n, phantom[i].code, phantom[i].code_length);
        n += phantom[i].code_length;
    }
    codes[n++] = 0xE4;
    write_codes(codes, n, 16);

    a64_entry_state(&expected);
    expected.pc = A64_RETURN;
    for (unsigned k = 0; k < 6; k++) {
        a64_entry_state(&m);
        for (unsigned i = 0; i < 2; i++)
            a64_exec(&t, &m, &phantom[i]);
        for (unsigned i = 0; i < 2 && i < k; i++)
            a64_exec(&t, &m, &own[i]);
        m.pc = IB + FUNC + 4ull * k;
        a64_to_context(&m, &c);
        assert_int_equal(a64_unwind(&t, &c, true, &step, false), UNWIND_OK);
        a64_assert_state(&c, &expected, "end_c", k);
    }
}

/* MSFT_OP_MACHINE_FRAME: PC = [SP + 8], SP = [SP]; the PC is exact. The
 * frame is pushed first, so its code is last; the handler then allocates. */
static void codes_machine_frame(void **state)
{
    (void)state;
    const uint8_t codes[] = {0x01 /* alloc_s 16 */, 0x02 /* alloc_s 32 */, 0xE9, 0xE4};
    uint64_t sp = A64_ENTRY_SP;
    static const unsigned at[] = {0, 32, 48}; /* where the frame is at k = 0, 1, 2 */
    ARM64_NT_CONTEXT c;
    struct unwind_step step;

    write_codes(codes, sizeof(codes), 16);
    for (unsigned k = 0; k < 5; k++) {
        unsigned offset = at[k < 2 ? k : 2];
        ft_write64(&t.ft, sp + offset, sp + 0x800 + 16 * k); /* old SP */
        ft_write64(&t.ft, sp + offset + 8, IB + 0x5670 + 4 * k); /* interrupted PC */
        c = context_at(k, sp);
        assert_int_equal(a64_unwind(&t, &c, true, &step, false), UNWIND_OK);
        assert_int_equal(c.Pc, IB + 0x5670 + 4 * k);
        assert_int_equal(c.Sp, sp + 0x800 + 16 * k);
        assert_int_equal(c.Lr, A64_RETURN); /* LR untouched */
        assert_true(step.caller_pc_exact);
    }
}

/* Skipping counts the custom codes although L does not: with codes
 * alloc 16, machine frame, alloc 32 (L = 2), the prolog's first instruction
 * skips the alloc and the machine frame, and only alloc 32 is undone. */
static void codes_skip_counts_custom_codes(void **state)
{
    (void)state;
    const uint8_t codes[] = {0x01, 0xE9, 0x02, 0xE4};
    ARM64_NT_CONTEXT c;
    struct unwind_step step;

    write_codes(codes, sizeof(codes), 16);
    c = context_at(0, A64_ENTRY_SP);
    assert_int_equal(a64_unwind(&t, &c, true, &step, false), UNWIND_OK);
    assert_int_equal(c.Pc, A64_RETURN);
    assert_int_equal(c.Sp, A64_ENTRY_SP + 32);
    assert_false(step.caller_pc_exact);
}

/* MSFT_OP_CONTEXT: the whole ARM64_NT_CONTEXT at SP becomes the context. */
static void codes_context_record(void **state)
{
    (void)state;
    const uint8_t codes[] = {0x04 /* alloc_s 64 */, 0xEA, 0xE4};
    uint64_t sp = A64_ENTRY_SP - 0x1000;
    ARM64_NT_CONTEXT saved, c;
    struct a64_machine m;
    struct unwind_step step;

    write_codes(codes, sizeof(codes), 16);
    memset(&m, 0, sizeof(m));
    for (unsigned i = 0; i < 31; i++)
        m.x[i] = 0x7700000000ull + i;
    m.sp = sp + 0x2000;
    m.pc = IB + 0x3333;
    for (unsigned i = 0; i < 32; i++) {
        m.vlo[i] = 0x5500000000000000ull + i;
        m.vhi[i] = 0x6600000000000000ull + i;
    }
    a64_to_context(&m, &saved);
    saved.Cpsr = 0x60000000;
    saved.Fpcr = 0x1234;
    saved.Fpsr = 0x5678;
    ft_write(&t.ft, sp + 64, &saved, sizeof(saved));

    c = context_at(4, sp);
    assert_int_equal(a64_unwind(&t, &c, true, &step, false), UNWIND_OK);
    a64_assert_state(&c, &m, "context record", 4);
    assert_int_equal(c.Cpsr, 0x60000000);
    assert_int_equal(c.Fpcr, 0x1234);
    assert_int_equal(c.Fpsr, 0x5678);
    assert_true(step.caller_pc_exact);
}

/* MSFT_OP_EC_CONTEXT: an x64 CONTEXT at SP, registers mapped per the
 * ARM64EC layout (contract.md §7.5). */
static void codes_ec_context(void **state)
{
    (void)state;
    static const struct {
        unsigned reg;
        unsigned offset;
    } map[] = {{8, 0x78},   {0, 0x80},   {1, 0x88},   {27, 0x90},  {29, 0xA0}, {25, 0xA8},
               {26, 0xB0},  {2, 0xB8},   {3, 0xC0},   {4, 0xC8},   {5, 0xD0},  {19, 0xD8},
               {20, 0xE0},  {21, 0xE8},  {22, 0xF0},  {30, 0x120}, {6, 0x130}, {7, 0x140},
               {9, 0x150},  {10, 0x160}, {11, 0x170}, {12, 0x180}, {15, 0x190}};
    const uint8_t codes[] = {0xEB, 0xE4};
    uint64_t sp = A64_ENTRY_SP - 0x2000;
    uint8_t x64[0x4D0];
    ARM64_NT_CONTEXT c;
    struct unwind_step step;

    write_codes(codes, sizeof(codes), 16);
    memset(x64, 0, sizeof(x64));
    for (unsigned i = 0; i < DW_ARRAY_SIZE(map); i++)
        for (unsigned b = 0; b < 8; b++)
            x64[map[i].offset + b] = (uint8_t)((0xEC00000000ull + map[i].reg) >> (8 * b));
    for (unsigned b = 0; b < 8; b++) {
        x64[0x98 + b] = (uint8_t)((sp + 0x3000) >> (8 * b)); /* Rsp */
        x64[0xF8 + b] = (uint8_t)((IB + 0x4444) >> (8 * b));  /* Rip */
    }
    for (unsigned n = 0; n < 16; n++)
        memset(x64 + 0x1A0 + 16 * n, 0x30 + (int)n, 16);
    /* x16 = 0x1616_2626_3636_4646 and x17 = 0x1717_2727_3737_4747, each in
     * four 16-bit pieces, lowest first, in the words after Lr, X6, X7, X9
     * (x16) and X10, X11, X12, X15 (x17). */
    for (unsigned piece = 0; piece < 4; piece++) {
        uint16_t p16 = (uint16_t)(0x4646 - 0x1010 * piece), p17 = (uint16_t)(0x4747 - 0x1010 * piece);
        x64[0x128 + 16 * piece] = (uint8_t)p16;
        x64[0x129 + 16 * piece] = (uint8_t)(p16 >> 8);
        x64[0x168 + 16 * piece] = (uint8_t)p17;
        x64[0x169 + 16 * piece] = (uint8_t)(p17 >> 8);
    }
    ft_write(&t.ft, sp, x64, sizeof(x64));

    c = context_at(3, sp);
    assert_int_equal(a64_unwind(&t, &c, true, &step, false), UNWIND_OK);
    for (unsigned i = 0; i < DW_ARRAY_SIZE(map); i++)
        assert_int_equal(c.X[map[i].reg], 0xEC00000000ull + map[i].reg);
    assert_int_equal(c.Sp, sp + 0x3000);
    assert_int_equal(c.Pc, IB + 0x4444);
    for (unsigned n = 0; n < 16; n++)
        assert_int_equal(c.V[n].B[7], 0x30 + n);
    assert_int_equal(c.X[16], 0x1616262636364646ull);
    assert_int_equal(c.X[17], 0x1717272737374747ull);
    /* no ARM64EC slot: zero, as Windows' conversion gives them */
    assert_int_equal(c.X[13], 0);
    assert_int_equal(c.X[14], 0);
    assert_int_equal(c.X[18], 0);
    assert_int_equal(c.X[23], 0);
    assert_int_equal(c.X[24], 0);
    assert_int_equal(c.X[28], 0);
    assert_int_equal(c.V[16].Low, 0);
    assert_int_equal(c.V[31].High, 0);
    assert_true(step.caller_pc_exact);
}

/* MSFT_OP_CLEAR_UNWOUND_TO_CALL: PC = LR at that point, and it is exact. */
static void codes_clear_unwound_to_call(void **state)
{
    (void)state;
    const uint8_t codes[] = {0x81 /* save_fplr_x 16 */, 0xEC, 0xE4};
    uint64_t sp = A64_ENTRY_SP;
    ARM64_NT_CONTEXT c;
    struct unwind_step step;

    write_codes(codes, sizeof(codes), 16);
    ft_write64(&t.ft, sp, 0xF0F0);
    ft_write64(&t.ft, sp + 8, IB + 0x2468);
    c = context_at(3, sp);
    assert_int_equal(a64_unwind(&t, &c, true, &step, false), UNWIND_OK);
    assert_int_equal(c.Fp, 0xF0F0);
    assert_int_equal(c.Lr, IB + 0x2468);
    assert_int_equal(c.Pc, IB + 0x2468);
    assert_int_equal(c.Sp, sp + 16);
    assert_true(step.caller_pc_exact);
}

/* MSFT_OP_TRAP_FRAME: a kernel trap frame ends the walk cleanly. */
static void codes_trap_frame_ends_cleanly(void **state)
{
    (void)state;
    const uint8_t codes[] = {0x02, 0xE8, 0xE4};
    ARM64_NT_CONTEXT c = context_at(3, A64_ENTRY_SP), before;
    struct unwind_step step;

    write_codes(codes, sizeof(codes), 16);
    before = c;
    assert_int_equal(a64_unwind(&t, &c, true, &step, false), UNWIND_NO_CALLER);
    assert_memory_equal(&c, &before, sizeof(c));
}

/* Reserved codes: the frame cannot be unwound (cleanly), and the context
 * is left as it was. After `end` they are never looked at. */
static void codes_unknown_end_cleanly(void **state)
{
    (void)state;
    static const uint8_t unknown[] = {0xDF, 0xED, 0xEE, 0xEF, 0xF0, 0xF3, 0xF7, 0xF8,
                                      0xF9, 0xFA, 0xFB, 0xFD, 0xFE, 0xFF};
    struct unwind_step step;

    for (unsigned i = 0; i < DW_ARRAY_SIZE(unknown); i++) {
        uint8_t codes[8] = {0x01, unknown[i], 0x00, 0x00, 0xE4};
        ARM64_NT_CONTEXT c = context_at(6, A64_ENTRY_SP), before = c;
        write_codes(codes, 5, 16);
        assert_int_equal(a64_unwind(&t, &c, true, &step, false), UNWIND_BAD_DATA);
        assert_memory_equal(&c, &before, sizeof(c));

        codes[1] = 0xE4; /* end first: never reached */
        codes[2] = unknown[i];
        write_codes(codes, 5, 16);
        assert_int_equal(a64_unwind(&t, &c, true, &step, false), UNWIND_OK);
        assert_int_equal(c.Sp, A64_ENTRY_SP + 16);
        assert_int_equal(c.Pc, A64_RETURN);
    }
}

/* A code array that runs out without an end: it ends there. */
static void codes_without_end(void **state)
{
    (void)state;
    const uint8_t codes[] = {0x01, 0x02, 0x03, 0x04};
    ARM64_NT_CONTEXT c = context_at(8, A64_ENTRY_SP);
    struct unwind_step step;

    t.fn_count = 0;
    a64_write_raw_xdata(&t, XDATA, 16, false, false, 0, false, NULL, 0, codes, 4, 1);
    a64_add_xdata(&t, FUNC, 16, XDATA);
    assert_int_equal(a64_unwind(&t, &c, true, &step, false), UNWIND_OK);
    assert_int_equal(c.Sp, A64_ENTRY_SP + 160);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(codes_r19r20_x_regp_reg_fplr_add_fp_alloc_s, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(codes_pre_indexed_fregs_alloc_m_set_fp, setup, teardown),
        cmocka_unit_test_setup_teardown(codes_save_next_x27_pair_continues_to_fp_lr, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(codes_save_next_d_pairs_through_d15, setup, teardown),
        cmocka_unit_test_setup_teardown(codes_save_next_after_save_any_reg_pairs, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(codes_save_next_after_regp_x_and_fregp_lrpair, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(codes_save_any_reg, setup, teardown),
        cmocka_unit_test_setup_teardown(codes_pac_sign_lr, setup, teardown),
        cmocka_unit_test_setup_teardown(codes_end_c_chained_scope, setup, teardown),
        cmocka_unit_test_setup_teardown(codes_machine_frame, setup, teardown),
        cmocka_unit_test_setup_teardown(codes_skip_counts_custom_codes, setup, teardown),
        cmocka_unit_test_setup_teardown(codes_context_record, setup, teardown),
        cmocka_unit_test_setup_teardown(codes_ec_context, setup, teardown),
        cmocka_unit_test_setup_teardown(codes_clear_unwound_to_call, setup, teardown),
        cmocka_unit_test_setup_teardown(codes_trap_frame_ends_cleanly, setup, teardown),
        cmocka_unit_test_setup_teardown(codes_unknown_end_cleanly, setup, teardown),
        cmocka_unit_test_setup_teardown(codes_without_end, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
