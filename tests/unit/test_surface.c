/*
 * The DbgHelp surface around the walk (issue 11): the wildcard matcher and
 * SymMatchString(A/W), SymMatchFileName(W), extended options, the default
 * options, MakeSureDirectoryPathExists, SearchTreeForFile(W), EnumDirTree(W),
 * SymLoadModuleEx's name-as-given-first search (a decoy of the same name in
 * the search path), module names from given names, EnumerateLoadedModules*,
 * SymGetModuleBase and the scope calls; normal, boundary and bad input.
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
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "dbgwalk.h"
#include "pe_builder.h"
#include "sym/wildcard.h"

#define REAL_BASE 0x0000000180000000ull
#define DECOY_BASE 0x0000000190000000ull
#define LOW_BASE 0x10000000ull
#define SIZE 0x2000u

static int process_token; /* a session's hProcess: any unique pointer */
static char root[96];

static void wide(const char *in, WCHAR *out)
{
    while ((*out++ = (WCHAR)(unsigned char)*in++) != 0) {
    }
}

static void make_image(const char *path, uint64_t base)
{
    static uint8_t image[SIZE];
    memset(image, 0, sizeof(image));
    pe_build_headers(image, SIZE, 0x8664, base, 0, 0, 0, 0);
    assert_int_equal(pe_save(image, SIZE, path), 0);
}

static int setup(void **state)
{
    (void)state;
    snprintf(root, sizeof(root), "/tmp/dbgwalk-surface-%d", (int)getpid());
    return mkdir(root, 0777) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
    char command[160];
    (void)state;
    snprintf(command, sizeof(command), "rm -rf %s", root);
    return system(command) == 0 ? 0 : -1;
}

/* Runs first: nothing has set the options yet. */
static void default_options(void **state)
{
    (void)state;
    /* Wine's builtin answers 0x2 before and after SymInitialize */
    assert_int_equal(SymGetOptions(), SYMOPT_UNDNAME);
    assert_true(SymInitialize(&process_token, root, FALSE));
    assert_int_equal(SymGetOptions(), SYMOPT_UNDNAME);
    assert_true(SymCleanup(&process_token));
}

static void wildcard(void **state)
{
    (void)state;
    assert_true(sym_match("", "", true));
    assert_true(sym_match("", "*", true));
    assert_true(sym_match("", "***", true));
    assert_false(sym_match("", "?", true));
    assert_false(sym_match("a", "", true));
    assert_true(sym_match("main", "main", true));
    assert_false(sym_match("main", "mai", true));
    assert_false(sym_match("mai", "main", true));
    assert_true(sym_match("Main", "main", false));
    assert_false(sym_match("Main", "main", true));
    assert_true(sym_match("abc", "a?c", true));
    assert_false(sym_match("ac", "a?c", true));
    assert_true(sym_match("module!func", "*!f*", true));
    /* a star has to give back: the first "ab" is not the one that ends it */
    assert_true(sym_match("abXabYab", "*ab", true));
    assert_true(sym_match("aaab", "*a?b", true));
    assert_false(sym_match("aaac", "*a?b", true));
    assert_true(sym_match("xyz", "x**z", true));
    assert_false(sym_match(NULL, "*", true));
    assert_false(sym_match("x", NULL, true));
    /* non-ASCII bytes are themselves, not folded */
    assert_true(sym_match("\xC3\xA9t\xC3\xA9", "\xC3\xA9*", false));
    assert_false(sym_match("\xC3\x89", "\xC3\xA9", false));

    /* a hostile mask costs polynomial time, not exponential */
    static char text[4097], mask[202];
    memset(text, 'a', 4096);
    for (int i = 0; i < 100; i++) {
        mask[2 * i] = '*';
        mask[2 * i + 1] = 'a';
    }
    mask[200] = 'b';
    clock_t start = clock();
    assert_false(sym_match(text, mask, true));
    assert_true((double)(clock() - start) / CLOCKS_PER_SEC < 2.0);
}

static void match_string_api(void **state)
{
    (void)state;
    WCHAR ws[16], wp[16];

    assert_true(SymMatchStringA("Hello", "h*", FALSE));
    assert_false(SymMatchStringA("Hello", "h*", TRUE));
    assert_true(SymMatchString("abc", "a?c", TRUE));
    assert_false(SymMatchString("abc", "", TRUE));
    SetLastError(0);
    assert_false(SymMatchStringA(NULL, "a", TRUE));
    assert_int_equal(GetLastError(), ERROR_INVALID_HANDLE);
    SetLastError(0);
    assert_false(SymMatchStringA("a", NULL, TRUE));
    assert_int_equal(GetLastError(), ERROR_INVALID_HANDLE);
    wide("KERNEL32.dll", ws);
    wide("kernel32.*", wp);
    assert_true(SymMatchStringW(ws, wp, FALSE));
    assert_false(SymMatchStringW(ws, wp, TRUE));
    SetLastError(0);
    assert_false(SymMatchStringW(NULL, wp, FALSE));
    assert_int_equal(GetLastError(), ERROR_INVALID_HANDLE);
}

/* The stops as Wine's builtin reports them (probed under Wine): the
 * character before the agreeing tail. */
static void match_file_name(void **state)
{
    (void)state;
    const char *f = "c:\\a\\B\\foo.c", *m = "x\\b/FOO.C";
    char *fs = NULL, *ms = NULL;
    WCHAR wf[32], wm[32];
    WCHAR *wfs = NULL, *wms = NULL;

    assert_false(SymMatchFileName(f, m, &fs, &ms));
    assert_int_equal(fs - f, 3);
    assert_int_equal(ms - m, 0);
    m = "b/FOO.C";
    assert_true(SymMatchFileName(f, m, &fs, &ms));
    assert_int_equal(fs - f, 4);
    assert_int_equal((intptr_t)ms - (intptr_t)m, -1);
    assert_true(SymMatchFileName(f, f, NULL, NULL)); /* stops optional */
    assert_true(SymMatchFileName(f, "", &fs, &ms));  /* the empty tail agrees */
    assert_false(SymMatchFileName("c", "abc", NULL, NULL)); /* longer than the name */
    SetLastError(0);
    assert_false(SymMatchFileName(NULL, m, NULL, NULL));
    assert_int_equal(GetLastError(), ERROR_INVALID_PARAMETER);
    wide("/src/dir/Main.C", wf);
    wide("dir\\main.c", wm);
    assert_true(SymMatchFileNameW(wf, wm, &wfs, &wms));
    assert_int_equal(wfs - wf, 4);
}

static void extended_options(void **state)
{
    (void)state;
    assert_false(SymGetExtendedOption(SYMOPT_EX_DISABLEACCESSTIMEUPDATE));
    assert_false(SymSetExtendedOption(SYMOPT_EX_DISABLEACCESSTIMEUPDATE, TRUE)); /* was off */
    assert_true(SymGetExtendedOption(SYMOPT_EX_DISABLEACCESSTIMEUPDATE));
    assert_true(SymSetExtendedOption(SYMOPT_EX_DISABLEACCESSTIMEUPDATE, FALSE)); /* was on */
    assert_false(SymGetExtendedOption(SYMOPT_EX_DISABLEACCESSTIMEUPDATE));
    assert_false(SymGetExtendedOption(SYMOPT_EX_NEVERLOADSYMBOLS)); /* others untouched */
    /* Wine's own options (1000 on), as winedbg sets them */
    assert_false(SymSetExtendedOption((IMAGEHLP_EXTENDED_OPTIONS)1000, TRUE));
    assert_true(SymGetExtendedOption((IMAGEHLP_EXTENDED_OPTIONS)1000));
    SymSetExtendedOption((IMAGEHLP_EXTENDED_OPTIONS)1000, FALSE);
    /* out of range: FALSE, nothing stored */
    assert_false(SymSetExtendedOption(SYMOPT_EX_MAX, TRUE));
    assert_false(SymGetExtendedOption(SYMOPT_EX_MAX));
    assert_false(SymSetExtendedOption((IMAGEHLP_EXTENDED_OPTIONS)-1, TRUE));
    assert_false(SymGetExtendedOption((IMAGEHLP_EXTENDED_OPTIONS)-1));
}

static bool is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static void directories(void **state)
{
    (void)state;
    char path[256], check[256];

    snprintf(path, sizeof(path), "%s/mk/a/b/", root);
    assert_true(MakeSureDirectoryPathExists(path));
    snprintf(check, sizeof(check), "%s/mk/a/b", root);
    assert_true(is_dir(check));
    assert_true(MakeSureDirectoryPathExists(path)); /* again: they exist */
    /* the last component is a file's name: not made */
    snprintf(path, sizeof(path), "%s/mk/c//file.txt", root);
    assert_true(MakeSureDirectoryPathExists(path));
    snprintf(check, sizeof(check), "%s/mk/c", root);
    assert_true(is_dir(check));
    snprintf(check, sizeof(check), "%s/mk/c/file.txt", root);
    assert_false(is_dir(check));
    /* a file in the way */
    snprintf(check, sizeof(check), "%s/mk/plain", root);
    fclose(fopen(check, "w"));
    snprintf(path, sizeof(path), "%s/mk/plain/sub/", root);
    SetLastError(0);
    assert_false(MakeSureDirectoryPathExists(path));
    assert_int_equal(GetLastError(), ERROR_PATH_NOT_FOUND);
    SetLastError(0);
    assert_false(MakeSureDirectoryPathExists(NULL));
    assert_int_equal(GetLastError(), ERROR_INVALID_PARAMETER);
    assert_false(MakeSureDirectoryPathExists(""));
}

static int found_count;
static BOOL CALLBACK count_found(PCSTR path, PVOID data)
{
    (void)path;
    found_count++;
    return data != NULL; /* data set: stop at the first */
}
static BOOL CALLBACK count_found_wide(PCWSTR path, PVOID data)
{
    (void)path;
    (void)data;
    found_count++;
    return FALSE;
}

static void tree_search(void **state)
{
    (void)state;
    char tree[160], path[256], out[MAX_PATH + 1], expect[256];
    WCHAR wroot[160], wname[32], wout[MAX_PATH + 1];

    snprintf(tree, sizeof(tree), "%s/tree", root);
    snprintf(path, sizeof(path), "%s/tree/x/y/", root);
    assert_true(MakeSureDirectoryPathExists(path));
    snprintf(path, sizeof(path), "%s/tree/z/", root);
    assert_true(MakeSureDirectoryPathExists(path));
    snprintf(expect, sizeof(expect), "%s/tree/x/y/Target.PDB", root);
    fclose(fopen(expect, "w"));
    snprintf(path, sizeof(path), "%s/tree/z/target.pdb", root);
    fclose(fopen(path, "w"));
    snprintf(path, sizeof(path), "%s/tree/z/other.pdb", root);
    fclose(fopen(path, "w"));

    /* a path's base name is what is sought; letters without case */
    assert_true(SearchTreeForFile(tree, "c:\\build\\target.pdb", out));
    assert_true(strstr(out, "/tree/") != NULL);
    assert_true(strcmp(out + strlen(out) - 10, "Target.PDB") == 0 ||
                strcmp(out + strlen(out) - 10, "target.pdb") == 0);
    SetLastError(0);
    assert_false(SearchTreeForFile(tree, "missing.pdb", out));
    assert_int_equal(GetLastError(), ERROR_FILE_NOT_FOUND);
    assert_string_equal(out, "");
    assert_false(SearchTreeForFile(tree, "x", out)); /* a directory is no match */
    snprintf(path, sizeof(path), "%s/none", root);
    assert_false(SearchTreeForFile(path, "target.pdb", out));
    SetLastError(0);
    assert_false(SearchTreeForFile(NULL, "target.pdb", out));
    assert_int_equal(GetLastError(), ERROR_INVALID_PARAMETER);
    assert_false(SearchTreeForFile(tree, "dir/", out)); /* no file name */

    /* EnumDirTree: every match to the callback; TRUE from it ends the search */
    found_count = 0;
    assert_false(EnumDirTree(NULL, tree, "target.pdb", out, count_found, NULL));
    assert_int_equal(found_count, 2);
    found_count = 0;
    assert_true(EnumDirTree(NULL, tree, "target.pdb", out, count_found, (void *)1));
    assert_int_equal(found_count, 1);
    found_count = 0;
    assert_false(EnumDirTree(NULL, tree, "*.pdb", NULL, count_found, NULL));
    assert_int_equal(found_count, 3);
    assert_true(EnumDirTree(NULL, tree, "other.pdb", out, NULL, NULL)); /* no callback */
    assert_string_equal(out + strlen(out) - 9, "other.pdb");

    wide(tree, wroot);
    wide("other.pdb", wname);
    assert_true(SearchTreeForFileW(wroot, wname, wout));
    found_count = 0;
    assert_false(EnumDirTreeW(NULL, wroot, wname, wout, count_found_wide, NULL));
    assert_int_equal(found_count, 1);
    assert_false(SearchTreeForFileW(NULL, wname, wout));
}

struct seen {
    unsigned count;
    char names[4][MAX_PATH * 2];
    DWORD64 bases[4];
    ULONG sizes[4];
    unsigned stop_after;
};

static BOOL CALLBACK on_loaded(PCSTR name, DWORD64 base, ULONG size, PVOID context)
{
    struct seen *s = context;
    if (s->count < 4) {
        snprintf(s->names[s->count], sizeof(s->names[0]), "%s", name);
        s->bases[s->count] = base;
        s->sizes[s->count] = size;
    }
    s->count++;
    return s->count != s->stop_after;
}

static BOOL CALLBACK on_loaded_wide(PCWSTR name, DWORD64 base, ULONG size, PVOID context)
{
    struct seen *s = context;
    (void)size;
    if (s->count < 4) {
        unsigned i = 0;
        for (; name[i] && i < sizeof(s->names[0]) - 1; i++)
            s->names[s->count][i] = (char)name[i];
        s->names[s->count][i] = 0;
        s->bases[s->count] = base;
    }
    s->count++;
    return TRUE;
}

static BOOL CALLBACK on_module(PCSTR name, DWORD64 base, PVOID context)
{
    (void)base;
    snprintf(context, 32, "%s", name);
    return FALSE;
}

/* SymLoadModuleEx takes the name as given first: a decoy of the same name
 * in a search-path directory must not replace the image the caller names. */
static void modules(void **state)
{
    (void)state;
    char real_dir[128], decoy_dir[128], real[160], decoy[160], low[160], name[32];
    IMAGEHLP_MODULE64 info;
    struct seen seen;

    snprintf(real_dir, sizeof(real_dir), "%s/real", root);
    snprintf(decoy_dir, sizeof(decoy_dir), "%s/decoy", root);
    mkdir(real_dir, 0777);
    mkdir(decoy_dir, 0777);
    snprintf(real, sizeof(real), "%s/swtest.exe", real_dir);
    snprintf(decoy, sizeof(decoy), "%s/swtest.exe", decoy_dir);
    snprintf(low, sizeof(low), "%s/low.dll", real_dir);
    make_image(real, REAL_BASE);
    make_image(decoy, DECOY_BASE);
    make_image(low, LOW_BASE);

    assert_true(SymInitialize(&process_token, decoy_dir, FALSE));
    assert_int_equal(SymLoadModuleEx(&process_token, NULL, real, NULL, 0, 0, NULL, 0),
                     REAL_BASE);
    memset(&info, 0, sizeof(info));
    info.SizeOfStruct = sizeof(info);
    assert_true(SymGetModuleInfo64(&process_token, REAL_BASE, &info));
    assert_string_equal(info.LoadedImageName, real);
    assert_string_equal(info.ModuleName, "swtest");
    assert_true(SymUnloadModule64(&process_token, REAL_BASE));
    /* a name not found as given: the search path */
    assert_int_equal(SymLoadModuleEx(&process_token, NULL, "C:\\gone\\swtest.exe", NULL, 0, 0,
                                     NULL, 0),
                     DECOY_BASE);
    assert_true(SymGetModuleInfo64(&process_token, DECOY_BASE, &info));
    assert_string_equal(info.LoadedImageName, decoy);
    assert_true(SymUnloadModule64(&process_token, DECOY_BASE));

    /* given module names: an image extension goes, other dots stay */
    assert_int_equal(SymLoadModuleEx(&process_token, NULL, real, "swtest.EXE", 0, 0, NULL, 0),
                     REAL_BASE);
    assert_true(SymGetModuleInfo64(&process_token, REAL_BASE, &info));
    assert_string_equal(info.ModuleName, "swtest");
    assert_int_equal(SymLoadModuleEx(&process_token, NULL, low, "my.module", 0, 0, NULL, 0),
                     LOW_BASE);
    assert_true(SymGetModuleInfo64(&process_token, LOW_BASE, &info));
    assert_string_equal(info.ModuleName, "my.module");
    assert_true(SymEnumerateModules64(&process_token, on_module, name));

    /* EnumerateLoadedModules: the session's modules, paths, bases, sizes */
    memset(&seen, 0, sizeof(seen));
    assert_true(EnumerateLoadedModules64(&process_token, on_loaded, &seen));
    assert_int_equal(seen.count, 2);
    for (unsigned i = 0; i < 2; i++) {
        assert_int_equal(seen.sizes[i], SIZE);
        assert_string_equal(seen.names[i], seen.bases[i] == REAL_BASE ? real : low);
    }
    memset(&seen, 0, sizeof(seen));
    seen.stop_after = 1;
    assert_true(EnumerateLoadedModulesEx(&process_token, on_loaded, &seen));
    assert_int_equal(seen.count, 1);
    memset(&seen, 0, sizeof(seen));
    assert_true(EnumerateLoadedModulesW64(&process_token, on_loaded_wide, &seen));
    assert_int_equal(seen.count, 2);
    assert_string_equal(seen.names[0], seen.bases[0] == REAL_BASE ? real : low);
    memset(&seen, 0, sizeof(seen));
    assert_true(EnumerateLoadedModulesExW(&process_token, on_loaded_wide, &seen));
    assert_int_equal(seen.count, 2);
    SetLastError(0);
    assert_false(EnumerateLoadedModules64(&process_token, NULL, &seen));
    assert_int_equal(GetLastError(), ERROR_INVALID_PARAMETER);
    SetLastError(0);
    assert_false(EnumerateLoadedModules64((HANDLE)&seen, on_loaded, &seen));
    assert_int_equal(GetLastError(), ERROR_INVALID_HANDLE);

    /* SymGetModuleBase: 32-bit addresses, so only the module below 4 GiB */
    assert_int_equal(SymGetModuleBase(&process_token, (DWORD)LOW_BASE + 0x10), (DWORD)LOW_BASE);
    SetLastError(0);
    assert_int_equal(SymGetModuleBase(&process_token, 0x20), 0);
    assert_int_equal(GetLastError(), ERROR_MOD_NOT_FOUND);

    /* scope: an address in a module; the same frame twice is FALSE/0 */
    IMAGEHLP_STACK_FRAME frame;
    memset(&frame, 0, sizeof(frame));
    frame.InstructionOffset = REAL_BASE + 0x1010;
    assert_true(SymSetContext(&process_token, &frame, NULL));
    SetLastError(1234);
    assert_false(SymSetContext(&process_token, &frame, NULL));
    assert_int_equal(GetLastError(), ERROR_SUCCESS);
    assert_true(SymSetScopeFromAddr(&process_token, LOW_BASE + 0x20));
    assert_true(SymSetScopeFromAddr(&process_token, LOW_BASE + 0x20)); /* no such rule */
    SetLastError(0);
    assert_false(SymSetScopeFromAddr(&process_token, 0x20));
    assert_int_equal(GetLastError(), ERROR_MOD_NOT_FOUND);
    SetLastError(0);
    assert_false(SymSetContext(&process_token, NULL, NULL));
    assert_int_equal(GetLastError(), ERROR_INVALID_PARAMETER);
    assert_false(SymSetScopeFromAddr((HANDLE)&seen, REAL_BASE));
    assert_true(SymCleanup(&process_token));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(default_options), /* first: before anything sets them */
        cmocka_unit_test(wildcard),
        cmocka_unit_test(match_string_api),
        cmocka_unit_test(match_file_name),
        cmocka_unit_test(extended_options),
        cmocka_unit_test(directories),
        cmocka_unit_test(tree_search),
        cmocka_unit_test(modules),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
