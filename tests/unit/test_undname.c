/* UnDecorateSymbolName and the internal undecorator: normal names, buffer
 * boundaries and truncation, flags, and malformed input. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "dbgwalk.h"
#include "undname/undname.h"

static void test_normal(void **state)
{
    (void)state;
    char b[256];
    assert_int_equal(UnDecorateSymbolName("?f@A@@QEBAHH@Z", b, sizeof b, 0),
                     strlen("public: int __cdecl A::f(int) const"));
    assert_string_equal(b, "public: int __cdecl A::f(int) const");
    UnDecorateSymbolName("?x@A@@2HA", b, sizeof b, 0);
    assert_string_equal(b, "public: static int A::x");
    UnDecorateSymbolName("??_7A@@6B@", b, sizeof b, 0);
    assert_string_equal(b, "const A::`vftable'");
    UnDecorateSymbolName("??1?$v@H@@QEAA@XZ", b, sizeof b, 0);
    assert_string_equal(b, "public: __cdecl v<int>::~v<int>(void)");
    /* not decorated: copied through */
    assert_int_equal(UnDecorateSymbolName("main", b, sizeof b, 0), 4);
    assert_string_equal(b, "main");
}

static void test_boundary(void **state)
{
    (void)state;
    char b[8];
    SetLastError(0);
    assert_int_equal(UnDecorateSymbolName("?x@A@@2HA", b, 0, 0), 0);
    assert_int_equal(GetLastError(), ERROR_INVALID_PARAMETER);
    memset(b, 'x', sizeof b);
    assert_int_equal(UnDecorateSymbolName("?x@A@@2HA", b, 1, 0), 0);
    assert_int_equal(UnDecorateSymbolName("?x@A@@2HA", b, sizeof b, 0), 7);
    assert_string_equal(b, "public:");
}

static void test_flags(void **state)
{
    (void)state;
    char b[256];
    UnDecorateSymbolName("?f@A@@QEBAHH@Z", b, sizeof b, UNDNAME_NAME_ONLY);
    assert_string_equal(b, "A::f");
    UnDecorateSymbolName("?f@A@@QEBAHH@Z", b, sizeof b,
                         UNDNAME_NO_ACCESS_SPECIFIERS | UNDNAME_NO_FUNCTION_RETURNS | UNDNAME_NO_MS_KEYWORDS);
    assert_string_equal(b, "A::f(int) const");
    UnDecorateSymbolName("?f@A@@QEBAHH@Z", b, sizeof b, UNDNAME_NO_ARGUMENTS | UNDNAME_NO_ACCESS_SPECIFIERS);
    assert_string_equal(b, "int __cdecl A::f");
    assert_int_equal(undname_symbol("?f@ns@@YAXXZ", b, sizeof b), 5);
    assert_string_equal(b, "ns::f");
    assert_int_equal(undname_symbol("?bad", b, sizeof b), 4);
    assert_string_equal(b, "?bad");
}

static void test_bad(void **state)
{
    (void)state;
    char b[256];
    const char *bad[] = {"?", "??", "?f@", "?f@@YA", "?f@@YAXH", "?f@@3", "??$", "?x@@3PEA",
                         "?f@@YAX9@Z"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        SetLastError(0);
        assert_int_equal(UnDecorateSymbolName(bad[i], b, sizeof b, 0), 0);
        assert_int_not_equal(GetLastError(), 0);
    }
    char deep[4096];
    memset(deep, 0, sizeof deep);
    deep[0] = '?';
    for (size_t i = 1; i + 3 < sizeof deep; i += 2)
        memcpy(deep + i, "?$", 2);
    assert_int_equal(UnDecorateSymbolName(deep, b, sizeof b, 0), 0);
    /* 200 nested pointers: past the depth cap, refused rather than recursing */
    memset(deep, 0, sizeof deep);
    strcpy(deep, "?f@@YAX");
    for (int i = 0; i < 200; i++)
        strcat(deep, "PEA");
    strcat(deep, "H@Z");
    assert_int_equal(UnDecorateSymbolName(deep, b, sizeof b, 0), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_normal),
        cmocka_unit_test(test_boundary),
        cmocka_unit_test(test_flags),
        cmocka_unit_test(test_bad),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
