/*
 * Finding files (issue 11): the symbol-path walk shared by the PDB search
 * and SymFindFileInPath (the order of the candidates it forms), the store's
 * directory names, and the public functions' bad input: NULL and empty
 * names, unknown sessions, short buffers, wrong structure sizes, paths too
 * long for MAX_PATH, directories where a file is sought.
 */
#define _POSIX_C_SOURCE 200809L /* the library's own headers need POSIX (rwlocks) */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dbgwalk.h"
#include "sym/session.h"

static int process_token;
#define PROCESS ((HANDLE)&process_token)

/* ---- the walk's candidates ---- */

struct record {
    char seen[16][256];
    int count;
    int stop_at; /* 1-based; 0: never */
};

static bool record_try(void *context, const char *path)
{
    struct record *r = context;
    if (r->count < 16)
        snprintf(r->seen[r->count], sizeof(r->seen[0]), "%s", path);
    r->count++;
    return r->stop_at && r->count == r->stop_at;
}

static void test_walk_order(void **state)
{
    struct record r = {0};
    struct sym_path_walk walk = {"a.pdb", "ID1", record_try, &r};

    (void)state;
    assert_false(sym_path_walk(&walk, "d1; srv*s1*http://x/y;cache*c1;SYMSRV*symsrv.dll*s2;d2/"));
    assert_int_equal(r.count, 7);
    assert_string_equal(r.seen[0], "d1/a.pdb");
    assert_string_equal(r.seen[1], "d1/a.pdb/ID1/a.pdb");
    assert_string_equal(r.seen[2], "s1/a.pdb/ID1/a.pdb"); /* the URL skipped */
    assert_string_equal(r.seen[3], "c1/a.pdb/ID1/a.pdb");
    assert_string_equal(r.seen[4], "s2/a.pdb/ID1/a.pdb");
    assert_string_equal(r.seen[5], "d2/a.pdb"); /* one separator */
    assert_string_equal(r.seen[6], "d2/a.pdb/ID1/a.pdb");
}

static void test_walk_stops_and_edges(void **state)
{
    struct record r = {.stop_at = 2};
    struct sym_path_walk walk = {"a.pdb", NULL, record_try, &r};
    char *huge = malloc(9000);

    (void)state;
    /* no id: plain directories only, no store elements */
    assert_true(sym_path_walk(&walk, "d1;srv*s1;d2;d3"));
    assert_int_equal(r.count, 2);
    assert_string_equal(r.seen[1], "d2/a.pdb");
    /* empty elements, an empty path, a NULL path, an empty name */
    r = (struct record){0};
    assert_false(sym_path_walk(&walk, ";;  ;"));
    assert_int_equal(r.count, 0);
    assert_false(sym_path_walk(&walk, NULL));
    walk.name = "";
    assert_false(sym_path_walk(&walk, "d1"));
    assert_int_equal(r.count, 0);
    /* an element longer than any path: skipped, not truncated */
    walk.name = "a.pdb";
    memset(huge, 'x', 8999);
    huge[8999] = 0;
    assert_false(sym_path_walk(&walk, huge));
    assert_int_equal(r.count, 0);
    free(huge);
}

static void test_store_ids(void **state)
{
    GUID g = {0xCA20BA1A, 0xFA13, 0xEB56, {0x4C, 0x4C, 0x44, 0x20, 0x50, 0x44, 0x42, 0x2E}};
    char id[80];

    (void)state;
    sym_store_id_guid(&g, 1, id, sizeof id);
    assert_string_equal(id, "CA20BA1AFA13EB564C4C44205044422E1");
    sym_store_id_guid(&g, 0x1F, id, sizeof id);
    assert_string_equal(id, "CA20BA1AFA13EB564C4C44205044422E1F");
    sym_store_id_dword(0x6B1693CA, 0x5000, id, sizeof id);
    assert_string_equal(id, "6B1693CA5000");
    sym_store_id_dword(0x12, 0, id, sizeof id); /* leading zeros kept, the second not */
    assert_string_equal(id, "000000120");
    sym_store_id_dword(0x6B1693CA, 0x5000, id, 5); /* truncated, terminated */
    assert_string_equal(id, "6B16");
}

/* ---- public functions: bad input ---- */

static char dir[64];

static int setup(void **state)
{
    FILE *f;
    char path[128];

    (void)state;
    snprintf(dir, sizeof dir, "/tmp/dbgwalk-find-%d", (int)getpid());
    mkdir(dir, 0700);
    snprintf(path, sizeof path, "%s/sub.pdb", dir);
    mkdir(path, 0700); /* a directory with the sought name */
    snprintf(path, sizeof path, "%s/plain.txt", dir);
    f = fopen(path, "w");
    if (!f)
        return -1;
    fputs("text", f);
    fclose(f);
    return SymInitialize(PROCESS, dir, FALSE) ? 0 : -1;
}

static int teardown(void **state)
{
    char path[128];

    (void)state;
    SymCleanup(PROCESS);
    snprintf(path, sizeof path, "%s/sub.pdb", dir);
    rmdir(path);
    snprintf(path, sizeof path, "%s/plain.txt", dir);
    remove(path);
    rmdir(dir);
    return 0;
}

static void test_find_file_in_path_bad_input(void **state)
{
    char found[MAX_PATH];
    DWORD id = 0x1234;

    (void)state;
    SetLastError(0);
    assert_false(SymFindFileInPath(PROCESS, dir, NULL, &id, 1, 0, SSRVOPT_DWORDPTR, found, NULL,
                                   NULL));
    assert_int_equal(GetLastError(), ERROR_INVALID_PARAMETER);
    assert_false(SymFindFileInPath(PROCESS, dir, "plain.txt", NULL, 0, 0, 0, NULL, NULL, NULL));
    assert_int_equal(GetLastError(), ERROR_INVALID_PARAMETER);
    assert_false(SymFindFileInPath((HANDLE)(uintptr_t)0x99, dir, "plain.txt", NULL, 0, 0, 0,
                                   found, NULL, NULL));
    assert_int_equal(GetLastError(), ERROR_INVALID_HANDLE);
    /* a directory of the sought name is no file */
    assert_false(SymFindFileInPath(PROCESS, dir, "sub.pdb", NULL, 0, 0, 0, found, NULL, NULL));
    assert_int_equal(GetLastError(), ERROR_FILE_NOT_FOUND);
    /* the session's path when none is given; only the base name counts */
    assert_true(SymFindFileInPath(PROCESS, NULL, "/no/such/dir/plain.txt", NULL, 0, 0, 0, found,
                                  NULL, NULL));
    assert_true(strstr(found, "/plain.txt") != NULL);
    /* exact: a text file has no identity, so it is not the file asked for */
    SymSetOptions(SymGetOptions() | SYMOPT_EXACT_SYMBOLS);
    assert_false(SymFindFileInPath(PROCESS, NULL, "plain.txt", &id, 1, 0, SSRVOPT_DWORDPTR, found,
                                   NULL, NULL));
    SymSetOptions(SymGetOptions() & ~(DWORD)SYMOPT_EXACT_SYMBOLS);
}

static void test_index_bad_input(void **state)
{
    SYMSRV_INDEX_INFO info;
    char index[64], path[128];
    GUID id;
    DWORD v1;

    (void)state;
    snprintf(path, sizeof path, "%s/plain.txt", dir);
    assert_false(SymSrvGetFileIndexString(PROCESS, NULL, path, NULL, 64, 0));
    assert_int_equal(GetLastError(), ERROR_INVALID_PARAMETER);
    assert_false(SymSrvGetFileIndexString(PROCESS, NULL, path, index, 0, 0));
    assert_int_equal(GetLastError(), ERROR_INVALID_PARAMETER);
    assert_false(SymSrvGetFileIndexString(PROCESS, NULL, NULL, index, 64, 0));
    assert_int_equal(GetLastError(), ERROR_INVALID_PARAMETER);
    assert_false(SymSrvGetFileIndexString(PROCESS, NULL, path, index, sizeof index, 0));
    assert_int_equal(GetLastError(), ERROR_BAD_FORMAT);
    assert_false(SymSrvGetFileIndexInfo(path, NULL, 0));
    assert_int_equal(GetLastError(), ERROR_INVALID_PARAMETER);
    info.sizeofstruct = sizeof info + 4;
    assert_false(SymSrvGetFileIndexInfo(path, &info, 0));
    assert_int_equal(GetLastError(), ERROR_INVALID_PARAMETER);
    info.sizeofstruct = sizeof info;
    assert_false(SymSrvGetFileIndexInfo("", &info, 0));
    assert_int_equal(GetLastError(), ERROR_INVALID_PARAMETER);
    assert_false(SymSrvGetFileIndexes(dir, &id, &v1, NULL, 0)); /* a directory */
    assert_false(SymSrvGetFileIndexesW(NULL, &id, &v1, NULL, 0));
    assert_int_equal(GetLastError(), ERROR_INVALID_PARAMETER);
}

static BOOL CALLBACK reject_all(HANDLE file, PCSTR name, PVOID data)
{
    (void)file;
    (void)name;
    ++*(int *)data;
    return FALSE;
}

static void test_find_executable_bad_input(void **state)
{
    char found[MAX_PATH], path[128];
    int calls = 0;
    HANDLE h;

    (void)state;
    assert_null(FindExecutableImage(NULL, dir, found));
    assert_int_equal(GetLastError(), ERROR_INVALID_PARAMETER);
    assert_null(FindExecutableImage("", dir, found));
    assert_int_equal(GetLastError(), ERROR_INVALID_PARAMETER);
    assert_null(FindExecutableImage("plain.txt", dir, NULL));
    assert_int_equal(GetLastError(), ERROR_INVALID_PARAMETER);
    assert_null(FindDebugInfoFile("sub.pdb", dir, found)); /* a directory */
    assert_int_equal(GetLastError(), ERROR_FILE_NOT_FOUND);
    assert_null(SymFindExecutableImage((HANDLE)(uintptr_t)0x99, "plain.txt", found, NULL, NULL));
    assert_int_equal(GetLastError(), ERROR_INVALID_HANDLE);
    /* every candidate rejected: not found, and each was closed again */
    assert_null(FindExecutableImageEx("plain.txt", dir, found, reject_all, &calls));
    assert_int_equal(calls, 1);
    assert_int_equal(GetLastError(), ERROR_FILE_NOT_FOUND);
    /* found: the path and an open FILE * */
    h = SymFindDebugInfoFile(PROCESS, "plain.txt", found, NULL, NULL);
    assert_non_null(h);
    snprintf(path, sizeof path, "%s/plain.txt", dir);
    assert_string_equal(found, path);
    fclose((FILE *)h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_walk_order),
        cmocka_unit_test(test_walk_stops_and_edges),
        cmocka_unit_test(test_store_ids),
        cmocka_unit_test(test_find_file_in_path_bad_input),
        cmocka_unit_test(test_index_bad_input),
        cmocka_unit_test(test_find_executable_bad_input),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
