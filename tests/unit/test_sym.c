/*
 * The symbol services: sessions, modules from files, search paths and target
 * memory, function-table lookups (starts, ends, gaps, unsorted and
 * overlapping tables), export names, the function-entry callback, bad
 * images, StackWalk64 with NULL routines, and lookups from many threads.
 */
#include "walk_helpers.h"
#include "pe_builder.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BASE 0x0000000180000000ull
#define SIZE 0x4000u

static uint8_t image[SIZE];
static char dir[64], path[128];
static struct fake_target t; /* the session's hProcess, and target memory */

static const uint32_t pdata[][3] = {
    {0x1000, 0x1040, 0x2800}, /* alpha */
    {0x1040, 0x1100, 0x2810}, /* beta: push rbx */
    {0x1200, 0x1300, 0x2820}, /* gamma */
};
static const struct pe_export exports[] = {{"alpha", 0x1000}, {"beta", 0x1040},
                                           {"gamma", 0x1200}};

static void build_image(const uint32_t (*table)[3], unsigned count)
{
    uint32_t export_size;
    const uint8_t leaf[4] = {1, 0, 0, 0}, push_rbx[8] = {1, 1, 1, 0, 1, 0x30, 0, 0};

    memset(image, 0, sizeof(image));
    export_size = pe_write_exports(image, 0x3000, "test.dll", exports, 3);
    pe_write_pdata(image, 0x2000, table, count);
    pe_build_headers(image, SIZE, 0x8664, BASE, 0x2000, 12 * count, 0x3000, export_size);
    memcpy(image + 0x2800, leaf, 4);
    memcpy(image + 0x2810, push_rbx, 8);
    memcpy(image + 0x2820, leaf, 4);
}

static int setup(void **state)
{
    (void)state;
    build_image(pdata, 3);
    snprintf(dir, sizeof(dir), "/tmp/dbgwalk-sym-%d", (int)getpid());
    snprintf(path, sizeof(path), "%s/test.dll", dir);
    char command[128];
    snprintf(command, sizeof(command), "mkdir -p %s", dir);
    if (system(command) != 0 || pe_save(image, SIZE, path) != 0)
        return -1;
    test_target_init(&t);
    ft_write(&t, TEST_IMAGE_BASE, image, SIZE); /* the same image, mapped */
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    SymCleanup(&t);
    ft_free(&t);
    remove(path);
    rmdir(dir);
    return 0;
}

static const IMAGE_RUNTIME_FUNCTION_ENTRY *entry_at(HANDLE h, uint64_t address)
{
    return SymFunctionTableAccess64(h, address);
}

static void sessions(void **state)
{
    (void)state;
    int other;
    char search[256];

    SetLastError(0);
    assert_false(SymInitialize(NULL, NULL, FALSE));
    assert_true(SymInitialize(&t, "/nowhere", FALSE));
    assert_true(SymInitialize(&t, NULL, FALSE)); /* a live session: kept, harmless */
    assert_true(SymGetSearchPath(&t, search, sizeof(search)));
    assert_string_equal(search, "/nowhere");
    assert_true(SymSetSearchPath(&t, dir));
    assert_true(SymGetSearchPath(&t, search, sizeof(search)));
    assert_string_equal(search, dir);
    assert_true(SymInitialize(&other, NULL, FALSE));
    assert_int_not_equal(SymLoadModuleEx(&t, NULL, path, NULL, 0, 0, NULL, 0), 0);
    assert_int_equal(SymGetModuleBase64(&other, BASE + 0x1000), 0); /* not shared */
    assert_true(SymCleanup(&other));
    SetLastError(0);
    assert_false(SymCleanup(&other));
    assert_int_equal(GetLastError(), ERROR_INVALID_HANDLE);
    assert_true(SymCleanup(&t));
    assert_int_equal(SymGetModuleBase64(&t, BASE + 0x1000), 0);
    /* re-initialised: a fresh session */
    assert_true(SymInitialize(&t, NULL, FALSE));
    assert_int_equal(SymGetModuleBase64(&t, BASE + 0x1000), 0);
}

static void wide_entry_points(void **state)
{
    (void)state;
    const WCHAR wide_dir[] = {'/', 't', 'm', 'p', 0};
    WCHAR back[64];

    assert_true(SymInitializeW(&t, wide_dir, FALSE));
    assert_true(SymGetSearchPathW(&t, back, 64));
    assert_memory_equal(back, wide_dir, sizeof(wide_dir));
    assert_true(SymSetSearchPathW(&t, wide_dir));
}

static void module_from_file(void **state)
{
    (void)state;
    IMAGEHLP_MODULE64 info;
    static const DWORD sizes[] = {0x248, 0x680, 0x688, 0x690};
    const IMAGE_RUNTIME_FUNCTION_ENTRY *e;

    assert_true(SymInitialize(&t, NULL, FALSE));
    assert_int_equal(SymLoadModuleEx(&t, NULL, path, NULL, 0, 0, NULL, 0), BASE);
    SetLastError(1234);
    assert_int_equal(SymLoadModuleEx(&t, NULL, path, NULL, 0, 0, NULL, 0), 0);
    assert_int_equal(GetLastError(), ERROR_SUCCESS); /* already loaded */
    assert_int_equal(SymGetModuleBase64(&t, BASE + 0x1234), BASE);
    assert_int_equal(SymGetModuleBase64(&t, BASE + SIZE), 0);

    for (unsigned i = 0; i < 4; i++) {
        memset(&info, 0xCC, sizeof(info));
        info.SizeOfStruct = sizes[i];
        assert_true(SymGetModuleInfo64(&t, BASE + 0x1000, &info));
        assert_int_equal(info.BaseOfImage, BASE);
        assert_int_equal(info.ImageSize, SIZE);
        assert_int_equal(info.TimeDateStamp, 0x5F000000);
        assert_string_equal(info.ModuleName, "test");
        if (sizes[i] == 0x690)
            assert_int_equal(info.MachineType, 0x8664);
        else
            assert_int_equal(((uint8_t *)&info)[sizes[i]], 0xCC); /* nothing past it */
    }
    info.SizeOfStruct = 0x300;
    SetLastError(0);
    assert_false(SymGetModuleInfo64(&t, BASE + 0x1000, &info));
    assert_int_equal(GetLastError(), ERROR_INVALID_PARAMETER);

    /* starts, insides, ends and gaps */
    e = entry_at(&t, BASE + 0x1000);
    assert_non_null(e);
    assert_int_equal(e->BeginAddress, 0x1000);
    assert_ptr_equal(entry_at(&t, BASE + 0x103F), e); /* the same pointer, again */
    assert_int_equal(entry_at(&t, BASE + 0x1040)->BeginAddress, 0x1040);
    assert_int_equal(entry_at(&t, BASE + 0x10FF)->BeginAddress, 0x1040);
    assert_null(entry_at(&t, BASE + 0x1100)); /* a gap */
    assert_null(entry_at(&t, BASE + 0x11FF));
    assert_int_equal(entry_at(&t, BASE + 0x12FF)->BeginAddress, 0x1200);
    assert_null(entry_at(&t, BASE + 0x1300));
    assert_null(entry_at(&t, BASE + 0x0FFF));

    assert_true(SymUnloadModule64(&t, BASE));
    assert_null(entry_at(&t, BASE + 0x1000));
    assert_false(SymUnloadModule64(&t, BASE));
}

static void module_by_search_path(void **state)
{
    (void)state;
    assert_true(SymInitialize(&t, "/nonexistent;", FALSE));
    assert_int_equal(SymLoadModuleEx(&t, NULL, "test.dll", NULL, 0, 0, NULL, 0), 0);
    assert_true(SymSetSearchPath(&t, dir));
    assert_int_equal(SymLoadModuleEx(&t, NULL, "C:\\somewhere\\test.dll", "named", 0x7000000, 0,
                                     NULL, 0),
                     0x7000000); /* rebased: the caller's base wins */
    assert_int_equal(SymGetModuleBase64(&t, 0x7000000 + 0x1040), 0x7000000);
    assert_int_equal(entry_at(&t, 0x7000000 + 0x1040)->BeginAddress, 0x1040);
}

static BOOL CALLBACK collect(PCSTR name, DWORD64 base, PVOID context)
{
    char *out = context;
    char line[64];
    snprintf(line, sizeof(line), "%s@%llx;", name, (unsigned long long)base);
    strcat(out, line);
    return TRUE;
}

static void enumerate_modules(void **state)
{
    (void)state;
    char list[256] = "";

    assert_true(SymInitialize(&t, dir, FALSE));
    assert_int_equal(SymLoadModuleEx(&t, NULL, "test.dll", NULL, 0, 0, NULL, 0), BASE);
    assert_int_equal(SymLoadModuleEx(&t, NULL, NULL, "virt", 0x5000000, 0x1000, NULL,
                                     SLMFLAG_VIRTUAL),
                     0x5000000);
    assert_true(SymEnumerateModules64(&t, collect, list));
    assert_string_equal(list, "test@180000000;virt@5000000;");
    assert_true(SymRefreshModuleList(&t));
}

/* Memory modules: read through the caller's routine, or the session's
 * CBA_READ_MEMORY callback. */
static unsigned callback_reads;

static BOOL CALLBACK read_callback(HANDLE process, ULONG action, ULONG64 data, ULONG64 context)
{
    IMAGEHLP_CBA_READ_MEMORY *request = (IMAGEHLP_CBA_READ_MEMORY *)(uintptr_t)data;
    (void)context;
    if (action != CBA_READ_MEMORY)
        return FALSE;
    callback_reads++;
    return ft_read_memory(process, request->addr, request->buf, request->bytes,
                          request->bytesread);
}

static void module_from_memory(void **state)
{
    (void)state;
    const uint64_t base = TEST_IMAGE_BASE;

    assert_true(SymInitialize(&t, NULL, FALSE));
    assert_int_equal(SymLoadModuleEx(&t, NULL, NULL, "mapped", base, SIZE, NULL, 0), base);
    /* nothing to read memory with yet: no entry, and nothing remembered */
    assert_null(entry_at(&t, base + 0x1040));
    assert_int_equal(((IMAGE_RUNTIME_FUNCTION_ENTRY *)SymFunctionTableAccess64AccessRoutines(
                          &t, base + 0x1040, ft_read_memory, NULL))
                         ->BeginAddress,
                     0x1040);
    assert_non_null(entry_at(&t, base + 0x1200)); /* read once, kept */

    /* the size from the mapped headers, through CBA_READ_MEMORY */
    assert_true(SymCleanup(&t));
    assert_true(SymInitialize(&t, NULL, FALSE));
    assert_true(SymRegisterCallback64(&t, read_callback, 0));
    callback_reads = 0;
    assert_int_equal(SymLoadModuleEx(&t, NULL, NULL, NULL, base, 0, NULL, 0), base);
    assert_int_equal(SymGetModuleBase64(&t, base + SIZE - 1), base);
    assert_non_null(entry_at(&t, base + 0x1000));
    assert_true(callback_reads > 0);
}

static void export_names(void **state)
{
    (void)state;
    struct {
        SYMBOL_INFO info;
        char more[64];
    } symbol;
    struct {
        IMAGEHLP_SYMBOL64 info;
        char more[64];
    } old;
    struct {
        SYMBOL_INFOW info;
        WCHAR more[64];
    } wide;
    IMAGEHLP_LINE64 line;
    DWORD64 displacement;
    DWORD line_displacement;

    assert_true(SymInitialize(&t, NULL, FALSE));
    assert_int_equal(SymLoadModuleEx(&t, NULL, path, NULL, 0, 0, NULL, 0), BASE);
    memset(&symbol, 0, sizeof(symbol));
    symbol.info.SizeOfStruct = sizeof(SYMBOL_INFO);
    symbol.info.MaxNameLen = 64;
    assert_true(SymFromAddr(&t, BASE + 0x1050, &displacement, &symbol.info));
    assert_string_equal(symbol.info.Name, "beta");
    assert_int_equal(displacement, 0x10);
    assert_int_equal(symbol.info.Address, BASE + 0x1040);
    assert_int_equal(symbol.info.ModBase, BASE);
    assert_int_equal(symbol.info.NameLen, 4);
    assert_true(SymFromAddr(&t, BASE + 0x1200, &displacement, &symbol.info));
    assert_string_equal(symbol.info.Name, "gamma");
    assert_int_equal(displacement, 0);
    symbol.info.MaxNameLen = 3; /* truncated, still terminated */
    assert_true(SymFromAddr(&t, BASE + 0x1200, NULL, &symbol.info));
    assert_string_equal(symbol.info.Name, "ga");
    assert_int_equal(symbol.info.NameLen, 5);
    SetLastError(0);
    assert_false(SymFromAddr(&t, BASE + 0x800, &displacement, &symbol.info));
    assert_false(SymFromAddr(&t, 0x1234, &displacement, &symbol.info));
    assert_int_equal(GetLastError(), ERROR_MOD_NOT_FOUND);

    memset(&old, 0, sizeof(old));
    old.info.SizeOfStruct = sizeof(IMAGEHLP_SYMBOL64);
    old.info.MaxNameLength = 64;
    assert_true(SymGetSymFromAddr64(&t, BASE + 0x1001, &displacement, &old.info));
    assert_string_equal(old.info.Name, "alpha");
    assert_int_equal(displacement, 1);

    memset(&wide, 0, sizeof(wide));
    wide.info.SizeOfStruct = sizeof(SYMBOL_INFOW);
    wide.info.MaxNameLen = 64;
    assert_true(SymFromAddrW(&t, BASE + 0x1040, &displacement, &wide.info));
    {
        const WCHAR *name = wide.info.Name;
        assert_int_equal(name[0], 'b');
        assert_int_equal(name[4], 0);
    }

    memset(&line, 0, sizeof(line));
    line.SizeOfStruct = sizeof(line);
    assert_false(SymGetLineFromAddr64(&t, BASE + 0x1040, &line_displacement, &line));
}

static PVOID CALLBACK jit_entry(HANDLE process, ULONG64 address, ULONG64 context)
{
    static IMAGE_RUNTIME_FUNCTION_ENTRY entry = {0x10, 0x20, {0x30}};
    (void)process;
    return address == context ? &entry : NULL;
}

static void function_entry_callback(void **state)
{
    (void)state;
    assert_true(SymInitialize(&t, NULL, FALSE));
    assert_true(SymRegisterFunctionEntryCallback64(&t, jit_entry, 0x9000000));
    assert_int_equal(entry_at(&t, 0x9000000)->BeginAddress, 0x10);
    assert_null(entry_at(&t, 0x9000004));
}

static void bad_images(void **state)
{
    (void)state;
    static const uint32_t unsorted[][3] = {
        {0x1200, 0x1300, 0x2820}, {0x1000, 0x1040, 0x2800}, {0x1040, 0x1100, 0x2810},
        {0x1080, 0x10C0, 0x2810}, /* overlaps beta: dropped */
        {0x3F00, 0x5000, 0x2800}, /* past the image end: dropped */
        {0x1500, 0x1500, 0x2800}, /* empty: dropped */
    };
    char truncated[128];
    uint8_t *p;

    assert_true(SymInitialize(&t, NULL, FALSE));
    /* truncated headers */
    snprintf(truncated, sizeof(truncated), "%s/short.dll", dir);
    pe_save(image, 0x90, truncated);
    SetLastError(0);
    assert_int_equal(SymLoadModuleEx(&t, NULL, truncated, NULL, 0, 0, NULL, 0), 0);
    assert_int_equal(GetLastError(), ERROR_BAD_FORMAT);
    /* not a PE at all */
    memset(image, 0x41, 0x200);
    pe_save(image, 0x200, truncated);
    assert_int_equal(SymLoadModuleEx(&t, NULL, truncated, NULL, 0, 0, NULL, 0), 0);
    remove(truncated);

    /* unsorted, overlapping and out-of-range entries */
    build_image(unsorted, 6);
    pe_save(image, SIZE, path);
    assert_int_equal(SymLoadModuleEx(&t, NULL, path, NULL, 0, 0, NULL, 0), BASE);
    assert_int_equal(entry_at(&t, BASE + 0x1090)->BeginAddress, 0x1040);
    assert_int_equal(entry_at(&t, BASE + 0x1210)->BeginAddress, 0x1200);
    assert_null(entry_at(&t, BASE + 0x3F10));
    assert_null(entry_at(&t, BASE + 0x1500));
    assert_true(SymUnloadModule64(&t, BASE));

    /* an exception directory pointing outside the image */
    build_image(pdata, 3);
    p = image + 0x80 + 24 + 112 + 24;
    p[0] = 0x00, p[1] = 0xF0, p[2] = 0x00, p[3] = 0x10; /* RVA 0x1000F000 */
    pe_save(image, SIZE, path);
    assert_int_equal(SymLoadModuleEx(&t, NULL, path, NULL, 0, 0, NULL, 0), BASE);
    assert_null(entry_at(&t, BASE + 0x1000));
    build_image(pdata, 3);
    pe_save(image, SIZE, path);
}

/* Mutated images, from a file and from target memory: every call fails or
 * succeeds cleanly (this suite runs under ASan and UBSan in CI). */
static void mutated_images(void **state)
{
    (void)state;
    static uint8_t original[SIZE];
    uint32_t seed = 2026;
    struct {
        SYMBOL_INFO info;
        char more[64];
    } symbol;
    IMAGEHLP_MODULE64 info;
    unsigned loaded = 0, named = 0;

    memcpy(original, image, SIZE);
    assert_true(SymInitialize(&t, NULL, FALSE));
    for (unsigned round = 0; round < 400; round++) {
        uint64_t base;
        memcpy(image, original, SIZE);
        for (unsigned k = 0; k < 1 + round % 16; k++) {
            /* mostly the headers and directories, where parsing decides */
            seed = seed * 1103515245u + 12345u;
            uint32_t at = (seed >> 8) % (round % 3 ? 0x400 : SIZE);
            if (round % 5 == 0 && k == 0)
                at = 0x2000 + (seed >> 12) % 0x40; /* .pdata */
            else if (round % 5 == 1 && k == 0)
                at = 0x3000 + (seed >> 12) % 0x80; /* the export directory */
            image[at] = (uint8_t)(seed >> 16);
        }
        pe_save(image, SIZE, path);
        ft_write(&t, TEST_IMAGE_BASE, image, SIZE);
        for (unsigned from_memory = 0; from_memory < 2; from_memory++) {
            base = from_memory
                       ? SymLoadModuleEx(&t, NULL, NULL, "m", TEST_IMAGE_BASE, 0, NULL, 0)
                       : SymLoadModuleEx(&t, NULL, path, NULL, 0, 0, NULL, 0);
            if (!base)
                continue;
            loaded++;
            for (uint64_t a = base; a < base + SIZE; a += 0x40) {
                (void)SymFunctionTableAccess64AccessRoutines(&t, a, ft_read_memory, NULL);
                memset(&symbol, 0, sizeof(symbol));
                symbol.info.SizeOfStruct = sizeof(SYMBOL_INFO);
                symbol.info.MaxNameLen = 64;
                named += SymFromAddr(&t, a, NULL, &symbol.info) != FALSE;
            }
            info.SizeOfStruct = sizeof(info);
            (void)SymGetModuleInfo64(&t, base, &info);
            assert_true(SymUnloadModule64(&t, base));
        }
    }
    memcpy(image, original, SIZE);
    pe_save(image, SIZE, path);
    print_message("%u of 800 mutated loads succeeded, %u lookups named\n", loaded, named);
    assert_true(loaded > 100 && named > 0); /* the mutations left work to do */
}

/* A WOW64 debugger's x86 walk through our services while a 64-bit module is
 * registered: a PC in that module's last .pdata entry must not be answered
 * with the x64 entry (12 bytes) read as an x86 FPO_DATA (16 bytes): an
 * answer for another machine is never used, nor read past (issue 14). */
static void entries_of_another_machine_are_not_used(void **state)
{
    (void)state;
    const uint64_t base = 0x10000000, stack = 0x00300000;
    PFUNCTION_TABLE_ACCESS_ROUTINE64 tables[2] = {NULL, SymFunctionTableAccess64};
    PGET_MODULE_BASE_ROUTINE64 bases[2] = {NULL, SymGetModuleBase64};

    ft_map(&t, stack, 0x1000);
    assert_true(SymInitialize(&t, NULL, FALSE));
    assert_int_equal(SymLoadModuleEx(&t, NULL, path, NULL, base, 0, NULL, 0), base);
    for (unsigned i = 0; i < 2; i++) {
        STACKFRAME64 frame;
        memset(&frame, 0, sizeof(frame));
        frame.AddrPC.Offset = base + 0x12F0; /* the last entry, gamma */
        frame.AddrStack.Offset = stack + 0x800;
        frame.AddrFrame.Offset = stack + 0x900;
        frame.AddrPC.Mode = frame.AddrStack.Mode = frame.AddrFrame.Mode = AddrModeFlat;
        assert_true(StackWalk64(IMAGE_FILE_MACHINE_I386, &t, NULL, &frame, NULL, ft_read_memory,
                                tables[i], bases[i], NULL));
        assert_null(frame.FuncTableEntry);
    }
    /* the x64 walk still gets the entry */
    assert_int_equal(entry_at(&t, base + 0x12F0)->BeginAddress, 0x1200);
}

/* StackWalk64 with NULL table and module-base routines uses the services:
 * beta (push rbx) called from gamma, which returns to 0. */
static void walk_with_null_routines(void **state)
{
    (void)state;
    const uint64_t base = TEST_IMAGE_BASE, s = TEST_STACK_TOP - 0x1000;
    STACKFRAME64 frame;
    CONTEXT c;
    unsigned n = 0;

    ft_write64(&t, s, 0xB0B0);            /* saved rbx */
    ft_write64(&t, s + 8, base + 0x1250); /* into gamma */
    ft_write64(&t, s + 16, 0);
    memset(&c, 0, sizeof(c));
    c.Rip = base + 0x1050;
    c.Rsp = s;
    seed_frame(&frame, &c);
    assert_true(SymInitialize(&t, NULL, FALSE));
    assert_int_equal(SymLoadModuleEx(&t, NULL, NULL, "mapped", base, SIZE, NULL, 0), base);
    SetLastError(777);
    while (StackWalk64(IMAGE_FILE_MACHINE_AMD64, &t, NULL, &frame, &c, ft_read_memory, NULL,
                       NULL, NULL)) {
        if (n == 0)
            assert_int_equal(frame.AddrReturn.Offset, base + 0x1250);
        if (n == 1) {
            assert_int_equal(c.Rbx, 0xB0B0);
            assert_int_equal(((IMAGE_RUNTIME_FUNCTION_ENTRY *)frame.FuncTableEntry)->BeginAddress,
                             0x1200);
        }
        n++;
    }
    assert_int_equal(n, 2);
    assert_int_equal(GetLastError(), 777); /* a normal end sets no error */

    /* the same with our functions passed as the routines */
    seed_frame(&frame, &c);
    c.Rip = base + 0x1050;
    c.Rsp = s;
    seed_frame(&frame, &c);
    n = 0;
    while (StackWalk64(IMAGE_FILE_MACHINE_AMD64, &t, NULL, &frame, &c, ft_read_memory,
                       SymFunctionTableAccess64, SymGetModuleBase64, NULL))
        n++;
    assert_int_equal(n, 2);
}

/* Many threads looking up through one session while others load and
 * unload a second module. */
static void *lookups(void *arg)
{
    (void)arg;
    for (unsigned i = 0; i < 20000; i++) {
        const IMAGE_RUNTIME_FUNCTION_ENTRY *e = entry_at(&t, BASE + 0x1000 + (i % 0x100));
        if (!e || SymGetModuleBase64(&t, BASE + 0x1000) != BASE)
            return (void *)1;
    }
    return NULL;
}

static void *churn(void *arg)
{
    (void)arg;
    for (unsigned i = 0; i < 300; i++) {
        if (SymLoadModuleEx(&t, NULL, path, "again", 0x60000000, 0, NULL, 0) != 0x60000000 ||
            entry_at(&t, 0x60001040) == NULL || !SymUnloadModule64(&t, 0x60000000))
            return (void *)1;
    }
    return NULL;
}

static void concurrent_lookups(void **state)
{
    (void)state;
    pthread_t threads[5];
    void *result;

    assert_true(SymInitialize(&t, NULL, FALSE));
    assert_int_equal(SymLoadModuleEx(&t, NULL, path, NULL, 0, 0, NULL, 0), BASE);
    for (unsigned i = 0; i < 5; i++)
        assert_int_equal(pthread_create(&threads[i], NULL, i == 4 ? churn : lookups, NULL), 0);
    for (unsigned i = 0; i < 5; i++) {
        pthread_join(threads[i], &result);
        assert_null(result);
    }
}

/* MODLOAD_DATA from a hostile caller: offsets and sizes past the buffer,
 * truncated records, an unknown ssig, a short ssize. The module still loads
 * (its records are hints), nothing is read out of bounds (ASan), and no
 * record is reported. A good record naming a PDB that exists nowhere: its
 * GUID and age are reported (a caller can fetch the PDB), the load fails
 * with CBA_DEFERRED_SYMBOL_LOAD_FAILURE. */
static unsigned failures, completions;

static void put32(uint8_t *p, uint32_t v)
{
    for (unsigned i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static BOOL CALLBACK count_loads(HANDLE process, ULONG action, ULONG64 data, ULONG64 context)
{
    (void)process, (void)data, (void)context;
    if (action == CBA_DEFERRED_SYMBOL_LOAD_FAILURE)
        failures++;
    if (action == CBA_DEFERRED_SYMBOL_LOAD_COMPLETE)
        completions++;
    return action != CBA_READ_MEMORY;
}

static void modload_data_records(void **state)
{
    (void)state;
    static const uint8_t rsds[] = {'R', 'S', 'D', 'S', 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
                                   13, 14, 15, 16, 7, 0, 0, 0, 'n', 'o', 'n', 'e', '.', 'p',
                                   'd', 'b', 0};
    uint8_t dirs[28 + sizeof(rsds)], bad[64];
    IMAGEHLP_MODULE64 info;
    MODLOAD_DATA data;
    const DWORD64 base = 0x10000000;

    assert_true(SymInitialize(&t, dir, FALSE));
    assert_true(SymRegisterCallback64(&t, count_loads, 0));
    SymSetOptions(SymGetOptions() & ~SYMOPT_DEFERRED_LOADS);

    /* hostile buffers: each loads with no record */
    for (unsigned k = 0; k < 6; k++) {
        memset(bad, 0, sizeof(bad));
        memset(&data, 0, sizeof(data));
        data.ssize = sizeof(data);
        data.data = bad;
        data.size = sizeof(bad);
        switch (k) {
        case 0: /* a CodeView entry whose data lies past the buffer */
            data.ssig = DBHHEADER_DEBUGDIRS;
            put32(bad + 12, 2);
            put32(bad + 16, 40);
            put32(bad + 24, 60);
            break;
        case 1: /* an offset that wraps */
            data.ssig = DBHHEADER_DEBUGDIRS;
            put32(bad + 12, 2);
            put32(bad + 16, 0xFFFFFFF0u);
            put32(bad + 24, 32);
            break;
        case 2: /* a truncated RSDS */
            data.ssig = DBHHEADER_CVMISC;
            memcpy(bad, "RSDS", 4);
            data.size = 20;
            break;
        case 3: /* MODLOAD_CVMISC pointing past the buffer */
            data.ssig = DBHHEADER_CVMISC;
            put32(bad, 8);
            bad[8] = 200;
            break;
        case 4: /* an unknown kind */
            data.ssig = 7;
            memcpy(bad, rsds, sizeof(rsds));
            break;
        default: /* too small a MODLOAD_DATA */
            data.ssig = DBHHEADER_CVMISC;
            data.ssize = 4;
            memcpy(bad, rsds, sizeof(rsds));
            break;
        }
        assert_int_equal(SymLoadModuleEx(&t, NULL, NULL, "hostile", base, 0x1000, &data, 0),
                         base);
        memset(&info, 0, sizeof(info));
        info.SizeOfStruct = sizeof(info);
        assert_true(SymGetModuleInfo64(&t, base, &info));
        assert_int_equal(info.CVSig, 0);
        assert_true(SymUnloadModule64(&t, base));
    }

    /* a good record, the debug-directory form: GUID and age reported, the
     * PDB found nowhere */
    memset(dirs, 0, sizeof(dirs));
    put32(dirs + 12, 2);
    put32(dirs + 16, sizeof(rsds));
    put32(dirs + 24, 28);
    memcpy(dirs + 28, rsds, sizeof(rsds));
    data.ssize = sizeof(data);
    data.ssig = DBHHEADER_DEBUGDIRS;
    data.data = dirs;
    data.size = sizeof(dirs);
    failures = completions = 0;
    assert_int_equal(SymLoadModuleEx(&t, NULL, NULL, "given", base, 0x1000, &data, 0), base);
    assert_int_equal(failures, 1);
    assert_int_equal(completions, 0);
    memset(&info, 0, sizeof(info));
    info.SizeOfStruct = sizeof(info);
    assert_true(SymGetModuleInfo64(&t, base, &info));
    assert_int_equal(info.CVSig, 0x53445352);
    assert_string_equal(info.CVData, "none.pdb");
    assert_int_equal(info.PdbSig70.Data1, 0x04030201);
    assert_int_equal(info.PdbSig70.Data4[7], 16);
    assert_int_equal(info.PdbAge, 7);
    assert_int_equal(info.LoadedPdbName[0], 0);
    assert_int_not_equal(info.SymType, SymPdb);
    assert_int_equal(failures, 1); /* asking again does not search again */
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(sessions),
        T(wide_entry_points),
        T(module_from_file),
        T(module_by_search_path),
        T(enumerate_modules),
        T(module_from_memory),
        T(export_names),
        T(function_entry_callback),
        T(bad_images),
        T(mutated_images),
        T(walk_with_null_routines),
        T(entries_of_another_machine_are_not_used),
        T(concurrent_lookups),
        T(modload_data_records),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
