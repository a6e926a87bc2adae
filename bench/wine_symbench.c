/*
 * wine_symbench: what the symbol lookups a crash handler or profiler makes
 * cost, with whichever dbghelp.dll the loader picks (ours next to the exe,
 * WINEDLLOVERRIDES=dbghelp=n, or Wine's builtin, dbghelp=b);
 * run-wine-symbench.sh runs both on the same image.
 *
 *   wine_symbench.exe IMAGE [lookups]      (default 100000)
 *
 * IMAGE is loaded from its file with SymLoadModuleEx (it is never run), its
 * symbols from its PDB (found next to it) or its DWARF. Timed with
 * QueryPerformanceCounter: SymLoadModuleEx; the first SymFromAddr (with
 * SymLoadModuleEx, the index time); the first SymGetLineFromAddr64; then
 * `lookups` SymFromAddr at pseudo-random addresses inside the image's
 * executable sections (a fixed seed, so both DLLs get the same addresses),
 * then SymGetLineFromAddr64 at the same addresses, then SymFromAddr again
 * (every unit indexed by then: the steady state). Thread CPU time
 * (GetThreadTimes) beside the wall clock. Prints figures and how many
 * lookups were answered; asserts nothing about time.
 */
#ifndef _WIN32
#define _DEFAULT_SOURCE /* realpath, clock_gettime */
#endif
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef _WIN32
#include <windows.h>
#include <dbghelp.h>
#define PATH_SEPARATOR '\\'
#else
/* The native twin (built with the library as bench/native_symbench), for
 * profiling libdbghelp.so with perf or callgrind on the same image. */
#include <dbgwalk.h>
#include <time.h>
#define PATH_SEPARATOR '/'
#ifndef MAX_SYM_NAME
#define MAX_SYM_NAME 2000
#endif
#ifndef IMAGE_SCN_MEM_EXECUTE
#define IMAGE_SCN_MEM_EXECUTE 0x20000000
#endif
typedef struct {
    long long QuadPart;
} LARGE_INTEGER;
static void QueryPerformanceCounter(LARGE_INTEGER *t)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    t->QuadPart = (long long)ts.tv_sec * 1000000000ll + ts.tv_nsec;
}
static void QueryPerformanceFrequency(LARGE_INTEGER *f)
{
    f->QuadPart = 1000000000ll;
}
static HANDLE GetCurrentProcess(void)
{
    return (HANDLE)(uintptr_t)0x1234;
}
static DWORD GetFullPathNameA(const char *in, DWORD size, char *out, char **file)
{
    (void)file;
    return realpath(in, out) && strlen(out) < size ? (DWORD)strlen(out) : 0;
}
#endif

#define MODULE_BASE 0x180000000ull
#define MAX_SECTIONS 96

struct code_range {
    DWORD rva, size;
};

/* This thread's CPU time in ns: on the shared build machine the wall clock
 * mostly measures other jobs, so both are printed. */
static double cpu_ns(void)
{
#ifdef _WIN32
    FILETIME created, exited, kernel, user;
    if (!GetThreadTimes(GetCurrentThread(), &created, &exited, &kernel, &user))
        return 0;
    return ((double)(((ULONGLONG)kernel.dwHighDateTime << 32) | kernel.dwLowDateTime) +
            (double)(((ULONGLONG)user.dwHighDateTime << 32) | user.dwLowDateTime)) * 100.0;
#else
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
#endif
}

static double ms_since(LARGE_INTEGER t0)
{
    LARGE_INTEGER t1, freq;
    QueryPerformanceCounter(&t1);
    QueryPerformanceFrequency(&freq);
    return (double)(t1.QuadPart - t0.QuadPart) * 1e3 / (double)freq.QuadPart;
}

/* The image's executable sections, read from its file (not through dbghelp,
 * so both DLLs are asked the same addresses). */
static int code_ranges(const char *path, struct code_range *ranges, DWORD *image_size)
{
    FILE *f = fopen(path, "rb");
    IMAGE_DOS_HEADER dos;
    IMAGE_NT_HEADERS64 nt;
    IMAGE_SECTION_HEADER sections[MAX_SECTIONS];
    int n = 0;

    if (!f)
        return -1;
    if (fread(&dos, sizeof(dos), 1, f) != 1 || dos.e_magic != IMAGE_DOS_SIGNATURE ||
        fseek(f, dos.e_lfanew, SEEK_SET) || fread(&nt, sizeof(nt), 1, f) != 1 ||
        nt.Signature != IMAGE_NT_SIGNATURE ||
        nt.OptionalHeader.Magic != IMAGE_NT_OPTIONAL_HDR64_MAGIC ||
        nt.FileHeader.NumberOfSections > MAX_SECTIONS ||
        fseek(f, dos.e_lfanew + (long)offsetof(IMAGE_NT_HEADERS64, OptionalHeader) +
                     nt.FileHeader.SizeOfOptionalHeader,
              SEEK_SET) ||
        fread(sections, sizeof(sections[0]), nt.FileHeader.NumberOfSections, f) !=
            nt.FileHeader.NumberOfSections) {
        fclose(f);
        return -1;
    }
    fclose(f);
    *image_size = nt.OptionalHeader.SizeOfImage;
    for (int i = 0; i < nt.FileHeader.NumberOfSections; i++)
        if (sections[i].Characteristics & IMAGE_SCN_MEM_EXECUTE) {
            ranges[n].rva = sections[i].VirtualAddress;
            ranges[n].size = sections[i].Misc.VirtualSize;
            n++;
        }
    return n;
}

static unsigned long long rng_state = 0x9e3779b97f4a7c15ull;
static unsigned long long next_random(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

int main(int argc, char **argv)
{
    static struct code_range ranges[MAX_SECTIONS];
    union {
        SYMBOL_INFO info;
        char bytes[sizeof(SYMBOL_INFO) + MAX_SYM_NAME];
    } sym;
    IMAGEHLP_LINE64 line;
    IMAGEHLP_MODULE64 module;
    HANDLE process = GetCurrentProcess();
    DWORD image_size = 0, displacement32;
    DWORD64 displacement, *addresses, total_code = 0, base;
    char path[4096], dir[4096], *slash;
    int nranges, lookups = argc > 2 && atoi(argv[2]) > 0 ? atoi(argv[2]) : 100000;
    int sym_hits = 0, line_hits = 0;
    double load_ms, first_sym_ms, first_line_ms, sym_ms, line_ms, c0, index_cpu_ms, sym_cpu_ns,
        line_cpu_ns, warm_cpu_ns;
    LARGE_INTEGER t0;
#ifdef _WIN32
    HMODULE dbghelp = GetModuleHandleA("dbghelp.dll");
    char dll[MAX_PATH] = "(not loaded)";
#endif

    setvbuf(stdout, NULL, _IONBF, 0);
    if (argc < 2) {
        fprintf(stderr, "usage: wine_symbench IMAGE [lookups]\n");
        return 2;
    }
#ifdef _WIN32
    if (dbghelp)
        GetModuleFileNameA(dbghelp, dll, sizeof(dll));
    printf("dbghelp.dll: %s%s\n", dll,
           dbghelp && !memcmp((const char *)dbghelp + 0x40, "Wine builtin DLL", 16)
               ? " (Wine builtin)"
               : "");
#else
    printf("libdbghelp.so (native)\n");
#endif
    if (!GetFullPathNameA(argv[1], sizeof(path), path, NULL)) {
        fprintf(stderr, "wine_symbench: bad path %s\n", argv[1]);
        return 2;
    }
    nranges = code_ranges(path, ranges, &image_size);
    if (nranges <= 0) {
        fprintf(stderr, "wine_symbench: %s is not a PE32+ image with code\n", path);
        return 2;
    }
    for (int i = 0; i < nranges; i++)
        total_code += ranges[i].size;
    addresses = malloc(sizeof(*addresses) * (size_t)lookups);
    if (!addresses)
        return 2;
    for (int i = 0; i < lookups; i++) {
        DWORD64 at = next_random() % total_code;
        int r = 0;
        while (at >= ranges[r].size)
            at -= ranges[r++].size;
        addresses[i] = MODULE_BASE + ranges[r].rva + at;
    }

    strcpy(dir, path);
    slash = strrchr(dir, PATH_SEPARATOR);
    if (slash)
        *slash = 0;
    SymSetOptions(SYMOPT_UNDNAME | SYMOPT_LOAD_LINES | SYMOPT_FAIL_CRITICAL_ERRORS);
    if (!SymInitialize(process, dir, FALSE)) {
        printf("FAIL: SymInitialize: %lu\n", (unsigned long)GetLastError());
        return 1;
    }
    c0 = cpu_ns();
    QueryPerformanceCounter(&t0);
    base = SymLoadModuleEx(process, NULL, path, NULL, MODULE_BASE, image_size, NULL, 0);
    load_ms = ms_since(t0);
    if (!base) {
        printf("FAIL: SymLoadModuleEx(%s): %lu\n", path, (unsigned long)GetLastError());
        return 1;
    }

    memset(&sym, 0, sizeof(sym));
    sym.info.SizeOfStruct = sizeof(SYMBOL_INFO);
    sym.info.MaxNameLen = MAX_SYM_NAME;
    QueryPerformanceCounter(&t0);
    BOOL first_ok = SymFromAddr(process, addresses[0], &displacement, &sym.info);
    first_sym_ms = ms_since(t0);
    index_cpu_ms = (cpu_ns() - c0) / 1e6;
    printf("first SymFromAddr(0x%llx): %s+0x%llx\n", (unsigned long long)addresses[0],
           first_ok ? sym.info.Name : "(none)", first_ok ? (unsigned long long)displacement : 0ull);
    memset(&line, 0, sizeof(line));
    line.SizeOfStruct = sizeof(line);
    QueryPerformanceCounter(&t0);
    BOOL line_ok = SymGetLineFromAddr64(process, addresses[0], &displacement32, &line);
    first_line_ms = ms_since(t0);
    printf("first SymGetLineFromAddr64: %s:%lu\n", line_ok ? line.FileName : "(none)",
           line_ok ? (unsigned long)line.LineNumber : 0ul);
    memset(&module, 0, sizeof(module));
    module.SizeOfStruct = sizeof(module);
    if (SymGetModuleInfo64(process, base, &module))
        printf("module: SymType=%d LineNumbers=%d LoadedPdbName=%s\n", (int)module.SymType,
               (int)module.LineNumbers, module.LoadedPdbName);

    c0 = cpu_ns();
    QueryPerformanceCounter(&t0);
    for (int i = 0; i < lookups; i++) {
        sym.info.SizeOfStruct = sizeof(SYMBOL_INFO);
        sym.info.MaxNameLen = MAX_SYM_NAME;
        sym_hits += SymFromAddr(process, addresses[i], &displacement, &sym.info) ? 1 : 0;
    }
    sym_ms = ms_since(t0);
    sym_cpu_ns = (cpu_ns() - c0) / lookups;
    c0 = cpu_ns();
    QueryPerformanceCounter(&t0);
    for (int i = 0; i < lookups; i++) {
        line.SizeOfStruct = sizeof(line);
        line_hits += SymGetLineFromAddr64(process, addresses[i], &displacement32, &line) ? 1 : 0;
    }
    line_ms = ms_since(t0);
    line_cpu_ns = (cpu_ns() - c0) / lookups;
    /* Again, every unit now indexed: the steady state. */
    c0 = cpu_ns();
    for (int i = 0; i < lookups; i++) {
        sym.info.SizeOfStruct = sizeof(SYMBOL_INFO);
        sym.info.MaxNameLen = MAX_SYM_NAME;
        SymFromAddr(process, addresses[i], &displacement, &sym.info);
    }
    warm_cpu_ns = (cpu_ns() - c0) / lookups;

    printf("code: %llu bytes in %d sections; %d lookups\n", (unsigned long long)total_code,
           nranges, lookups);
    printf("wall clock: SymLoadModuleEx %.1f ms, first SymFromAddr %.1f ms, first "
           "SymGetLineFromAddr64 %.1f ms\n",
           load_ms, first_sym_ms, first_line_ms);
    printf("wall clock: SymFromAddr %.0f ns/lookup (%d answered), SymGetLineFromAddr64 %.0f "
           "ns/lookup (%d answered)\n",
           sym_ms * 1e6 / lookups, sym_hits, line_ms * 1e6 / lookups, line_hits);
    printf("thread CPU time: index (SymLoadModuleEx + first SymFromAddr) %.1f ms, SymFromAddr "
           "%.0f ns/lookup, SymGetLineFromAddr64 %.0f ns/lookup, SymFromAddr again (all indexed) "
           "%.0f ns/lookup\n",
           index_cpu_ms, sym_cpu_ns, line_cpu_ns, warm_cpu_ns);
    printf("RESULT load_ms=%.1f first_sym_ms=%.1f first_line_ms=%.1f sym_ns=%.0f sym_hits=%d "
           "line_ns=%.0f line_hits=%d lookups=%d index_cpu_ms=%.1f sym_cpu_ns=%.0f "
           "line_cpu_ns=%.0f sym_warm_cpu_ns=%.0f\n",
           load_ms, first_sym_ms, first_line_ms, sym_ms * 1e6 / lookups, sym_hits,
           line_ms * 1e6 / lookups, line_hits, lookups, index_cpu_ms, sym_cpu_ns, line_cpu_ns, warm_cpu_ns);
    SymCleanup(process);
    free(addresses);
    return 0;
}
