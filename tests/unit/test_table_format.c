/*
 * The architectures' function-table entry formats (struct
 * function_table_format): each entry here is written byte by byte from the
 * layouts Microsoft documents for IMAGE_RUNTIME_FUNCTION_ENTRY (x64:
 * BeginAddress, EndAddress, UnwindData) and IMAGE_ARM64_RUNTIME_FUNCTION_ENTRY
 * (BeginAddress; Flag in bits 0-1, packed FunctionLength in bits 2-12 or the
 * .xdata RVA; the .xdata header's FunctionLength in bits 0-17; lengths in
 * 4-byte instructions), and the expected ranges are worked out by hand.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "arch/arch.h"

#define IMAGE_SIZE 0x4000u

/* An image the format may read unwind data from; counts its reads. */
struct fake_image {
    uint8_t bytes[IMAGE_SIZE];
    unsigned reads;
    bool fail;
};

static bool fake_read(void *context, uint32_t rva, void *out, uint32_t size)
{
    struct fake_image *image = context;

    image->reads++;
    if (image->fail || rva > IMAGE_SIZE || size > IMAGE_SIZE - rva)
        return false;
    memcpy(out, image->bytes + rva, size);
    return true;
}

static struct fake_image image;
static const struct image_rva_reader reader = {fake_read, &image};

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static const struct function_table_format *format_of(DWORD machine)
{
    const struct arch_unwinder *arch = arch_for_machine(machine);
    assert_non_null(arch);
    return arch->table_format;
}

/* Runs the machine's entry_range on an entry of the given words. */
static bool range_of(DWORD machine, const uint32_t *words, unsigned count, uint32_t image_size,
                     uint32_t *begin, uint32_t *end)
{
    const struct function_table_format *format = format_of(machine);
    uint8_t entry[16];

    assert_non_null(format);
    assert_int_equal(format->entry_size, 4 * count);
    for (unsigned i = 0; i < count; i++)
        put32(entry + 4 * i, words[i]);
    *begin = *end = 0xDEADBEEF;
    return format->entry_range(entry, image_size, &reader, begin, end);
}

static int setup(void **state)
{
    (void)state;
    memset(&image, 0, sizeof(image));
    return 0;
}

static void table_formats_belong_to_their_architectures(void **state)
{
    (void)state;
    assert_int_equal(format_of(IMAGE_FILE_MACHINE_AMD64)->entry_size, 12);
    assert_int_equal(format_of(IMAGE_FILE_MACHINE_ARM64)->entry_size, 8);
    assert_null(format_of(IMAGE_FILE_MACHINE_I386)); /* FPO data comes from the PDB */
}

static void x64_entry_states_its_begin_and_end(void **state)
{
    uint32_t words[3] = {0x1000, 0x1040, 0x2000}, begin, end;
    (void)state;
    assert_true(range_of(IMAGE_FILE_MACHINE_AMD64, words, 3, IMAGE_SIZE, &begin, &end));
    assert_int_equal(begin, 0x1000);
    assert_int_equal(end, 0x1040);
    assert_int_equal(image.reads, 0); /* the entry holds its end: no unwind data read */
}

static void x64_entry_may_end_at_the_image_end(void **state)
{
    uint32_t words[3] = {0x3FF0, IMAGE_SIZE, 0x2000}, begin, end;
    (void)state;
    assert_true(range_of(IMAGE_FILE_MACHINE_AMD64, words, 3, IMAGE_SIZE, &begin, &end));
    assert_int_equal(begin, 0x3FF0);
    assert_int_equal(end, IMAGE_SIZE);
}

static void x64_entry_begin_not_below_end_is_refused(void **state)
{
    uint32_t empty[3] = {0x1000, 0x1000, 0x2000}, reversed[3] = {0x1040, 0x1000, 0x2000};
    uint32_t begin, end;
    (void)state;
    assert_false(range_of(IMAGE_FILE_MACHINE_AMD64, empty, 3, IMAGE_SIZE, &begin, &end));
    assert_false(range_of(IMAGE_FILE_MACHINE_AMD64, reversed, 3, IMAGE_SIZE, &begin, &end));
}

static void x64_entry_ending_beyond_the_image_is_refused(void **state)
{
    uint32_t words[3] = {0x3FF0, IMAGE_SIZE + 1, 0x2000}, huge[3] = {0x1000, 0xFFFFFFFFu, 0};
    uint32_t begin, end;
    (void)state;
    assert_false(range_of(IMAGE_FILE_MACHINE_AMD64, words, 3, IMAGE_SIZE, &begin, &end));
    assert_false(range_of(IMAGE_FILE_MACHINE_AMD64, huge, 3, IMAGE_SIZE, &begin, &end));
}

static void arm64_packed_flag1_length_counts_instructions(void **state)
{
    /* Flag 1, FunctionLength 0x10 instructions (bits 2-12: 0x40), FrameSize
     * bits 23-31 all set to show they are not part of the length. */
    uint32_t words[2] = {0x1000, 0xFF800041u}, begin, end;
    (void)state;
    assert_true(range_of(IMAGE_FILE_MACHINE_ARM64, words, 2, IMAGE_SIZE, &begin, &end));
    assert_int_equal(begin, 0x1000);
    assert_int_equal(end, 0x1040);
    assert_int_equal(image.reads, 0);
}

static void arm64_packed_flag2_fragment_longest_length(void **state)
{
    /* Flag 2, FunctionLength 0x7FF (the field's largest): 0x1FFC bytes. */
    uint32_t words[2] = {0x1000, 0x1FFEu}, begin, end;
    (void)state;
    assert_true(range_of(IMAGE_FILE_MACHINE_ARM64, words, 2, IMAGE_SIZE, &begin, &end));
    assert_int_equal(begin, 0x1000);
    assert_int_equal(end, 0x2FFC);
}

static void arm64_xdata_header_gives_the_length(void **state)
{
    /* Flag 0: .xdata at 0x2000, header FunctionLength 0x123 with one epilog
     * (bits 22-26) and one code word (bits 27-31): 0x48C bytes. */
    uint32_t words[2] = {0x1000, 0x2000}, begin, end;
    (void)state;
    put32(image.bytes + 0x2000, 0x123u | (1u << 22) | (1u << 27));
    assert_true(range_of(IMAGE_FILE_MACHINE_ARM64, words, 2, IMAGE_SIZE, &begin, &end));
    assert_int_equal(begin, 0x1000);
    assert_int_equal(end, 0x148C);
    assert_int_equal(image.reads, 1);
}

static void arm64_xdata_length_beyond_the_image_is_refused(void **state)
{
    /* FunctionLength 0x3FFFF (the 18-bit field's largest): 0xFFFFC bytes. */
    uint32_t words[2] = {0x1000, 0x2000}, begin, end;
    (void)state;
    put32(image.bytes + 0x2000, 0x3FFFFu);
    assert_false(range_of(IMAGE_FILE_MACHINE_ARM64, words, 2, IMAGE_SIZE, &begin, &end));
}

static void arm64_unreadable_xdata_is_refused(void **state)
{
    uint32_t words[2] = {0x1000, 0x2000}, outside[2] = {0x1000, IMAGE_SIZE}, begin, end;
    (void)state;
    put32(image.bytes + 0x2000, 0x10u);
    image.fail = true;
    assert_false(range_of(IMAGE_FILE_MACHINE_ARM64, words, 2, IMAGE_SIZE, &begin, &end));
    image.fail = false;
    /* a header outside the image is not asked for */
    image.reads = 0;
    assert_false(range_of(IMAGE_FILE_MACHINE_ARM64, outside, 2, IMAGE_SIZE, &begin, &end));
    assert_int_equal(image.reads, 0);
}

static void arm64_unaligned_begin_is_refused(void **state)
{
    uint32_t words[2] = {0x1002, 0x41}, begin, end;
    (void)state;
    assert_false(range_of(IMAGE_FILE_MACHINE_ARM64, words, 2, IMAGE_SIZE, &begin, &end));
}

static void arm64_zero_length_and_reserved_flag_are_refused(void **state)
{
    uint32_t zero[2] = {0x1000, 0x1}, reserved[2] = {0x1000, 0x43}, begin, end;
    uint32_t xdata_zero[2] = {0x1000, 0x2000};
    (void)state;
    assert_false(range_of(IMAGE_FILE_MACHINE_ARM64, zero, 2, IMAGE_SIZE, &begin, &end));
    assert_false(range_of(IMAGE_FILE_MACHINE_ARM64, reserved, 2, IMAGE_SIZE, &begin, &end));
    put32(image.bytes + 0x2000, 1u << 27); /* FunctionLength 0 */
    assert_false(range_of(IMAGE_FILE_MACHINE_ARM64, xdata_zero, 2, IMAGE_SIZE, &begin, &end));
}

static void arm64_end_at_the_image_end_and_one_past(void **state)
{
    /* 0x3FC0 + 0x10 instructions ends at 0x4000 exactly; at 0x3FC4 it is
     * one instruction past the image. */
    uint32_t fits[2] = {0x3FC0, 0x41}, past[2] = {0x3FC4, 0x41}, outside[2] = {IMAGE_SIZE, 0x41};
    uint32_t begin, end;
    (void)state;
    assert_true(range_of(IMAGE_FILE_MACHINE_ARM64, fits, 2, IMAGE_SIZE, &begin, &end));
    assert_int_equal(end, IMAGE_SIZE);
    assert_false(range_of(IMAGE_FILE_MACHINE_ARM64, past, 2, IMAGE_SIZE, &begin, &end));
    assert_false(range_of(IMAGE_FILE_MACHINE_ARM64, outside, 2, IMAGE_SIZE, &begin, &end));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(table_formats_belong_to_their_architectures, setup),
        cmocka_unit_test_setup(x64_entry_states_its_begin_and_end, setup),
        cmocka_unit_test_setup(x64_entry_may_end_at_the_image_end, setup),
        cmocka_unit_test_setup(x64_entry_begin_not_below_end_is_refused, setup),
        cmocka_unit_test_setup(x64_entry_ending_beyond_the_image_is_refused, setup),
        cmocka_unit_test_setup(arm64_packed_flag1_length_counts_instructions, setup),
        cmocka_unit_test_setup(arm64_packed_flag2_fragment_longest_length, setup),
        cmocka_unit_test_setup(arm64_xdata_header_gives_the_length, setup),
        cmocka_unit_test_setup(arm64_xdata_length_beyond_the_image_is_refused, setup),
        cmocka_unit_test_setup(arm64_unreadable_xdata_is_refused, setup),
        cmocka_unit_test_setup(arm64_unaligned_begin_is_refused, setup),
        cmocka_unit_test_setup(arm64_zero_length_and_reserved_flag_are_refused, setup),
        cmocka_unit_test_setup(arm64_end_at_the_image_end_and_one_past, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
