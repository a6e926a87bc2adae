/*
 * Malformed ARM64 unwind data and hostile memory: every case ends cleanly
 * (a typed reason: malformed or unreadable data, unreadable stack, no
 * caller) with the context untouched, never a
 * crash or a read outside a buffer (this suite runs under ASan and UBSan in
 * CI). A seeded fuzz pass throws random .xdata and packed words at the
 * unwinder at random positions.
 */
#include "arm64_model.h"

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

static ARM64_NT_CONTEXT context_at(unsigned k)
{
    struct a64_machine m;
    ARM64_NT_CONTEXT c;
    a64_entry_state(&m);
    m.pc = IB + FUNC + 4ull * k;
    a64_to_context(&m, &c);
    return c;
}

/* Unwinds at instruction k and expects `want` with the context unchanged
 * (on failure) . */
static void expect_at(unsigned k, enum unwind_result want)
{
    ARM64_NT_CONTEXT c = context_at(k), before = c;
    struct unwind_step step;

    assert_int_equal(a64_unwind(&t, &c, true, &step, false), want);
    if (want != UNWIND_OK)
        assert_memory_equal(&c, &before, sizeof(c));
}

static void xdata_entry(uint32_t length, uint32_t rva)
{
    t.fn_count = 0;
    a64_add_xdata(&t, FUNC, length, rva);
}

/* An epilog scope whose start index lies past the code array: bad data once
 * the PC reaches the scope; before it the scope is never looked at. */
static void scope_start_index_past_codes(void **state)
{
    (void)state;
    const uint8_t codes[4] = {0x02, 0xE4, 0xE4, 0xE4};
    const uint32_t scope = 10u | 200u << 22;

    a64_write_raw_xdata(&t, XDATA, 16, false, false, 1, false, &scope, 1, codes, 4, 1);
    xdata_entry(16, XDATA);
    expect_at(5, UNWIND_OK);
    expect_at(10, UNWIND_BAD_DATA);
    expect_at(12, UNWIND_BAD_DATA);
}

/* E = 1 with an epilog index past the codes. */
static void single_epilog_index_past_codes(void **state)
{
    (void)state;
    const uint8_t codes[4] = {0x02, 0xE4, 0xE4, 0xE4};

    a64_write_raw_xdata(&t, XDATA, 16, false, true, 31, false, NULL, 0, codes, 4, 1);
    xdata_entry(16, XDATA);
    expect_at(5, UNWIND_BAD_DATA);
    expect_at(15, UNWIND_BAD_DATA);
}

/* The index is exactly the code size: still past the codes. */
static void scope_index_equal_to_code_size(void **state)
{
    (void)state;
    const uint8_t codes[4] = {0x02, 0xE4, 0xE4, 0xE4};
    const uint32_t scope = 10u | 4u << 22;

    a64_write_raw_xdata(&t, XDATA, 16, false, false, 1, false, &scope, 1, codes, 4, 1);
    xdata_entry(16, XDATA);
    expect_at(11, UNWIND_BAD_DATA);
}

/* Multi-byte codes whose bytes run past the code area. */
static void codes_running_off_the_end(void **state)
{
    (void)state;
    static const uint8_t last[] = {0xC8, 0xD4, 0xDE, 0xE0, 0xE2, 0xE7};

    for (unsigned i = 0; i < DW_ARRAY_SIZE(last); i++) {
        const uint8_t codes[4] = {0x01, 0x01, 0x01, last[i]};
        a64_write_raw_xdata(&t, XDATA, 16, false, false, 0, false, NULL, 0, codes, 4, 1);
        xdata_entry(16, XDATA);
        expect_at(10, UNWIND_BAD_DATA);
        /* in the prolog, the same codes are reached after skipping */
        expect_at(1, UNWIND_BAD_DATA);
    }
}

/* CodeWords (31, or 255 in the extended form) reaching past the image. */
static void code_words_past_the_image(void **state)
{
    (void)state;
    const uint8_t codes[4] = {0x01, 0xE4, 0xE4, 0xE4};
    uint32_t near_end = A64_IMAGE_SIZE - 16;

    a64_write_raw_xdata(&t, near_end, 16, false, false, 1, false, NULL, 0, codes, 4, 1);
    /* header claims 31 code words, 1 epilog scope */
    {
        uint32_t header = 16u | 1u << 22 | 31u << 27;
        uint8_t b[4] = {(uint8_t)header, (uint8_t)(header >> 8), (uint8_t)(header >> 16),
                        (uint8_t)(header >> 24)};
        ft_write(&t.ft, IB + near_end, b, 4);
    }
    xdata_entry(16, near_end);
    expect_at(8, UNWIND_DATA_UNREADABLE);

    /* extended: 255 code words, 65535 scopes */
    {
        uint8_t b[8] = {16, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0};
        ft_write(&t.ft, IB + near_end, b, 8);
    }
    expect_at(8, UNWIND_DATA_UNREADABLE);

    /* extended header itself past the image */
    {
        uint8_t b[4] = {16, 0, 0, 0};
        ft_write(&t.ft, IB + A64_IMAGE_SIZE - 4, b, 4);
    }
    xdata_entry(16, A64_IMAGE_SIZE - 4);
    expect_at(8, UNWIND_DATA_UNREADABLE);
}

/* Many epilog scopes lying past the image while the codes are readable: the
 * scope reads fail cleanly. */
static void epilog_scopes_past_the_image(void **state)
{
    (void)state;
    uint32_t rva = A64_IMAGE_SIZE - 8;
    /* E = 0, 30 scopes, 1 code word: the codes would be past the image */
    uint32_t header = 100u | 30u << 22 | 1u << 27;
    uint8_t b[8] = {(uint8_t)header, (uint8_t)(header >> 8), (uint8_t)(header >> 16),
                    (uint8_t)(header >> 24), 0, 0, 0, 0};

    ft_write(&t.ft, IB + rva, b, 8);
    xdata_entry(100, rva);
    expect_at(50, UNWIND_DATA_UNREADABLE);
}

/* .xdata RVA outside the image. */
static void xdata_outside_the_image(void **state)
{
    (void)state;
    xdata_entry(16, 0x7FFFFFFC);
    expect_at(4, UNWIND_DATA_UNREADABLE);
}

/* A save whose stack slot is unreadable: no caller. */
static void unreadable_stack_has_no_caller(void **state)
{
    (void)state;
    const uint8_t codes[4] = {0x81 /* save_fplr_x 16 */, 0xE4, 0xE4, 0xE4};
    struct a64_machine m;
    ARM64_NT_CONTEXT c, before;
    struct unwind_step step;

    a64_write_raw_xdata(&t, XDATA, 16, false, false, 0, false, NULL, 0, codes, 4, 1);
    xdata_entry(16, XDATA);
    a64_entry_state(&m);
    m.sp = 0x10000; /* unmapped */
    m.pc = IB + FUNC + 20;
    a64_to_context(&m, &c);
    before = c;
    assert_int_equal(a64_unwind(&t, &c, true, &step, false), UNWIND_STACK_UNREADABLE);
    assert_memory_equal(&c, &before, sizeof(c));

    /* a machine frame, a context record, an EC context at unmapped SP */
    for (uint8_t op = 0xE9; op <= 0xEB; op++) {
        const uint8_t special[4] = {op, 0xE4, 0xE4, 0xE4};
        a64_write_raw_xdata(&t, XDATA, 16, false, false, 0, false, NULL, 0, special, 4, 1);
        c = before;
        assert_int_equal(a64_unwind(&t, &c, true, &step, false), UNWIND_STACK_UNREADABLE);
        assert_memory_equal(&c, &before, sizeof(c));
    }
}

/* Reached by its return address, a function whose codes only move SP (packed,
 * CR = 0, nothing saved) with LR pointing back into itself: returning again
 * would repeat the frame with SP rising to the frame cap. It has no caller.
 * From an exact PC (frame 0) the same LR is a fine return address. */
static void sp_only_frame_reached_by_return_has_no_caller(void **state)
{
    (void)state;
    struct a64_machine m;
    ARM64_NT_CONTEXT c, before;
    struct unwind_step step;

    t.fn_count = 0;
    a64_add_packed(&t, FUNC, a64_packed(1, 16, 0, 0, 0, 0, 2));
    a64_entry_state(&m);
    m.pc = IB + FUNC + 40;
    m.x[30] = IB + FUNC + 40;
    a64_to_context(&m, &c);
    before = c;
    assert_int_equal(a64_unwind(&t, &c, false, &step, false), UNWIND_NO_CALLER);
    assert_memory_equal(&c, &before, sizeof(c));

    assert_int_equal(a64_unwind(&t, &c, true, &step, false), UNWIND_OK);
    assert_int_equal(c.Pc, IB + FUNC + 40);
    assert_int_equal(c.Sp, before.Sp + 32);
}

/* The control: a recursive function restores LR from its frame, and the value
 * restored may equal its own return address. That caller is real. */
static void recursive_frame_restoring_lr_continues(void **state)
{
    (void)state;
    struct a64_machine m;
    ARM64_NT_CONTEXT c;
    struct unwind_step step;

    t.fn_count = 0;
    /* CR = 3: stp x29, lr, [sp, #-32]!; mov x29, sp */
    a64_add_packed(&t, FUNC, a64_packed(1, 16, 0, 0, 0, 3, 2));
    a64_entry_state(&m);
    m.pc = IB + FUNC + 40;
    m.x[30] = IB + FUNC + 40;
    m.x[29] = m.sp;
    ft_write64(&t.ft, m.sp, m.sp + 0x100);       /* saved x29 */
    ft_write64(&t.ft, m.sp + 8, IB + FUNC + 40); /* saved lr: the same call site */
    a64_to_context(&m, &c);
    assert_int_equal(a64_unwind(&t, &c, false, &step, false), UNWIND_OK);
    assert_int_equal(c.Pc, IB + FUNC + 40);
    assert_int_equal(c.Sp, m.sp + 32);
}

/* Register numbers past the register file. */
static void register_numbers_out_of_range(void **state)
{
    (void)state;
    static const uint8_t cases[][8] = {
        {0xCB, 0x00, 0xE4},                   /* save_regp X=12: x31, x32 */
        {0xCF, 0x00, 0xE4},                   /* save_regp_x X=12 */
        {0xD3, 0x00, 0xE4},                   /* save_reg X=12: x31 */
        {0xD5, 0x80, 0xE4},                   /* save_reg_x X=12 */
        {0xE7, 0x5F, 0x00, 0xE4},             /* save_any_reg X pair x31 */
        {0xE7, 0x5F, 0x80, 0xE4},             /* save_any_reg Q pair v31, v32 */
        {0xE7, 0x1F, 0x40, 0xE4},             /* save_any_reg D v31: fine */
        {0xE7, 0x01, 0xC0, 0xE4},             /* save_any_reg type 3 */
    };
    static const enum unwind_result want[] = {
        UNWIND_BAD_DATA, UNWIND_BAD_DATA, UNWIND_BAD_DATA, UNWIND_BAD_DATA,
        UNWIND_BAD_DATA, UNWIND_BAD_DATA, UNWIND_OK,       UNWIND_BAD_DATA,
    };

    for (unsigned i = 0; i < DW_ARRAY_SIZE(cases); i++) {
        uint8_t codes[8];
        memcpy(codes, cases[i], 8);
        for (unsigned j = 0; j < 8; j++)
            if (j > 0 && codes[j] == 0 && codes[j - 1] == 0xE4)
                codes[j] = 0xE4;
        a64_write_raw_xdata(&t, XDATA, 16, false, false, 0, false, NULL, 0, codes, 8, 2);
        xdata_entry(16, XDATA);
        expect_at(12, want[i]);
    }
}

/* save_next codes piling up past every register: bad data, no overrun. */
static void save_next_past_the_registers(void **state)
{
    (void)state;
    uint8_t codes[32];
    unsigned n = 0;

    for (unsigned i = 0; i < 20; i++)
        codes[n++] = 0xE6;
    codes[n++] = 0x22; /* save_r19r20_x */
    codes[n++] = 0xE4;
    while (n % 4)
        codes[n++] = 0xE4;
    a64_write_raw_xdata(&t, XDATA, 64, false, false, 0, false, NULL, 0, codes, n, n / 4);
    xdata_entry(64, XDATA);
    expect_at(40, UNWIND_BAD_DATA);

    /* d pairs from d14: d14..d31 fit, d32 does not */
    n = 0;
    for (unsigned i = 0; i < 9; i++)
        codes[n++] = 0xE6;
    codes[n++] = 0xDB; /* save_fregp_x X=6 (d14, d15) */
    codes[n++] = 0x81;
    codes[n++] = 0xE4;
    while (n % 4)
        codes[n++] = 0xE4;
    a64_write_raw_xdata(&t, XDATA, 64, false, false, 0, false, NULL, 0, codes, n, n / 4);
    expect_at(40, UNWIND_BAD_DATA);
}

/* Random .xdata, random packed words, random positions: never a crash, and
 * a failure leaves the context as it was. */
static void fuzz_random_unwind_data(void **state)
{
    (void)state;
    uint64_t seed = 0x9E3779B97F4A7C15ull;
    uint8_t bytes[256];

    for (unsigned round = 0; round < 20000; round++) {
        ARM64_NT_CONTEXT c, before;
        struct a64_machine m;
        struct unwind_step step;
        enum unwind_result r;
        uint32_t length;

        for (unsigned i = 0; i < sizeof(bytes); i++) {
            seed = seed * 6364136223846793005ull + 1442695040888963407ull;
            bytes[i] = (uint8_t)(seed >> 56);
        }
        /* keep the version 0 most of the time, and the sizes small often */
        if (round % 4 != 3)
            bytes[2] &= 0xF3;
        if (round % 3 == 0)
            bytes[3] &= 0x0F;
        ft_write(&t.ft, IB + XDATA, bytes, sizeof(bytes));
        length = (bytes[0] | (uint32_t)bytes[1] << 8) % 300 + 1;
        t.fn_count = 0;
        if (round % 2)
            a64_add_xdata(&t, FUNC, length, XDATA);
        else
            a64_add_packed(&t, FUNC,
                           (uint32_t)bytes[4] | (uint32_t)bytes[5] << 8 |
                               (uint32_t)bytes[6] << 16 | (uint32_t)bytes[7] << 24);
        a64_entry_state(&m);
        m.pc = IB + FUNC + 4ull * (bytes[8] % 40);
        if (round % 5 == 0)
            m.sp = A64_STACK_TOP - 64; /* near the end of the stack */
        a64_to_context(&m, &c);
        before = c;
        r = a64_unwind(&t, &c, round % 7 != 0, &step, round % 11 == 0);
        assert_true(r == UNWIND_OK || r == UNWIND_NO_CALLER || r == UNWIND_BAD_DATA ||
                    r == UNWIND_STACK_UNREADABLE || r == UNWIND_DATA_UNREADABLE);
        if (r != UNWIND_OK)
            assert_memory_equal(&c, &before, sizeof(c));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(scope_start_index_past_codes, setup, teardown),
        cmocka_unit_test_setup_teardown(single_epilog_index_past_codes, setup, teardown),
        cmocka_unit_test_setup_teardown(scope_index_equal_to_code_size, setup, teardown),
        cmocka_unit_test_setup_teardown(codes_running_off_the_end, setup, teardown),
        cmocka_unit_test_setup_teardown(code_words_past_the_image, setup, teardown),
        cmocka_unit_test_setup_teardown(epilog_scopes_past_the_image, setup, teardown),
        cmocka_unit_test_setup_teardown(xdata_outside_the_image, setup, teardown),
        cmocka_unit_test_setup_teardown(unreadable_stack_has_no_caller, setup, teardown),
        cmocka_unit_test_setup_teardown(sp_only_frame_reached_by_return_has_no_caller, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(recursive_frame_restoring_lr_continues, setup, teardown),
        cmocka_unit_test_setup_teardown(register_numbers_out_of_range, setup, teardown),
        cmocka_unit_test_setup_teardown(save_next_past_the_registers, setup, teardown),
        cmocka_unit_test_setup_teardown(fuzz_random_unwind_data, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
