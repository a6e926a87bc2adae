/*
 * x64 cases compilers rarely emit, written by hand: machine frames, chained
 * and indirect entries, version 1 SAVE_XMM codes, every epilog form and the
 * look-alikes that are not epilogs, leaf functions, a call that ends its
 * function, and the FORCE_FRAMEPTR flag.
 */
#include "walk_helpers.h"
#include "walk_state.h"

#include <string.h>

#define B TEST_IMAGE_BASE
#define S (TEST_STACK_TOP - 0x2000)
#define GARBAGE 0x4747474747474747ull
#define UNW_FLAG_CHAININFO 0x4

static struct fake_target t;
static struct walk_record rec[16];

static int setup(void **state)
{
    (void)state;
    test_target_init(&t);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    ft_free(&t);
    return 0;
}

static void code(uint32_t rva, const char *bytes, size_t n)
{
    ft_write(&t, B + rva, bytes, n);
}

static struct x64_state state_at(uint64_t rip, uint64_t rsp)
{
    struct x64_state s;
    x64_state_init(&s, 77, rsp, rip);
    return s;
}

/* ---- machine frames ---- */

static void machine_frame(bool error_code)
{
    /* handler H: push rbp after the CPU's frame; interrupted PC = first byte
     * of K, just past the end of J, so only an exact lookup finds K. */
    const uint16_t h_codes[] = {UC(1, 0, RBP), UC(0, 10, error_code)};
    const uint16_t j_codes[] = {UC(1, 0, RBX)};
    uint64_t frame = S + 8 + (error_code ? 8 : 0), old_rsp = S + 0x400;
    struct x64_state s = state_at(B + 0x3005, S);

    x64_write_unwind(&t, 0x9000, 1, 0, 1, 0, 0, h_codes, 2, NULL);
    ft_add_function(&t, 0x3000, 0x3010, 0x9000);
    x64_write_unwind(&t, 0x9020, 1, 0, 1, 0, 0, j_codes, 1, NULL);
    ft_add_function(&t, 0x3010, 0x3020, 0x9020);
    x64_write_unwind(&t, 0x9040, 1, 0, 0, 0, 0, NULL, 0, NULL);
    ft_add_function(&t, 0x3020, 0x3030, 0x9040);

    ft_write64(&t, S, 0x1111);           /* saved rbp */
    ft_write64(&t, frame, B + 0x3020);   /* RIP: K's first byte */
    ft_write64(&t, frame + 24, old_rsp); /* RSP */
    ft_write64(&t, old_rsp, 0);          /* K returns to 0 */
    ft_write64(&t, old_rsp + 8, B + 0x3005);

    assert_int_equal(walk_state(&t, &s, rec, 8), 2);
    assert_int_equal(rec[0].frame.AddrReturn.Offset, B + 0x3020);
    assert_int_equal(rec[1].context.Rbp, 0x1111);
    assert_int_equal(rec[1].context.Rsp, old_rsp);
    assert_int_equal(rec[1].frame.AddrPC.Offset, B + 0x3020);
    assert_int_equal(rec[1].frame.AddrReturn.Offset, 0);
}

static void machine_frame_without_error_code(void **state)
{
    (void)state;
    machine_frame(false);
}

static void machine_frame_with_error_code(void **state)
{
    (void)state;
    machine_frame(true);
}

static void machine_frame_not_last_is_malformed(void **state)
{
    (void)state;
    const uint16_t codes[] = {UC(0, 10, 0), UC(1, 0, RBP)};
    struct x64_state s = state_at(B + 0x3005, S);

    x64_write_unwind(&t, 0x9000, 1, 0, 1, 0, 0, codes, 2, NULL);
    ft_add_function(&t, 0x3000, 0x3010, 0x9000);
    ft_write64(&t, S, 0x1111);
    ft_write64(&t, S + 8, B + 0x3005);
    assert_int_equal(walk_state(&t, &s, rec, 8), 1);
    assert_int_equal(rec[0].frame.AddrReturn.Offset, 0);
}

/* ---- chained and indirect entries ---- */

/* P: push rbx; sub rsp, 0x20 at 0x3100. Fragment F at 0x3200 chained to P,
 * with its own "mov [rsp+0x10], rsi" prolog (SAVE_NONVOL at 16). */
static void chained_setup(void)
{
    const uint16_t p_codes[] = {UC(5, 2, 3), UC(1, 0, RBX)};
    const uint16_t f_codes[] = {UC(5, 4, RSI), 2};
    IMAGE_RUNTIME_FUNCTION_ENTRY primary = {0x3100, 0x3120, {0x9100}};
    static const char f_bytes[] = "\x48\x89\x74\x24\x10" /* mov [rsp+0x10], rsi */
                                  "\x90\x90\x90\x90\x90"
                                  "\x48\x83\xC4\x20\x5B\xC3" /* 0x0A: add rsp,0x20; pop rbx; ret */
                                  "\xE9\xF3\xFE\xFF\xFF";    /* 0x10: jmp 0x3108 (into P) */

    x64_write_unwind(&t, 0x9100, 1, 0, 5, 0, 0, p_codes, 2, NULL);
    ft_add_function(&t, 0x3100, 0x3120, 0x9100);
    x64_write_unwind(&t, 0x9140, 1, UNW_FLAG_CHAININFO, 5, 0, 0, f_codes, 2, &primary);
    ft_add_function(&t, 0x3200, 0x3220, 0x9140);
    code(0x3200, f_bytes, sizeof(f_bytes) - 1);
    ft_write64(&t, S + 0x10, 0x5151);      /* saved rsi */
    ft_write64(&t, S + 0x20, 0xB0B0);      /* saved rbx */
    ft_write64(&t, S + 0x28, B + 0x3F10);  /* return address */
    ft_write64(&t, S + 0x30, 0);           /* ... which returns to 0 */
}

static void chained_fragment_body(void **state)
{
    (void)state;
    struct x64_state s = state_at(B + 0x3207, S);

    chained_setup();
    assert_int_equal(walk_state(&t, &s, rec, 8), 2);
    assert_int_equal(rec[1].context.Rip, B + 0x3F10);
    assert_int_equal(rec[1].context.Rsp, S + 0x30);
    assert_int_equal(rec[1].context.Rsi, 0x5151);
    assert_int_equal(rec[1].context.Rbx, 0xB0B0);
}

static void chained_fragment_prolog(void **state)
{
    (void)state;
    struct x64_state s = state_at(B + 0x3202, S); /* the save has not happened */

    chained_setup();
    assert_int_equal(walk_state(&t, &s, rec, 8), 2);
    assert_int_equal(rec[1].context.Rsi, s.gpr[RSI]);
    assert_int_equal(rec[1].context.Rbx, 0xB0B0);
    assert_int_equal(rec[1].context.Rsp, S + 0x30);
}

static void chained_fragment_epilog(void **state)
{
    (void)state;
    struct x64_state s = state_at(B + 0x320A, S);

    chained_setup();
    ft_write64(&t, S + 0x10, GARBAGE); /* an epilog does not read SAVE slots */
    assert_int_equal(walk_state(&t, &s, rec, 8), 2);
    assert_int_equal(rec[1].context.Rsi, s.gpr[RSI]);
    assert_int_equal(rec[1].context.Rbx, 0xB0B0);
    assert_int_equal(rec[1].context.Rip, B + 0x3F10);
}

/* F's jmp at 0x3210 lands in P, an entry with another Begin: a tail call, so
 * an epilog (no pops: RIP = [RSP]); F's SAVE slot is never read. */
static void x64_jmp_from_chained_fragment_into_parent_is_tail_call(void **state)
{
    (void)state;
    struct x64_state s = state_at(B + 0x3210, S);

    chained_setup();
    ft_write64(&t, S, B + 0x3F30);
    ft_write64(&t, S + 8, 0);
    assert_int_equal(walk_state(&t, &s, rec, 8), 2);
    assert_int_equal(rec[1].context.Rip, B + 0x3F30);
    assert_int_equal(rec[1].context.Rsp, S + 8);
    assert_int_equal(rec[1].context.Rsi, s.gpr[RSI]);
    assert_int_equal(rec[1].context.Rbx, s.gpr[RBX]);
}

/* Fragment F2 (sub rsp, 0x20) chained to P2 (push rbx; SAVE_NONVOL rdi at
 * +0x10), PC in F2's body with RSP = V: the establisher frame is V, taken
 * once from F2, so P2's rdi comes from [V + 0x10], not from [V + 0x20 +
 * 0x10] as a frame recomputed after F2's codes would say. Then rbx = [V +
 * 0x20], RIP = [V + 0x28], RSP = V + 0x30. */
static void x64_chained_save_offsets_use_primary_frame(void **state)
{
    (void)state;
    const uint16_t p_codes[] = {UC(6, 4, RDI), 2, UC(1, 0, RBX)};
    const uint16_t f_codes[] = {UC(4, 2, 3)};
    IMAGE_RUNTIME_FUNCTION_ENTRY parent = {0x3A00, 0x3A20, {0x9600}};
    const uint64_t V = S;
    struct x64_state s = state_at(B + 0x3B10, V);

    x64_write_unwind(&t, 0x9600, 1, 0, 6, 0, 0, p_codes, 3, NULL);
    ft_add_function(&t, 0x3A00, 0x3A20, 0x9600);
    x64_write_unwind(&t, 0x9640, 1, UNW_FLAG_CHAININFO, 4, 0, 0, f_codes, 1, &parent);
    ft_add_function(&t, 0x3B00, 0x3B20, 0x9640);
    ft_write64(&t, V + 0x10, 0xD1D1);
    ft_write64(&t, V + 0x20, 0xB0B0);
    ft_write64(&t, V + 0x28, B + 0x3F10);
    ft_write64(&t, V + 0x30, 0);
    assert_int_equal(walk_state(&t, &s, rec, 8), 2);
    assert_int_equal(rec[1].context.Rdi, 0xD1D1);
    assert_int_equal(rec[1].context.Rbx, 0xB0B0);
    assert_int_equal(rec[1].context.Rip, B + 0x3F10);
    assert_int_equal(rec[1].context.Rsp, V + 0x30);
}

/* Fragment F3 (frame register RBP, its SET_FPREG at offset 8 not yet run at
 * F3 + 2) chained to P3 (push rbx; SAVE_NONVOL rsi at +0x18, no frame
 * register): the primary is chained, so the frame is RBP even in its prolog,
 * and P3's rsi is [RBP + 0x18]. */
static void x64_chained_primary_in_prolog_uses_frame_register(void **state)
{
    (void)state;
    const uint16_t p_codes[] = {UC(5, 4, RSI), 3, UC(1, 0, RBX)};
    const uint16_t f_codes[] = {UC(8, 3, 0)};
    IMAGE_RUNTIME_FUNCTION_ENTRY parent = {0x3A00, 0x3A20, {0x9600}};
    const uint64_t V = S;
    struct x64_state s = state_at(B + 0x3B02, V);

    s.gpr[RBP] = V + 0x40;
    x64_write_unwind(&t, 0x9600, 1, 0, 5, 0, 0, p_codes, 3, NULL);
    ft_add_function(&t, 0x3A00, 0x3A20, 0x9600);
    x64_write_unwind(&t, 0x9640, 1, UNW_FLAG_CHAININFO, 8, RBP, 0, f_codes, 1, &parent);
    ft_add_function(&t, 0x3B00, 0x3B20, 0x9640);
    ft_write64(&t, V, 0xB0B0);
    ft_write64(&t, V + 8, B + 0x3F10);
    ft_write64(&t, V + 0x10, 0);
    ft_write64(&t, V + 0x18, GARBAGE); /* what frame = RSP would read */
    ft_write64(&t, V + 0x58, 0x5151);
    assert_int_equal(walk_state(&t, &s, rec, 8), 2);
    assert_int_equal(rec[1].context.Rsi, 0x5151);
    assert_int_equal(rec[1].context.Rbx, 0xB0B0);
    assert_int_equal(rec[1].context.Rsp, V + 0x10);
}

/* G: mov [rsp+8], rbx (ends at 5); push rbp (6); mov rbp, rsp (9) with
 * frame register RBP. At G + 6 the SET_FPREG has not run and G is
 * unchained: frame = RSP = V, so rbx = [V + 16]; rbp = [V]; RIP = [V + 8]. */
static void x64_unchained_prolog_before_set_fpreg_uses_rsp(void **state)
{
    (void)state;
    const uint16_t codes[] = {UC(9, 3, 0), UC(6, 0, RBP), UC(5, 4, RBX), 2};
    const uint64_t V = S;
    struct x64_state s = state_at(B + 0x3C06, V);

    s.gpr[RBP] = V + 0x500;
    x64_write_unwind(&t, 0x9680, 1, 0, 9, RBP, 0, codes, 4, NULL);
    ft_add_function(&t, 0x3C00, 0x3C40, 0x9680);
    code(0x3C00, "\x48\x89\x5C\x24\x08\x55\x48\x8B\xEC", 9);
    ft_write64(&t, V, 0x1111);
    ft_write64(&t, V + 8, B + 0x3F10);
    ft_write64(&t, V + 16, 0xB0B0);
    ft_write64(&t, V + 0x510, GARBAGE); /* what frame = RBP would read */
    assert_int_equal(walk_state(&t, &s, rec, 2), 2);
    assert_int_equal(rec[1].context.Rbx, 0xB0B0);
    assert_int_equal(rec[1].context.Rbp, 0x1111);
    assert_int_equal(rec[1].context.Rip, B + 0x3F10);
    assert_int_equal(rec[1].context.Rsp, V + 16);
}

static void indirect_entry(void **state)
{
    (void)state;
    IMAGE_RUNTIME_FUNCTION_ENTRY p_copy = {0x3100, 0x3120, {0x9100}};
    struct x64_state s = state_at(B + 0x3305, S);

    chained_setup();
    ft_write(&t, B + 0x9F00, &p_copy, 12);
    ft_add_function(&t, 0x3300, 0x3310, 0x9F00 | 1);
    assert_int_equal(walk_state(&t, &s, rec, 8), 2);
    assert_int_equal(rec[1].context.Rip, B + 0x3F10);
    assert_int_equal(rec[1].context.Rbx, 0xB0B0);
    assert_int_equal(rec[1].context.Rsp, S + 0x30);
}

/* `n` infos chained one after another, all without codes. */
static void chain_of(unsigned n, bool cycle)
{
    for (unsigned i = 0; i < n; i++) {
        IMAGE_RUNTIME_FUNCTION_ENTRY next = {0x3400 + 0x10 * (i + 1), 0x3410 + 0x10 * (i + 1),
                                             {0xA000 + 0x20 * (i + 1)}};
        if (cycle && i + 1 == n)
            next.UnwindData = 0xA000;
        x64_write_unwind(&t, 0xA000 + 0x20 * i, 1, i + 1 < n || cycle ? UNW_FLAG_CHAININFO : 0,
                         0, 0, 0, NULL, 0, i + 1 < n || cycle ? &next : NULL);
    }
    ft_add_function(&t, 0x3400, 0x3410, 0xA000);
}

static void long_chain_within_limit(void **state)
{
    (void)state;
    struct x64_state s = state_at(B + 0x3404, S);

    chain_of(20, false);
    ft_write64(&t, S, B + 0x3404);
    ft_write64(&t, S + 8, 0);
    assert_int_equal(walk_state(&t, &s, rec, 8), 2);
    assert_int_equal(rec[1].context.Rsp, S + 8);
}

static void chain_too_long_ends_walk(void **state)
{
    (void)state;
    struct x64_state s = state_at(B + 0x3404, S);

    chain_of(40, false);
    ft_write64(&t, S, B + 0x3404);
    assert_int_equal(walk_state(&t, &s, rec, 8), 1);
    assert_int_equal(rec[0].frame.AddrReturn.Offset, 0);
}

static void chain_cycle_ends_walk(void **state)
{
    (void)state;
    struct x64_state s = state_at(B + 0x3404, S);

    chain_of(3, true);
    ft_write64(&t, S, B + 0x3404);
    assert_int_equal(walk_state(&t, &s, rec, 8), 1);
}

/* ---- version 1 SAVE_XMM (ops 6 and 7) ---- */

static void version1_save_xmm_low_halves(void **state)
{
    (void)state;
    const uint64_t L = TEST_STACK_TOP - 0x20000;
    const uint16_t codes[] = {UC(18, 7, 7), 0x0, 0x1, UC(9, 6, 6), 0x2, UC(4, 2, 5)};
    struct x64_state s = state_at(B + 0x3520, L);
    const uint8_t low6[8] = {1, 2, 3, 4, 5, 6, 7, 8}, low7[8] = {9, 9, 9, 9, 8, 8, 8, 8};
    uint8_t expect[16] = {0};

    x64_write_unwind(&t, 0x9200, 1, 0, 18, 0, 0, codes, 6, NULL);
    ft_add_function(&t, 0x3500, 0x3540, 0x9200);
    ft_write(&t, L + 0x10, low6, 8);
    ft_write(&t, L + 0x10000, low7, 8);
    ft_write64(&t, L + 0x30, B + 0x3F10);
    ft_write64(&t, L + 0x38, 0);
    assert_int_equal(walk_state(&t, &s, rec, 8), 2);
    memcpy(expect, low6, 8);
    assert_memory_equal(&rec[1].context.Xmm6, expect, 16);
    memcpy(expect, low7, 8);
    assert_memory_equal(&rec[1].context.Xmm7, expect, 16);
    assert_int_equal(rec[1].context.Rsp, L + 0x38);
}

/* ---- epilog recognition ---- */

/* E at 0x3600..0x3800: push rbx; sub rsp, 0x20. In an epilog the stack holds
 * [rbx][ret]; in the body it holds 0x20 bytes, [rbx], [ret]. */
#define E_BEGIN 0x3600u
#define E_END 0x3800u

static void epilog_function(void)
{
    const uint16_t codes[] = {UC(5, 2, 3), UC(1, 0, RBX)};
    x64_write_unwind(&t, 0x9300, 1, 0, 5, 0, 0, codes, 2, NULL);
    ft_add_function(&t, E_BEGIN, E_END, 0x9300);
    code(E_BEGIN, "\x53\x48\x83\xEC\x20", 5);
}

/* Puts `bytes` at E+offset; sets up the state an epilog (or the body) would
 * have there and checks the caller registers. */
static void check_epilog(uint32_t offset, const char *bytes, size_t n, bool is_epilog,
                         uint32_t extra_pop)
{
    uint64_t rsp = is_epilog ? S : S - 0x20;
    struct x64_state s;

    epilog_function();
    code(E_BEGIN + offset, bytes, n);
    ft_write64(&t, S - 0x20, GARBAGE);
    ft_write64(&t, S - 0x18, GARBAGE);
    ft_write64(&t, S, 0xB0B0);
    ft_write64(&t, S + 8, B + 0x3F10);
    ft_write64(&t, S + 16, 0);
    ft_write64(&t, S + 16 + extra_pop, 0);
    s = state_at(B + E_BEGIN + offset, rsp);
    assert_int_equal(walk_state(&t, &s, rec, 8), 2);
    assert_int_equal(rec[1].context.Rbx, 0xB0B0);
    assert_int_equal(rec[1].context.Rip, B + 0x3F10);
    assert_int_equal(rec[1].context.Rsp, S + 16 + extra_pop);
}

#define EPILOG(off, bytes, yes, extra) check_epilog(off, bytes, sizeof(bytes) - 1, yes, extra)

static void epilog_pop_ret(void **state)
{
    (void)state;
    EPILOG(0x10, "\x5B\xC3", true, 0);
}

static void epilog_rep_ret(void **state)
{
    (void)state;
    EPILOG(0x10, "\x5B\xF3\xC3", true, 0);
}

static void epilog_ret_imm16(void **state)
{
    (void)state;
    EPILOG(0x10, "\x5B\xC2\x10\x00", true, 0x10);
}

static void epilog_add_then_pops(void **state)
{
    (void)state;
    /* at the add: the body's stack layout, the epilog path */
    struct x64_state s;
    epilog_function();
    code(E_BEGIN + 0x20, "\x48\x83\xC4\x20\x5B\xC3", 6);
    ft_write64(&t, S, 0xB0B0);
    ft_write64(&t, S + 8, B + 0x3F10);
    ft_write64(&t, S + 16, 0);
    s = state_at(B + E_BEGIN + 0x20, S - 0x20);
    assert_int_equal(walk_state(&t, &s, rec, 8), 2);
    assert_int_equal(rec[1].context.Rbx, 0xB0B0);
    assert_int_equal(rec[1].context.Rsp, S + 16);
    /* add rsp, imm32 */
    code(E_BEGIN + 0x30, "\x48\x81\xC4\x20\x00\x00\x00\x5B\xC3", 9);
    s = state_at(B + E_BEGIN + 0x30, S - 0x20);
    assert_int_equal(walk_state(&t, &s, rec, 8), 2);
    assert_int_equal(rec[1].context.Rbx, 0xB0B0);
    assert_int_equal(rec[1].context.Rsp, S + 16);
}

static void epilog_rex_pop(void **state)
{
    (void)state;
    /* pop r12; pop rbx; ret: the simulation pops what the bytes say */
    struct x64_state s;
    epilog_function();
    code(E_BEGIN + 0x40, "\x41\x5C\x5B\xC3", 4);
    ft_write64(&t, S - 8, 0x1212);
    ft_write64(&t, S, 0xB0B0);
    ft_write64(&t, S + 8, B + 0x3F10);
    ft_write64(&t, S + 16, 0);
    s = state_at(B + E_BEGIN + 0x40, S - 8);
    assert_int_equal(walk_state(&t, &s, rec, 8), 2);
    assert_int_equal(rec[1].context.R12, 0x1212);
    assert_int_equal(rec[1].context.Rbx, 0xB0B0);
}

static void epilog_tail_call_rel32_outside(void **state)
{
    (void)state;
    EPILOG(0x50, "\x5B\xE9\x00\x10\x00\x00", true, 0); /* to E+0x1056: outside */
}

static void epilog_tail_call_rel8_outside(void **state)
{
    (void)state;
    EPILOG(0x1F0, "\x5B\xEB\x7F", true, 0); /* to E+0x272: outside */
}

static void epilog_jmp_rip_indirect(void **state)
{
    (void)state;
    EPILOG(0x60, "\x5B\xFF\x25\x00\x00\x00\x00", true, 0);
    EPILOG(0x70, "\x5B\x48\xFF\x25\x00\x00\x00\x00", true, 0);
}

static void epilog_rex_w_jmp_register(void **state)
{
    (void)state;
    EPILOG(0x80, "\x5B\x48\xFF\xE0", true, 0); /* rex.w jmp rax */
}

/* A jmp to E's EndAddress is outside [Begin, End): a tail call, even when a
 * fragment chained to E starts there (its Begin differs from E's). A jmp to
 * End - 1 stays inside. */
static void x64_jmp_to_end_address_is_tail_call(void **state)
{
    (void)state;
    IMAGE_RUNTIME_FUNCTION_ENTRY e_entry = {E_BEGIN, E_END, {0x9300}};

    x64_write_unwind(&t, 0x9340, 1, UNW_FLAG_CHAININFO, 0, 0, 0, NULL, 0, &e_entry);
    ft_add_function(&t, E_END, E_END + 0x10, 0x9340);
    EPILOG(0x100, "\x5B\xE9\xFA\x00\x00\x00", true, 0);  /* to E + 0x200 = End */
    EPILOG(0x110, "\x5B\xE9\xE9\x00\x00\x00", false, 0); /* to E + 0x1FF */
}

static void jump_inside_function_is_not_an_epilog(void **state)
{
    (void)state;
    EPILOG(0x90, "\x5B\xE9\x10\x00\x00\x00", false, 0);
    EPILOG(0xA0, "\x5B\xEB\x10", false, 0);
}

static void other_jumps_are_not_epilogs(void **state)
{
    (void)state;
    EPILOG(0xB0, "\x5B\xFF\xE0", false, 0);         /* jmp rax without REX.W */
    EPILOG(0xC0, "\x5B\x90\xC3", false, 0);         /* a nop before ret */
    EPILOG(0xD0, "\x5B\x41\xFF\x25\0\0\0\0", false, 0); /* REX.B jmp [rip] */
    EPILOG(0xE0, "\x48\x83\xC4\x20\x90", false, 0); /* add without pops/ret */
}

static void pops_without_codes_are_not_an_epilog(void **state)
{
    (void)state;
    struct x64_state s = state_at(B + 0x3904, S);

    x64_write_unwind(&t, 0x9400, 1, 0, 0, 0, 0, NULL, 0, NULL);
    ft_add_function(&t, 0x3900, 0x3910, 0x9400);
    code(0x3904, "\x5B\xC3", 2);
    ft_write64(&t, S, B + 0x3904); /* the return address: no codes, RIP = [RSP] */
    ft_write64(&t, S + 8, 0);
    assert_int_equal(walk_state(&t, &s, rec, 8), 2);
    assert_int_equal(rec[1].context.Rbx, s.gpr[RBX]);
    assert_int_equal(rec[1].context.Rsp, S + 8);
}

/* ---- leaves, final calls, frame pointers ---- */

static void leaf_without_entry(void **state)
{
    (void)state;
    struct x64_state s = state_at(B + 0x3F00, S); /* no .pdata covers it */

    ft_write64(&t, S, B + 0x3F10);
    ft_write64(&t, S + 8, 0);
    assert_int_equal(walk_state(&t, &s, rec, 8), 2);
    assert_null(rec[0].frame.FuncTableEntry);
    assert_int_equal(rec[1].context.Rip, B + 0x3F10);
    assert_int_equal(rec[1].context.Rsp, S + 8);
    assert_int_equal(rec[1].context.Rbx, s.gpr[RBX]);
}

static void call_that_ends_a_function(void **state)
{
    (void)state;
    /* N: push rbx; sub rsp,0x20; ...; call (noreturn) as its last bytes.
     * Its return address is the first byte of M, which has no codes. */
    const uint16_t n_codes[] = {UC(5, 2, 3), UC(1, 0, RBX)};
    struct x64_state s = state_at(B + 0x3F00, S - 8);
    IMAGE_RUNTIME_FUNCTION_ENTRY *n_entry;

    x64_write_unwind(&t, 0x9500, 1, 0, 5, 0, 0, n_codes, 2, NULL);
    n_entry = ft_add_function(&t, 0x3A00, 0x3A10, 0x9500);
    x64_write_unwind(&t, 0x9520, 1, 0, 0, 0, 0, NULL, 0, NULL);
    ft_add_function(&t, 0x3A10, 0x3A20, 0x9520);
    code(0x3A0B, "\xE8\x00\x00\x00\x00", 5);
    ft_write64(&t, S - 8, B + 0x3A10); /* leaf frame 0 returns just past N */
    ft_write64(&t, S + 0x20, 0xB0B0);
    ft_write64(&t, S + 0x28, B + 0x3F20);
    ft_write64(&t, S + 0x30, 0);
    assert_int_equal(walk_state(&t, &s, rec, 8), 3);
    assert_int_equal(rec[1].frame.AddrPC.Offset, B + 0x3A10);
    assert_int_equal(rec[2].context.Rbx, 0xB0B0);
    assert_int_equal(rec[2].context.Rsp, S + 0x30);
    /* FuncTableEntry of frame 1 is N's entry, as the table routine gave it */
    assert_non_null(rec[1].frame.FuncTableEntry);
    n_entry = rec[1].frame.FuncTableEntry;
    assert_int_equal(n_entry->BeginAddress, 0x3A00);
}

static void force_frameptr_follows_rbp_chain(void **state)
{
    (void)state;
    STACKFRAME_EX frame;
    CONTEXT c;
    struct x64_state s = state_at(B + 0x3F00, S);
    unsigned n = 0;

    /* no unwind data anywhere: frame pointers link S+0x100 -> S+0x200 */
    s.gpr[RBP] = S + 0x100;
    ft_write64(&t, S, GARBAGE); /* what the leaf rule would take as a return address */
    ft_write64(&t, S + 0x100, S + 0x200);
    ft_write64(&t, S + 0x108, B + 0x3F40);
    ft_write64(&t, S + 0x200, 0);
    ft_write64(&t, S + 0x208, 0);
    x64_state_to_context(&s, &c);
    memset(&frame, 0, sizeof(frame));
    frame.StackFrameSize = sizeof(frame);
    frame.AddrPC.Offset = c.Rip;
    frame.AddrStack.Offset = c.Rsp;
    frame.AddrFrame.Offset = c.Rbp;
    frame.AddrPC.Mode = frame.AddrStack.Mode = frame.AddrFrame.Mode = AddrModeFlat;
    while (StackWalkEx(IMAGE_FILE_MACHINE_AMD64, &t, NULL, &frame, &c, ft_read_memory,
                       ft_function_table, ft_module_base, NULL, SYM_STKWALK_FORCE_FRAMEPTR)) {
        if (n == 1) {
            assert_int_equal(frame.AddrPC.Offset, B + 0x3F40);
            assert_int_equal(c.Rbp, S + 0x200);
            assert_int_equal(c.Rsp, S + 0x110);
        }
        n++;
    }
    assert_int_equal(n, 2);
}

/* ---- why a walk ended ---- */

static void end_reason_pc_zero(void **state)
{
    (void)state;
    struct x64_state s = state_at(B + 0x3F00, S); /* leaf: returns to [S] */

    ft_write64(&t, S, B + 0x3F10);
    ft_write64(&t, S + 8, 0);
    assert_int_equal(walk_state(&t, &s, rec, 8), 2);
    assert_int_equal(walk_last_end_reason(), WALK_END_PC_ZERO);
}

static void end_reason_leaf_refused(void **state)
{
    (void)state;
    struct x64_state s = state_at(B + 0x3F00, 0x10000); /* no entry, RSP unmapped */

    assert_int_equal(walk_state(&t, &s, rec, 8), 1);
    assert_int_equal(walk_last_end_reason(), WALK_END_LEAF_REFUSED);
}

static void end_reason_stack_unreadable(void **state)
{
    (void)state;
    const uint16_t codes[] = {UC(1, 0, RBX)};
    struct x64_state s = state_at(B + 0x3D08, 0x10000); /* push rbx done, RSP unmapped */

    x64_write_unwind(&t, 0x96C0, 1, 0, 1, 0, 0, codes, 1, NULL);
    ft_add_function(&t, 0x3D00, 0x3D20, 0x96C0);
    assert_int_equal(walk_state(&t, &s, rec, 8), 1);
    assert_int_equal(walk_last_end_reason(), WALK_END_STACK_UNREADABLE);
}

static void end_reason_malformed_and_unreadable_unwind_data(void **state)
{
    (void)state;
    struct x64_state s = state_at(B + 0x3404, S);

    chain_of(40, false); /* longer than the chain cap */
    ft_write64(&t, S, B + 0x3404);
    assert_int_equal(walk_state(&t, &s, rec, 8), 1);
    assert_int_equal(walk_last_end_reason(), WALK_END_UNWIND_DATA_MALFORMED);

    ft_add_function(&t, 0x3E00, 0x3E10, 0x7FFFFF00); /* UNWIND_INFO past the image */
    s = state_at(B + 0x3E04, S);
    assert_int_equal(walk_state(&t, &s, rec, 8), 1);
    assert_int_equal(walk_last_end_reason(), WALK_END_UNWIND_DATA_UNREADABLE);
    assert_string_equal(walk_end_reason_name(WALK_END_UNWIND_DATA_UNREADABLE),
                        "unwind data unreadable");
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(machine_frame_without_error_code),
        T(machine_frame_with_error_code),
        T(machine_frame_not_last_is_malformed),
        T(chained_fragment_body),
        T(chained_fragment_prolog),
        T(chained_fragment_epilog),
        T(x64_jmp_from_chained_fragment_into_parent_is_tail_call),
        T(x64_chained_save_offsets_use_primary_frame),
        T(x64_chained_primary_in_prolog_uses_frame_register),
        T(x64_unchained_prolog_before_set_fpreg_uses_rsp),
        T(x64_jmp_to_end_address_is_tail_call),
        T(indirect_entry),
        T(long_chain_within_limit),
        T(chain_too_long_ends_walk),
        T(chain_cycle_ends_walk),
        T(version1_save_xmm_low_halves),
        T(epilog_pop_ret),
        T(epilog_rep_ret),
        T(epilog_ret_imm16),
        T(epilog_add_then_pops),
        T(epilog_rex_pop),
        T(epilog_tail_call_rel32_outside),
        T(epilog_tail_call_rel8_outside),
        T(epilog_jmp_rip_indirect),
        T(epilog_rex_w_jmp_register),
        T(jump_inside_function_is_not_an_epilog),
        T(other_jumps_are_not_epilogs),
        T(pops_without_codes_are_not_an_epilog),
        T(leaf_without_entry),
        T(call_that_ends_a_function),
        T(force_frameptr_follows_rbp_chain),
        T(end_reason_pc_zero),
        T(end_reason_leaf_refused),
        T(end_reason_stack_unreadable),
        T(end_reason_malformed_and_unreadable_unwind_data),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
