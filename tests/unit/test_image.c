/*
 * The image helpers over images in our own memory: ImageNtHeader,
 * ImageDirectoryEntryToData(Ex) mapped and as a file, ImageRvaToSection,
 * ImageRvaToVa (with and without the caller's last section) and
 * GetTimestampForLoadedLibrary, each with normal, boundary and bad input
 * (NULL, not a PE, a bad e_lfanew, a truncated directory count, PE32 and
 * PE32+).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "dbgwalk.h"

#define LFANEW 0x80u
#define TIMESTAMP 0x5F3759DFu

/* A file image: headers in 0x400 bytes, .text (RVA 0x1000) at file offset
 * 0x400, .data (RVA 0x3000) at 0x800; the export directory at RVA 0x3010 is
 * in .data, a bound-import directory at RVA 0x300 lies in the headers. */
static uint8_t file[0x1000];

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void build(bool pe32plus, uint32_t directories)
{
    uint8_t *nt = file + LFANEW, *opt = nt + 24, *dirs, *sec;
    uint16_t opt_size = (uint16_t)((pe32plus ? 112 : 96) + 8 * directories);

    memset(file, 0, sizeof(file));
    put16(file, 0x5A4D);
    put32(file + 0x3C, LFANEW);
    put32(nt, 0x00004550);
    put16(nt + 4, pe32plus ? 0x8664 : 0x014C);
    put16(nt + 6, 2);
    put32(nt + 8, TIMESTAMP);
    put16(nt + 20, opt_size);
    put16(opt, pe32plus ? 0x20B : 0x10B);
    put32(opt + 56, 0x4000); /* SizeOfImage */
    put32(opt + 60, 0x400);  /* SizeOfHeaders */
    put32(opt + (pe32plus ? 108 : 92), directories);
    dirs = opt + (pe32plus ? 112 : 96);
    if (directories > 0) {
        put32(dirs + 0, 0x3010); /* export */
        put32(dirs + 4, 0x28);
    }
    if (directories > 11) {
        put32(dirs + 11 * 8, 0x300); /* bound import, in the headers */
        put32(dirs + 11 * 8 + 4, 0x10);
    }
    sec = opt + opt_size;
    memcpy(sec, ".text", 5);
    put32(sec + 8, 0x200);
    put32(sec + 12, 0x1000);
    put32(sec + 16, 0x400);
    put32(sec + 20, 0x400);
    memcpy(sec + 40, ".data", 5);
    put32(sec + 48, 0x100);
    put32(sec + 52, 0x3000);
    put32(sec + 56, 0x200);
    put32(sec + 60, 0x800);
}

static void nt_header(void **state)
{
    (void)state;
    build(true, 16);
    assert_ptr_equal(ImageNtHeader(file), file + LFANEW);
    assert_int_equal(ImageNtHeader(file)->FileHeader.Machine, IMAGE_FILE_MACHINE_AMD64);
    build(false, 16);
    assert_int_equal(ImageNtHeader(file)->FileHeader.Machine, IMAGE_FILE_MACHINE_I386);
    /* bad input: NULL, no MZ, no PE signature, e_lfanew negative or huge */
    assert_null(ImageNtHeader(NULL));
    file[0] = 'X';
    assert_null(ImageNtHeader(file));
    build(true, 16);
    file[LFANEW + 2] = 'X';
    assert_null(ImageNtHeader(file));
    build(true, 16);
    put32(file + 0x3C, 0x80000000u);
    assert_null(ImageNtHeader(file));
    put32(file + 0x3C, 0x7FFFFFF0u);
    assert_null(ImageNtHeader(file)); /* never read 2 GiB away */
    put32(file + 0x3C, 0);
    assert_null(ImageNtHeader(file));
}

static void directories(void **state)
{
    (void)state;
    ULONG size = 1;
    PIMAGE_SECTION_HEADER found = (PIMAGE_SECTION_HEADER)1;
    uint8_t *p;

    for (int plus = 0; plus < 2; plus++) {
        build(plus, 16);
        /* mapped: at the RVA */
        p = ImageDirectoryEntryToDataEx(file, TRUE, IMAGE_DIRECTORY_ENTRY_EXPORT, &size, &found);
        assert_ptr_equal(p, file + 0x3010 - 0x1000 * 0 + 0); /* base + RVA */
        assert_int_equal(size, 0x28);
        assert_null(found);
        /* as a file: through .data's raw data */
        p = ImageDirectoryEntryToDataEx(file, FALSE, IMAGE_DIRECTORY_ENTRY_EXPORT, &size, &found);
        assert_ptr_equal(p, file + 0x800 + 0x10);
        assert_non_null(found);
        assert_memory_equal(found->Name, ".data", 5);
        assert_ptr_equal(ImageDirectoryEntryToData(file, FALSE, 0, &size), file + 0x810);
        /* in the headers: at the RVA even in a file */
        p = ImageDirectoryEntryToDataEx(file, FALSE, IMAGE_DIRECTORY_ENTRY_BOUND_IMPORT, &size,
                                        &found);
        assert_ptr_equal(p, file + 0x300);
        assert_int_equal(size, 0x10);
        assert_null(found);
        /* absent directory, one past the table, far past it */
        assert_null(ImageDirectoryEntryToData(file, TRUE, IMAGE_DIRECTORY_ENTRY_DEBUG, &size));
        assert_int_equal(size, 0);
        assert_null(ImageDirectoryEntryToData(file, TRUE, 16, &size));
        assert_null(ImageDirectoryEntryToData(file, TRUE, 0xFFFF, &size));
        assert_null(ImageDirectoryEntryToData(file, TRUE, 0, NULL));
    }
    /* NumberOfRvaAndSizes limits the table: directory 11 beyond 4 entries */
    build(true, 4);
    assert_non_null(ImageDirectoryEntryToData(file, TRUE, 0, &size));
    assert_null(ImageDirectoryEntryToData(file, TRUE, 11, &size));
    /* a count that lies beyond SizeOfOptionalHeader is cut to what is there */
    put32(file + LFANEW + 24 + 108, 0xFFFFFFFFu);
    assert_non_null(ImageDirectoryEntryToData(file, TRUE, 0, &size));
    assert_null(ImageDirectoryEntryToData(file, TRUE, 11, &size));
    /* a directory no section holds, read as a file */
    build(true, 16);
    put32(file + LFANEW + 24 + 112, 0x9000);
    assert_null(ImageDirectoryEntryToData(file, FALSE, 0, &size));
    assert_int_equal(size, 0);
    /* not a PE, unknown optional-header magic, NULL */
    assert_null(ImageDirectoryEntryToData((uint8_t[64]){0}, TRUE, 0, &size));
    put16(file + LFANEW + 24, 0x107);
    assert_null(ImageDirectoryEntryToData(file, TRUE, 0, &size));
    assert_null(ImageDirectoryEntryToData(NULL, TRUE, 0, &size));
}

static void rva_to_section_and_va(void **state)
{
    (void)state;
    PIMAGE_NT_HEADERS nt;
    PIMAGE_SECTION_HEADER s, last = NULL;

    build(true, 16);
    nt = ImageNtHeader(file);
    s = ImageRvaToSection(nt, file, 0x1000);
    assert_non_null(s);
    assert_memory_equal(s->Name, ".text", 5);
    assert_ptr_equal(ImageRvaToSection(nt, file, 0x13FF), s); /* last raw byte */
    assert_null(ImageRvaToSection(nt, file, 0x1400));          /* one past it */
    assert_null(ImageRvaToSection(nt, file, 0xFFF));
    assert_null(ImageRvaToSection(nt, file, 0x300)); /* headers: no section */
    assert_null(ImageRvaToSection(NULL, file, 0x1000));

    assert_ptr_equal(ImageRvaToVa(nt, file, 0x1010, NULL), file + 0x410);
    assert_ptr_equal(ImageRvaToVa(nt, file, 0x3020, &last), file + 0x820);
    assert_non_null(last);
    assert_memory_equal(last->Name, ".data", 5);
    /* the last section is tried first, then the table */
    assert_ptr_equal(ImageRvaToVa(nt, file, 0x3000, &last), file + 0x800);
    assert_ptr_equal(ImageRvaToVa(nt, file, 0x1000, &last), file + 0x400);
    assert_memory_equal(last->Name, ".text", 5);
    assert_null(ImageRvaToVa(nt, file, 0x5000, &last));
    assert_memory_equal(last->Name, ".text", 5); /* untouched on failure */
    assert_null(ImageRvaToVa(NULL, file, 0x1000, NULL));
    assert_null(ImageRvaToVa(nt, NULL, 0x1000, NULL));
    /* a section count beyond the PE/COFF limit is not walked */
    put16(file + LFANEW + 6, 0xFFFF);
    assert_null(ImageRvaToSection(nt, file, 0x1000));
}

static void timestamp(void **state)
{
    (void)state;
    build(true, 16);
    assert_int_equal(GetTimestampForLoadedLibrary(file), TIMESTAMP);
    SetLastError(0);
    assert_int_equal(GetTimestampForLoadedLibrary((uint8_t[64]){0}), 0);
    assert_int_equal(GetLastError(), ERROR_BAD_EXE_FORMAT);
    assert_int_equal(GetTimestampForLoadedLibrary(NULL), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(nt_header),
        cmocka_unit_test(directories),
        cmocka_unit_test(rva_to_section_and_va),
        cmocka_unit_test(timestamp),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
