/*
 * crashhandler: the in-process crash handler every DbgHelp user writes.
 *
 * Built with x86_64-w64-mingw32-gcc and linked against mingw-w64's own import
 * library (-ldbghelp), as a program written against <dbghelp.h> is: whichever
 * dbghelp.dll the loader picks (ours next to the exe, or Wine's builtin) does
 * the work.
 *
 * At start: SymSetOptions(SYMOPT_UNDNAME | SYMOPT_DEFERRED_LOADS) and
 * SymInitialize(GetCurrentProcess(), NULL, TRUE), then
 * SetUnhandledExceptionFilter(crash_filter). Then
 *
 *   main -> crashhandler_crash_a -> crashhandler_crash_b -> crashhandler_crash_c
 *
 * and crashhandler_crash_c writes through a NULL pointer. The three are
 * exported (__declspec(dllexport)), so the exe's export table names them and
 * SymFromAddr finds them without debug information. main is exported too.
 *
 * The filter copies the exception's CONTEXT and walks it with
 *   StackWalk64(IMAGE_FILE_MACHINE_AMD64, GetCurrentProcess(), GetCurrentThread(),
 *               &frame, &context, NULL, SymFunctionTableAccess64,
 *               SymGetModuleBase64, NULL)
 * printing module!symbol+0xoffset for each frame (SymGetModuleInfo64 with
 * SizeOfStruct = sizeof(IMAGEHLP_MODULE64), SymFromAddr with a SYMBOL_INFO
 * buffer), then exits the process with EXIT_PASS (checks passed) or
 * EXIT_FAIL.
 *
 * Checks:
 *   - SymInitialize succeeded; the filter ran for the access violation;
 *   - frames 0..3 are crash_c, crash_b, crash_a, main, identified by the
 *     RUNTIME_FUNCTION that RtlLookupFunctionEntry gives for the frame's PC
 *     (PC - 1 for return addresses);
 *   - SymFromAddr names frames 0..3 crashhandler_crash_c, ..._b, ..._a, main
 *     (with the argument "names-optional" a wrong or missing name is only
 *     reported: Wine 8.0's builtin SymFromAddr finds none of them);
 *   - SymGetModuleInfo64 knows the module of frames 0..3: this exe's base,
 *     ModuleName "crashhandler" (DbgHelp's module names have no extension);
 *   - up to main, AddrReturn is the next frame's AddrPC and AddrStack grows;
 *   - the walk ends with StackWalk64 returning FALSE within MAX_FRAMES.
 *
 * Options (after or instead of "names-optional"):
 *   ntheader  the filter takes the machine for StackWalk64 from
 *             ImageNtHeader(exe base)->FileHeader.Machine, unchecked, as game
 *             engines' crash handlers do (a NULL there crashes inside the
 *             filter); the machine must be AMD64.
 *   decoy     SymInitialize(process, NULL, FALSE) and SymLoadModuleEx(process,
 *             NULL, <this exe's full path>, NULL, base, 0, NULL, 0) instead of
 *             invading: run from a directory holding a different
 *             crashhandler.exe, the module must be this one (its
 *             TimeDateStamp and SizeOfImage, read from our own headers in
 *             memory, and LoadedImageName the full path), so the walk is right.
 *
 * Machine-readable output (one per line):
 *   EXE <path>, DBGHELP <path>, DBGHELP_BUILTIN 0|1, DBGHELP_MATCHES_FILE 0|1
 *   SYMINITIALIZE <0|1> <last error>
 *   FRAME <index> 0x<pc> <module>!<symbol>+0x<displacement> <label>
 *   PC <index> 0x<pc> <module>+0x<rva> <label>   (same format as selfwalk)
 *   FRAMES <count> ENDED <0|1> LASTERROR <n>
 *   RESULT PASS|FAIL
 */
#include <windows.h>
#include <dbghelp.h>
#include <fcntl.h>
#include <inttypes.h>
#include <io.h>
#include <stdio.h>
#include <string.h>

#include "loaded_dbghelp.h"
#include "walk_client.h"

#define MAX_FRAMES 64
#define NAMED 4 /* crash_c, crash_b, crash_a, main */
#define EXIT_PASS 42
#define EXIT_FAIL 43

__declspec(dllexport) int crashhandler_crash_a(int x);
__declspec(dllexport) int crashhandler_crash_b(int x);
__declspec(dllexport) int crashhandler_crash_c(int x);
__declspec(dllexport) int main(int argc, char **argv);

static volatile int sink;
static int *volatile null_pointer; /* volatile: the compiler cannot prove the fault */
static int failures;
static int names_optional; /* "names-optional": SymFromAddr names are only reported */
static int machine_from_headers; /* "ntheader" */
static int decoy; /* "decoy" */

struct known {
    const char *label;  /* how the frame is labelled */
    const char *symbol; /* what SymFromAddr must say */
    void *address;
    DWORD64 begin, end; /* the function's RUNTIME_FUNCTION range */
};
static struct known known[NAMED];
static char exe_module_name[MAX_PATH]; /* "crashhandler": what DbgHelp calls this exe */

static void check(int ok, const char *what)
{
    if (!ok) {
        printf("CHECK FAILED: %s\n", what);
        failures++;
    }
}

/* ---- identification, independent of dbghelp ---- */

static int function_range(DWORD64 address, DWORD64 *begin, DWORD64 *end)
{
    DWORD64 image_base = 0;
    PRUNTIME_FUNCTION entry = RtlLookupFunctionEntry(address, &image_base, NULL);
    if (!entry)
        return 0;
    *begin = image_base + entry->BeginAddress;
    *end = image_base + entry->EndAddress;
    return 1;
}

static const char *label_of(DWORD64 address)
{
    DWORD64 begin, end;
    int i;
    if (!function_range(address, &begin, &end))
        return "?";
    for (i = 0; i < NAMED; i++)
        if (known[i].begin == begin && address < known[i].end)
            return known[i].label;
    return "?";
}

/* ---- the crash handler ---- */

typedef struct {
    DWORD64 pc, ret, sp, fp;
    const char *label;
    char module[64];  /* SymGetModuleInfo64's ModuleName, or "?" */
    DWORD64 mod_base; /* its BaseOfImage */
    int have_module;
    char symbol[256]; /* SymFromAddr's name, or "?" */
    DWORD64 displacement;
    int have_symbol;
    DWORD symbol_error; /* GetLastError() after a failed SymFromAddr */
} frame_t;

static frame_t frames[MAX_FRAMES];

static LONG WINAPI crash_filter(EXCEPTION_POINTERS *info)
{
    CONTEXT context = *info->ContextRecord; /* StackWalk64 changes the context it walks */
    STACKFRAME64 frame;
    char what[256];
    int count = 0, ended = 0, i;
    DWORD last_error = 0, machine = IMAGE_FILE_MACHINE_AMD64;

    printf("EXCEPTION 0x%08lx at %p\n", (unsigned long)info->ExceptionRecord->ExceptionCode,
           info->ExceptionRecord->ExceptionAddress);
    check(info->ExceptionRecord->ExceptionCode == EXCEPTION_ACCESS_VIOLATION,
          "the exception is not the access violation");

    seed_frame(&frame, context.Rip, context.Rsp, context.Rbp);
    if (machine_from_headers) {
        /* unchecked, as the crash handlers this stands for do it */
        machine = ImageNtHeader(GetModuleHandleA(NULL))->FileHeader.Machine;
        printf("MACHINE 0x%04lx\n", (unsigned long)machine);
        check(machine == IMAGE_FILE_MACHINE_AMD64, "ImageNtHeader's Machine is not AMD64");
    }

    while (count < MAX_FRAMES) {
        frame_t *f;
        DWORD64 lookup;

        SetLastError(0);
        if (!StackWalk64(machine, GetCurrentProcess(), GetCurrentThread(),
                         &frame, &context, NULL, SymFunctionTableAccess64, SymGetModuleBase64,
                         NULL)) {
            ended = 1;
            last_error = GetLastError();
            break;
        }
        f = &frames[count];
        memset(f, 0, sizeof *f);
        f->pc = frame.AddrPC.Offset;
        f->ret = frame.AddrReturn.Offset;
        f->sp = frame.AddrStack.Offset;
        f->fp = frame.AddrFrame.Offset;
        /* A return address may be the byte after a call that ends its function. */
        lookup = count == 0 ? f->pc : f->pc - 1;
        f->label = label_of(lookup);
        f->have_module = frame_module(GetCurrentProcess(), f->pc, &f->mod_base, f->module,
                                      sizeof f->module);
        f->have_symbol = frame_symbol(GetCurrentProcess(), f->pc, lookup, &f->displacement,
                                      f->symbol, sizeof f->symbol, &f->symbol_error);
        count++;
    }

    printf("== the crash, walked by StackWalk64 from the exception's CONTEXT\n");
    printf("  #  %-18s %-18s %-18s %s\n", "AddrPC", "AddrReturn", "AddrStack", "where");
    for (i = 0; i < count; i++) {
        const frame_t *f = &frames[i];
        printf(" %2d  0x%016" PRIx64 " 0x%016" PRIx64 " 0x%016" PRIx64 " %s!%s+0x%" PRIx64
               "  [%s]",
               i, f->pc, f->ret, f->sp, f->module, f->symbol, f->displacement, f->label);
        if (!f->have_symbol)
            printf(" (SymFromAddr: last error %lu)", (unsigned long)f->symbol_error);
        printf("\n");
    }
    printf("  -> %d frames, %s (last error %lu)\n", count,
           ended ? "StackWalk64 then returned FALSE" : "did NOT end", (unsigned long)last_error);

    /* ---- checks ---- */
    check(ended, "the walk did not end with FALSE within MAX_FRAMES frames");
    check(count >= NAMED, "fewer frames than crash_c..main");
    for (i = 0; i < NAMED && i < count; i++) {
        const frame_t *f = &frames[i];
        snprintf(what, sizeof what, "frame %d is %s, expected %s", i, f->label, known[i].label);
        check(strcmp(f->label, known[i].label) == 0, what);
        check(symbol_checked(i, f->have_symbol, f->symbol, known[i].symbol, names_optional, what,
                             sizeof what),
              what);
        snprintf(what, sizeof what, "frame %d: SymGetModuleInfo64 failed or gave base 0x%" PRIx64
                 ", expected this exe's 0x%" PRIx64, i, f->mod_base,
                 (DWORD64)(ULONG_PTR)GetModuleHandleA(NULL));
        check(f->have_module && f->mod_base == (DWORD64)(ULONG_PTR)GetModuleHandleA(NULL), what);
        snprintf(what, sizeof what, "frame %d: SymGetModuleInfo64 ModuleName '%s', expected '%s'"
                 " (DbgHelp's module name: the image's base name without extension)", i,
                 f->module, exe_module_name);
        check(!f->have_module || strcmp(f->module, exe_module_name) == 0, what);
    }
    for (i = 0; i + 1 < NAMED && i + 1 < count; i++) {
        snprintf(what, sizeof what, "frame %d AddrReturn 0x%" PRIx64 " != frame %d AddrPC 0x%" PRIx64,
                 i, frames[i].ret, i + 1, frames[i + 1].pc);
        check(frames[i].ret == frames[i + 1].pc, what);
        snprintf(what, sizeof what, "frame %d AddrStack 0x%" PRIx64 " not above frame %d's 0x%" PRIx64,
                 i + 1, frames[i + 1].sp, i, frames[i].sp);
        check(frames[i + 1].sp > frames[i].sp, what);
    }

    for (i = 0; i < count; i++) {
        const frame_t *f = &frames[i];
        HMODULE module = NULL;
        char path[MAX_PATH];
        const char *name = "?";
        DWORD64 rva = f->pc;
        DWORD64 lookup = i == 0 ? f->pc : f->pc - 1;
        printf("FRAME %d 0x%016" PRIx64 " %s!%s+0x%" PRIx64 " %s\n", i, f->pc, f->module,
               f->symbol, f->displacement, f->label);
        /* module+rva from the loader, not from dbghelp, so both runs agree */
        if (GetModuleHandleExA(GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS |
                                   GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT,
                               (LPCSTR)(ULONG_PTR)lookup, &module)) {
            DWORD n = GetModuleFileNameA(module, path, sizeof path);
            if (n > 0 && n < sizeof path) {
                name = strrchr(path, '\\');
                name = name ? name + 1 : path;
            }
            rva = f->pc - (DWORD64)(ULONG_PTR)module;
        }
        printf("PC %d 0x%016" PRIx64 " %s+0x%" PRIx64 " %s\n", i, f->pc, name, rva, f->label);
    }
    printf("FRAMES %d ENDED %d LASTERROR %lu\n", count, ended, (unsigned long)last_error);
    printf("RESULT %s\n", failures ? "FAIL" : "PASS");
    fflush(stdout);
    SymCleanup(GetCurrentProcess());
    ExitProcess(failures ? EXIT_FAIL : EXIT_PASS);
    return EXCEPTION_EXECUTE_HANDLER; /* not reached */
}

/* ---- decoy: the module loaded by its full path is this exe ---- */

static void load_by_full_path(const char *exe)
{
    const BYTE *base = (const BYTE *)GetModuleHandleA(NULL);
    const IMAGE_NT_HEADERS64 *nt =
        (const IMAGE_NT_HEADERS64 *)(base + ((const IMAGE_DOS_HEADER *)base)->e_lfanew);
    IMAGEHLP_MODULE64 info;
    DWORD64 loaded;
    char what[600];

    SetLastError(0);
    loaded = SymLoadModuleEx(GetCurrentProcess(), NULL, exe, NULL, (DWORD64)(ULONG_PTR)base, 0,
                             NULL, 0);
    printf("DECOY_LOAD 0x%" PRIx64 " %lu\n", loaded, (unsigned long)GetLastError());
    check(loaded == (DWORD64)(ULONG_PTR)base, "SymLoadModuleEx(full path) did not load at the base");
    memset(&info, 0, sizeof info);
    info.SizeOfStruct = sizeof info;
    if (!SymGetModuleInfo64(GetCurrentProcess(), (DWORD64)(ULONG_PTR)base, &info)) {
        check(0, "SymGetModuleInfo64 failed for the exe loaded by its full path");
        return;
    }
    printf("DECOY_MODULE %08lx %08lx %s\n", (unsigned long)info.TimeDateStamp,
           (unsigned long)info.ImageSize, info.LoadedImageName);
    snprintf(what, sizeof what, "loaded TimeDateStamp %08lx SizeOfImage %08lx, this exe's %08lx %08lx"
             " (the decoy in the current directory was loaded?)", (unsigned long)info.TimeDateStamp,
             (unsigned long)info.ImageSize, (unsigned long)nt->FileHeader.TimeDateStamp,
             (unsigned long)nt->OptionalHeader.SizeOfImage);
    check(info.TimeDateStamp == nt->FileHeader.TimeDateStamp &&
              info.ImageSize == nt->OptionalHeader.SizeOfImage, what);
    snprintf(what, sizeof what, "LoadedImageName '%s', expected '%s'", info.LoadedImageName, exe);
    check(_stricmp(info.LoadedImageName, exe) == 0, what);
}

/* ---- the crashing call chain ---- */

__declspec(dllexport) __attribute__((noinline, noipa)) int crashhandler_crash_c(int x)
{
    *null_pointer = x; /* the access violation */
    sink = x;
    return x + sink;
}

__declspec(dllexport) __attribute__((noinline, noipa)) int crashhandler_crash_b(int x)
{
    int r = crashhandler_crash_c(x * 3 + 1);
    sink = r; /* a use after the call: no tail call */
    return r + sink;
}

__declspec(dllexport) __attribute__((noinline, noipa)) int crashhandler_crash_a(int x)
{
    int r = crashhandler_crash_b(x + 7);
    sink = r;
    return r * 2 + sink;
}

__declspec(dllexport) int main(int argc, char **argv)
{
    char exe[MAX_PATH], dll[MAX_PATH];
    HMODULE dbghelp;
    BOOL ok;
    int i, r;

    for (i = 1; i < argc; i++) {
        names_optional |= strcmp(argv[i], "names-optional") == 0;
        machine_from_headers |= strcmp(argv[i], "ntheader") == 0;
        decoy |= strcmp(argv[i], "decoy") == 0;
    }
    _setmode(_fileno(stdout), _O_BINARY); /* "\n", not "\r\n", for the scripts */

    known[0] = (struct known){"crash_c", "crashhandler_crash_c", (void *)crashhandler_crash_c, 0, 0};
    known[1] = (struct known){"crash_b", "crashhandler_crash_b", (void *)crashhandler_crash_b, 0, 0};
    known[2] = (struct known){"crash_a", "crashhandler_crash_a", (void *)crashhandler_crash_a, 0, 0};
    known[3] = (struct known){"main", "main", (void *)main, 0, 0};
    for (i = 0; i < NAMED; i++) {
        if (!function_range((DWORD64)(ULONG_PTR)known[i].address, &known[i].begin, &known[i].end) ||
            known[i].begin != (DWORD64)(ULONG_PTR)known[i].address) {
            printf("setup: no function entry starting at %s (%p)\n", known[i].label,
                   known[i].address);
            failures++;
        }
    }

    GetModuleFileNameA(NULL, exe, sizeof exe);
    {
        const char *base = strrchr(exe, '\\');
        char *dot;
        snprintf(exe_module_name, sizeof exe_module_name, "%s", base ? base + 1 : exe);
        dot = strrchr(exe_module_name, '.');
        if (dot)
            *dot = 0;
    }
    dbghelp = loaded_dbghelp(dll, sizeof dll);
    print_loaded(exe, dbghelp, dll);
    for (i = 0; i < NAMED; i++)
        printf("function %-8s at %p (exported as %s)\n", known[i].label, known[i].address,
               known[i].symbol);

    /* What a crash handler does at install time. */
    SymSetOptions(SYMOPT_UNDNAME | SYMOPT_DEFERRED_LOADS);
    SetLastError(0);
    ok = SymInitialize(GetCurrentProcess(), NULL, !decoy);
    printf("SYMINITIALIZE %d %lu\n", ok ? 1 : 0, (unsigned long)(ok ? 0 : GetLastError()));
    check(ok, "SymInitialize(GetCurrentProcess(), NULL, TRUE) failed");
    if (decoy)
        load_by_full_path(exe);
    SetUnhandledExceptionFilter(crash_filter);
    fflush(stdout);

    r = crashhandler_crash_a(argc);
    sink = r;

    /* Only if the write through NULL did not fault. */
    printf("CHECK FAILED: crashhandler_crash_c returned\nRESULT FAIL\n");
    fflush(stdout);
    return EXIT_FAIL;
}
