/*
 * MapDebugInformation / UnmapDebugInformation over image files written by
 * pe_builder: every header-derived member against the bytes we wrote, the
 * exported-name list, the debug directories and the CodeView data they
 * name, a file found on the symbol path, an open handle, the caller's
 * ImageBase; boundaries (no exports, no debug directory, PE32); bad input
 * (no name, a missing file, not a PE, truncated headers, a name table
 * pointing outside the image).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "dbgwalk.h"
#include "pe_builder.h"

#define SIZE 0x3000u
#define BASE 0x180000000ull
#define NT 0x80u
#define EXPORTS_RVA 0x1000u
#define DEBUG_RVA 0x2000u
#define CODEVIEW_RVA 0x2100u

static uint8_t image[SIZE];
static char dir[64], path[128];

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t directories_offset(uint16_t machine)
{
    return NT + 24 + (machine == 0x014C ? 96u : 112u);
}

/* One debug directory entry: CodeView data ("RSDS" record) at CODEVIEW_RVA. */
static void add_debug_directory(uint16_t machine)
{
    uint8_t *d = image + DEBUG_RVA;
    put32(image + directories_offset(machine) + 6 * 8, DEBUG_RVA);
    put32(image + directories_offset(machine) + 6 * 8 + 4, 28);
    memset(d, 0, 28);
    put32(d + 4, 0x5F000001);   /* TimeDateStamp */
    put32(d + 12, 2);           /* IMAGE_DEBUG_TYPE_CODEVIEW */
    put32(d + 16, 24 + 8);      /* SizeOfData */
    put32(d + 20, CODEVIEW_RVA);
    put32(d + 24, CODEVIEW_RVA); /* file offset == RVA in pe_builder's images */
    memcpy(image + CODEVIEW_RVA, "RSDS", 4);
    memcpy(image + CODEVIEW_RVA + 24, "t.pdb\0\0", 8);
}

static void build(uint16_t machine, bool exports, bool debug)
{
    static const struct pe_export list[] = {{"alpha", 0x1800}, {"beta_two", 0x1810}};
    uint32_t export_size = 0;

    memset(image, 0, sizeof(image));
    pe_build_headers(image, SIZE, machine, machine == 0x014C ? 0x10000000u : BASE, 0, 0, 0, 0);
    if (exports) {
        export_size = pe_write_exports(image, EXPORTS_RVA, "t.dll", list, 2);
        put32(image + directories_offset(machine), EXPORTS_RVA);
        put32(image + directories_offset(machine) + 4, export_size);
    }
    if (debug)
        add_debug_directory(machine);
}

static void save(uint32_t size)
{
    assert_int_equal(pe_save(image, size, path), 0);
}

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/dbgwalk-mapdbg-%d", (int)getpid());
    mkdir(dir, 0700);
    snprintf(path, sizeof path, "%s/t.dll", dir);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    unlink(path);
    rmdir(dir);
    return 0;
}

static void test_fields_from_headers(void **state)
{
    (void)state;
    build(0x8664, true, true);
    save(SIZE);

    PIMAGE_DEBUG_INFORMATION info = MapDebugInformation(NULL, path, NULL, 0);
    assert_non_null(info);
    assert_ptr_equal(info->List.Flink, &info->List);
    assert_int_equal(info->ReservedMachine, 0x8664);
    assert_int_equal(info->ReservedCharacteristics, 0x2022);
    assert_int_equal(info->ReservedCheckSum, 0xC0FFEE);
    assert_int_equal(info->ImageBase, (DWORD)BASE);
    assert_int_equal(info->SizeOfImage, SIZE);
    assert_int_equal(info->ReservedTimeDateStamp, 0x5F000000);
    assert_false(info->ReservedRomImage);
    assert_true(info->ReservedSize >= sizeof(*info) + SIZE);

    assert_int_equal(info->ReservedNumberOfSections, 1);
    assert_non_null(info->ReservedSections);
    assert_memory_equal(info->ReservedSections[0].Name, ".text\0\0\0", 8);
    assert_int_equal(info->ReservedSections[0].VirtualAddress, 0x1000);
    assert_int_equal(info->ReservedSections[0].SizeOfRawData, SIZE - 0x1000);

    /* "alpha\0beta_two\0" and the empty string that ends the list */
    static const char names[] = "alpha\0beta_two\0";
    assert_int_equal(info->ReservedExportedNamesSize, sizeof(names));
    assert_memory_equal(info->ReservedExportedNames, names, sizeof(names));

    assert_int_equal(info->ReservedNumberOfDebugDirectories, 1);
    assert_non_null(info->ReservedDebugDirectory);
    assert_int_equal(info->ReservedDebugDirectory[0].Type, IMAGE_DEBUG_TYPE_CODEVIEW);
    assert_int_equal(info->ReservedDebugDirectory[0].TimeDateStamp, 0x5F000001);
    assert_int_equal(info->ReservedDebugDirectory[0].PointerToRawData, CODEVIEW_RVA);
    assert_int_equal(info->ReservedSizeOfCodeViewSymbols, 32);
    assert_memory_equal(info->ReservedCodeViewSymbols, "RSDS", 4);

    /* the mapped copy is the file: its headers are the image's */
    assert_non_null(info->ReservedMappedBase);
    assert_memory_equal(info->ReservedMappedBase, image, SIZE);
    PIMAGE_NT_HEADERS nt = ImageNtHeader(info->ReservedMappedBase);
    assert_non_null(nt);
    assert_int_equal(nt->FileHeader.Machine, 0x8664);

    assert_string_equal(info->ImageFilePath, path);
    assert_string_equal(info->ImageFileName, "t.dll");
    assert_null(info->ReservedDebugFilePath);
    assert_true(UnmapDebugInformation(info));
}

static void test_found_on_symbol_path_and_image_base(void **state)
{
    (void)state;
    build(0x8664, true, false);
    save(SIZE);

    char search[160];
    snprintf(search, sizeof search, "/nonexistent-dir;%s", dir);
    PIMAGE_DEBUG_INFORMATION info = MapDebugInformation(NULL, "t.dll", search, 0x20000000);
    assert_non_null(info);
    assert_string_equal(info->ImageFilePath, path);
    assert_string_equal(info->ImageFileName, "t.dll");
    assert_int_equal(info->ImageBase, 0x20000000); /* the caller's, not the header's */
    assert_true(UnmapDebugInformation(info));
}

static void test_open_handle(void **state)
{
    (void)state;
    build(0x8664, true, true);
    save(SIZE);

    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 100, SEEK_SET); /* read from the start whatever the position */
    PIMAGE_DEBUG_INFORMATION info = MapDebugInformation((HANDLE)f, path, NULL, 0);
    assert_non_null(info);
    assert_int_equal(info->ReservedMachine, 0x8664);
    assert_int_equal(info->SizeOfImage, SIZE);
    assert_string_equal(info->ImageFilePath, path);
    assert_true(UnmapDebugInformation(info));

    /* a handle without a name: no path to give */
    info = MapDebugInformation((HANDLE)f, NULL, NULL, 0);
    assert_non_null(info);
    assert_null(info->ImageFilePath);
    assert_null(info->ImageFileName);
    assert_int_equal(info->ReservedNumberOfDebugDirectories, 1);
    assert_true(UnmapDebugInformation(info));
    fclose(f);
}

static void test_no_exports_no_debug_pe32(void **state)
{
    (void)state;
    build(0x014C, false, false);
    save(SIZE);

    PIMAGE_DEBUG_INFORMATION info = MapDebugInformation(NULL, path, NULL, 0);
    assert_non_null(info);
    assert_int_equal(info->ReservedMachine, 0x014C);
    assert_int_equal(info->ImageBase, 0x10000000);
    assert_int_equal(info->ReservedExportedNamesSize, 0);
    assert_null(info->ReservedExportedNames);
    assert_int_equal(info->ReservedNumberOfDebugDirectories, 0);
    assert_null(info->ReservedDebugDirectory);
    assert_null(info->ReservedCodeViewSymbols);
    assert_int_equal(info->ReservedSizeOfCodeViewSymbols, 0);
    assert_int_equal(info->ReservedNumberOfSections, 1);
    assert_true(UnmapDebugInformation(info));
}

static void test_bad_input(void **state)
{
    (void)state;
    SetLastError(0);
    assert_null(MapDebugInformation(NULL, NULL, NULL, 0));
    assert_int_equal(GetLastError(), ERROR_INVALID_PARAMETER);

    char missing[160];
    snprintf(missing, sizeof missing, "%s/absent.dll", dir);
    SetLastError(0);
    assert_null(MapDebugInformation(NULL, missing, dir, 0));
    assert_int_equal(GetLastError(), ERROR_FILE_NOT_FOUND);

    /* not a PE */
    memset(image, 'x', SIZE);
    save(SIZE);
    SetLastError(0);
    assert_null(MapDebugInformation(NULL, path, NULL, 0));
    assert_int_equal(GetLastError(), ERROR_BAD_FORMAT);

    /* an empty file */
    save(0);
    SetLastError(0);
    assert_null(MapDebugInformation(NULL, path, NULL, 0));
    assert_int_equal(GetLastError(), ERROR_BAD_FORMAT);

    /* truncated inside the optional header */
    build(0x8664, true, true);
    save(NT + 40);
    SetLastError(0);
    assert_null(MapDebugInformation(NULL, path, NULL, 0));
    assert_int_equal(GetLastError(), ERROR_BAD_FORMAT);

    /* an export name outside the image */
    build(0x8664, true, false);
    put32(image + EXPORTS_RVA + 40 + 8, 0x7FFFFFF0); /* the first name's RVA */
    save(SIZE);
    SetLastError(0);
    assert_null(MapDebugInformation(NULL, path, NULL, 0));
    assert_int_equal(GetLastError(), ERROR_BAD_FORMAT);

    /* a file cut short after the headers: the directories are not there */
    build(0x8664, true, true);
    save(0x1000 + 0x20);
    SetLastError(0);
    assert_null(MapDebugInformation(NULL, path, NULL, 0));
    assert_int_equal(GetLastError(), ERROR_BAD_FORMAT);

    SetLastError(0);
    assert_false(UnmapDebugInformation(NULL));
    assert_int_equal(GetLastError(), ERROR_INVALID_PARAMETER);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fields_from_headers),
        cmocka_unit_test(test_found_on_symbol_path_and_image_base),
        cmocka_unit_test(test_open_handle),
        cmocka_unit_test(test_no_exports_no_debug_pe32),
        cmocka_unit_test(test_bad_input),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
