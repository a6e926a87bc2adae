/*
 * ARM64 .xdata records and the rules around one unwind step: several epilog
 * scopes (and their order), the E bit with the extended header, unknown
 * versions, leaf functions without .pdata, caller frames looked up at
 * PC - 4, the function entry reported, PAC stripping through StackWalk2's
 * target-attribute callback, and every read mode of the fake target.
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

static void frame_function(struct a64_fn *fn)
{
    memset(fn, 0, sizeof(*fn));
    a64_fn_add(fn, a64_save_fplr_x(64));
    a64_fn_add(fn, a64_save_regp(19, 16));
    a64_fn_add(fn, a64_save_regp(21, 32));
    a64_fn_add(fn, a64_save_freg(8, 48));
    a64_fn_add(fn, a64_set_fp());
    a64_fn_add(fn, a64_alloc_s(32));
    a64_fn_mirror(fn);
    fn->body = 2;
}

/* A function with two epilogs: prolog, body (2), epilog, ret, body (3),
 * epilog, ret. Both scopes point at `index1` / `index2`. */
static void two_epilogs(bool separate_second)
{
    struct a64_fn fn;
    uint8_t codes[128];
    unsigned n = 0, index2;
    unsigned p, e, start1, start2, length;
    uint32_t scopes[2];
    struct a64_machine m, expected;
    ARM64_NT_CONTEXT c;
    struct unwind_step step;

    frame_function(&fn);
    p = fn.prolog_count;
    e = fn.epilog_count;
    start1 = p + 2;
    start2 = start1 + e + 1 + 3;
    length = start2 + e + 1;
    for (unsigned i = p; i-- > 0;) {
        memcpy(codes + n, fn.prolog[i].code, fn.prolog[i].code_length);
        n += fn.prolog[i].code_length;
    }
    codes[n++] = 0xE4;
    index2 = 0;
    if (separate_second) {
        index2 = n;
        for (unsigned i = 0; i < e; i++) {
            memcpy(codes + n, fn.epilog[i].code, fn.epilog[i].code_length);
            n += fn.epilog[i].code_length;
        }
        codes[n++] = 0xE4;
    }
    while (n % 4)
        codes[n++] = 0xE4;
    scopes[0] = start1;
    scopes[1] = start2 | index2 << 22;
    t.fn_count = 0;
    a64_write_raw_xdata(&t, XDATA, length, false, false, 2, false, scopes, 2, codes, n, n / 4);
    a64_add_xdata(&t, FUNC, length, XDATA);

    a64_entry_state(&expected);
    expected.pc = A64_RETURN;
    for (unsigned k = 0; k < length; k++) {
        a64_entry_state(&m);
        for (unsigned i = 0; i < p && i < k; i++)
            a64_exec(&t, &m, &fn.prolog[i]);
        if (k >= start1 && k <= start1 + e) {
            for (unsigned i = 0; i < k - start1; i++)
                a64_unexec(&t, &m, &fn.epilog[i]);
        } else if (k >= start2) {
            for (unsigned i = 0; i < k - start2; i++)
                a64_unexec(&t, &m, &fn.epilog[i]);
        }
        m.pc = IB + FUNC + 4ull * k;
        a64_to_context(&m, &c);
        assert_int_equal(a64_unwind(&t, &c, true, &step, false), UNWIND_OK);
        a64_assert_state(&c, &expected, separate_second ? "two epilogs (separate codes)"
                                                        : "two epilogs (shared codes)", k);
    }
}

static void xdata_two_epilog_scopes_shared_codes(void **state)
{
    (void)state;
    two_epilogs(false);
}

static void xdata_two_epilog_scopes_separate_codes(void **state)
{
    (void)state;
    two_epilogs(true);
}

/* E = 1 in the extended form: word 0 has EpilogCount = CodeWords = 0, the
 * extension word gives the epilog's code index and the code words. */
static void xdata_single_epilog_with_extended_header(void **state)
{
    (void)state;
    struct a64_fn fn;
    uint8_t codes[64];
    unsigned n = 0;

    frame_function(&fn);
    for (unsigned i = fn.prolog_count; i-- > 0;) {
        memcpy(codes + n, fn.prolog[i].code, fn.prolog[i].code_length);
        n += fn.prolog[i].code_length;
    }
    codes[n++] = 0xE4;
    while (n % 4)
        codes[n++] = 0xE4;
    t.fn_count = 0;
    a64_write_raw_xdata(&t, XDATA, a64_fn_length(&fn), false, true, 0, true, NULL, 0, codes, n,
                        n / 4);
    a64_add_xdata(&t, FUNC, a64_fn_length(&fn), XDATA);
    a64_check_every_position(&t, &fn, FUNC, "E bit, extended header");
}

/* Versions other than 0: the frame cannot be unwound. */
static void xdata_unknown_version_is_bad_data(void **state)
{
    (void)state;
    for (uint32_t version = 1; version < 4; version++) {
        uint32_t header = 16 | version << 18 | 1u << 27;
        uint8_t bytes[8] = {(uint8_t)header, (uint8_t)(header >> 8), (uint8_t)(header >> 16),
                            (uint8_t)(header >> 24), 0x01, 0xE4, 0xE4, 0xE4};
        struct a64_machine m;
        ARM64_NT_CONTEXT c, before;
        struct unwind_step step;

        ft_write(&t.ft, IB + XDATA, bytes, sizeof(bytes));
        t.fn_count = 0;
        a64_add_xdata(&t, FUNC, 16, XDATA);
        a64_entry_state(&m);
        m.pc = IB + FUNC + 8;
        a64_to_context(&m, &c);
        before = c;
        assert_int_equal(a64_unwind(&t, &c, true, &step, false), UNWIND_BAD_DATA);
        assert_memory_equal(&c, &before, sizeof(c));
    }
}

/* No .pdata: a leaf. PC = LR, SP unchanged (the generic walk accepts an
 * unchanged SP on the first unwind only: first_unwind_may_keep_sp). */
static void leaf_without_pdata_returns_to_lr(void **state)
{
    (void)state;
    struct a64_machine m;
    ARM64_NT_CONTEXT c;
    struct unwind_step step;

    a64_entry_state(&m);
    m.pc = IB + 0x30000; /* no entry covers it */
    a64_to_context(&m, &c);
    assert_int_equal(a64_unwind(&t, &c, true, &step, false), UNWIND_OK);
    assert_null(step.function_entry);
    assert_int_equal(c.Pc, A64_RETURN);
    assert_int_equal(c.Sp, A64_ENTRY_SP);
    assert_int_equal(c.Lr, A64_RETURN);
    assert_int_equal(c.Fp, m.x[29]);
    assert_true(arch_arm64.first_unwind_may_keep_sp);

    /* outside any image too */
    m.pc = 0x7000;
    a64_to_context(&m, &c);
    assert_int_equal(a64_unwind(&t, &c, false, &step, false), UNWIND_OK);
    assert_int_equal(c.Pc, A64_RETURN);
    assert_int_equal(c.Sp, A64_ENTRY_SP);
}

/* A leaf whose PC already equals LR cannot be unwound (it would loop). */
static void leaf_with_pc_equal_to_lr_has_no_caller(void **state)
{
    (void)state;
    struct a64_machine m;
    ARM64_NT_CONTEXT c, before;
    struct unwind_step step;

    a64_entry_state(&m);
    m.pc = m.x[30];
    a64_to_context(&m, &c);
    before = c;
    assert_int_equal(a64_unwind(&t, &c, true, &step, false), UNWIND_LEAF_REFUSED);
    assert_memory_equal(&c, &before, sizeof(c));
}

/* A return address is looked up at PC - 4: a call that ends function A
 * (noreturn) returns to the first instruction of B, yet the frame is A's.
 * The same PC as an exact PC (frame 0) is B's first instruction. */
static void caller_frames_are_looked_up_at_pc_minus_4(void **state)
{
    (void)state;
    struct a64_fn a = {.body = 3};
    struct a64_machine m;
    ARM64_NT_CONTEXT c;
    struct unwind_step step;
    uint32_t a_length;
    uint64_t b_begin;

    a64_fn_add(&a, a64_save_fplr_x(32));
    a64_fn_add(&a, a64_save_reg(19, 16));
    a64_fn_add(&a, a64_set_fp());
    a_length = a.prolog_count + a.body; /* no epilog: ends with the call */
    t.fn_count = 0;
    /* no epilog scope: the function ends with the call */
    {
        uint8_t codes[8] = {0xE1, 0xD0, 0x02, 0x83, 0xE4, 0xE4, 0xE4, 0xE4};
        a64_write_raw_xdata(&t, XDATA, a_length, false, false, 0, false, NULL, 0, codes, 8, 2);
    }
    a64_add_xdata(&t, FUNC, a_length, XDATA);
    b_begin = IB + FUNC + 4ull * a_length;
    /* B: packed, sub sp,#48 only */
    a64_add_packed(&t, FUNC + 4 * a_length, a64_packed(1, 8, 0, 0, 0, 0, 3));

    a64_entry_state(&m);
    for (unsigned i = 0; i < a.prolog_count; i++)
        a64_exec(&t, &m, &a.prolog[i]);
    m.pc = b_begin;
    a64_to_context(&m, &c);
    assert_int_equal(a64_unwind(&t, &c, false, &step, false), UNWIND_OK);
    assert_ptr_equal(step.function_entry, &t.fn[0]);
    assert_int_equal(c.Pc, A64_RETURN);
    assert_int_equal(c.Sp, A64_ENTRY_SP);
    assert_int_equal(c.X19, 0x1000000000ull + 0x1111ull * 19);

    /* exact: B at k = 0, nothing executed: PC = LR, SP unchanged */
    a64_to_context(&m, &c);
    assert_int_equal(a64_unwind(&t, &c, true, &step, false), UNWIND_OK);
    assert_ptr_equal(step.function_entry, &t.fn[1]);
    assert_int_equal(c.Sp, m.sp);
    assert_int_equal(c.Pc, m.x[30]);
}

/* The entry the table routine answered is what the step reports. */
static void step_reports_the_table_entry(void **state)
{
    (void)state;
    struct a64_machine m;
    ARM64_NT_CONTEXT c;
    struct unwind_step step;

    t.fn_count = 0;
    a64_add_packed(&t, 0x2000, a64_packed(1, 10, 0, 0, 0, 0, 2));
    a64_add_packed(&t, FUNC, a64_packed(1, 10, 0, 0, 0, 0, 4));
    a64_entry_state(&m);
    m.sp -= 64;
    m.pc = IB + FUNC + 12;
    a64_to_context(&m, &c);
    assert_int_equal(a64_unwind(&t, &c, true, &step, false), UNWIND_OK);
    assert_ptr_equal(step.function_entry, &t.fn[1]);
    assert_int_equal(c.Sp, A64_ENTRY_SP);
}

/* A module base of 0 with an entry: an error for the frame, not a read at
 * address 0 + RVA. */
static void module_base_zero_is_bad_data(void **state)
{
    (void)state;
    struct a64_machine m;
    ARM64_NT_CONTEXT c;
    struct unwind_step step;

    t.fn_count = 0;
    a64_add_packed(&t, FUNC, a64_packed(1, 10, 0, 0, 0, 0, 4));
    t.ft.module_base_answer = 0;
    a64_entry_state(&m);
    m.pc = IB + FUNC + 12;
    a64_to_context(&m, &c);
    assert_int_equal(a64_unwind(&t, &c, true, &step, false), UNWIND_NO_MODULE_BASE);
}

/* ---- PAC ---- */

/* A CR = 2 packed function in its body: LR on the stack is signed. */
static void pac_frame(uint64_t return_address, uint64_t signed_lr, ARM64_NT_CONTEXT *c)
{
    struct a64_machine m;

    t.fn_count = 0;
    /* pacibsp; stp x29,lr,[sp,#-16]!; mov x29,sp; body; ldp; ret */
    a64_add_packed(&t, FUNC, a64_packed(1, 10, 0, 0, 0, 2, 1));
    a64_entry_state(&m);
    m.sp -= 16;
    ft_write64(&t.ft, m.sp, m.x[29]);
    ft_write64(&t.ft, m.sp + 8, signed_lr);
    m.x[29] = m.sp;
    m.x[30] = 0xBAD;
    m.pc = IB + FUNC + 16;
    a64_to_context(&m, c);
    (void)return_address;
}

static void pac_stripped_to_48_bits_without_callback(void **state)
{
    (void)state;
    ARM64_NT_CONTEXT c;
    struct unwind_step step;

    pac_frame(A64_RETURN, A64_RETURN | 0x7F2B000000000000ull, &c);
    assert_int_equal(a64_unwind(&t, &c, true, &step, false), UNWIND_OK);
    assert_int_equal(c.Pc, A64_RETURN);
    assert_int_equal(c.Lr, A64_RETURN);
    assert_int_equal(c.Sp, A64_ENTRY_SP);
}

static void pac_mask_from_target_attribute(void **state)
{
    (void)state;
    ARM64_NT_CONTEXT c;
    struct unwind_step step;
    /* a 52-bit address space: bit 48 belongs to the address */
    const uint64_t address = 0x0001000180001234ull;
    const uint64_t signed_lr = address | 0x0AB0000000000000ull;

    t.pac_ok = TRUE;
    t.pac_mask = 0xFFF0000000000000ull;
    pac_frame(address, signed_lr, &c);
    assert_int_equal(a64_unwind(&t, &c, true, &step, true), UNWIND_OK);
    assert_int_equal(c.Pc, address);
    assert_int_equal(c.Lr, address);
    assert_true(t.pac_calls > 0);
    assert_int_equal(t.pac_last_address, signed_lr);

    /* LIVETARGET: the mask of the calling process, which we cannot ask
     * here: the 48-bit user space */
    t.pac_mask = TARGET_ATTRIBUTE_PACMASK_LIVETARGET;
    pac_frame(A64_RETURN, A64_RETURN | 0x0AB0000000000000ull, &c);
    assert_int_equal(a64_unwind(&t, &c, true, &step, true), UNWIND_OK);
    assert_int_equal(c.Pc, A64_RETURN);

    /* the callback says no (PAC disabled): the 48-bit user space */
    t.pac_ok = FALSE;
    pac_frame(A64_RETURN, A64_RETURN | 0x0AB0000000000000ull, &c);
    assert_int_equal(a64_unwind(&t, &c, true, &step, true), UNWIND_OK);
    assert_int_equal(c.Pc, A64_RETURN);
}

/* Without pac_sign_lr / CR = 2 nothing is stripped: the restored LR is
 * taken as it is. */
static void no_pac_no_stripping(void **state)
{
    (void)state;
    struct a64_machine m;
    ARM64_NT_CONTEXT c;
    struct unwind_step step;
    const uint64_t odd = 0x00F0000180001234ull;

    t.fn_count = 0;
    a64_add_packed(&t, FUNC, a64_packed(1, 10, 0, 0, 0, 3, 1));
    a64_entry_state(&m);
    m.sp -= 16;
    ft_write64(&t.ft, m.sp, m.x[29]);
    ft_write64(&t.ft, m.sp + 8, odd);
    m.x[29] = m.sp;
    m.pc = IB + FUNC + 12;
    a64_to_context(&m, &c);
    assert_int_equal(a64_unwind(&t, &c, true, &step, false), UNWIND_OK);
    assert_int_equal(c.Pc, odd);
}

/* Every read mode of the fake target gives the same answers. */
static void every_read_mode(void **state)
{
    (void)state;
    struct a64_fn fn;
    char what[64];

    frame_function(&fn);
    for (unsigned mode = 0; mode < FT_READ_MODE_COUNT; mode++) {
        t.ft.mode = (enum ft_read_mode)mode;
        t.fn_count = 0;
        a64_write_xdata(&t, XDATA, &fn, XD_SCOPES, false);
        a64_add_xdata(&t, FUNC, a64_fn_length(&fn), XDATA);
        snprintf(what, sizeof(what), "read mode %s", ft_mode_name(t.ft.mode));
        a64_check_every_position(&t, &fn, FUNC, what);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(xdata_two_epilog_scopes_shared_codes, setup, teardown),
        cmocka_unit_test_setup_teardown(xdata_two_epilog_scopes_separate_codes, setup, teardown),
        cmocka_unit_test_setup_teardown(xdata_single_epilog_with_extended_header, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(xdata_unknown_version_is_bad_data, setup, teardown),
        cmocka_unit_test_setup_teardown(leaf_without_pdata_returns_to_lr, setup, teardown),
        cmocka_unit_test_setup_teardown(leaf_with_pc_equal_to_lr_has_no_caller, setup, teardown),
        cmocka_unit_test_setup_teardown(caller_frames_are_looked_up_at_pc_minus_4, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(step_reports_the_table_entry, setup, teardown),
        cmocka_unit_test_setup_teardown(module_base_zero_is_bad_data, setup, teardown),
        cmocka_unit_test_setup_teardown(pac_stripped_to_48_bits_without_callback, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(pac_mask_from_target_attribute, setup, teardown),
        cmocka_unit_test_setup_teardown(no_pac_no_stripping, setup, teardown),
        cmocka_unit_test_setup_teardown(every_read_mode, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
