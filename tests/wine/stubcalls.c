/*
 * The not-yet-implemented exports of our dbghelp.dll, called from a program
 * linked against mingw-w64's own import library (-ldbghelp), as any program
 * written against <dbghelp.h> would be (run-stub-tests.sh runs it under Wine
 * with our DLL next to it).
 *
 * First, a handful of functions imported through the import library and
 * called with their real prototypes; then every name listed in the file given
 * as argv[1] (one a line: the "stub" lines of src/win/exports.txt), looked up
 * with GetProcAddress and called without arguments (x86_64: the caller cleans
 * up, and a stub reads none of its arguments). Before each call the last
 * error is set to a marker. Output, one line each:
 *
 *   DBGHELP <path of the loaded dbghelp.dll>
 *   DBGHELP_BUILTIN 0|1             (1: Wine's builtin, not ours)
 *   CALL <name> <result, hex> <GetLastError() after the call>
 *   PROC <name> <result, hex> <GetLastError()>   (or PROC <name> MISSING)
 *
 * The checks are the script's: it knows which names are still stubs.
 */
#include <windows.h>
#include <dbghelp.h>

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define MARKER 0x0badf00dUL

static void report(const char *name, uint64_t result)
{
    printf("CALL %s 0x%" PRIx64 " %lu\n", name, result, (unsigned long)GetLastError());
}

static int is_wine_builtin(HMODULE module)
{
    return memcmp((const char *)module + 0x40, "Wine builtin DLL", 16) == 0;
}

int main(int argc, char **argv)
{
    HANDLE process = GetCurrentProcess();
    HMODULE dbghelp;
    char path[MAX_PATH] = "";
    FILE *list;
    char name[256];

    setvbuf(stdout, NULL, _IONBF, 0);
    dbghelp = GetModuleHandleA("dbghelp.dll");
    if (!dbghelp || !GetModuleFileNameA(dbghelp, path, sizeof path)) {
        printf("DBGHELP none\n");
        return 2;
    }
    printf("DBGHELP %s\n", path);
    printf("DBGHELP_BUILTIN %d\n", is_wine_builtin(dbghelp));

    /* Through the import library, with the real prototypes. */
    {
        IMAGEHLP_LINE64 line;
        DWORD displacement = 0;
        memset(&line, 0, sizeof line);
        line.SizeOfStruct = sizeof line;
        SetLastError(MARKER);
        report("SymGetLineFromAddr64",
               SymGetLineFromAddr64(process, (DWORD64)(uintptr_t)&main, &displacement, &line));
    }
    SetLastError(MARKER);
    report("MiniDumpWriteDump", MiniDumpWriteDump(process, GetCurrentProcessId(), NULL,
                                                  MiniDumpNormal, NULL, NULL, NULL));
    {
        char out[256] = "";
        SetLastError(MARKER);
        report("UnDecorateSymbolName",
               UnDecorateSymbolName("?f@@YAXXZ", out, sizeof out, UNDNAME_COMPLETE));
    }
    SetLastError(MARKER);
    report("ImageNtHeader", (uint64_t)(uintptr_t)ImageNtHeader(GetModuleHandleA(NULL)));
    SetLastError(MARKER);
    report("SymLoadModuleEx",
           SymLoadModuleEx(process, NULL, "stubcalls.exe", NULL, 0x10000000, 0x1000, NULL, 0));
    SetLastError(MARKER);
    report("SymSrvIsStore", SymSrvIsStore(process, "C:\\"));

    /* Every stub by name. */
    if (argc < 2)
        return 0;
    list = fopen(argv[1], "r");
    if (!list) {
        printf("cannot open %s\n", argv[1]);
        return 2;
    }
    while (fgets(name, sizeof name, list)) {
        FARPROC proc;
        name[strcspn(name, "\r\n")] = 0;
        if (!name[0])
            continue;
        proc = GetProcAddress(dbghelp, name);
        if (!proc) {
            printf("PROC %s MISSING\n", name);
            continue;
        }
        SetLastError(MARKER);
        {
            uint64_t result = ((uint64_t(WINAPI *)(void))(void (*)(void))proc)();
            printf("PROC %s 0x%" PRIx64 " %lu\n", name, result, (unsigned long)GetLastError());
        }
    }
    fclose(list);
    return 0;
}
