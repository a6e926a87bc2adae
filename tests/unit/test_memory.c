/*
 * The memory layer, white-box: short and refused reads, mapping edges, the
 * per-walk cache (a new walk never sees an old walk's bytes), re-entrancy,
 * and routines that misreport their counts.
 */
#include "walk_helpers.h"

#include "memory.h"

#include <string.h>

#define LO 0x10000000ull

static struct fake_target t;

static int setup(void **state)
{
    (void)state;
    uint8_t *a, *b;

    ft_init(&t);
    a = ft_map(&t, LO, 0x3000);           /* [LO, LO+0x3000) */
    b = ft_map(&t, LO + 0x3000, 0x1000);  /* adjacent region */
    ft_map(&t, LO + 0x5000, 0x1000);      /* after a one-page gap */
    for (unsigned i = 0; i < 0x3000; i++)
        a[i] = (uint8_t)(i * 7);
    for (unsigned i = 0; i < 0x1000; i++)
        b[i] = (uint8_t)(i * 3 + 1);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    ft_free(&t);
    return 0;
}

static bool read_with(enum ft_read_mode mode, uint64_t walk, uint64_t address, void *out,
                      size_t size)
{
    struct memory_reader r;
    bool ok;

    t.mode = mode;
    memory_reader_open(&r, &t, ft_read_memory, NULL, walk);
    ok = memory_read(&r, address, out, size);
    memory_reader_close(&r);
    return ok;
}

static void readable_ranges_read_in_every_mode(void **state)
{
    (void)state;
    static const struct {
        uint64_t address;
        size_t size;
    } ranges[] = {
        {LO, 8}, {LO + 0xFF8, 16}, {LO + 0x2FF0, 0x20}, {LO + 0x3FF8, 8}, {LO + 0x3FFF, 1},
        {LO + 0x5FF0, 16}, {LO + 0x100, 0x3E00}, {LO, 0x4000},
    };
    uint8_t got[0x4000], want[0x4000];

    for (enum ft_read_mode m = 0; m < FT_READ_MODE_COUNT; m++) {
        for (unsigned i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++) {
            memset(got, 0xEE, sizeof(got));
            for (size_t k = 0; k < ranges[i].size; k++)
                want[k] = *ft_at(&t, ranges[i].address + k, 1);
            if (!read_with(m, memory_new_walk_id(), ranges[i].address, got, ranges[i].size))
                fail_msg("mode %s: range %u unreadable", ft_mode_name(m), i);
            assert_memory_equal(got, want, ranges[i].size);
        }
    }
}

static void unreadable_ranges_fail_without_writing_past_the_buffer(void **state)
{
    (void)state;
    static const struct {
        uint64_t address;
        size_t size;
    } ranges[] = {
        {LO + 0x3FF8, 16}, {LO + 0x4000, 8}, {LO - 8, 16}, {LO + 0x5FF8, 16},
        {0xFFFFFFFFFFFFFFF8ull, 16}, {LO + 0x3000, 0x2000},
    };
    uint8_t got[0x2000 + 16];

    for (enum ft_read_mode m = 0; m < FT_READ_MODE_COUNT; m++) {
        for (unsigned i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++) {
            memset(got, 0xEE, sizeof(got));
            if (read_with(m, memory_new_walk_id(), ranges[i].address, got, ranges[i].size))
                fail_msg("mode %s: range %u read", ft_mode_name(m), i);
            for (size_t k = ranges[i].size; k < sizeof(got); k++)
                assert_int_equal(got[k], 0xEE);
        }
    }
}

static void a_new_walk_never_sees_old_bytes(void **state)
{
    (void)state;
    uint64_t v, first = memory_new_walk_id(), second = memory_new_walk_id();
    struct memory_reader r;

    ft_write64(&t, LO + 0x100, 1111);
    assert_true(read_with(FT_READ_EXACT, first, LO + 0x100, &v, 8));
    assert_int_equal(v, 1111);
    ft_write64(&t, LO + 0x100, 2222); /* the target ran on */
    assert_true(read_with(FT_READ_EXACT, second, LO + 0x100, &v, 8));
    assert_int_equal(v, 2222);

    /* another process (handle) with the same walk id: no sharing either */
    struct fake_target other;
    ft_init(&other);
    ft_map(&other, LO, 0x1000);
    ft_write64(&other, LO + 0x100, 3333);
    memory_reader_open(&r, &other, ft_read_memory, NULL, second);
    assert_true(memory_read(&r, LO + 0x100, &v, 8));
    memory_reader_close(&r);
    assert_int_equal(v, 3333);
    ft_free(&other);
}

/* Reading a block from start to end costs a few callbacks, not one per
 * read: each request that continues the range doubles the window
 * (MEMORY_FIRST_WINDOW, twice that, ... up to the block): a 4 KB scan
 * takes about log2(4096 / MEMORY_FIRST_WINDOW) + 1 calls. */
static void a_sequential_scan_widens_the_requests(void **state)
{
    (void)state;
    struct memory_reader r;
    uint64_t v;
    unsigned calls = 0, bound = 1;

    for (uint32_t w = MEMORY_FIRST_WINDOW, covered = w; covered < MEMORY_BLOCK_SIZE; bound++)
        w *= 2, covered += w;
    t.mode = FT_READ_PARTIAL;
    t.callbacks = 0;
    memory_reader_open(&r, &t, ft_read_memory, NULL, memory_new_walk_id());
    for (unsigned i = 0; i < 0x1000; i += 8)
        assert_true(memory_read_u64(&r, LO + 0x1000 + i, &v));
    calls = (unsigned)t.callbacks;
    /* and the next block, read the same way, comes in one */
    for (unsigned i = 0; i < 0x1000; i += 8)
        assert_true(memory_read_u64(&r, LO + 0x2000 + i, &v));
    memory_reader_close(&r);
    assert_true(calls <= bound);
    assert_int_equal(t.callbacks, calls + 1);
}

/* A read far from what a block holds asks for a window there, not for the
 * whole block: a walk reading a few words from each of many stack pages
 * copies (and zeroes) little. */
static void sparse_reads_ask_for_a_window(void **state)
{
    (void)state;
    struct memory_reader r;
    uint64_t v;

    t.mode = FT_READ_EXACT;
    t.callbacks = t.bytes_delivered = 0;
    memory_reader_open(&r, &t, ft_read_memory, NULL, memory_new_walk_id());
    assert_true(memory_read_u64(&r, LO + 0x1F00, &v));
    assert_true(memory_read_u64(&r, LO + 0x2100, &v));
    memory_reader_close(&r);
    assert_int_equal(t.callbacks, 2);
    assert_true(t.bytes_delivered <= 2 * MEMORY_FIRST_WINDOW);
}

/* Routines that never set the count, or claim more than was asked. */
static BOOL WINAPI silent_count(HANDLE process, DWORD64 address, PVOID buffer, DWORD size,
                                LPDWORD bytes_read)
{
    BOOL ok = ft_read_memory(process, address, buffer, size, bytes_read);
    *bytes_read = 0;
    return ok;
}

static BOOL WINAPI boastful_count(HANDLE process, DWORD64 address, PVOID buffer, DWORD size,
                                  LPDWORD bytes_read)
{
    BOOL ok = ft_read_memory(process, address, buffer, size, bytes_read);
    *bytes_read = size + 100;
    return ok;
}

static void misreported_counts(void **state)
{
    (void)state;
    struct memory_reader r;
    uint64_t v;

    t.mode = FT_READ_EXACT;
    ft_write64(&t, LO + 0x208, 0xABCD);
    memory_reader_open(&r, &t, silent_count, NULL, memory_new_walk_id());
    assert_true(memory_read_u64(&r, LO + 0x208, &v));
    assert_int_equal(v, 0xABCD);
    assert_false(memory_read_u64(&r, LO + 0x4000, &v));
    memory_reader_close(&r);

    memory_reader_open(&r, &t, boastful_count, NULL, memory_new_walk_id());
    assert_true(memory_read_u64(&r, LO + 0x208, &v));
    assert_int_equal(v, 0xABCD);
    assert_false(memory_read_u64(&r, LO + 0x4000, &v));
    memory_reader_close(&r);
}

/* A read routine that itself walks another stack (a debugger's routine may
 * call back into dbghelp): both walks stay right. */
static struct fake_target nested;
static struct x64_chain nested_chain;
static unsigned nested_walks;

static BOOL WINAPI reentrant_read(HANDLE process, DWORD64 address, PVOID buffer, DWORD size,
                                  LPDWORD bytes_read)
{
    char why[200];
    if (!check_chain_walk(&nested, &nested_chain, why, sizeof(why)))
        fail_msg("nested walk: %s", why);
    nested_walks++;
    return ft_read_memory(process, address, buffer, size, bytes_read);
}

static void reentrant_walks(void **state)
{
    (void)state;
    struct x64_function nf[2], of[2];
    struct fake_target outer;
    struct x64_chain outer_chain = {0};
    STACKFRAME64 frame;
    CONTEXT c;
    unsigned n = 0;

    test_target_init(&nested);
    x64_emit(&nested, &nf[0], &spec_caller, 0x1000, 0x8000);
    x64_emit(&nested, &nf[1], &spec_caller, 0x1100, 0x8040);
    memset(&nested_chain, 0, sizeof(nested_chain));
    nested_chain.functions[0] = &nf[1];
    nested_chain.functions[1] = &nf[0];
    nested_chain.depth = 2;
    x64_chain_build(&nested, &nested_chain, TEST_STACK_TOP);

    test_target_init(&outer);
    x64_emit(&outer, &of[0], &spec_caller, 0x2000, 0x9000);
    x64_emit(&outer, &of[1], &spec_caller, 0x2100, 0x9040);
    outer_chain.functions[0] = &of[1];
    outer_chain.functions[1] = &of[0];
    outer_chain.depth = 2;
    outer_chain.position = 3;
    x64_chain_build(&outer, &outer_chain, TEST_STACK_TOP - 0x1000);

    x64_state_to_context(&outer_chain.expected[0], &c);
    seed_frame(&frame, &c);
    while (StackWalk64(IMAGE_FILE_MACHINE_AMD64, &outer, NULL, &frame, &c, reentrant_read,
                       ft_function_table, ft_module_base, NULL)) {
        char why[200];
        assert_true(n < 2);
        if (!x64_nonvolatile_equal(&outer_chain.expected[n], &c, why, sizeof(why)))
            fail_msg("outer frame %u: %s", n, why);
        n++;
    }
    assert_int_equal(n, 2);
    assert_true(nested_walks > 0);
    ft_free(&outer);
    ft_free(&nested);
}

/* A routine that says TRUE with no count and fills nothing. */
static BOOL WINAPI empty_success(HANDLE process, DWORD64 address, PVOID buffer, DWORD size,
                                 LPDWORD bytes_read)
{
    (void)process, (void)address, (void)buffer, (void)size;
    *bytes_read = 0;
    return TRUE;
}

/* Such a routine gets zeros, never the bytes a cache block held for an
 * earlier walk (of another process, perhaps): found by fuzz_walk, where a
 * walk after a lying routine's walk took the earlier walk's stack words. */
static void a_routine_that_fills_nothing_reads_zeros(void **state)
{
    (void)state;
    struct memory_reader r;
    uint64_t v;

    t.mode = FT_READ_EXACT;
    ft_write64(&t, LO + 0x208, 0x1122334455667788ull);
    memory_reader_open(&r, &t, ft_read_memory, NULL, memory_new_walk_id());
    assert_true(memory_read_u64(&r, LO + 0x208, &v));
    assert_int_equal(v, 0x1122334455667788ull);
    memory_reader_close(&r);

    memory_reader_open(&r, &t, empty_success, NULL, memory_new_walk_id());
    assert_true(memory_read_u64(&r, LO + 0x208, &v));
    assert_int_equal(v, 0);
    memory_reader_close(&r);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(readable_ranges_read_in_every_mode),
        T(unreadable_ranges_fail_without_writing_past_the_buffer),
        T(a_new_walk_never_sees_old_bytes),
        T(a_sequential_scan_widens_the_requests),
        T(sparse_reads_ask_for_a_window),
        T(misreported_counts),
        T(a_routine_that_fills_nothing_reads_zeros),
        T(reentrant_walks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
