/* The inline frame context encoding: dbghelp.h's INLINE_FRAME_CONTEXT layout
 * (frame id byte 0, frame type byte 1), and rejection of malformed values. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "sym/inline_context.h"

static void layout_matches_published_union(void **state)
{
    (void)state;
    /* FrameType is byte 1: STACK_FRAME_TYPE_INLINE = 2, _STACK = 1 */
    assert_int_equal(inline_context_virtual(0) >> 8, 2);
    assert_int_equal(inline_context_virtual(3) & 0xFF, 3);
    assert_int_equal(inline_context_physical(4) >> 8, 1);
    assert_int_equal(inline_context_physical(4) & 0xFF, 4);
    /* never INIT (0) nor IGNORE */
    assert_int_not_equal(inline_context_virtual(0), 0);
    assert_int_not_equal(inline_context_physical(0), 0);
}

static void round_trip(void **state)
{
    (void)state;
    for (unsigned d = 0; d <= DW_INLINE_MAX_DEPTH; d++) {
        unsigned got = 9999;
        assert_true(inline_context_is_virtual(inline_context_virtual(d), &got));
        assert_int_equal(got, d);
        assert_true(inline_context_valid(inline_context_virtual(d)));
        assert_false(inline_context_is_virtual(inline_context_physical(d), &got));
        assert_true(inline_context_valid(inline_context_physical(d)));
    }
    /* depth is capped to one byte, not wrapped into the type */
    assert_int_equal(inline_context_virtual(1000) >> 8, 2);
}

static void bad_contexts(void **state)
{
    unsigned got = 77;
    (void)state;
    assert_false(inline_context_is_virtual(0, &got));
    assert_false(inline_context_is_virtual(0xFFFFFFFFu, &got));
    assert_int_equal(got, 77);
    assert_true(inline_context_valid(0));
    assert_true(inline_context_valid(0xFFFFFFFFu));
    assert_false(inline_context_valid(0x0300));     /* unknown frame type */
    assert_false(inline_context_valid(0x00000005)); /* type 0 */
    assert_false(inline_context_valid(0x00010201)); /* signature not ours */
    assert_false(inline_context_is_virtual(0x00010201, &got));
    assert_true(inline_context_is_virtual(0x0201, NULL)); /* NULL out is fine */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(layout_matches_published_union),
        cmocka_unit_test(round_trip),
        cmocka_unit_test(bad_contexts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
