/*
 * debugger: the out-of-process DbgHelp client — a minimal Win32 debugger.
 *
 *   debugger.exe <debuggee.exe> [names-optional]
 *
 * Built with x86_64-w64-mingw32-gcc and linked against mingw-w64's own import
 * library (-ldbghelp); whichever dbghelp.dll the loader picks (ours next to
 * the exe, or Wine's builtin) does the work.
 *
 * It starts the debuggee with CreateProcess(DEBUG_ONLY_THIS_PROCESS) and
 *   - CREATE_PROCESS_DEBUG_EVENT: SymInitialize(hProcess, NULL, FALSE), then
 *     SymLoadModuleEx(hProcess, hFile, name, NULL, lpBaseOfImage, 0, NULL, 0);
 *   - LOAD_DLL_DEBUG_EVENT: SymLoadModuleEx(hProcess, hFile, name, NULL,
 *     lpBaseOfDll, 0, NULL, 0); UNLOAD_DLL_DEBUG_EVENT: SymUnloadModule64;
 *     name is GetFinalPathNameByHandle(hFile) (without its \\?\ prefix), else
 *     the event's lpImageName read from the debuggee, else NULL; the file
 *     handles stay open until the module unloads or the process exits;
 *   - CREATE_THREAD / EXIT_THREAD: keeps the thread handles;
 *   - the loader's initial breakpoint: continued;
 *   - the next first-chance EXCEPTION_BREAKPOINT (debuggee_deep_6's
 *     DebugBreak()): GetThreadContext(CONTEXT_FULL) on that thread, then
 *       StackWalk64(IMAGE_FILE_MACHINE_AMD64, hProcess, hThread, &frame,
 *                   &context, counting_read, SymFunctionTableAccess64,
 *                   SymGetModuleBase64, NULL)
 *     where counting_read is a ReadProcessMemory wrapper that counts its
 *     calls; every other thread of the debuggee is walked the same way
 *     (printed, not checked); then TerminateProcess, and the events are
 *     drained to EXIT_PROCESS_DEBUG_EVENT (SymCleanup there).
 *
 * Frames are identified without dbghelp: the debugger reads the debuggee's
 * export table (debuggee_deep_1..6, main) and its .pdata through
 * ReadProcessMemory (not counted), and labels a frame by the RUNTIME_FUNCTION
 * holding its PC (PC - 1 for return addresses).
 *
 * Checks (exit status 0 only if all pass):
 *   - SymInitialize and the debuggee's SymLoadModuleEx succeeded;
 *   - the walked thread's frames deep_6, deep_5, ..., deep_1, main follow each
 *     other, deep_6 at frame 0, 1 or 2 (frames before it are DebugBreak's);
 *   - up to main, AddrReturn is the next AddrPC and AddrStack grows;
 *   - the walk ends with FALSE within MAX_FRAMES frames;
 *   - the read routine was called;
 *   - SymFromAddr names deep_6..deep_1 and main by their exported names
 *     (only reported with "names-optional");
 *   - SymGetModuleInfo64 gives the debuggee's base and the ModuleName
 *     "debuggee" for those frames.
 *
 * Machine-readable output:
 *   EXE, DBGHELP, DBGHELP_BUILTIN, DBGHELP_MATCHES_FILE (as selfwalk)
 *   LOAD <base> <ret> <last error> <name>   (each SymLoadModuleEx)
 *   FRAME <i> 0x<pc> <module>+0x<off> <symbol>+0x<disp> <label>
 *   PC <i> 0x<pc> <module>+0x<rva> <label>  (module from the debug events)
 *   FRAMES <n> ENDED <0|1> LASTERROR <e>
 *   READS <calls> BYTES <bytes>             (counting_read, the checked walk)
 *   THREAD <tid> FRAMES <n> READS <calls>   (every other thread)
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

#define MAX_FRAMES 128
#define MAX_THREADS 64
#define MAX_MODULES 256
#define NAMED 7 /* deep_6 ... deep_1, main */

static int failures;
static int names_optional;

static void check(int ok, const char *what)
{
    if (!ok) {
        printf("CHECK FAILED: %s\n", what);
        failures++;
    }
}

/* ---- the debuggee's state, kept from the debug events ---- */

static HANDLE process;
static DWORD process_id;

static struct {
    DWORD id;
    HANDLE handle;
} threads[MAX_THREADS];
static int thread_count;

static struct {
    DWORD64 base;
    DWORD size;
    HANDLE file;
    char name[MAX_PATH]; /* base name, for module+offset */
} modules[MAX_MODULES];
static int module_count;

static DWORD64 debuggee_base;
static int debuggee_loaded;

/* ---- reading the debuggee (StackWalk64 gets counting_read) ---- */

static int read_target(DWORD64 address, void *buffer, SIZE_T size)
{
    SIZE_T got = 0;
    return ReadProcessMemory(process, (LPCVOID)(ULONG_PTR)address, buffer, size, &got) &&
           got == size;
}

/* ---- modules ---- */

/* The image's path: GetFinalPathNameByHandle, else lpImageName, else "". */
static void image_path(HANDLE file, LPVOID image_name, WORD unicode, char *out, DWORD size)
{
    out[0] = 0;
    if (file && file != INVALID_HANDLE_VALUE) {
        DWORD n = GetFinalPathNameByHandleA(file, out, size, FILE_NAME_NORMALIZED | VOLUME_NAME_DOS);
        if (n > 0 && n < size) {
            if (strncmp(out, "\\\\?\\", 4) == 0)
                memmove(out, out + 4, strlen(out + 4) + 1);
            return;
        }
        out[0] = 0;
    }
    if (image_name) {
        DWORD64 pointer = 0;
        if (read_target((DWORD64)(ULONG_PTR)image_name, &pointer, sizeof pointer) && pointer) {
            if (unicode) {
                WCHAR wide[MAX_PATH];
                int i;
                for (i = 0; i < MAX_PATH - 1; i++) {
                    if (!read_target(pointer + i * sizeof(WCHAR), &wide[i], sizeof(WCHAR)))
                        break;
                    if (!wide[i])
                        break;
                }
                wide[i] = 0;
                if (!WideCharToMultiByte(CP_ACP, 0, wide, -1, out, (int)size, NULL, NULL))
                    out[0] = 0;
            } else {
                DWORD i;
                for (i = 0; i + 1 < size; i++)
                    if (!read_target(pointer + i, &out[i], 1) || !out[i])
                        break;
                out[i] = 0;
            }
        }
    }
}

static DWORD image_size(DWORD64 base)
{
    IMAGE_DOS_HEADER dos;
    IMAGE_NT_HEADERS64 nt;
    if (!read_target(base, &dos, sizeof dos) || dos.e_magic != IMAGE_DOS_SIGNATURE ||
        !read_target(base + dos.e_lfanew, &nt, sizeof nt) || nt.Signature != IMAGE_NT_SIGNATURE)
        return 0;
    return nt.OptionalHeader.SizeOfImage;
}

static void module_loaded(HANDLE file, DWORD64 base, LPVOID image_name, WORD unicode)
{
    char path[MAX_PATH];
    const char *name;
    DWORD64 loaded;
    DWORD error;

    image_path(file, image_name, unicode, path, sizeof path);
    SetLastError(0);
    loaded = SymLoadModuleEx(process, file, path[0] ? path : NULL, NULL, base, 0, NULL, 0);
    error = loaded ? 0 : GetLastError();
    printf("LOAD 0x%" PRIx64 " 0x%" PRIx64 " %lu %s\n", base, loaded, (unsigned long)error,
           path[0] ? path : "(null)");
    if (base == debuggee_base) {
        debuggee_loaded = loaded == base;
        if (!debuggee_loaded)
            printf("CHECK FAILED: SymLoadModuleEx(hProcess, hFile, \"%s\", NULL, 0x%" PRIx64
                   ", 0, NULL, 0) returned 0x%" PRIx64 ", last error %lu\n",
                   path, base, loaded, (unsigned long)error), failures++;
    }
    if (module_count < MAX_MODULES) {
        modules[module_count].base = base;
        modules[module_count].size = image_size(base);
        modules[module_count].file = file;
        name = strrchr(path, '\\');
        snprintf(modules[module_count].name, sizeof modules[module_count].name, "%s",
                 path[0] ? (name ? name + 1 : path) : "?");
        module_count++;
    } else if (file) {
        CloseHandle(file);
    }
}

static void module_unloaded(DWORD64 base)
{
    int i;
    SymUnloadModule64(process, base);
    for (i = 0; i < module_count; i++)
        if (modules[i].base == base) {
            if (modules[i].file)
                CloseHandle(modules[i].file);
            modules[i] = modules[--module_count];
            return;
        }
}

static const char *module_of(DWORD64 address, DWORD64 *offset)
{
    int i;
    for (i = 0; i < module_count; i++)
        if (address >= modules[i].base && address - modules[i].base < modules[i].size) {
            *offset = address - modules[i].base;
            return modules[i].name;
        }
    *offset = address;
    return "?";
}

/* ---- the debuggee's functions, from its export table and .pdata ---- */

static struct known {
    const char *label, *symbol;
    DWORD rva, begin, end;
} known[NAMED] = {
    {"deep_6", "debuggee_deep_6", 0, 0, 0}, {"deep_5", "debuggee_deep_5", 0, 0, 0},
    {"deep_4", "debuggee_deep_4", 0, 0, 0}, {"deep_3", "debuggee_deep_3", 0, 0, 0},
    {"deep_2", "debuggee_deep_2", 0, 0, 0}, {"deep_1", "debuggee_deep_1", 0, 0, 0},
    {"main", "main", 0, 0, 0},
};

static int find_known(void)
{
    IMAGE_DOS_HEADER dos;
    IMAGE_NT_HEADERS64 nt;
    IMAGE_EXPORT_DIRECTORY exports;
    IMAGE_DATA_DIRECTORY *dir;
    DWORD i, pdata_count;
    int k, found = 0;

    if (!read_target(debuggee_base, &dos, sizeof dos) ||
        !read_target(debuggee_base + dos.e_lfanew, &nt, sizeof nt))
        return 0;
    dir = &nt.OptionalHeader.DataDirectory[IMAGE_DIRECTORY_ENTRY_EXPORT];
    if (!dir->Size || !read_target(debuggee_base + dir->VirtualAddress, &exports, sizeof exports))
        return 0;
    for (i = 0; i < exports.NumberOfNames; i++) {
        DWORD name_rva, function_rva;
        WORD ordinal;
        char name[64];
        if (!read_target(debuggee_base + exports.AddressOfNames + i * 4, &name_rva, 4) ||
            !read_target(debuggee_base + exports.AddressOfNameOrdinals + i * 2, &ordinal, 2) ||
            !read_target(debuggee_base + exports.AddressOfFunctions + ordinal * 4, &function_rva, 4) ||
            !read_target(debuggee_base + name_rva, name, sizeof name))
            continue;
        name[sizeof name - 1] = 0;
        for (k = 0; k < NAMED; k++)
            if (strcmp(name, known[k].symbol) == 0)
                known[k].rva = function_rva;
    }
    dir = &nt.OptionalHeader.DataDirectory[IMAGE_DIRECTORY_ENTRY_EXCEPTION];
    pdata_count = dir->Size / sizeof(RUNTIME_FUNCTION);
    for (i = 0; i < pdata_count; i++) {
        RUNTIME_FUNCTION entry;
        if (!read_target(debuggee_base + dir->VirtualAddress + i * sizeof entry, &entry, sizeof entry))
            return 0;
        for (k = 0; k < NAMED; k++)
            if (known[k].rva && entry.BeginAddress == known[k].rva) {
                known[k].begin = entry.BeginAddress;
                known[k].end = entry.EndAddress;
            }
    }
    for (k = 0; k < NAMED; k++) {
        printf("function %-7s %s at 0x%" PRIx64 "-0x%" PRIx64 "\n", known[k].label,
               known[k].symbol, debuggee_base + known[k].begin, debuggee_base + known[k].end);
        found += known[k].end != 0;
    }
    return found == NAMED;
}

static const char *label_of(DWORD64 address)
{
    int k;
    for (k = 0; k < NAMED; k++)
        if (known[k].end && address >= debuggee_base + known[k].begin &&
            address < debuggee_base + known[k].end)
            return known[k].label;
    return "?";
}

/* ---- walking ---- */

typedef struct {
    DWORD64 pc, ret, sp;
    const char *label;
    char module[64];    /* SymGetModuleInfo64's ModuleName, or "?" */
    DWORD64 mod_base;
    char symbol[256];   /* SymFromAddr's name, or "?" */
    DWORD64 displacement;
    int have_symbol;
} frame_t;

typedef struct {
    frame_t frames[MAX_FRAMES];
    int count, ended;
    DWORD last_error;
    LONG reads;
    DWORD64 bytes;
} walk_t;

static walk_t main_walk, other_walk;

static int walk_thread(HANDLE thread, walk_t *w)
{
    CONTEXT context;
    STACKFRAME64 frame;

    memset(&context, 0, sizeof context);
    context.ContextFlags = CONTEXT_FULL;
    if (!GetThreadContext(thread, &context)) {
        printf("GetThreadContext failed: %lu\n", (unsigned long)GetLastError());
        return 0;
    }
    seed_frame(&frame, context.Rip, context.Rsp, context.Rbp);

    memset(w, 0, sizeof *w);
    read_calls = 0;
    read_bytes = 0;
    while (w->count < MAX_FRAMES) {
        frame_t *f;

        SetLastError(0);
        if (!StackWalk64(IMAGE_FILE_MACHINE_AMD64, process, thread, &frame, &context,
                         counting_read, SymFunctionTableAccess64, SymGetModuleBase64, NULL)) {
            w->ended = 1;
            w->last_error = GetLastError();
            break;
        }
        f = &w->frames[w->count];
        f->pc = frame.AddrPC.Offset;
        f->ret = frame.AddrReturn.Offset;
        f->sp = frame.AddrStack.Offset;
        w->count++;
    }
    w->reads = read_calls;
    w->bytes = read_bytes;

    /* names after the walk, so the read counts are the walk's own */
    for (int i = 0; i < w->count; i++) {
        frame_t *f = &w->frames[i];
        DWORD64 lookup = i == 0 ? f->pc : f->pc - 1;

        f->label = label_of(lookup);
        frame_module(process, f->pc, &f->mod_base, f->module, sizeof f->module);
        f->have_symbol = frame_symbol(process, f->pc, lookup, &f->displacement, f->symbol,
                                      sizeof f->symbol, NULL);
    }
    return 1;
}

static void print_walk(const walk_t *w)
{
    int i;
    printf("  #  %-18s %-18s %-18s %s\n", "AddrPC", "AddrReturn", "AddrStack", "where");
    for (i = 0; i < w->count; i++) {
        const frame_t *f = &w->frames[i];
        DWORD64 offset;
        const char *module = module_of(f->pc, &offset);
        printf(" %2d  0x%016" PRIx64 " 0x%016" PRIx64 " 0x%016" PRIx64 " %s+0x%" PRIx64
               "  %s!%s+0x%" PRIx64 "  [%s]\n",
               i, f->pc, f->ret, f->sp, module, offset, f->module, f->symbol, f->displacement,
               f->label);
    }
    printf("  -> %d frames, %s (last error %lu); ReadMemoryRoutine called %ld times, %" PRIu64
           " bytes\n",
           w->count, w->ended ? "StackWalk64 then returned FALSE" : "did NOT end",
           (unsigned long)w->last_error, (long)w->reads, w->bytes);
}

static void check_walk(const walk_t *w)
{
    char what[256];
    int first = -1, i, k;

    check(w->ended, "the walk did not end with FALSE within MAX_FRAMES frames");
    check(w->reads > 0, "the read routine was never called");
    for (i = 0; i < w->count && i < 3; i++)
        if (strcmp(w->frames[i].label, known[0].label) == 0) {
            first = i;
            break;
        }
    snprintf(what, sizeof what, "%s is not among frames 0..2", known[0].label);
    check(first >= 0, what);
    if (first < 0)
        return;
    for (k = 0; k < NAMED; k++) {
        const frame_t *f;
        i = first + k;
        snprintf(what, sizeof what, "frame %d: expected %s, the walk has %s", i, known[k].label,
                 i < w->count ? w->frames[i].label : "no such frame");
        check(i < w->count && strcmp(w->frames[i].label, known[k].label) == 0, what);
        if (i >= w->count)
            return;
        f = &w->frames[i];
        check(symbol_checked(i, f->have_symbol, f->symbol, known[k].symbol, names_optional, what,
                             sizeof what),
              what);
        snprintf(what, sizeof what, "frame %d: SymGetModuleInfo64 gave base 0x%" PRIx64
                 " ModuleName '%s', expected 0x%" PRIx64 " 'debuggee'", i, f->mod_base,
                 f->module, debuggee_base);
        check(f->mod_base == debuggee_base && strcmp(f->module, "debuggee") == 0, what);
        if (k > 0) {
            const frame_t *prev = &w->frames[i - 1];
            snprintf(what, sizeof what, "frame %d AddrReturn 0x%" PRIx64 " != frame %d AddrPC 0x%" PRIx64,
                     i - 1, prev->ret, i, f->pc);
            check(prev->ret == f->pc, what);
            snprintf(what, sizeof what, "frame %d AddrStack not above frame %d's", i, i - 1);
            check(f->sp > prev->sp, what);
        }
    }
}

/* ---- the debug loop ---- */

static HANDLE thread_handle(DWORD id)
{
    int i;
    for (i = 0; i < thread_count; i++)
        if (threads[i].id == id)
            return threads[i].handle;
    return NULL;
}

static void add_thread(DWORD id, HANDLE handle)
{
    if (thread_count < MAX_THREADS) {
        threads[thread_count].id = id;
        threads[thread_count].handle = handle;
        thread_count++;
    }
}

static void remove_thread(DWORD id)
{
    int i;
    for (i = 0; i < thread_count; i++)
        if (threads[i].id == id) {
            threads[i] = threads[--thread_count];
            return;
        }
}

static void on_breakpoint(DWORD thread_id)
{
    HANDLE thread = thread_handle(thread_id);
    int i, opened = 0;

    if (!thread) {
        thread = OpenThread(THREAD_GET_CONTEXT | THREAD_QUERY_INFORMATION, FALSE, thread_id);
        opened = thread != NULL;
    }
    printf("== thread %lu (the breakpoint), walked by StackWalk64 from GetThreadContext\n",
           (unsigned long)thread_id);
    if (!thread || !walk_thread(thread, &main_walk)) {
        check(0, "no context for the breakpoint's thread");
    } else {
        print_walk(&main_walk);
        check_walk(&main_walk);
        for (i = 0; i < main_walk.count; i++) {
            const frame_t *f = &main_walk.frames[i];
            DWORD64 offset;
            const char *module = module_of(f->pc, &offset);
            printf("FRAME %d 0x%016" PRIx64 " %s+0x%" PRIx64 " %s+0x%" PRIx64 " %s\n", i, f->pc,
                   module, offset, f->symbol, f->displacement, f->label);
            printf("PC %d 0x%016" PRIx64 " %s+0x%" PRIx64 " %s\n", i, f->pc, module, offset,
                   f->label);
        }
        printf("FRAMES %d ENDED %d LASTERROR %lu\n", main_walk.count, main_walk.ended,
               (unsigned long)main_walk.last_error);
        printf("READS %ld BYTES %" PRIu64 "\n", (long)main_walk.reads, main_walk.bytes);
    }
    if (opened)
        CloseHandle(thread);

    for (i = 0; i < thread_count; i++) {
        if (threads[i].id == thread_id)
            continue;
        printf("== thread %lu (another thread of the debuggee)\n", (unsigned long)threads[i].id);
        if (walk_thread(threads[i].handle, &other_walk)) {
            print_walk(&other_walk);
            printf("THREAD %lu FRAMES %d READS %ld\n", (unsigned long)threads[i].id,
                   other_walk.count, (long)other_walk.reads);
        }
    }
}

int main(int argc, char **argv)
{
    STARTUPINFOA startup;
    PROCESS_INFORMATION info;
    char exe[MAX_PATH], dll[MAX_PATH], command[MAX_PATH + 2];
    HMODULE dbghelp;
    int breakpoints = 0, walked = 0, exited = 0, i;
    DWORD deadline = GetTickCount() + 60000;

    _setmode(_fileno(stdout), _O_BINARY); /* "\n", not "\r\n", for the scripts */
    if (argc < 2) {
        fprintf(stderr, "usage: %s <debuggee.exe> [names-optional]\n", argv[0]);
        return 2;
    }
    names_optional = argc > 2 && strcmp(argv[2], "names-optional") == 0;

    GetModuleFileNameA(NULL, exe, sizeof exe);
    dbghelp = loaded_dbghelp(dll, sizeof dll);
    print_loaded(exe, dbghelp, dll);
    fflush(stdout);

    memset(&startup, 0, sizeof startup);
    startup.cb = sizeof startup;
    snprintf(command, sizeof command, "\"%s\"", argv[1]);
    if (!CreateProcessA(argv[1], command, NULL, NULL, FALSE, DEBUG_ONLY_THIS_PROCESS, NULL, NULL,
                        &startup, &info)) {
        printf("CreateProcess(%s) failed: %lu\nRESULT FAIL\n", argv[1], (unsigned long)GetLastError());
        return 1;
    }
    CloseHandle(info.hProcess); /* the debug events bring their own handles */
    CloseHandle(info.hThread);

    while (!exited) {
        DEBUG_EVENT event;
        DWORD status = DBG_CONTINUE;

        if (!WaitForDebugEvent(&event, 1000)) {
            if ((LONG)(GetTickCount() - deadline) > 0) {
                check(0, "no debug event for too long");
                if (process)
                    TerminateProcess(process, 1);
                break;
            }
            continue;
        }
        switch (event.dwDebugEventCode) {
        case CREATE_PROCESS_DEBUG_EVENT: {
            BOOL ok;
            process = event.u.CreateProcessInfo.hProcess;
            process_id = event.dwProcessId;
            debuggee_base = (DWORD64)(ULONG_PTR)event.u.CreateProcessInfo.lpBaseOfImage;
            add_thread(event.dwThreadId, event.u.CreateProcessInfo.hThread);
            SetLastError(0);
            ok = SymInitialize(process, NULL, FALSE);
            printf("SYMINITIALIZE %d %lu\n", ok ? 1 : 0, (unsigned long)(ok ? 0 : GetLastError()));
            check(ok, "SymInitialize(hProcess, NULL, FALSE) failed");
            module_loaded(event.u.CreateProcessInfo.hFile, debuggee_base,
                          event.u.CreateProcessInfo.lpImageName,
                          event.u.CreateProcessInfo.fUnicode);
            break;
        }
        case LOAD_DLL_DEBUG_EVENT:
            module_loaded(event.u.LoadDll.hFile, (DWORD64)(ULONG_PTR)event.u.LoadDll.lpBaseOfDll,
                          event.u.LoadDll.lpImageName, event.u.LoadDll.fUnicode);
            break;
        case UNLOAD_DLL_DEBUG_EVENT:
            module_unloaded((DWORD64)(ULONG_PTR)event.u.UnloadDll.lpBaseOfDll);
            break;
        case CREATE_THREAD_DEBUG_EVENT:
            add_thread(event.dwThreadId, event.u.CreateThread.hThread);
            break;
        case EXIT_THREAD_DEBUG_EVENT:
            remove_thread(event.dwThreadId);
            break;
        case EXCEPTION_DEBUG_EVENT: {
            const EXCEPTION_RECORD *record = &event.u.Exception.ExceptionRecord;
            if (record->ExceptionCode == EXCEPTION_BREAKPOINT && event.u.Exception.dwFirstChance) {
                breakpoints++;
                printf("EXCEPTION breakpoint #%d at %p, thread %lu\n", breakpoints,
                       record->ExceptionAddress, (unsigned long)event.dwThreadId);
                if (breakpoints >= 2 && !walked) {
                    walked = 1;
                    if (!find_known())
                        check(0, "the debuggee's exports or .pdata entries were not found");
                    on_breakpoint(event.dwThreadId);
                    fflush(stdout);
                    TerminateProcess(process, 0);
                }
            } else {
                printf("EXCEPTION 0x%08lx at %p (first chance %lu): passed on\n",
                       (unsigned long)record->ExceptionCode, record->ExceptionAddress,
                       (unsigned long)event.u.Exception.dwFirstChance);
                status = DBG_EXCEPTION_NOT_HANDLED;
            }
            break;
        }
        case EXIT_PROCESS_DEBUG_EVENT:
            printf("EXIT_PROCESS %lu\n", (unsigned long)event.u.ExitProcess.dwExitCode);
            SymCleanup(process);
            for (i = 0; i < module_count; i++)
                if (modules[i].file)
                    CloseHandle(modules[i].file);
            module_count = 0;
            exited = 1;
            break;
        default:
            break;
        }
        ContinueDebugEvent(event.dwProcessId, event.dwThreadId, status);
    }
    (void)process_id;

    check(walked, "the debuggee's DebugBreak() was never reached");
    check(debuggee_loaded, "SymLoadModuleEx did not load the debuggee's image");
    printf("RESULT %s\n", failures ? "FAIL" : "PASS");
    fflush(stdout);
    return failures ? 1 : 0;
}
