/*
 * Read routines as real callers write them: exact, ReadProcessMemory-like
 * partial reads with FALSE, reads capped at 16 bytes, short reads with TRUE,
 * and reads refused across page boundaries. Every mode must give the same
 * frames and registers; with whole-block reads, a deep walk needs at most
 * one callback per frame.
 */
#include "walk_helpers.h"

#include <stdio.h>
#include <string.h>

#define DEPTH 200

static struct fake_target t;
static struct x64_function functions[8];
static struct x64_chain chain;

static const struct x64_spec specs[8] = {
    {.prolog = {{OP_PUSH, RBX, 0}, {OP_PUSH, RSI, 0}, {OP_ALLOC, 0, 0x28}}, .prolog_count = 3,
     .calls = 2},
    {.prolog = {{OP_PUSH, RBP, 0}, {OP_ALLOC, 0, 0x40}, {OP_SETFP, RBP, 0x20}},
     .prolog_count = 3, .calls = 1, .alloca_size = 0x60},
    {.prolog = {{OP_PUSH, RBP, 0}, {OP_PUSH, RDI, 0}, {OP_SETFP, RBP, 0}, {OP_ALLOC, 0, 0x100}},
     .prolog_count = 4, .calls = 2},
    {.prolog = {{OP_PUSH, R15, 0}, {OP_PUSH, R14, 0}, {OP_PUSH, R13, 0}, {OP_PUSH, R12, 0},
                {OP_ALLOC, 0, 0x58}, {OP_SAVEXMM, 6, 0x20}, {OP_SAVEXMM, 15, 0x30}},
     .prolog_count = 7, .calls = 1},
    {.prolog = {{OP_PUSH, RBX, 0}, {OP_ALLOC, 0, 0x2340}, {OP_SAVE, RSI, 0x800},
                {OP_SAVEXMM, 7, 0x40}},
     .prolog_count = 4, .calls = 1},
    {.prolog = {{OP_ALLOC, 0, 0x88}}, .prolog_count = 1, .calls = 3},
    {.prolog = {{OP_PUSH, RBX, 0}, {OP_PUSH, RSI, 0}, {OP_ALLOC, 0, 0x48}, {OP_SAVE, RDI, 0x30}},
     .prolog_count = 4, .calls = 2, .version = 2},
    {.prolog = {{OP_PUSH, RDI, 0}}, .prolog_count = 1, .calls = 1},
};

/* A deep chain of the functions above whose outermost frame sits a few
 * bytes below the end of the stack mapping. */
static int setup(void **state)
{
    (void)state;
    uint32_t seed = 99;

    test_target_init(&t);
    for (unsigned i = 0; i < 8; i++)
        x64_emit(&t, &functions[i], &specs[i], 0x1000 + 0x200 * i, 0x8000 + 0x80 * i);
    memset(&chain, 0, sizeof(chain));
    chain.depth = DEPTH;
    for (unsigned i = 0; i < DEPTH; i++) {
        seed = seed * 1103515245u + 12345u;
        chain.functions[i] = &functions[(seed >> 16) % 8];
        chain.call_site[i] = (seed >> 8) % chain.functions[i]->spec.calls;
    }
    chain.position = chain.functions[0]->call_insn[0] - 1;
    x64_chain_build(&t, &chain, TEST_STACK_TOP + 0x40); /* outermost RSP: end - 8 */
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    ft_free(&t);
    return 0;
}

static void every_mode_gives_the_same_walk(void **state)
{
    (void)state;
    for (enum ft_read_mode mode = 0; mode < FT_READ_MODE_COUNT; mode++) {
        char why[256];
        t.mode = mode;
        t.callbacks = t.bytes_delivered = 0;
        if (!check_chain_walk(&t, &chain, why, sizeof(why)))
            fail_msg("read mode %s: %s", ft_mode_name(mode), why);
        printf("read mode %-34s %6.2f callbacks/frame %8.1f bytes/frame\n", ft_mode_name(mode),
               (double)t.callbacks / DEPTH, (double)t.bytes_delivered / DEPTH);
    }
}

static void at_most_one_callback_per_frame(void **state)
{
    (void)state;
    static const enum ft_read_mode whole_reads[] = {FT_READ_EXACT, FT_READ_PARTIAL,
                                                    FT_READ_PAGE_BOUND};
    for (unsigned i = 0; i < 3; i++) {
        char why[256];
        t.mode = whole_reads[i];
        t.callbacks = 0;
        assert_true(check_chain_walk(&t, &chain, why, sizeof(why)));
        if (t.callbacks > DEPTH)
            fail_msg("read mode %s: %llu callbacks for %u frames", ft_mode_name(t.mode),
                     (unsigned long long)t.callbacks, DEPTH);
    }
}

/* Every instruction of a function, in every read mode, with the stack
 * ending right above the outermost frame. */
static void every_instruction_in_every_mode(void **state)
{
    (void)state;
    struct x64_chain c = {0};

    c.functions[0] = &functions[3];
    c.functions[1] = &functions[1];
    c.functions[2] = &functions[0];
    c.depth = 3;
    for (enum ft_read_mode mode = 0; mode < FT_READ_MODE_COUNT; mode++) {
        t.mode = mode;
        for (unsigned pos = 0; pos < functions[3].insn_count; pos++) {
            char why[256];
            c.position = pos;
            x64_chain_build(&t, &c, TEST_STACK_TOP + 0x40);
            if (!check_chain_walk(&t, &c, why, sizeof(why)))
                fail_msg("read mode %s, instruction %u: %s", ft_mode_name(mode), pos, why);
        }
    }
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(every_mode_gives_the_same_walk),
        T(at_most_one_callback_per_frame),
        T(every_instruction_in_every_mode),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
