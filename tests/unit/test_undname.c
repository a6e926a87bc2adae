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

/* Each construct against llvm-undname 14's text for the same name (the
 * oracle; see tests/undname). */
static const struct { const char *name, *want; } oracle_cases[] = {
    /* string literals: narrow, wide, truncated, escapes, char16_t/char32_t */
    {"??_C@_0BA@JFNIOLAK@string?5too?5long?$AA@", "\"string too long\""},
    {"??_C@_13JOFGPIOO@?$AA?4?$AA?$AA@", "L\".\""},
    {"??_C@_0DB@DPPHNNLL@warning?3?5removing?5Breakpad?5handl@", "\"warning: removing Breakpad handl\"..."},
    {"??_C@_0N@EPNFPEMI@?$CFws?2?$CFws?4dmp?6?$AA@", "\"%ws\\\\%ws.dmp\\n\""},
    {"??_C@_05FHCKMDDP@?i?$AA?9N?$AA?$AA@", "u\"\\xE9\\x4E2D\""},
    {"??_C@_0BG@OPDBLFPM@u?$AAt?$AAf?$AA1?$AA6?$AA?5?$AAt?$AAe?$AAx?$AAt?$AA?$AA?$AA@", "u\"utf16 text\""},
    {"??_C@_0CA@CBLGJMGI@?$AA?v?$AB?$AA?5?$AA?$AA?$AAe?$AA?$AA?$AAm?$AA?$AA?$AAo?$AA?$AA?$AAj?$AA?$AA?$AAi?$AA?$AA?$AA?$AA?$AA?$AA?$AA@",
     "U\"\\x01F600 emoji\""},
    /* RTTI */
    {"??_R0?AUBase@inner@outer@@@8", "struct outer::inner::Base `RTTI Type Descriptor'"},
    {"??_R1A@?0A@EA@Base@inner@outer@@8", "outer::inner::Base::`RTTI Base Class Descriptor at (0, -1, 0, 64)'"},
    {"??_R2Base@inner@outer@@8", "outer::inner::Base::`RTTI Base Class Array'"},
    {"??_R3Base@inner@outer@@8", "outer::inner::Base::`RTTI Class Hierarchy Descriptor'"},
    {"??_R4Base@inner@outer@@6B@", "const outer::inner::Base::`RTTI Complete Object Locator'"},
    {"??_R4C@vi@@6BA@1@@", "const vi::C::`RTTI Complete Object Locator'{for `vi::A'}"},
    /* thunks: vcall, adjustor, vtordisp, vtordispex */
    {"??_9Base@inner@outer@@$B3AE", "[thunk]: __thiscall outer::inner::Base::`vcall'{4, {flat}}"},
    {"?fa@C@vi@@W7AEHH@Z", "[thunk]: public: virtual int __thiscall vi::C::fa`adjustor{8}'(int)"},
    {"?f@C@@$4PPPPPPPM@A@AEXXZ", "[thunk]: public: virtual void __thiscall C::f`vtordisp{-4, 0}'(void)"},
    {"?f@C@@$R4BA@PPPPPPPM@BA@A@AEXXZ", "[thunk]: public: virtual void __thiscall C::f`vtordispex{16, -4, 16, 0}'(void)"},
    /* lambdas, <auto>, unnamed types */
    {"??R<lambda_0>@?0??use_all@@YAHXZ@QEBA?A?<auto>@@H@Z",
     "public: <auto> __cdecl `int __cdecl use_all(void)'::`1'::<lambda_0>::operator()(int) const"},
    {"?unnamed_var@ft@@3U<unnamed-type-unnamed_var>@1@A", "struct ft::<unnamed-type-unnamed_var> ft::unnamed_var"},
    /* member pointers, cv on variables, extern "C" scopes, initializers */
    {"?data_member@@3PEQBase@inner@outer@@HEQ123@", "int outer::inner::Base::*data_member"},
    {"?method_member@@3P8Base@inner@outer@@EBAHH@ZEQ123@", "int (__cdecl outer::inner::Base::*method_member)(int) const"},
    {"?instance_count_@ExceptionHandler@google_breakpad@@0JC",
     "private: static long volatile google_breakpad::ExceptionHandler::instance_count_"},
    {"?_OptionsStorage@?1??__local_stdio_printf_options@@9@4_KA",
     "unsigned __int64 `extern \"C\" __local_stdio_printf_options'::`2'::_OptionsStorage"},
    {"??__Eglobal_dtor@ft@@YAXXZ", "void __cdecl `dynamic initializer for 'ft::global_dtor''(void)"},
    /* template arguments: member pointers, references, function types */
    {"??$fvirt@$I?f@Virt@ft@@QEAAHXZA@A@@ft@@YAHXZ", "int __cdecl ft::fvirt<{public: int __cdecl ft::Virt::f(void), 0, 0}>(void)"},
    {"??$dvirt@$FBA@A@@ft@@YAHXZ", "int __cdecl ft::dvirt<{16, 0}>(void)"},
    {"??$refarg@$E?object@ft@@3HA@ft@@YAHXZ", "int __cdecl ft::refarg<int ft::object>(void)"},
    {"??$fn_type@U?$Fn@P6AHH@_E@ft@@@ft@@YAHXZ", "int __cdecl ft::fn_type<struct ft::Fn<int (__cdecl *)(int) noexcept>>(void)"},
    /* spacing of pointers */
    {"?assign@?$basic_string@_WU?$char_traits@_W@std@@V?$allocator@_W@2@@std@@QAEAAV12@QB_WI@Z",
     "public: class std::basic_string<wchar_t, struct std::char_traits<wchar_t>, class std::allocator<wchar_t>> & "
     "__thiscall std::basic_string<wchar_t, struct std::char_traits<wchar_t>, class std::allocator<wchar_t>>::assign("
     "wchar_t const *const, unsigned int)"},
};

static void test_oracle_cases(void **state)
{
    (void)state;
    char b[1024];
    for (size_t i = 0; i < sizeof oracle_cases / sizeof *oracle_cases; i++) {
        memset(b, 0, sizeof b);
        DWORD n = UnDecorateSymbolName(oracle_cases[i].name, b, sizeof b, 0);
        if (strcmp(b, oracle_cases[i].want) != 0)
            print_error("%s\n  got  %s\n  want %s\n", oracle_cases[i].name, b, oracle_cases[i].want);
        assert_string_equal(b, oracle_cases[i].want);
        assert_int_equal(n, strlen(oracle_cases[i].want));
    }
}

/* The symbol API's short forms; DbgHelp names every string literal `string'. */
static void test_name_only_forms(void **state)
{
    (void)state;
    char b[256];
    assert_int_equal(undname_symbol("??_C@_0BA@JFNIOLAK@string?5too?5long?$AA@", b, sizeof b), 8);
    assert_string_equal(b, "`string'");
    undname_symbol("??R<lambda_0>@?0??use_all@@YAHXZ@QEBA?A?<auto>@@H@Z", b, sizeof b);
    assert_string_equal(b, "`int __cdecl use_all(void)'::`1'::<lambda_0>::operator()");
    undname_symbol("??_R2Base@inner@outer@@8", b, sizeof b);
    assert_string_equal(b, "outer::inner::Base::`RTTI Base Class Array'");
}

/* Malformed special names: refused, never read past the end. */
static void test_bad_specials(void **state)
{
    (void)state;
    char b[256];
    const char *bad[] = {"??_C@_", "??_C@_0", "??_C@_0B", "??_C@_0BA@", "??_C@_0BA@X", "??_C@_0BA@X@abc",
                         "??_C@_0BA@X@a?", "??_C@_0BA@X@a?$", "??_C@_0BA@X@a?$A", "??_C@_0BA@X@a?$ZZ@",
                         "??_C@_1BA@X@?$AA", "??_C@_2BA@X@a@", "??_C@_0?1@X@a@", "??_R0", "??_R0?AUB@@",
                         "??_R0?AUB@@@9", "??_R1A@?0A@", "??_R1A@?0A@EA@", "??_R1?0A@A@A@B@@8", "??_R2B@@",
                         "??_R3B@@9", "??_R4B@@", "??_R4B@@8", "??_9B@@", "??_9B@@$B", "??_9B@@$B3", "??_9B@@$B3A",
                         "?f@C@@$4", "?f@C@@$4PPPPPPPM@", "?f@C@@$R4BA@", "?f@C@@W", "?f@C@@W7",
                         "?f@C@@$6A@A@AEXXZ", "??__E?x@@3HA@YAXXZ", "??$f@$I?g@@YAXXZ@@YAXXZ", "??$f@$F@@YAXXZ",
                         "?x@@3PEQ", "?x@@3PEQB@@", "?x@@3Y", "?x@@3Y0", "?x@@3Y0A", "?f@@YAX$$A6", "?f@@YAX?<a"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        SetLastError(0);
        if (UnDecorateSymbolName(bad[i], b, sizeof b, 0) != 0)
            print_error("accepted %s as %s\n", bad[i], b);
        assert_int_equal(UnDecorateSymbolName(bad[i], b, sizeof b, 0), 0);
        assert_int_equal(GetLastError(), ERROR_INVALID_PARAMETER);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_normal),
        cmocka_unit_test(test_boundary),
        cmocka_unit_test(test_flags),
        cmocka_unit_test(test_bad),
        cmocka_unit_test(test_oracle_cases),
        cmocka_unit_test(test_name_only_forms),
        cmocka_unit_test(test_bad_specials),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
