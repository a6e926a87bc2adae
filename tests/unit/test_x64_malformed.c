/*
 * Malformed unwind data and hostile memory: the walk reports the frame it
 * reached, with AddrReturn 0, then ends with FALSE. Never a crash, a hang or
 * a read outside a buffer (this suite runs under ASan and UBSan in CI).
 */
#include "walk_helpers.h"

#include <stdlib.h>

#define B TEST_IMAGE_BASE
#define S (TEST_STACK_TOP - 0x2000)

static struct fake_target t;
static struct walk_record rec[16];

static int setup(void **state)
{
    (void)state;
    test_target_init(&t);
    /* a plausible caller, should anything wrongly unwind past frame 0 */
    ft_write64(&t, S, B + 0x3F10);
    ft_write64(&t, S + 8, 0);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    ft_free(&t);
    return 0;
}

/* Frame 0 at B+0x3004 inside [0x3000, 0x3100) with unwind info at `rva`. */
static void expect_one_frame(uint32_t unwind_rva)
{
    struct x64_state s;

    x64_state_init(&s, 9, S, B + 0x3004);
    ft_add_function(&t, 0x3000, 0x3100, unwind_rva);
    assert_int_equal(walk_state(&t, &s, rec, 8), 1);
    assert_int_equal(rec[0].frame.AddrPC.Offset, B + 0x3004);
    assert_int_equal(rec[0].frame.AddrReturn.Offset, 0);
}

/* Not malformed: an odd code count whose padding slot lies past the end of
 * readable memory (a dump holding exactly 4 + 2 * CountOfCodes bytes). */
static void unwind_info_ending_at_its_last_code(void **state)
{
    (void)state;
    const uint16_t codes[] = {UC(1, 0, RBX)};
    struct x64_state s;

    x64_write_unwind(&t, TEST_IMAGE_SIZE - 6, 1, 0, 1, 0, 0, codes, 1, NULL);
    ft_add_function(&t, 0x3000, 0x3100, TEST_IMAGE_SIZE - 6);
    ft_write64(&t, S, 0xB0B0);            /* the pushed rbx */
    ft_write64(&t, S + 8, B + 0x3F10);    /* returns to a leaf address */
    ft_write64(&t, S + 16, 0);
    x64_state_init(&s, 9, S, B + 0x3004);
    assert_int_equal(walk_state(&t, &s, rec, 8), 2);
    assert_int_equal(rec[1].context.Rbx, 0xB0B0);
}

static void codes_running_past_their_count(void **state)
{
    (void)state;
    const uint16_t codes[] = {UC(2, 4, RBX)}; /* SAVE_NONVOL needs 2 slots */
    x64_write_unwind(&t, 0x9000, 1, 0, 2, 0, 0, codes, 1, NULL);
    expect_one_frame(0x9000);
}

static void far_codes_running_past_their_count(void **state)
{
    (void)state;
    const uint16_t codes[] = {UC(2, 5, RBX), 0x10}; /* SAVE_NONVOL_FAR needs 3 */
    x64_write_unwind(&t, 0x9000, 1, 0, 2, 0, 0, codes, 2, NULL);
    expect_one_frame(0x9000);
}

static void unknown_versions(void **state)
{
    (void)state;
    for (uint8_t version = 0; version < 8; version++) {
        if (version == 1 || version == 2)
            continue;
        x64_write_unwind(&t, 0x9000 + 0x20 * version, version, 0, 0, 0, 0, NULL, 0, NULL);
        t.function_count = 0;
        expect_one_frame(0x9000 + 0x20 * version);
    }
}

static void unknown_operations(void **state)
{
    (void)state;
    for (uint8_t op = 11; op < 16; op++) {
        const uint16_t codes[] = {UC(1, op, 0), 0};
        x64_write_unwind(&t, 0x9000, 1, 0, 1, 0, 0, codes, 2, NULL);
        t.function_count = 0;
        expect_one_frame(0x9000);
    }
    {
        const uint16_t codes[] = {UC(1, 7, 0), 0, 0}; /* op 7 in version 2 */
        x64_write_unwind(&t, 0x9000, 2, 0, 1, 0, 0, codes, 3, NULL);
        t.function_count = 0;
        expect_one_frame(0x9000);
    }
}

static void alloc_large_with_bad_info(void **state)
{
    (void)state;
    const uint16_t codes[] = {UC(1, 1, 2), 1, 1};
    x64_write_unwind(&t, 0x9000, 1, 0, 1, 0, 0, codes, 3, NULL);
    expect_one_frame(0x9000);
}

static void set_fpreg_without_frame_register(void **state)
{
    (void)state;
    const uint16_t codes[] = {UC(1, 3, 0)};
    x64_write_unwind(&t, 0x9000, 1, 0, 1, 0, 0, codes, 1, NULL);
    expect_one_frame(0x9000);
}

static void unwind_info_outside_the_image(void **state)
{
    (void)state;
    expect_one_frame(TEST_IMAGE_SIZE + 0x1000);
}

static void unwind_info_straddling_the_image_end(void **state)
{
    (void)state;
    uint8_t header[4] = {1, 0, 255, 0}; /* 255 codes, the image ends first */
    ft_write(&t, B + TEST_IMAGE_SIZE - 4, header, 4);
    expect_one_frame(TEST_IMAGE_SIZE - 4);
}

static void chained_entry_outside_the_image(void **state)
{
    (void)state;
    IMAGE_RUNTIME_FUNCTION_ENTRY far = {0x3000, 0x3100, {0x7FFFFFF0}};
    x64_write_unwind(&t, 0x9000, 1, 4, 0, 0, 0, NULL, 0, &far);
    expect_one_frame(0x9000);
}

static void indirect_entry_cycle(void **state)
{
    (void)state;
    IMAGE_RUNTIME_FUNCTION_ENTRY self = {0x3000, 0x3100, {0x9F00 | 1}};
    ft_write(&t, B + 0x9F00, &self, sizeof(self));
    expect_one_frame(0x9F00 | 1);
}

static void module_base_zero_with_an_entry(void **state)
{
    (void)state;
    /* Must not read "unwind info" at 0 + RVA: map page 0 to prove it. */
    uint8_t *low = ft_map(&t, 0, 0x10000);
    const uint16_t codes[] = {UC(1, 0, RBX)};
    low[0x9000] = 1;
    t.module_base_answer = 0;
    x64_write_unwind(&t, 0x9000, 1, 0, 1, 0, 0, codes, 1, NULL);
    expect_one_frame(0x9000);
}

static void absurd_allocation(void **state)
{
    (void)state;
    const uint16_t codes[] = {UC(1, 1, 1), 0xFFF8, 0xFFFF}; /* RSP += 4 GB */
    x64_write_unwind(&t, 0x9000, 1, 0, 1, 0, 0, codes, 3, NULL);
    expect_one_frame(0x9000);
}

static void absurd_save_offset(void **state)
{
    (void)state;
    const uint16_t codes[] = {UC(1, 5, RBX), 0xFFF0, 0xFFFF};
    x64_write_unwind(&t, 0x9000, 1, 0, 1, 0, 0, codes, 3, NULL);
    expect_one_frame(0x9000);
}

static void stack_pointer_near_the_top_of_memory(void **state)
{
    (void)state;
    struct x64_state s;
    x64_state_init(&s, 9, 0xFFFFFFFFFFFFFFF8ull, B + 0x3F00);
    assert_int_equal(walk_state(&t, &s, rec, 8), 1);
    assert_int_equal(rec[0].frame.AddrReturn.Offset, 0);
}

/* Random unwind info, random stack words: any outcome but a crash or an
 * endless walk. */
static void random_unwind_data(void **state)
{
    (void)state;
    uint32_t seed = 12345;
    struct x64_state s;

    for (unsigned i = 0; i < 16; i++)
        ft_add_function(&t, 0x3000 + 0x100 * i, 0x3100 + 0x100 * i, 0x9000 + 0x40 * i);
    for (unsigned round = 0; round < 3000; round++) {
        uint8_t *image = t.image;
        for (unsigned i = 0; i < 0x400; i++) {
            seed = seed * 1103515245u + 12345u;
            image[0x9000 + i] = (uint8_t)(seed >> 16);
        }
        for (unsigned i = 0; i < 0x200; i += 8) {
            seed = seed * 1103515245u + 12345u;
            uint64_t v = (seed >> 8) & 3 ? B + 0x3000 + (seed % 0x1000) : seed;
            ft_write64(&t, S + i, v);
        }
        x64_state_init(&s, round, S, B + 0x3000 + (seed % 0x1000));
        s.gpr[RBP] = S + (seed % 0x100);
        (void)walk_state(&t, &s, rec, 16);
    }
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(unwind_info_ending_at_its_last_code),
        T(codes_running_past_their_count),
        T(far_codes_running_past_their_count),
        T(unknown_versions),
        T(unknown_operations),
        T(alloc_large_with_bad_info),
        T(set_fpreg_without_frame_register),
        T(unwind_info_outside_the_image),
        T(unwind_info_straddling_the_image_end),
        T(chained_entry_outside_the_image),
        T(indirect_entry_cycle),
        T(module_base_zero_with_an_entry),
        T(absurd_allocation),
        T(absurd_save_offset),
        T(stack_pointer_near_the_top_of_memory),
        T(random_unwind_data),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
