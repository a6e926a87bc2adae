/* MiniDumpReadDumpStream over hand-built dumps: a good one, a missing stream,
 * a bad signature, and entries whose RVA + size overflow. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "dbgwalk.h"

static uint8_t dump[64];

static void put32(size_t at, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        dump[at + i] = (uint8_t)(v >> (8 * i));
}

/* header (32) + one directory entry (12) at 32, stream type 7 of 8 bytes at 48 */
static void build(void)
{
    memset(dump, 0, sizeof dump);
    put32(0, 0x504d444d);
    put32(4, 0xa793);
    put32(8, 1);
    put32(12, 32);
    put32(32, 7);
    put32(36, 8);
    put32(40, 48);
    put32(48, 0x11223344);
}

static void good_dump(void **state)
{
    (void)state;
    build();
    PMINIDUMP_DIRECTORY dir = NULL;
    PVOID p = NULL;
    ULONG size = 0;
    assert_true(MiniDumpReadDumpStream(dump, 7, &dir, &p, &size));
    assert_ptr_equal(dir, (void *)(dump + 32));
    assert_int_equal(dir->StreamType, 7);
    assert_int_equal(dir->Location.Rva, 48);
    assert_ptr_equal(p, dump + 48);
    assert_int_equal(size, 8);
}

static void missing_stream(void **state)
{
    (void)state;
    build();
    PVOID p = dump;
    ULONG size = 5;
    assert_false(MiniDumpReadDumpStream(dump, 4, NULL, &p, &size));
    assert_null(p);
    assert_int_equal(size, 0);
}

static void bad_signature(void **state)
{
    (void)state;
    build();
    put32(0, 0x12345678);
    assert_false(MiniDumpReadDumpStream(dump, 7, NULL, NULL, NULL));
}

static void entry_overflows(void **state)
{
    (void)state;
    build();
    put32(36, 0x20); /* stream RVA + size past 4 GB */
    put32(40, 0xfffffff0);
    assert_false(MiniDumpReadDumpStream(dump, 7, NULL, NULL, NULL));
    build();
    put32(12, 0xfffffffc); /* directory past 4 GB */
    assert_false(MiniDumpReadDumpStream(dump, 7, NULL, NULL, NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(good_dump),
        cmocka_unit_test(missing_stream),
        cmocka_unit_test(bad_signature),
        cmocka_unit_test(entry_overflows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
