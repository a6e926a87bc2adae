/* A crash handler that writes minidumps with whichever dbghelp.dll it loads:
 * in its unhandled-exception filter it walks the crash with StackWalk64
 * (printing "PC <pc>" lines), then calls MiniDumpWriteDump once per kind
 * named on the command line, into <kind>.dmp:
 *   normal     MiniDumpNormal
 *   rich       data segments, handles, unloaded modules, thread info, memory
 *              info, indirectly referenced memory, process/thread data
 *   full       MiniDumpWithFullMemory | MiniDumpWithFullMemoryInfo
 *   callback   MiniDumpNormal with a callback that adds a marked buffer
 *              (MemoryCallback) and counts the Thread/Module callbacks
 *   user       MiniDumpNormal with a user stream (type 0x10000, "dbgwalk")
 * and exits with 42.
 *
 * "dumpwriter.exe watch" is the other way crash reporters work: a watcher
 * process starts "dumpwriter.exe sleeper" (which waits in dw_sleep), writes a
 * MiniDumpNormal of it from outside into watched.dmp (no exception
 * information), prints "WATCHED <pid> written|FAILED ..." and ends it. */
#include <windows.h>
#include <dbghelp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char **kinds;
static int kind_count;
static char marker[256] = "DBGWALK-MARKER-BUFFER";
static int memory_calls, thread_calls, module_calls;

static BOOL CALLBACK dump_callback(PVOID param, const PMINIDUMP_CALLBACK_INPUT in,
                                   PMINIDUMP_CALLBACK_OUTPUT out)
{
    (void)param;
    switch (in->CallbackType) {
    case ThreadCallback: thread_calls++; return TRUE;
    case ModuleCallback: module_calls++; return TRUE;
    case IncludeThreadCallback:
    case IncludeModuleCallback: return TRUE;
    case MemoryCallback:
        if (memory_calls++ == 0) {
            out->MemoryBase = (ULONG64)(ULONG_PTR)marker;
            out->MemorySize = sizeof(marker);
            return TRUE;
        }
        return FALSE;
    default: return FALSE;
    }
}

static void walk(CONTEXT context)
{
    STACKFRAME64 frame = {0};
    HANDLE process = GetCurrentProcess();
    frame.AddrPC.Offset = context.Rip;    frame.AddrPC.Mode = AddrModeFlat;
    frame.AddrFrame.Offset = context.Rbp; frame.AddrFrame.Mode = AddrModeFlat;
    frame.AddrStack.Offset = context.Rsp; frame.AddrStack.Mode = AddrModeFlat;
    while (StackWalk64(IMAGE_FILE_MACHINE_AMD64, process, GetCurrentThread(), &frame, &context,
                       NULL, SymFunctionTableAccess64, SymGetModuleBase64, NULL))
        printf("PC %016llx\n", (unsigned long long)frame.AddrPC.Offset);
}

static LONG WINAPI filter(EXCEPTION_POINTERS *info)
{
    walk(*info->ContextRecord);
    for (int i = 0; i < kind_count; i++) {
        MINIDUMP_EXCEPTION_INFORMATION exception = {GetCurrentThreadId(), info, FALSE};
        MINIDUMP_CALLBACK_INFORMATION callback = {dump_callback, NULL};
        MINIDUMP_USER_STREAM user = {0x10000, 8, "dbgwalk"};
        MINIDUMP_USER_STREAM_INFORMATION users = {1, &user};
        MINIDUMP_TYPE type = MiniDumpNormal;
        char name[64];
        HANDLE file;
        BOOL ok;

        if (strcmp(kinds[i], "rich") == 0)
            type = MiniDumpWithDataSegs | MiniDumpWithHandleData | MiniDumpWithUnloadedModules |
                   MiniDumpWithThreadInfo | MiniDumpWithFullMemoryInfo |
                   MiniDumpWithIndirectlyReferencedMemory | MiniDumpWithProcessThreadData;
        else if (strcmp(kinds[i], "full") == 0)
            type = MiniDumpWithFullMemory | MiniDumpWithFullMemoryInfo;
        snprintf(name, sizeof(name), "%s.dmp", kinds[i]);
        file = CreateFileA(name, GENERIC_READ | GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, 0, NULL);
        ok = MiniDumpWriteDump(GetCurrentProcess(), GetCurrentProcessId(), file, type, &exception,
                               strcmp(kinds[i], "user") == 0 ? &users : NULL,
                               strcmp(kinds[i], "callback") == 0 ? &callback : NULL);
        printf("DUMP %s %s %lu bytes (error %08lx)\n", kinds[i], ok ? "written" : "FAILED",
               (unsigned long)GetFileSize(file, NULL), ok ? 0ul : (unsigned long)GetLastError());
        CloseHandle(file);
    }
    printf("CALLBACKS memory %d thread %d module %d\n", memory_calls, thread_calls, module_calls);
    printf("MARKER %016llx\n", (unsigned long long)(ULONG_PTR)marker);
    fflush(stdout);
    ExitProcess(42);
}

__declspec(dllexport) __attribute__((noinline)) void dw_crash(volatile int *p) { *p = 1; }
__declspec(dllexport) __attribute__((noinline)) void dw_level1(volatile int *p) { dw_crash(p); puts(""); }

__declspec(dllexport) __attribute__((noinline)) void dw_sleep(HANDLE ready)
{
    SetEvent(ready);
    Sleep(INFINITE);
}

static int watch(const char *self)
{
    SECURITY_ATTRIBUTES inherit = {sizeof(inherit), NULL, TRUE};
    HANDLE ready = CreateEventA(&inherit, TRUE, FALSE, NULL);
    STARTUPINFOA startup;
    PROCESS_INFORMATION child;
    char command[512];
    HANDLE file;
    BOOL ok;

    memset(&startup, 0, sizeof(startup));
    startup.cb = sizeof(startup);
    snprintf(command, sizeof(command), "\"%s\" sleeper %llu", self,
             (unsigned long long)(ULONG_PTR)ready);
    if (!CreateProcessA(NULL, command, NULL, NULL, TRUE, 0, NULL, NULL, &startup, &child)) {
        printf("WATCHED 0 FAILED to start the sleeper (%lu)\n", GetLastError());
        return 1;
    }
    if (WaitForSingleObject(ready, 60000) != WAIT_OBJECT_0) {
        printf("WATCHED %lu FAILED: the sleeper did not get ready\n", child.dwProcessId);
        TerminateProcess(child.hProcess, 1);
        return 1;
    }
    Sleep(200); /* into the wait */
    file = CreateFileA("watched.dmp", GENERIC_READ | GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, 0, NULL);
    ok = MiniDumpWriteDump(child.hProcess, child.dwProcessId, file, MiniDumpNormal, NULL, NULL, NULL);
    printf("WATCHED %lu %s %lu bytes (error %08lx)\n", child.dwProcessId, ok ? "written" : "FAILED",
           (unsigned long)GetFileSize(file, NULL), ok ? 0ul : (unsigned long)GetLastError());
    CloseHandle(file);
    TerminateProcess(child.hProcess, 0);
    WaitForSingleObject(child.hProcess, 10000);
    return ok ? 0 : 1;
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "watch") == 0)
        return watch(argv[0]);
    if (argc == 3 && strcmp(argv[1], "sleeper") == 0) {
        dw_sleep((HANDLE)(ULONG_PTR)strtoull(argv[2], NULL, 10));
        return 0;
    }
    kinds = argv + 1;
    kind_count = argc - 1;
    setvbuf(stdout, NULL, _IONBF, 0);
    SymInitialize(GetCurrentProcess(), NULL, TRUE);
    SetUnhandledExceptionFilter(filter);
    dw_level1(NULL);
    return 0;
}
