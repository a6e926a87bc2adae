/*
 * x64 unwinding at every instruction of synthetic functions: each unwind code,
 * prolog positions (only executed operations undone, in either order of frame
 * register and allocation), every epilog point, large and far offsets, and
 * version 2 UWOP_EPILOG entries. Expected registers come from the model's
 * simulator, never from the unwinder's own logic.
 */
#include "walk_helpers.h"

#include <stdio.h>

#define CALLER_RVA 0x1000u
#define CALLER_UNWIND 0x8000u
#define CALLEE_RVA 0x2000u
#define CALLEE_UNWIND 0x8100u

/* Walks from every instruction of `spec`, called from a standard caller. */
static void check_every_instruction(const struct x64_spec *spec)
{
    struct fake_target t;
    struct x64_function caller, callee;
    struct x64_chain chain = {0};
    unsigned wrong = 0;

    test_target_init(&t);
    x64_emit(&t, &caller, &spec_caller, CALLER_RVA, CALLER_UNWIND);
    x64_emit(&t, &callee, spec, CALLEE_RVA, CALLEE_UNWIND);
    chain.functions[0] = &callee;
    chain.functions[1] = &caller;
    chain.depth = 2;
    for (unsigned pos = 0; pos < callee.insn_count; pos++) {
        char why[256];
        chain.position = pos;
        x64_chain_build(&t, &chain, TEST_STACK_TOP);
        if (!check_chain_walk(&t, &chain, why, sizeof(why))) {
            print_error("instruction %u (offset %#x, op %d): %s\n", pos,
                        callee.insns[pos].offset, callee.insns[pos].op, why);
            wrong++;
        }
    }
    ft_free(&t);
    assert_int_equal(wrong, 0);
}

static void pushes_and_small_alloc(void **state)
{
    (void)state;
    const struct x64_spec spec = {
        .prolog = {{OP_PUSH, RBX, 0}, {OP_PUSH, RSI, 0}, {OP_ALLOC, 0, 0x28}},
        .prolog_count = 3,
        .calls = 2,
    };
    check_every_instruction(&spec);
}

static void every_nonvolatile_pushed(void **state)
{
    (void)state;
    const struct x64_spec spec = {
        .prolog = {{OP_PUSH, R15, 0}, {OP_PUSH, R14, 0}, {OP_PUSH, R13, 0}, {OP_PUSH, R12, 0},
                   {OP_PUSH, RDI, 0}, {OP_PUSH, RSI, 0}, {OP_PUSH, RBP, 0}, {OP_PUSH, RBX, 0},
                   {OP_ALLOC, 0, 0x58}, {OP_SAVEXMM, 6, 0x20}, {OP_SAVEXMM, 15, 0x30},
                   {OP_SAVEXMM, 10, 0x40}},
        .prolog_count = 12,
        .calls = 2,
    };
    check_every_instruction(&spec);
}

static void frame_register_after_allocation(void **state)
{
    (void)state;
    const struct x64_spec spec = {
        .prolog = {{OP_PUSH, RBP, 0}, {OP_ALLOC, 0, 0x40}, {OP_SETFP, RBP, 0x20}},
        .prolog_count = 3,
        .calls = 1,
        .alloca_size = 0x100,
    };
    check_every_instruction(&spec);
}

static void frame_register_before_allocation(void **state)
{
    (void)state;
    const struct x64_spec spec = {
        .prolog = {{OP_PUSH, RBP, 0}, {OP_PUSH, RDI, 0}, {OP_SETFP, RBP, 0},
                   {OP_ALLOC, 0, 0x100}},
        .prolog_count = 4,
        .calls = 2,
        .alloca_size = 0x30,
    };
    check_every_instruction(&spec);
}

static void frame_register_r13_with_offset(void **state)
{
    (void)state;
    const struct x64_spec spec = {
        .prolog = {{OP_PUSH, RBP, 0}, {OP_PUSH, R13, 0}, {OP_ALLOC, 0, 0x30},
                   {OP_SETFP, R13, 0x10}, {OP_SAVEXMM, 6, 0x20}},
        .prolog_count = 5,
        .calls = 1,
    };
    check_every_instruction(&spec);
}

static void large_allocation_with_saves(void **state)
{
    (void)state;
    const struct x64_spec spec = { /* ALLOC_LARGE with a 16-bit slot */
        .prolog = {{OP_PUSH, RBX, 0}, {OP_ALLOC, 0, 0x2340}, {OP_SAVE, RSI, 0x800},
                   {OP_SAVE, R12, 0x2330}, {OP_SAVEXMM, 7, 0x40}},
        .prolog_count = 5,
        .calls = 2,
    };
    check_every_instruction(&spec);
}

static void huge_allocation_far_saves(void **state)
{
    (void)state;
    const struct x64_spec spec = { /* ALLOC_LARGE 32-bit, SAVE_NONVOL_FAR, SAVE_XMM128_FAR */
        .prolog = {{OP_ALLOC, 0, 0x120000}, {OP_SAVE, RDI, 0x20}, {OP_SAVE, R12, 0x110000},
                   {OP_SAVEXMM, 8, 0x110010}, {OP_SAVEXMM, 6, 0x30}},
        .prolog_count = 5,
        .calls = 1,
    };
    check_every_instruction(&spec);
}

static void version2_epilog_entries(void **state)
{
    (void)state;
    const struct x64_spec spec = {
        .prolog = {{OP_PUSH, RBX, 0}, {OP_PUSH, RSI, 0}, {OP_ALLOC, 0, 0x48},
                   {OP_SAVE, RDI, 0x30}},
        .prolog_count = 4,
        .calls = 2,
        .version = 2,
    };
    check_every_instruction(&spec);
}

static void allocation_only(void **state)
{
    (void)state;
    const struct x64_spec spec = {
        .prolog = {{OP_ALLOC, 0, 0x88}},
        .prolog_count = 1,
        .calls = 1,
    };
    check_every_instruction(&spec);
}

static void no_unwind_codes(void **state)
{
    (void)state;
    const struct x64_spec spec = {.prolog_count = 0, .calls = 1};
    check_every_instruction(&spec);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(pushes_and_small_alloc),
        cmocka_unit_test(every_nonvolatile_pushed),
        cmocka_unit_test(frame_register_after_allocation),
        cmocka_unit_test(frame_register_before_allocation),
        cmocka_unit_test(frame_register_r13_with_offset),
        cmocka_unit_test(large_allocation_with_saves),
        cmocka_unit_test(huge_allocation_far_saves),
        cmocka_unit_test(version2_epilog_entries),
        cmocka_unit_test(allocation_only),
        cmocka_unit_test(no_unwind_codes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
