/*
 * selfwalk: an x64 Windows program that walks its own stack with StackWalk64.
 *
 * Built with x86_64-w64-mingw32-gcc and linked against mingw-w64's own import
 * library (-ldbghelp), exactly as an ordinary program written against
 * <dbghelp.h> would be: whichever dbghelp.dll the loader picks (ours next to
 * the exe, or the system's) does the walk.
 *
 *   main -> level_a -> level_b -> level_c -> walk_here
 *
 * walk_here captures its own context with RtlCaptureContext and walks twice:
 * once with a counting ReadProcessMemory wrapper as ReadMemoryRoutine, once
 * with a NULL one. The function-table routine is RtlLookupFunctionEntry, the
 * module-base routine GetModuleHandleEx(FROM_ADDRESS).
 *
 * Checks (exit status 0 only if all pass):
 *   - the first five frames are walk_here, level_c, level_b, level_a, main, in
 *     that order, in both passes;
 *   - up to main, each frame's AddrReturn is the next frame's AddrPC and
 *     AddrStack strictly grows;
 *   - each walk ends with FALSE within MAX_FRAMES frames;
 *   - both passes give the same number of frames and identical PCs;
 *   - the counting read routine was called.
 *
 * Output: a human-readable table per pass, and machine-readable lines
 *   EXE <path of this exe>
 *   DBGHELP <path of the loaded dbghelp.dll>
 *   DBGHELP_BUILTIN 0|1       (1: the image carries Wine's "Wine builtin DLL" mark)
 *   DBGHELP_MATCHES_FILE 0|1  (1: the mapped image's headers are those of the file at
 *                              that path; Wine reports a builtin loaded in place of a
 *                              file under that file's path, so the path alone proves
 *                              nothing)
 *   PC <index> 0x<pc> <module>+0x<rva> <label>      (pass 1, every frame)
 *   RESULT PASS|FAIL
 *
 * With the argument "demo" it prints only a readable frame list (pass 1) and
 * exits 0 if the same checks pass.
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
#define NAMED 5 /* walk_here, level_c, level_b, level_a, main */

typedef struct {
    DWORD64 pc, ret, sp, fp;
    const char *label;
    char module[64];
    DWORD64 rva;
} frame_t;

typedef struct {
    frame_t frames[MAX_FRAMES];
    int count;
    int ended;      /* StackWalk64 returned FALSE */
    DWORD last_error;
    LONG reads;     /* calls to the counting read routine */
} walk_t;

static volatile int sink;
static int demo_mode;
static int failures;

/* ---- the walker's callbacks ---- */

static PVOID WINAPI table_access(HANDLE process, DWORD64 address)
{
    DWORD64 image_base = 0;
    (void)process;
    return RtlLookupFunctionEntry(address, &image_base, NULL);
}

static DWORD64 WINAPI module_base(HANDLE process, DWORD64 address)
{
    HMODULE module = NULL;
    (void)process;
    if (!GetModuleHandleExA(GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS |
                                GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT,
                            (LPCSTR)(ULONG_PTR)address, &module))
        return 0;
    return (DWORD64)(ULONG_PTR)module;
}

/* ---- labels ---- */

struct known {
    const char *name;
    void *address;
    DWORD64 begin; /* from RtlLookupFunctionEntry */
};
static struct known known[NAMED];

static DWORD64 function_begin(DWORD64 address)
{
    DWORD64 image_base = 0;
    PRUNTIME_FUNCTION entry = RtlLookupFunctionEntry(address, &image_base, NULL);
    return entry ? image_base + entry->BeginAddress : 0;
}

static void describe(frame_t *f, int index)
{
    /* A return address may be the byte after a call that ends its function. */
    DWORD64 lookup = index == 0 ? f->pc : f->pc - 1;
    DWORD64 begin = function_begin(lookup);
    HMODULE module = NULL;
    int i;

    f->label = "?";
    for (i = 0; begin && i < NAMED; i++)
        if (known[i].begin == begin)
            f->label = known[i].name;

    strcpy(f->module, "?");
    f->rva = f->pc;
    if (GetModuleHandleExA(GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS |
                               GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT,
                           (LPCSTR)(ULONG_PTR)lookup, &module)) {
        char path[MAX_PATH];
        DWORD n = GetModuleFileNameA(module, path, sizeof path);
        if (n > 0 && n < sizeof path) {
            const char *base = strrchr(path, '\\');
            base = base ? base + 1 : path;
            snprintf(f->module, sizeof f->module, "%s", base);
        }
        f->rva = f->pc - (DWORD64)(ULONG_PTR)module;
    }
}

/* ---- one walk ---- */

static void walk(const CONTEXT *seed, PREAD_PROCESS_MEMORY_ROUTINE64 read, walk_t *w)
{
    CONTEXT context = *seed;
    STACKFRAME64 frame;

    seed_frame(&frame, context.Rip, context.Rsp, context.Rsp);

    w->count = 0;
    w->ended = 0;
    read_calls = 0;
    while (w->count < MAX_FRAMES) {
        frame_t *f;
        SetLastError(0);
        if (!StackWalk64(IMAGE_FILE_MACHINE_AMD64, GetCurrentProcess(), GetCurrentThread(),
                         &frame, &context, read, table_access, module_base, NULL)) {
            w->ended = 1;
            w->last_error = GetLastError();
            break;
        }
        f = &w->frames[w->count];
        f->pc = frame.AddrPC.Offset;
        f->ret = frame.AddrReturn.Offset;
        f->sp = frame.AddrStack.Offset;
        f->fp = frame.AddrFrame.Offset;
        describe(f, w->count);
        w->count++;
    }
    w->reads = read_calls;
}

static void check(int ok, const char *what, int pass)
{
    if (!ok) {
        printf("CHECK FAILED (pass %d): %s\n", pass, what);
        failures++;
    }
}

static void check_walk(const walk_t *w, int pass)
{
    char what[160];
    int i;

    check(w->ended, "the walk did not end with FALSE within MAX_FRAMES frames", pass);
    check(w->count >= NAMED, "fewer frames than walk_here..main", pass);
    for (i = 0; i < NAMED && i < w->count; i++) {
        snprintf(what, sizeof what, "frame %d is %s, expected %s", i, w->frames[i].label,
                 known[i].name);
        check(strcmp(w->frames[i].label, known[i].name) == 0, what, pass);
    }
    for (i = 0; i + 1 < NAMED && i + 1 < w->count; i++) {
        snprintf(what, sizeof what, "frame %d AddrReturn 0x%" PRIx64 " != frame %d AddrPC 0x%" PRIx64,
                 i, w->frames[i].ret, i + 1, w->frames[i + 1].pc);
        check(w->frames[i].ret == w->frames[i + 1].pc, what, pass);
        snprintf(what, sizeof what, "frame %d AddrStack 0x%" PRIx64 " not above frame %d's 0x%" PRIx64,
                 i + 1, w->frames[i + 1].sp, i, w->frames[i].sp);
        check(w->frames[i + 1].sp > w->frames[i].sp, what, pass);
    }
}

static void print_table(const walk_t *w, int pass, const char *read_name)
{
    int i;
    printf("== pass %d: ReadMemoryRoutine = %s\n", pass, read_name);
    printf("  #  %-18s %-18s %-18s %-18s %s\n", "AddrPC", "AddrReturn", "AddrStack",
           "AddrFrame", "function");
    for (i = 0; i < w->count; i++) {
        const frame_t *f = &w->frames[i];
        printf(" %2d  0x%016" PRIx64 " 0x%016" PRIx64 " 0x%016" PRIx64 " 0x%016" PRIx64
               " %-10s %s+0x%" PRIx64 "\n",
               i, f->pc, f->ret, f->sp, f->fp, f->label, f->module, f->rva);
    }
    printf("  -> %d frames, %s (last error %lu)", w->count,
           w->ended ? "ended with FALSE" : "did NOT end", (unsigned long)w->last_error);
    if (read_name[0] != 'N')
        printf(", read routine called %ld times", (long)w->reads);
    printf("\n");
}

static void print_demo(const walk_t *w)
{
    int i;
    for (i = 0; i < w->count; i++) {
        const frame_t *f = &w->frames[i];
        char where[96];
        snprintf(where, sizeof where, "%s+0x%" PRIx64, f->module, f->rva);
        printf("  #%-2d 0x%016" PRIx64 "  %-10s %-24s sp 0x%016" PRIx64 "\n", i, f->pc, f->label,
               where, f->sp);
    }
    printf("  (%d frames, then StackWalk64 returned %s; %ld reads through the callback)\n",
           w->count, w->ended ? "FALSE" : "no FALSE", (long)w->reads);
}

static walk_t pass1, pass2;

/* The loaded image carries the mark winebuild puts in every PE builtin. */
static __attribute__((noipa)) int walk_here(int x)
{
    CONTEXT context;
    int i;

    RtlCaptureContext(&context);

    walk(&context, counting_read, &pass1);
    walk(&context, NULL, &pass2);

    check_walk(&pass1, 1);
    check(pass1.reads > 0, "the counting read routine was never called", 1);
    check_walk(&pass2, 2);
    check(pass1.count == pass2.count, "the passes give different frame counts", 2);
    for (i = 0; i < pass1.count && i < pass2.count; i++)
        if (pass1.frames[i].pc != pass2.frames[i].pc) {
            char what[120];
            snprintf(what, sizeof what, "frame %d PC differs: 0x%" PRIx64 " vs 0x%" PRIx64, i,
                     pass1.frames[i].pc, pass2.frames[i].pc);
            check(0, what, 2);
        }
    return x + 1;
}

static __attribute__((noipa)) int level_c(int x)
{
    int r = walk_here(x * 3 + 1);
    sink = r; /* a use after the call: no tail call */
    return r + sink;
}

static __attribute__((noipa)) int level_b(int x)
{
    int r = level_c(x + 7);
    sink = r;
    return r * 2 + sink;
}

static __attribute__((noipa)) int level_a(int x)
{
    int r = level_b(x ^ 5);
    sink = r;
    return r - sink + 11;
}

int main(int argc, char **argv)
{
    char exe[MAX_PATH], dll[MAX_PATH];
    HMODULE dbghelp;
    int i, r;

    _setmode(_fileno(stdout), _O_BINARY); /* "\n", not "\r\n", for the scripts */
    demo_mode = argc > 1 && strcmp(argv[1], "demo") == 0;

    known[0].name = "walk_here", known[0].address = (void *)walk_here;
    known[1].name = "level_c", known[1].address = (void *)level_c;
    known[2].name = "level_b", known[2].address = (void *)level_b;
    known[3].name = "level_a", known[3].address = (void *)level_a;
    known[4].name = "main", known[4].address = (void *)main;
    for (i = 0; i < NAMED; i++) {
        known[i].begin = function_begin((DWORD64)(ULONG_PTR)known[i].address);
        if (known[i].begin != (DWORD64)(ULONG_PTR)known[i].address) {
            printf("setup: no function entry starting at %s (%p)\n", known[i].name,
                   known[i].address);
            failures++;
        }
    }

    GetModuleFileNameA(NULL, exe, sizeof exe);
    dbghelp = loaded_dbghelp(dll, sizeof dll);

    r = level_a(argc);
    sink = r;

    if (demo_mode) {
        printf("dbghelp.dll loaded from: %s%s\n", dll,
               !dbghelp ? "" : is_wine_builtin(dbghelp) ? " (Wine's builtin, not dbgwalk)" : " (dbgwalk)");
        printf("the stack of %s, walked by StackWalk64 from walk_here:\n", exe);
        print_demo(&pass1);
    } else {
        print_loaded(exe, dbghelp, dll);
        for (i = 0; i < NAMED; i++)
            printf("function %-10s at %p\n", known[i].name, known[i].address);
        print_table(&pass1, 1, "counting ReadProcessMemory wrapper");
        print_table(&pass2, 2, "NULL");
        for (i = 0; i < pass1.count; i++)
            printf("PC %d 0x%016" PRIx64 " %s+0x%" PRIx64 " %s\n", i, pass1.frames[i].pc,
                   pass1.frames[i].module, pass1.frames[i].rva, pass1.frames[i].label);
    }
    printf("RESULT %s\n", failures ? "FAIL" : "PASS");
    fflush(stdout);
    return failures ? 1 : 0;
}
