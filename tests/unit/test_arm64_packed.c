/*
 * Packed ARM64 .pdata (flag 1 and flag 2 fragments): the test writes the
 * canonical prolog for RegI, RegF, H, CR and FrameSize from the rules of
 * spec/unwind-rules.md "Packed .pdata" (including the two places where
 * Windows departs from the documented step table), runs it and its epilog
 * in the simulator, and checks the unwind at every instruction of the
 * function for every RegI/RegF/H/CR combination and a range of frame sizes
 * (small, at the 512-byte pre-index limit, past it, past the 4080-byte
 * split, the largest).
 */
#include "arm64_model.h"

#include <stdio.h>
#include <string.h>

#define IB A64_IMAGE_BASE
#define FUNC 0x1000u

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

struct packed_shape {
    unsigned reg_f, reg_i, h, cr;
};

static unsigned int_size(const struct packed_shape *s)
{
    return 8 * s->reg_i + (s->cr == 1 ? 8 : 0);
}

static unsigned fp_size(const struct packed_shape *s)
{
    return s->reg_f ? 8 * (s->reg_f + 1) : 0;
}

static unsigned save_size(const struct packed_shape *s)
{
    return (int_size(s) + fp_size(s) + 64 * s->h + 15) & ~15u;
}

static bool has_saves(const struct packed_shape *s)
{
    return s->reg_i > 0 || s->reg_f > 0 || s->cr == 1;
}

static bool chained(const struct packed_shape *s)
{
    return s->cr == 2 || s->cr == 3;
}

/* sub sp, sp, #bytes split at 4080 */
static void allocate(struct a64_fn *fn, unsigned bytes)
{
    if (bytes > 4080) {
        a64_fn_add(fn, a64_alloc_m(4080));
        a64_fn_add(fn, a64_alloc_m(bytes - 4080));
    } else if (bytes) {
        a64_fn_add(fn, a64_alloc_m(bytes));
    }
}

static void homing(struct a64_fn *fn)
{
    for (unsigned i = 0; i < 4; i++)
        a64_fn_add(fn, a64_nop());
}

/* The canonical function for `s` with a frame of `frame` bytes. */
static void canonical(struct a64_fn *fn, const struct packed_shape *s, unsigned frame)
{
    unsigned intsz = int_size(s), fpsz = fp_size(s), regsave = save_size(s);
    unsigned local = has_saves(s) ? frame - regsave : frame;

    memset(fn, 0, sizeof(*fn));
    if (s->cr == 2)
        a64_fn_add(fn, a64_pac());
    if (has_saves(s)) {
        if (s->reg_i == 1 && s->cr == 1) { /* Windows: two instructions */
            a64_fn_add(fn, a64_alloc_m(regsave));
            a64_fn_add(fn, a64_save_lrpair(19, 0));
        } else {
            for (unsigned p = 0; p < s->reg_i / 2; p++) {
                if (p == 0)
                    a64_fn_add(fn, a64_save_regp_x(19, regsave));
                else
                    a64_fn_add(fn, a64_save_regp(19 + 2 * p, 16 * p));
            }
            if (s->reg_i % 2) {
                if (s->reg_i == 1)
                    a64_fn_add(fn, a64_save_reg_x(19, regsave));
                else if (s->cr == 1)
                    a64_fn_add(fn, a64_save_lrpair(18 + s->reg_i, 8 * (s->reg_i - 1)));
                else
                    a64_fn_add(fn, a64_save_reg(18 + s->reg_i, 8 * (s->reg_i - 1)));
            } else if (s->cr == 1) {
                if (s->reg_i == 0)
                    a64_fn_add(fn, a64_save_reg_x(30, regsave));
                else
                    a64_fn_add(fn, a64_save_reg(30, intsz - 8));
            }
        }
        if (s->reg_f) {
            unsigned count = s->reg_f + 1;
            for (unsigned p = 0; p < count / 2; p++) {
                if (p == 0 && intsz == 0)
                    a64_fn_add(fn, a64_save_fregp_x(8, regsave));
                else
                    a64_fn_add(fn, a64_save_fregp(8 + 2 * p, intsz + 16 * p));
            }
            if (count % 2)
                a64_fn_add(fn, a64_save_freg(8 + s->reg_f, intsz + fpsz - 8));
        }
        if (s->h)
            homing(fn);
    }
    if (chained(s)) {
        if (local <= 512) {
            a64_fn_add(fn, a64_save_fplr_x(local));
        } else {
            allocate(fn, local);
            a64_fn_add(fn, a64_save_fplr(0));
        }
        a64_fn_add(fn, a64_set_fp());
    } else {
        allocate(fn, local);
    }
    if (!has_saves(s) && s->h) /* Windows: the homing stores follow the frame */
        homing(fn);

    /* the epilog: the prolog reversed without homing stores and pacibsp */
    for (unsigned i = fn->prolog_count; i-- > 0;)
        if (fn->prolog[i].kind != K_NOP && fn->prolog[i].kind != K_PAC)
            fn->epilog[fn->epilog_count++] = fn->prolog[i];
    fn->body = 2;
    fn->alloca_size = chained(s) ? 32 : 0;
}

/* The frame sizes worth trying for `s` (0 where none fits). */
static unsigned frame_sizes(const struct packed_shape *s, unsigned *out)
{
    unsigned base = has_saves(s) ? save_size(s) : 0;
    unsigned n = 0;
    const unsigned locals[] = {0, 16, 32, 496, 512, 528, 4080, 4096, 5008};

    for (unsigned i = 0; i < DW_ARRAY_SIZE(locals); i++) {
        unsigned frame = base + locals[i];
        if (chained(s) && locals[i] < 16)
            continue;
        if (!has_saves(s) && s->h && frame < 64)
            continue; /* the homing area is part of the frame */
        if (frame <= 16 * 511)
            out[n++] = frame;
    }
    if (16 * 511 >= base + (chained(s) ? 16 : 0))
        out[n++] = 16 * 511;
    return n;
}

static void check_shape(const struct packed_shape *s, unsigned frame, unsigned flag)
{
    struct a64_fn fn;
    char what[128];
    uint32_t data;

    canonical(&fn, s, frame);
    data = a64_packed(flag, a64_fn_length(&fn), s->reg_f, s->reg_i, s->h, s->cr, frame / 16);
    t.fn_count = 0;
    a64_add_packed(&t, FUNC, data);
    snprintf(what, sizeof(what), "packed RegI=%u RegF=%u H=%u CR=%u frame=%u flag=%u",
             s->reg_i, s->reg_f, s->h, s->cr, frame, flag);
    if (flag == 1) {
        a64_check_every_position(&t, &fn, FUNC, what);
        return;
    }
    /* flag 2: a fragment has no prolog or epilog of its own: everything of
     * the parent's prolog is undone wherever the PC is */
    {
        struct a64_machine m, expected;
        ARM64_NT_CONTEXT c;
        struct unwind_step step;
        a64_entry_state(&expected);
        expected.pc = A64_RETURN;
        for (unsigned k = 0; k < a64_fn_length(&fn); k++) {
            a64_state_at(&t, &fn, IB + FUNC, fn.prolog_count, &m);
            m.pc = IB + FUNC + 4ull * k;
            a64_to_context(&m, &c);
            assert_int_equal(a64_unwind(&t, &c, true, &step, false), UNWIND_OK);
            a64_assert_state(&c, &expected, what, k);
        }
    }
}

static void packed_every_shape(unsigned cr)
{
    unsigned frames[16];

    for (unsigned reg_i = 0; reg_i <= 10; reg_i++)
        for (unsigned reg_f = 0; reg_f <= 7; reg_f++)
            for (unsigned h = 0; h <= 1; h++) {
                struct packed_shape s = {reg_f, reg_i, h, cr};
                unsigned n = frame_sizes(&s, frames);
                for (unsigned i = 0; i < n; i++)
                    check_shape(&s, frames[i], 1);
            }
}

static void packed_cr0_unchained_every_shape(void **state)
{
    (void)state;
    packed_every_shape(0);
}

static void packed_cr1_saved_lr_every_shape(void **state)
{
    (void)state;
    packed_every_shape(1);
}

static void packed_cr2_chained_pac_every_shape(void **state)
{
    (void)state;
    packed_every_shape(2);
}

static void packed_cr3_chained_every_shape(void **state)
{
    (void)state;
    packed_every_shape(3);
}

static void packed_fragments_unwind_fully(void **state)
{
    (void)state;
    unsigned frames[16];

    for (unsigned cr = 0; cr <= 3; cr++)
        for (unsigned reg_i = 0; reg_i <= 10; reg_i++)
            for (unsigned reg_f = 0; reg_f <= 7; reg_f += 3)
                for (unsigned h = 0; h <= 1; h++) {
                    struct packed_shape s = {reg_f, reg_i, h, cr};
                    unsigned n = frame_sizes(&s, frames);
                    for (unsigned i = 0; i < n; i += 3)
                        check_shape(&s, frames[i], 2);
                }
}

/* The two Windows departures, spelled out: RegI = 1 with CR = 1 is `sub sp`
 * then `stp x19, lr, [sp]` (the first instruction only allocates); with no
 * register saves the whole frame is allocated first and the homing stores
 * follow (so right after the allocation, everything is undone). */
static void packed_windows_departures(void **state)
{
    (void)state;
    ARM64_NT_CONTEXT c;
    struct a64_machine m;
    struct unwind_step step;
    uint32_t data;

    /* RegI=1, CR=1, frame 16: sub sp,#16; stp x19,lr,[sp]; ...; ldp; add; ret */
    data = a64_packed(1, 8, 0, 1, 0, 1, 1);
    t.fn_count = 0;
    a64_add_packed(&t, FUNC, data);
    a64_entry_state(&m);
    m.sp -= 16; /* after the sub only */
    m.pc = IB + FUNC + 4;
    a64_to_context(&m, &c);
    assert_int_equal(a64_unwind(&t, &c, true, &step, false), UNWIND_OK);
    assert_int_equal(c.Sp, A64_ENTRY_SP);
    assert_int_equal(c.Pc, A64_RETURN);
    assert_int_equal(c.X19, m.x[19]);

    /* no saves, H = 1, CR = 0, frame 96: sub sp,#96 then 4 homing stores */
    data = a64_packed(1, 12, 0, 0, 1, 0, 6);
    t.fn_count = 0;
    a64_add_packed(&t, FUNC, data);
    for (unsigned k = 1; k <= 5; k++) {
        a64_entry_state(&m);
        m.sp -= 96;
        m.pc = IB + FUNC + 4ull * k;
        a64_to_context(&m, &c);
        assert_int_equal(a64_unwind(&t, &c, true, &step, false), UNWIND_OK);
        assert_int_equal(c.Sp, A64_ENTRY_SP);
        assert_int_equal(c.Pc, A64_RETURN);
    }
}

/* Invalid packed entries end cleanly: RegI 11-15, a save area larger than
 * the frame, a chained frame without room for x29/lr, flag 3. */
static void packed_invalid_entries_are_bad_data(void **state)
{
    (void)state;
    const uint32_t bad[] = {
        a64_packed(1, 20, 0, 11, 0, 0, 10), a64_packed(1, 20, 0, 15, 0, 0, 30),
        a64_packed(1, 20, 0, 4, 0, 0, 1),   a64_packed(1, 20, 7, 10, 1, 1, 5),
        a64_packed(1, 20, 0, 2, 0, 3, 1),   a64_packed(1, 20, 0, 0, 0, 2, 0),
        a64_packed(3, 20, 0, 2, 0, 3, 4),
    };
    ARM64_NT_CONTEXT c, before;
    struct a64_machine m;
    struct unwind_step step;

    for (unsigned i = 0; i < DW_ARRAY_SIZE(bad); i++) {
        t.fn_count = 0;
        a64_add_packed(&t, FUNC, bad[i]);
        a64_entry_state(&m);
        m.pc = IB + FUNC + 40;
        a64_to_context(&m, &c);
        before = c;
        assert_int_equal(a64_unwind(&t, &c, true, &step, false), UNWIND_BAD_DATA);
        assert_memory_equal(&c, &before, sizeof(c));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(packed_cr0_unchained_every_shape, setup, teardown),
        cmocka_unit_test_setup_teardown(packed_cr1_saved_lr_every_shape, setup, teardown),
        cmocka_unit_test_setup_teardown(packed_cr2_chained_pac_every_shape, setup, teardown),
        cmocka_unit_test_setup_teardown(packed_cr3_chained_every_shape, setup, teardown),
        cmocka_unit_test_setup_teardown(packed_fragments_unwind_fully, setup, teardown),
        cmocka_unit_test_setup_teardown(packed_windows_departures, setup, teardown),
        cmocka_unit_test_setup_teardown(packed_invalid_entries_are_bad_data, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
