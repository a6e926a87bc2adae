/*
 * wine_bench: an x64 Windows program that walks its own stack with
 * StackWalk64, many times, and prints what one frame costs.
 *
 * Built with x86_64-w64-mingw32-gcc against mingw-w64's own import library
 * (-ldbghelp), so whichever dbghelp.dll the loader picks is measured: ours
 * (next to the exe, WINEDLLOVERRIDES=dbghelp=n) or Wine's builtin
 * (dbghelp=b). run-wine-bench.sh runs both.
 *
 *   wine_bench.exe [walks]      (default 2000)
 *
 * It recurses through noinline, non-tail-calling functions of two shapes (a
 * plain one and one with a variable-length array, which gets an RBP frame),
 * captures its context with RtlCaptureContext at the bottom, checks one walk
 * against a reference walk made with RtlVirtualUnwind, then times `walks`
 * walks with QueryPerformanceCounter. Callbacks: a read routine that wraps
 * ReadProcessMemory and counts calls and bytes; RtlLookupFunctionEntry for the
 * function table and the module base (GetModuleHandleEx for addresses without
 * an entry). Prints figures only; asserts nothing about time.
 */
#include <windows.h>
#include <dbghelp.h>
#include <stdio.h>
#include <stdlib.h>

#ifndef RECURSION
#define RECURSION 30 /* with main, the CRT start-up and Wine's thread start: 37 frames */
#endif
#define MAX_FRAMES 512

static CONTEXT captured;
static LONGLONG read_calls, read_bytes;
static LONGLONG read_ticks, lookup_ticks; /* time spent inside our callbacks */

static LONGLONG ticks(void)
{
    LARGE_INTEGER t;
    QueryPerformanceCounter(&t);
    return t.QuadPart;
}
static volatile int sink;

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
    LONGLONG t0 = ticks();
    PVOID entry = RtlLookupFunctionEntry(address, &base, NULL);
    (void)process;
    lookup_ticks += ticks() - t0;
    return entry;
}

static DWORD64 WINAPI module_base(HANDLE process, DWORD64 address)
{
    DWORD64 base = 0;
    HMODULE module;
    LONGLONG t0 = ticks();
    (void)process;
    if (!RtlLookupFunctionEntry(address, &base, NULL)) {
        base = 0;
        if (GetModuleHandleExA(GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS |
                                   GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT,
                               (LPCSTR)(ULONG_PTR)address, &module))
            base = (DWORD64)(ULONG_PTR)module;
    }
    lookup_ticks += ticks() - t0;
    return base;
}

/* One walk of the captured context; the frames' PCs into `pcs`. */
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
           StackWalk64(IMAGE_FILE_MACHINE_AMD64, process, thread, &frame, &context, counting_read,
                       function_table, module_base, NULL)) {
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

static int run(int walks)
{
    static DWORD64 pcs[MAX_FRAMES], ref[MAX_FRAMES];
    LARGE_INTEGER freq, t0, t1;
    char path[MAX_PATH] = "(not loaded)";
    HMODULE dbghelp = GetModuleHandleA("dbghelp.dll");
    int frames, ref_frames, same = 0, total = 0;
    double ns;

    if (dbghelp)
        GetModuleFileNameA(dbghelp, path, sizeof(path));
    /* Wine marks its own PE modules with this string after the DOS header. */
    printf("dbghelp.dll: %s%s\n", path,
           dbghelp && !memcmp((const char *)dbghelp + 0x40, "Wine builtin DLL", 16)
               ? " (Wine builtin)"
               : "");

    frames = walk(pcs, MAX_FRAMES);
    ref_frames = reference_walk(ref, MAX_FRAMES);
    while (same < frames && same < ref_frames && pcs[same] == ref[same])
        same++;
    printf("frames/walk: %d (reference walk with RtlVirtualUnwind: %d frames, the first %d "
           "identical)\n",
           frames, ref_frames, same);
    for (int i = 0; i < frames || i < ref_frames; i++) {
        if (i < frames && i < ref_frames && pcs[i] == ref[i] && i != 0 && i + 3 < same)
            continue; /* print the ends and any difference */
        printf("  #%-3d ", i);
        if (i < frames)
            describe(pcs[i]);
        else
            printf("-");
        if (!(i < frames && i < ref_frames && pcs[i] == ref[i])) {
            printf("   reference: ");
            if (i < ref_frames)
                describe(ref[i]);
            else
                printf("-");
        }
        printf("\n");
    }

    for (int i = 0; i < 10; i++) /* warm up */
        walk(NULL, 0);
    read_calls = read_bytes = read_ticks = lookup_ticks = 0;
    QueryPerformanceFrequency(&freq);
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
    ns = (double)(t1.QuadPart - t0.QuadPart) * 1e9 / (double)freq.QuadPart;
    printf("walks: %d, %.1f ms\n", walks, ns / 1e6);
    printf("ns/frame: %.1f\n", ns / total);
    printf("read callbacks/frame: %.3f\n", (double)read_calls / total);
    printf("bytes read/frame: %.1f\n", (double)read_bytes / total);
    printf("of the ns/frame: %.1f in the read routine (ReadProcessMemory), %.1f in the "
           "function-table and module-base routines, %.1f elsewhere (dbghelp itself)\n",
           read_ticks * 1e9 / (double)freq.QuadPart / total,
           lookup_ticks * 1e9 / (double)freq.QuadPart / total,
           ns / total - (read_ticks + lookup_ticks) * 1e9 / (double)freq.QuadPart / total);
    printf("RESULT frames=%d ns_per_frame=%.1f callbacks_per_frame=%.3f bytes_per_frame=%.1f "
           "reference_frames=%d identical=%d dbghelp_own_ns_per_frame=%.1f\n",
           frames, ns / total, (double)read_calls / total, (double)read_bytes / total,
           ref_frames, same,
           ns / total - (read_ticks + lookup_ticks) * 1e9 / (double)freq.QuadPart / total);
    fflush(stdout);
    return 0;
}

static int walks_wanted = 2000;
static int bench_status = 1;

__attribute__((noinline)) static int at_bottom(void)
{
    RtlCaptureContext(&captured);
    bench_status = run(walks_wanted);
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
    setvbuf(stdout, NULL, _IONBF, 0);
    sink = recurse_plain(RECURSION);
    return bench_status;
}
