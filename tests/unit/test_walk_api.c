/*
 * The StackWalk64 / StackWalkEx / StackWalk2 / StackWalk contract of
 * spec/stackwalk.md: seeding, the first call, the frame fields, in-place
 * unwinding, the end of a walk, arguments, last errors, and the 32-bit entry
 * point's conversions.
 */
#include "walk_helpers.h"

#include <string.h>

#define B TEST_IMAGE_BASE
#define S (TEST_STACK_TOP - 0x2000)

static struct fake_target t;
static struct x64_function caller, middle, callee;
static struct x64_chain chain;

/* callee (push rsi; sub 0x38) <- middle (alloc 0x48, rbx untouched) <- caller */
static int setup(void **state)
{
    (void)state;
    const struct x64_spec s_middle = {.prolog = {{OP_ALLOC, 0, 0x48}}, .prolog_count = 1,
                                      .calls = 1};
    const struct x64_spec s_callee = {.prolog = {{OP_PUSH, RSI, 0}, {OP_ALLOC, 0, 0x38}},
                                      .prolog_count = 2, .calls = 1};
    test_target_init(&t);
    x64_emit(&t, &caller, &spec_caller, 0x1000, 0x8000);
    x64_emit(&t, &middle, &s_middle, 0x1100, 0x8040);
    x64_emit(&t, &callee, &s_callee, 0x1200, 0x8080);
    memset(&chain, 0, sizeof(chain));
    chain.functions[0] = &callee;
    chain.functions[1] = &middle;
    chain.functions[2] = &caller;
    chain.depth = 3;
    chain.position = callee.call_insn[0];
    x64_chain_build(&t, &chain, TEST_STACK_TOP);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    ft_free(&t);
    return 0;
}

static BOOL walk64(STACKFRAME64 *f, CONTEXT *c)
{
    return StackWalk64(IMAGE_FILE_MACHINE_AMD64, &t, NULL, f, c, ft_read_memory,
                       ft_function_table, ft_module_base, NULL);
}

static void first_call_reports_the_seed_without_unwinding(void **state)
{
    (void)state;
    STACKFRAME64 f;
    CONTEXT c, before;

    x64_state_to_context(&chain.expected[0], &c);
    before = c;
    seed_frame(&f, &c);
    assert_true(walk64(&f, &c));
    assert_memory_equal(&c, &before, sizeof(c));
    assert_int_equal(f.AddrPC.Offset, chain.expected[0].rip);
    assert_int_equal(f.AddrStack.Offset, chain.expected[0].gpr[RSP]);
    assert_int_equal(f.AddrReturn.Offset, chain.expected[1].rip);
}

static void frame_fields(void **state)
{
    (void)state;
    STACKFRAME64 f;
    CONTEXT c;
    uint64_t home = chain.expected[1].gpr[RSP];

    for (unsigned i = 0; i < 4; i++)
        ft_write64(&t, home + 8 * i, 0x4000 + i); /* the callee's home slots */
    x64_state_to_context(&chain.expected[0], &c);
    seed_frame(&f, &c);
    assert_true(walk64(&f, &c));
    assert_int_equal(f.AddrFrame.Offset, home - 16);
    for (unsigned i = 0; i < 4; i++)
        assert_int_equal(f.Params[i], 0x4000 + i);
    assert_non_null(f.FuncTableEntry);
    assert_int_equal(((IMAGE_RUNTIME_FUNCTION_ENTRY *)f.FuncTableEntry)->BeginAddress,
                     callee.begin);
    assert_false(f.Far);
    assert_true(f.Virtual);
    assert_int_equal(f.AddrPC.Mode, AddrModeFlat);
    assert_int_equal(f.AddrReturn.Mode, AddrModeFlat);
    assert_int_equal(f.AddrFrame.Mode, AddrModeFlat);
    assert_int_equal(f.AddrStack.Mode, AddrModeFlat);
    assert_int_equal(f.KdHelp.Thread, 0);
    assert_int_equal(f.AddrBStore.Offset, 0);

    assert_true(walk64(&f, &c)); /* middle */
    assert_int_equal(((IMAGE_RUNTIME_FUNCTION_ENTRY *)f.FuncTableEntry)->BeginAddress,
                     middle.begin);
    assert_true(walk64(&f, &c)); /* caller: the last frame, its return is 0 */
    assert_int_equal(f.AddrReturn.Offset, 0);
    assert_false(walk64(&f, &c));
}

static void end_is_sticky_and_sets_no_error(void **state)
{
    (void)state;
    STACKFRAME64 f;
    CONTEXT c;
    unsigned n = 0;

    x64_state_to_context(&chain.expected[0], &c);
    seed_frame(&f, &c);
    while (walk64(&f, &c))
        n++;
    assert_int_equal(n, 3);
    SetLastError(0xBEEF);
    assert_false(walk64(&f, &c));
    assert_int_equal(GetLastError(), 0xBEEF);
    /* Even when memory would now allow more, an ended walk stays ended. */
    ft_write64(&t, chain.expected[2].gpr[RSP] + 0x28, B + 0x3F10);
    assert_false(walk64(&f, &c));
}

static void context_edited_between_calls_is_honoured(void **state)
{
    (void)state;
    STACKFRAME64 f;
    CONTEXT c;

    /* middle does not save RBX: what the debugger writes into frame 1's
     * context must show in frame 2, not a remembered look-ahead. */
    x64_state_to_context(&chain.expected[0], &c);
    seed_frame(&f, &c);
    assert_true(walk64(&f, &c));
    assert_true(walk64(&f, &c));
    assert_int_equal(c.Rbx, chain.expected[1].gpr[RBX]);
    c.Rbx = 0x12345678;
    assert_true(walk64(&f, &c));
    assert_int_equal(f.AddrPC.Offset, chain.expected[2].rip);
    assert_int_equal(c.Rbx, 0x12345678);
    /* the same from frame 0, for a register nobody saves */
    x64_state_to_context(&chain.expected[0], &c);
    seed_frame(&f, &c);
    assert_true(walk64(&f, &c));
    c.R14 = 0x7777;
    assert_true(walk64(&f, &c));
    assert_int_equal(c.R14, 0x7777);
}

static void seeding_overrides_the_context(void **state)
{
    (void)state;
    STACKFRAME64 f;
    CONTEXT c, seeded;

    x64_state_to_context(&chain.expected[0], &seeded);
    memset(&c, 0, sizeof(c));
    c.Rbx = seeded.Rbx;
    c.Rsi = seeded.Rsi;
    seed_frame(&f, &seeded); /* PC, SP and RBP from the frame only */
    assert_true(walk64(&f, &c));
    assert_int_equal(c.Rip, seeded.Rip);
    assert_int_equal(c.Rsp, seeded.Rsp);
    assert_int_equal(c.Rbp, seeded.Rbp);
    assert_int_equal(f.AddrReturn.Offset, chain.expected[1].rip);
}

static void frame_equal_to_stack_leaves_rbp_alone(void **state)
{
    (void)state;
    STACKFRAME64 f;
    CONTEXT c;

    x64_state_to_context(&chain.expected[0], &c);
    seed_frame(&f, &c);
    f.AddrFrame.Offset = c.Rsp; /* what a popular crash library seeds */
    assert_true(walk64(&f, &c));
    assert_int_equal(c.Rbp, chain.expected[0].gpr[RBP]);
    f.Reserved[0] = 0; /* a fresh walk with a distinct AddrFrame copies it */
    f.AddrFrame.Offset = 0x1230;
    assert_true(walk64(&f, &c));
    assert_int_equal(c.Rbp, 0x1230);
}

static DWORD64 WINAPI translate_plus_base(HANDLE process, HANDLE thread, LPADDRESS64 address)
{
    (void)process;
    (void)thread;
    return address->Offset + ((uint64_t)address->Segment << 32);
}

static void non_flat_addresses(void **state)
{
    (void)state;
    STACKFRAME64 f;
    CONTEXT c;

    x64_state_to_context(&chain.expected[0], &c);
    seed_frame(&f, &c);
    f.AddrPC.Mode = AddrMode1616;
    SetLastError(0);
    assert_false(walk64(&f, &c));
    assert_int_equal(GetLastError(), ERROR_INVALID_PARAMETER);

    seed_frame(&f, &c);
    f.AddrPC.Mode = AddrModeReal;
    f.AddrPC.Segment = (WORD)(c.Rip >> 32);
    f.AddrPC.Offset = (uint32_t)c.Rip;
    assert_true(StackWalk64(IMAGE_FILE_MACHINE_AMD64, &t, NULL, &f, &c, ft_read_memory,
                            ft_function_table, ft_module_base, translate_plus_base));
    assert_int_equal(f.AddrPC.Offset, chain.expected[0].rip);
    assert_int_equal(f.AddrPC.Mode, AddrModeFlat);
}

static void bad_arguments(void **state)
{
    (void)state;
    STACKFRAME64 f;
    CONTEXT c;
    static const DWORD unsupported[] = {IMAGE_FILE_MACHINE_IA64, 0x1234, 0};

    x64_state_to_context(&chain.expected[0], &c);
    seed_frame(&f, &c);
    SetLastError(0);
    assert_false(StackWalk64(IMAGE_FILE_MACHINE_AMD64, &t, NULL, NULL, &c, ft_read_memory,
                             ft_function_table, ft_module_base, NULL));
    assert_int_equal(GetLastError(), ERROR_INVALID_PARAMETER);
    SetLastError(0);
    assert_false(StackWalk64(IMAGE_FILE_MACHINE_AMD64, &t, NULL, &f, NULL, ft_read_memory,
                             ft_function_table, ft_module_base, NULL));
    assert_int_equal(GetLastError(), ERROR_INVALID_PARAMETER);
    for (unsigned i = 0; i < sizeof(unsupported) / sizeof(unsupported[0]); i++) {
        seed_frame(&f, &c);
        SetLastError(0);
        assert_false(StackWalk64(unsupported[i], &t, NULL, &f, &c, ft_read_memory,
                                 ft_function_table, ft_module_base, NULL));
        assert_int_equal(GetLastError(), ERROR_NOT_SUPPORTED);
    }
    /* No process to read on Linux without a routine. */
    seed_frame(&f, &c);
    SetLastError(0);
    assert_false(StackWalk64(IMAGE_FILE_MACHINE_AMD64, &t, NULL, &f, &c, NULL,
                             ft_function_table, ft_module_base, NULL));
    assert_int_equal(GetLastError(), ERROR_INVALID_PARAMETER);
}

static void null_table_routines_mean_no_entry(void **state)
{
    (void)state;
    STACKFRAME64 f;
    CONTEXT c;

    /* Until the Sym* services exist: every frame by the leaf rule. */
    x64_state_to_context(&chain.expected[0], &c);
    seed_frame(&f, &c);
    ft_write64(&t, c.Rsp, B + 0x3F10);
    assert_true(StackWalk64(IMAGE_FILE_MACHINE_AMD64, &t, NULL, &f, &c, ft_read_memory, NULL,
                            NULL, NULL));
    assert_null(f.FuncTableEntry);
    assert_int_equal(f.AddrReturn.Offset, B + 0x3F10);
}

static void return_address_zero_ends(void **state)
{
    (void)state;
    struct walk_record rec[4];
    struct x64_state s;

    x64_state_init(&s, 3, S, B + 0x3F00);
    ft_write64(&t, S, 0);
    assert_int_equal(walk_state(&t, &s, rec, 4), 1);
    assert_int_equal(rec[0].frame.AddrReturn.Offset, 0);
}

static void unreadable_return_address_ends(void **state)
{
    (void)state;
    struct walk_record rec[4];
    struct x64_state s;

    x64_state_init(&s, 3, TEST_STACK_TOP - 4, B + 0x3F00); /* 4 bytes left */
    assert_int_equal(walk_state(&t, &s, rec, 4), 1);
    assert_int_equal(rec[0].frame.AddrReturn.Offset, 0);
}

static void stack_pointer_must_rise(void **state)
{
    (void)state;
    /* a machine frame whose saved RSP lies below the current one */
    const uint16_t codes[] = {UC(0, 10, 0)};
    struct walk_record rec[4];
    struct x64_state s;

    x64_write_unwind(&t, 0x9000, 1, 0, 0, 0, 0, codes, 1, NULL);
    ft_add_function(&t, 0x3000, 0x3010, 0x9000);
    ft_write64(&t, S, B + 0x3F00);
    ft_write64(&t, S + 24, S - 0x100);
    x64_state_init(&s, 3, S, B + 0x3004);
    assert_int_equal(walk_state(&t, &s, rec, 4), 1);
    /* the same PC and SP again is no progress either */
    ft_write64(&t, S + 24, S);
    ft_write64(&t, S, B + 0x3004);
    assert_int_equal(walk_state(&t, &s, rec, 4), 1);
}

static void frame_cap(void **state)
{
    (void)state;
    STACKFRAME64 f;
    CONTEXT c;
    struct x64_state s;
    const unsigned words = 65536 + 16;
    unsigned n = 0;

    /* 65552 leaf frames in a row: the walk stops at 65536 */
    for (unsigned i = 0; i < words; i++)
        ft_write64(&t, TEST_STACK_TOP - 8ull * words + 8ull * i, B + 0x3F10);
    x64_state_init(&s, 3, TEST_STACK_TOP - 8ull * words, B + 0x3F10);
    x64_state_to_context(&s, &c);
    seed_frame(&f, &c);
    while (walk64(&f, &c))
        n++;
    assert_int_equal(n, 65536);
}

static void stackwalk_ex_and_2(void **state)
{
    (void)state;
    STACKFRAME_EX f;
    CONTEXT c;
    unsigned n = 0;

    x64_state_to_context(&chain.expected[0], &c);
    memset(&f, 0, sizeof(f));
    f.AddrPC.Offset = c.Rip;
    f.AddrStack.Offset = c.Rsp;
    f.AddrPC.Mode = f.AddrStack.Mode = f.AddrFrame.Mode = AddrModeFlat;
    f.StackFrameSize = sizeof(STACKFRAME64);
    SetLastError(0);
    assert_false(StackWalkEx(IMAGE_FILE_MACHINE_AMD64, &t, NULL, &f, &c, ft_read_memory,
                             ft_function_table, ft_module_base, NULL, 0));
    assert_int_equal(GetLastError(), ERROR_INVALID_PARAMETER);

    f.StackFrameSize = sizeof(f);
    f.InlineFrameContext = INLINE_FRAME_CONTEXT_INIT;
    while (StackWalkEx(IMAGE_FILE_MACHINE_AMD64, &t, NULL, &f, &c, ft_read_memory,
                       ft_function_table, ft_module_base, NULL, 0xF0000000u /* unknown */)) {
        assert_int_equal(f.AddrPC.Offset, chain.expected[n].rip);
        assert_int_equal(f.InlineFrameContext, 0);
        n++;
    }
    assert_int_equal(n, 3);

    x64_state_to_context(&chain.expected[0], &c);
    memset(&f, 0, sizeof(f));
    f.AddrPC.Offset = c.Rip;
    f.AddrStack.Offset = c.Rsp;
    f.AddrPC.Mode = f.AddrStack.Mode = f.AddrFrame.Mode = AddrModeFlat;
    f.StackFrameSize = sizeof(f);
    f.InlineFrameContext = INLINE_FRAME_CONTEXT_IGNORE;
    n = 0;
    while (StackWalk2(IMAGE_FILE_MACHINE_AMD64, &t, NULL, &f, &c, ft_read_memory,
                      ft_function_table, ft_module_base, NULL, NULL, SYM_STKWALK_DEFAULT)) {
        assert_int_equal(f.AddrPC.Offset, chain.expected[n].rip);
        assert_int_equal(f.InlineFrameContext, INLINE_FRAME_CONTEXT_IGNORE);
        n++;
    }
    assert_int_equal(n, 3);
}

/* StackWalk: 32-bit structures and callbacks; a target above 2 GB proves
 * addresses are zero-extended, never sign-extended. */
static void stackwalk32_round_trip(void **state)
{
    (void)state;
    struct fake_target low;
    struct x64_function f_caller, f_callee;
    struct x64_chain ch = {0};
    const struct x64_spec s_callee = {.prolog = {{OP_PUSH, RDI, 0}, {OP_ALLOC, 0, 0x28}},
                                      .prolog_count = 2, .calls = 1};
    STACKFRAME32 f;
    CONTEXT c;
    unsigned n = 0;

    ft_init(&low);
    ft_map_image(&low, 0x90000000u, 0x10000);
    memset(ft_map(&low, 0xA0000000u, 0x10000), 0xDB, 0x10000);
    x64_emit(&low, &f_caller, &spec_caller, 0x1000, 0x8000);
    x64_emit(&low, &f_callee, &s_callee, 0x1100, 0x8040);
    ch.functions[0] = &f_callee;
    ch.functions[1] = &f_caller;
    ch.depth = 2;
    ch.position = f_callee.call_insn[0];
    x64_chain_build(&low, &ch, 0xA0010000u);

    x64_state_to_context(&ch.expected[0], &c);
    memset(&f, 0, sizeof(f));
    f.AddrPC.Offset = (DWORD)c.Rip;
    f.AddrStack.Offset = (DWORD)c.Rsp;
    f.AddrPC.Mode = f.AddrStack.Mode = f.AddrFrame.Mode = AddrModeFlat;
    while (StackWalk(IMAGE_FILE_MACHINE_AMD64, &low, NULL, &f, &c, ft_read_memory32,
                     ft_function_table32, ft_module_base32, NULL)) {
        char why[160];
        assert_true(n < 2);
        assert_int_equal(f.AddrPC.Offset, (DWORD)ch.expected[n].rip);
        assert_int_equal(f.AddrStack.Offset, (DWORD)ch.expected[n].gpr[RSP]);
        assert_int_equal(f.AddrReturn.Offset, n == 0 ? (DWORD)ch.expected[1].rip : 0);
        if (!x64_nonvolatile_equal(&ch.expected[n], &c, why, sizeof(why)))
            fail_msg("frame %u: %s", n, why);
        n++;
    }
    assert_int_equal(n, 2);
    ft_free(&low);
}

/* A table routine that counts, and answers as the fake target's does. */
static unsigned other_table_calls;
static PVOID WINAPI other_table_routine(HANDLE process, DWORD64 address)
{
    other_table_calls++;
    return ft_function_table(process, address);
}

/* Recursion repeats return addresses: within one walk the routines are asked
 * once per address, yet every frame is exact (the repeated answers are the
 * first ones), and the next walk asks again. */
static void repeated_addresses_ask_the_routines_once_per_walk(void **state)
{
    (void)state;
    struct x64_chain deep;
    char why[256];
    const unsigned repeats = 30;

    memset(&deep, 0, sizeof(deep));
    deep.functions[0] = &callee;
    for (unsigned i = 1; i <= repeats; i++)
        deep.functions[i] = &middle;
    deep.functions[repeats + 1] = &caller;
    deep.depth = repeats + 2;
    deep.position = callee.call_insn[0];
    x64_chain_build(&t, &deep, TEST_STACK_TOP);

    t.table_calls = 0;
    assert_true(check_chain_walk(&t, &deep, why, sizeof(why)));
    /* callee's exact PC, middle's one return address, caller's and what
     * lies above it: a handful, not one per frame */
    assert_in_range(t.table_calls, 2, 5);
    uint64_t first_walk = t.table_calls;
    assert_true(check_chain_walk(&t, &deep, why, sizeof(why)));
    assert_int_equal(t.table_calls, 2 * first_walk);
}

/* A caller that changes its table routine between two calls of one walk
 * has the new routine asked, not the old one's answers reused: in the middle
 * of a recursion, where every address has been asked about already. */
static void a_changed_routine_is_asked_afresh(void **state)
{
    (void)state;
    struct x64_chain deep;
    STACKFRAME64 f;
    CONTEXT c;

    memset(&deep, 0, sizeof(deep));
    deep.functions[0] = &callee;
    for (unsigned i = 1; i <= 10; i++)
        deep.functions[i] = &middle;
    deep.functions[11] = &caller;
    deep.depth = 12;
    deep.position = callee.call_insn[0];
    x64_chain_build(&t, &deep, TEST_STACK_TOP);
    x64_state_to_context(&deep.expected[0], &c);
    seed_frame(&f, &c);
    for (unsigned i = 0; i < 5; i++) {
        assert_true(walk64(&f, &c));
        assert_int_equal(f.AddrPC.Offset, deep.expected[i].rip);
    }
    other_table_calls = 0;
    for (unsigned i = 5; i < 8; i++) {
        assert_true(StackWalk64(IMAGE_FILE_MACHINE_AMD64, &t, NULL, &f, &c, ft_read_memory,
                                other_table_routine, ft_module_base, NULL));
        assert_int_equal(f.AddrPC.Offset, deep.expected[i].rip);
    }
    assert_true(other_table_calls > 0);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(first_call_reports_the_seed_without_unwinding),
        T(frame_fields),
        T(end_is_sticky_and_sets_no_error),
        T(context_edited_between_calls_is_honoured),
        T(seeding_overrides_the_context),
        T(frame_equal_to_stack_leaves_rbp_alone),
        T(non_flat_addresses),
        T(bad_arguments),
        T(null_table_routines_mean_no_entry),
        T(return_address_zero_ends),
        T(unreadable_return_address_ends),
        T(stack_pointer_must_rise),
        T(frame_cap),
        T(stackwalk_ex_and_2),
        T(stackwalk32_round_trip),
        T(repeated_addresses_ask_the_routines_once_per_walk),
        T(a_changed_routine_is_asked_afresh),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
