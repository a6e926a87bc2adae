/*
 * wine_bench: an x64 Windows program that walks its own stack with
 * StackWalk64, many times, and prints what one frame costs.
 *
 * Built with x86_64-w64-mingw32-gcc against mingw-w64's own import library
 * (-ldbghelp), so whichever dbghelp.dll the loader picks is measured: ours
 * (next to the exe, WINEDLLOVERRIDES=dbghelp=n) or Wine's builtin
 * (dbghelp=b). run-wine-bench.sh runs both.
 *
 *   wine_bench.exe [walks [slow-walks]]      (defaults 2000, 200)
 *
 * It recurses through noinline, non-tail-calling functions of two shapes (a
 * plain one and one with a variable-length array, which gets an RBP frame),
 * captures its context with RtlCaptureContext at the bottom, makes a
 * reference walk with RtlVirtualUnwind, then, after SymInitialize(invade),
 * walks its own stack with each routine set in turn (`sets` below: a memcpy
 * read or ReadProcessMemory or a 1 us read or NULL; its own
 * RtlLookupFunctionEntry routines or SymFunctionTableAccess64 +
 * SymGetModuleBase64 or NULL; once with 1000 more modules registered), timed
 * with QueryPerformanceCounter, and prints one RESULT line per set: ns per
 * frame, read callbacks and bytes per frame. The ReadProcessMemory and NULL
 * sets are walked `slow-walks` times (a wineserver round trip per read).
 * Prints figures only; asserts nothing about time.
 */
#define _WIN32_WINNT 0x0602 /* GetCurrentThreadStackLimits */
#include <windows.h>
#include <dbghelp.h>
#include <psapi.h>
#include <stdio.h>
#include <stdlib.h>

#ifndef RECURSION
#define RECURSION 30 /* with main, the CRT start-up and Wine's thread start: 37 frames */
#endif
#define MAX_FRAMES 512

static CONTEXT captured;
static LONGLONG read_calls, read_bytes;
static LONGLONG read_ticks; /* time spent inside ReadProcessMemory */

static LONGLONG ticks(void)
{
    LARGE_INTEGER t;
    QueryPerformanceCounter(&t);
    return t.QuadPart;
}
static volatile int sink;

/* This thread's CPU time in ns (GetThreadTimes): on a loaded machine the
 * wall clock mostly measures other jobs. Excludes wineserver's time. */
static double cpu_ns(void)
{
    FILETIME created, exited, kernel, user;
    if (!GetThreadTimes(GetCurrentThread(), &created, &exited, &kernel, &user))
        return 0;
    return ((double)(((ULONGLONG)kernel.dwHighDateTime << 32) | kernel.dwLowDateTime) +
            (double)(((ULONGLONG)user.dwHighDateTime << 32) | user.dwLowDateTime)) * 100.0;
}

static BOOL WINAPI counting_read(HANDLE process, DWORD64 address, PVOID buffer, DWORD size,
                                 LPDWORD read)
{
    SIZE_T n = 0;
    LONGLONG t0 = ticks();
    BOOL ok = ReadProcessMemory(process, (LPCVOID)(ULONG_PTR)address, buffer, size, &n);

    read_ticks += ticks() - t0;
    read_calls++;
    read_bytes += (LONGLONG)n;
    if (read)
        *read = (DWORD)n;
    return ok;
}

static PVOID WINAPI function_table(HANDLE process, DWORD64 address)
{
    DWORD64 base;
    (void)process;
    return RtlLookupFunctionEntry(address, &base, NULL);
}

static DWORD64 WINAPI module_base(HANDLE process, DWORD64 address)
{
    DWORD64 base = 0;
    HMODULE module;
    (void)process;
    if (!RtlLookupFunctionEntry(address, &base, NULL)) {
        base = 0;
        if (GetModuleHandleExA(GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS |
                                   GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT,
                               (LPCSTR)(ULONG_PTR)address, &module))
            base = (DWORD64)(ULONG_PTR)module;
    }
    return base;
}

/* The cheapest read a client can pass: the target is this process, so a
 * copy (what an in-process crash handler or a profiler over a snapshot does). */
struct readable {
    DWORD64 start, end;
};
static struct readable readable[256];
static int nreadable;

/* What memcpy_read may touch: this thread's stack and every loaded image
 * (a walk can be handed a bogus address at the stack's end; a copy from it
 * would fault, where ReadProcessMemory fails). */
static void note_readable(void)
{
    HMODULE modules[255];
    DWORD needed = 0;
    ULONG_PTR low = 0, high = 0;

    GetCurrentThreadStackLimits(&low, &high);
    readable[0].start = low;
    readable[0].end = high;
    nreadable = 1;
    if (!EnumProcessModules(GetCurrentProcess(), modules, sizeof(modules), &needed))
        return;
    for (DWORD i = 0; i < needed / sizeof(HMODULE) && i < 255; i++) {
        const IMAGE_DOS_HEADER *dos = (const IMAGE_DOS_HEADER *)modules[i];
        const IMAGE_NT_HEADERS64 *nt =
            (const IMAGE_NT_HEADERS64 *)((const char *)modules[i] + dos->e_lfanew);
        readable[nreadable].start = (DWORD64)(ULONG_PTR)modules[i];
        readable[nreadable].end = readable[nreadable].start + nt->OptionalHeader.SizeOfImage;
        nreadable++;
    }
}

static BOOL WINAPI memcpy_read(HANDLE process, DWORD64 address, PVOID buffer, DWORD size,
                               LPDWORD read)
{
    int i = 0;
    (void)process;
    read_calls++;
    while (i < nreadable && !(address >= readable[i].start && address < readable[i].end &&
                              size <= readable[i].end - address))
        i++;
    if (i == nreadable) {
        if (read)
            *read = 0;
        return FALSE;
    }
    read_bytes += size;
    memcpy(buffer, (const void *)(ULONG_PTR)address, size);
    if (read)
        *read = size;
    return TRUE;
}

/* A read that costs about a microsecond per call, as ReadProcessMemory does on
 * Windows (under Wine it costs tens of µs): what matters is how few calls. */
static LONGLONG slow_read_ticks; /* QueryPerformanceCounter ticks in 1 µs */
static BOOL WINAPI slow_read(HANDLE process, DWORD64 address, PVOID buffer, DWORD size,
                             LPDWORD read)
{
    LONGLONG until = ticks() + slow_read_ticks;
    while (ticks() < until)
        ;
    return memcpy_read(process, address, buffer, size, read);
}

/* The routine sets the benchmark walks with, each row of the summary. */
struct routine_set {
    const char *key, *name;
    PREAD_PROCESS_MEMORY_ROUTINE64 read;
    PFUNCTION_TABLE_ACCESS_ROUTINE64 table;
    PGET_MODULE_BASE_ROUTINE64 base;
    int slow;     /* walked `slow_walks` times, not `walks` */
    int modules;  /* extra virtual modules registered before it */
};

static const struct routine_set *current_set;

/* One walk of the captured context with the current set; PCs into `pcs`. */
static int walk(DWORD64 *pcs, int max)
{
    CONTEXT context = captured;
    STACKFRAME64 frame;
    HANDLE process = GetCurrentProcess(), thread = GetCurrentThread();
    int n = 0;

    memset(&frame, 0, sizeof(frame));
    frame.AddrPC.Offset = context.Rip;
    frame.AddrPC.Mode = AddrModeFlat;
    frame.AddrFrame.Offset = context.Rbp;
    frame.AddrFrame.Mode = AddrModeFlat;
    frame.AddrStack.Offset = context.Rsp;
    frame.AddrStack.Mode = AddrModeFlat;
    while (n < MAX_FRAMES &&
           StackWalk64(IMAGE_FILE_MACHINE_AMD64, process, thread, &frame, &context,
                       current_set->read, current_set->table, current_set->base, NULL)) {
        if (pcs && n < max)
            pcs[n] = frame.AddrPC.Offset;
        n++;
    }
    return n;
}

/* The same walk done with ntdll's RtlVirtualUnwind, for reference. */
static int reference_walk(DWORD64 *pcs, int max)
{
    CONTEXT context = captured;
    int n = 0;

    while (n < max && context.Rip) {
        DWORD64 base = 0, establisher = 0, old_rsp = context.Rsp;
        PVOID handler_data = NULL;
        PRUNTIME_FUNCTION entry;

        pcs[n++] = context.Rip;
        entry = RtlLookupFunctionEntry(context.Rip - (n > 1 ? 1 : 0), &base, NULL);
        if (entry) {
            RtlVirtualUnwind(UNW_FLAG_NHANDLER, base, context.Rip, entry, &context,
                             &handler_data, &establisher, NULL);
        } else {
            context.Rip = *(DWORD64 *)(ULONG_PTR)context.Rsp;
            context.Rsp += 8;
        }
        if (context.Rsp <= old_rsp)
            break;
    }
    return n;
}

static void describe(DWORD64 pc)
{
    HMODULE module = NULL;
    char name[MAX_PATH] = "?";
    const char *base_name;

    if (GetModuleHandleExA(GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS |
                               GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT,
                           (LPCSTR)(ULONG_PTR)pc, &module))
        GetModuleFileNameA(module, name, sizeof(name));
    base_name = strrchr(name, '\\') ? strrchr(name, '\\') + 1 : name;
    printf("%s+0x%llx", base_name,
           (unsigned long long)(pc - (DWORD64)(ULONG_PTR)(module ? module : 0)));
}

static const struct routine_set sets[] = {
    {"memcpy-rtl", "memcpy read + own RtlLookupFunctionEntry routines", memcpy_read,
     function_table, module_base, 0, 0},
    {"memcpy-sym", "memcpy read + SymFunctionTableAccess64/SymGetModuleBase64", memcpy_read,
     SymFunctionTableAccess64, SymGetModuleBase64, 0, 0},
    {"null-null", "NULL read (dbghelp's ReadProcessMemory) + NULL table routines", NULL, NULL,
     NULL, 1, 0},
    {"rpm-rtl", "ReadProcessMemory read + own RtlLookupFunctionEntry routines", counting_read,
     function_table, module_base, 1, 0},
    {"slow-sym", "1 us read (memcpy + spin) + SymFunctionTableAccess64/SymGetModuleBase64",
     slow_read, SymFunctionTableAccess64, SymGetModuleBase64, 0, 0},
    {"memcpy-sym-1000", "memcpy read + Sym routines, 1000 more modules registered", memcpy_read,
     SymFunctionTableAccess64, SymGetModuleBase64, 0, 1000},
};

/* Virtual modules (no file) far above every real one: the Sym routines must
 * find the walk's modules among them. */
static int register_modules(int count)
{
    HANDLE process = GetCurrentProcess();
    char name[32];
    int done = 0;
    for (int i = 0; i < count; i++) {
        snprintf(name, sizeof(name), "virt%04d", i);
        /* Wine's builtin wants an image name even for a virtual module. */
        if (SymLoadModuleEx(process, NULL, name, name, 0x7e0000000000ull + (DWORD64)i * 0x100000,
                            0x10000, NULL, SLMFLAG_VIRTUAL))
            done++;
    }
    return done;
}

static int run_set(const struct routine_set *set, int walks, int ref_frames, const DWORD64 *ref)
{
    static DWORD64 pcs[MAX_FRAMES];
    LARGE_INTEGER freq, t0, t1;
    int frames, same = 0, total = 0, registered = 0;
    double ns, cpu;

    current_set = set;
    if (set->modules)
        registered = register_modules(set->modules);
    frames = walk(pcs, MAX_FRAMES);
    while (same < frames && same < ref_frames && pcs[same] == ref[same])
        same++;
    printf("\n[%s] %s", set->key, set->name);
    if (set->modules)
        printf(" (%d registered)", registered);
    printf("\nframes/walk: %d, the first %d identical to the reference walk\n", frames, same);
    if (same < ref_frames - 1) /* the last frame may differ: where the stack ends */
        for (int i = same; i < frames && i < same + 3; i++) {
            printf("  #%-3d ", i);
            describe(pcs[i]);
            printf("\n");
        }
    for (int i = 0; i < 3; i++) /* warm up */
        walk(NULL, 0);
    read_calls = read_bytes = read_ticks = 0;
    QueryPerformanceFrequency(&freq);
    cpu = cpu_ns();
    QueryPerformanceCounter(&t0);
    for (int i = 0; i < walks; i++) {
        int n = walk(NULL, 0);
        if (n != frames) {
            printf("FAIL: walk %d gave %d frames, the first %d\n", i, n, frames);
            return 1;
        }
        total += n;
    }
    QueryPerformanceCounter(&t1);
    cpu = cpu_ns() - cpu;
    if (!total)
        return 1;
    ns = (double)(t1.QuadPart - t0.QuadPart) * 1e9 / (double)freq.QuadPart;
    /* NULL read: dbghelp reads by itself, nothing to count. */
    printf("walks: %d, %.1f ms, %.1f ns/frame (thread CPU time %.1f ns/frame)", walks, ns / 1e6,
           ns / total, cpu / total);
    if (set->read)
        printf(", %.3f read callbacks/frame, %.1f bytes/frame", (double)read_calls / total,
               (double)read_bytes / total);
    if (set->read == counting_read)
        printf(", %.1f ns/frame in dbghelp itself (ReadProcessMemory excluded)",
               ns / total - read_ticks * 1e9 / (double)freq.QuadPart / total);
    printf("\nRESULT set=%s frames=%d identical=%d ns_per_frame=%.1f callbacks_per_frame=%s%.3f "
           "bytes_per_frame=%.1f cpu_ns_per_frame=%.1f\n",
           set->key, frames, same, ns / total, set->read ? "" : "-",
           set->read ? (double)read_calls / total : 0.0,
           set->read ? (double)read_bytes / total : 0.0, cpu / total);
    return 0;
}

static int run(int walks, int slow_walks)
{
    static DWORD64 ref[MAX_FRAMES];
    char path[MAX_PATH] = "(not loaded)";
    HMODULE dbghelp = GetModuleHandleA("dbghelp.dll");
    LARGE_INTEGER freq;
    int ref_frames, status = 0;

    if (dbghelp)
        GetModuleFileNameA(dbghelp, path, sizeof(path));
    /* Wine marks its own PE modules with this string after the DOS header. */
    printf("dbghelp.dll: %s%s\n", path,
           dbghelp && !memcmp((const char *)dbghelp + 0x40, "Wine builtin DLL", 16)
               ? " (Wine builtin)"
               : "");
    QueryPerformanceFrequency(&freq);
    slow_read_ticks = freq.QuadPart / 1000000 > 0 ? freq.QuadPart / 1000000 : 1;
    /* The Sym routines (and NULL ones) need a session knowing the modules. */
    if (!SymInitialize(GetCurrentProcess(), NULL, TRUE))
        printf("SymInitialize failed: %lu\n", GetLastError());
    note_readable();
    ref_frames = reference_walk(ref, MAX_FRAMES);
    printf("reference walk with RtlVirtualUnwind: %d frames\n", ref_frames);
    for (size_t i = 0; i < sizeof(sets) / sizeof(sets[0]); i++)
        status |= run_set(&sets[i], sets[i].slow ? slow_walks : walks, ref_frames, ref);
    SymCleanup(GetCurrentProcess());
    return status;
}

static int walks_wanted = 2000, slow_walks_wanted = 200;
static int bench_status = 1;

__attribute__((noinline)) static int at_bottom(void)
{
    RtlCaptureContext(&captured);
    bench_status = run(walks_wanted, slow_walks_wanted);
    return bench_status + sink;
}

__attribute__((noinline)) static int recurse_vla(int n);

/* A plain frame: a few callee-saved registers, a small allocation. */
__attribute__((noinline)) static int recurse_plain(int n)
{
    int a = sink + n, b = sink * 3, c = sink ^ n, r;
    if (n == 0)
        return at_bottom();
    r = (n & 1) ? recurse_vla(n - 1) : recurse_plain(n - 1);
    return r + a + b + c + sink; /* work after the call: no tail call */
}

/* A variable-length array forces an RBP frame (SET_FPREG). */
__attribute__((noinline)) static int recurse_vla(int n)
{
    volatile char pad[16 + (n & 7) * 16];
    int r;
    pad[0] = (char)n;
    if (n == 0)
        return at_bottom();
    r = (n % 3) ? recurse_plain(n - 1) : recurse_vla(n - 1);
    return r + pad[0] + sink;
}

int main(int argc, char **argv)
{
    if (argc > 1)
        walks_wanted = atoi(argv[1]) > 0 ? atoi(argv[1]) : walks_wanted;
    if (argc > 2)
        slow_walks_wanted = atoi(argv[2]) > 0 ? atoi(argv[2]) : slow_walks_wanted;
    setvbuf(stdout, NULL, _IONBF, 0);
    sink = recurse_plain(RECURSION);
    return bench_status;
}
