/*
 * StackWalkEx's inline frames under Wine (run-inline-tests.sh): built by
 * clang -O2 -gcodeview with a PDB, this program captures its context inside
 * two levels of code inlined into walk_here (called from code inlined into
 * level_a), walks its own stack with
 * StackWalkEx (SYM_STKWALK_DEFAULT, INLINE_FRAME_CONTEXT_INIT) and prints
 * each frame up to main, named and lined through SymFromInlineContext and
 * SymGetLineFromInlineContext; then the same stack with StackWalk64. The
 * script runs it with our dbghelp.dll and with Wine's builtin.
 * Output:
 *   EX <index> <pc> <context> <name> <file>:<line>
 *   S64 <index> <pc> <name>         (SymFromAddr)
 */
#include <windows.h>
#include <dbghelp.h>
#include <stdio.h>
#include <string.h>

#include "loaded_dbghelp.h"

/* mingw-w64 ships these in libdbghelp.a but declares none of them. */
BOOL IMAGEAPI StackWalkEx(DWORD MachineType, HANDLE hProcess, HANDLE hThread,
                          LPSTACKFRAME_EX StackFrame, PVOID ContextRecord,
                          PREAD_PROCESS_MEMORY_ROUTINE64 ReadMemoryRoutine,
                          PFUNCTION_TABLE_ACCESS_ROUTINE64 FunctionTableAccessRoutine,
                          PGET_MODULE_BASE_ROUTINE64 GetModuleBaseRoutine,
                          PTRANSLATE_ADDRESS_ROUTINE64 TranslateAddress, DWORD Flags);
BOOL IMAGEAPI SymFromInlineContext(HANDLE hProcess, DWORD64 Address, ULONG InlineContext,
                                   PDWORD64 Displacement, PSYMBOL_INFO Symbol);
BOOL IMAGEAPI SymGetLineFromInlineContext(HANDLE hProcess, DWORD64 qwAddr, ULONG InlineContext,
                                          DWORD64 qwModuleBaseAddress, PDWORD pdwDisplacement,
                                          PIMAGEHLP_LINE64 Line64);

volatile int sink;
static CONTEXT captured;
static void walk_captured(void);

/* The walk runs from here, while the frames it walks are live. */
static inline __attribute__((always_inline)) int innermost(int x)
{
    RtlCaptureContext(&captured);
    walk_captured();
    sink = x;
    return x * 3;
}

static inline __attribute__((always_inline)) int middle(int x)
{
    int r = innermost(x + 1);
    sink = r;
    return r + 7;
}

__declspec(noinline) int walk_here(int x)
{
    int r = middle(x);
    sink = r;
    return r;
}

/* inlined around a call: the caller's frame is in inlined code too */
static inline __attribute__((always_inline)) int via(int x)
{
    int r = walk_here(x + 2);
    sink = r;
    return r + 1;
}

__declspec(noinline) int level_a(int x)
{
    int r = via(x);
    sink = r;
    return r + 1;
}

static const char *name_of(HANDLE process, DWORD64 pc, DWORD context, char *buffer)
{
    union { SYMBOL_INFO info; char bytes[sizeof(SYMBOL_INFO) + 256]; } s;
    DWORD64 displacement;

    memset(&s, 0, sizeof(s));
    s.info.SizeOfStruct = sizeof(s.info);
    s.info.MaxNameLen = 256;
    if (!SymFromInlineContext(process, pc, context, &displacement, &s.info))
        return "?";
    strcpy(buffer, s.info.Name);
    return buffer;
}

static const char *program;

__declspec(noinline) static void walk_captured(void)
{
    HANDLE process = GetCurrentProcess(), thread = GetCurrentThread();
    char dll[MAX_PATH], name[300], dir[MAX_PATH], *slash;
    HMODULE dbghelp;
    STACKFRAME_EX ex;
    STACKFRAME64 frame;
    CONTEXT context;
    int done = 0;

    dbghelp = loaded_dbghelp(dll, sizeof(dll));
    print_loaded(program, dbghelp, dll);
    GetModuleFileNameA(NULL, dir, sizeof(dir));
    if ((slash = strrchr(dir, '\\')))
        *slash = 0;
    SymSetOptions(SymGetOptions() | SYMOPT_LOAD_LINES | SYMOPT_UNDNAME);
    if (!SymInitialize(process, dir, TRUE)) {
        printf("SymInitialize failed %lu\n", GetLastError());
        return;
    }

    context = captured;
    memset(&ex, 0, sizeof(ex));
    ex.StackFrameSize = sizeof(ex);
    ex.AddrPC.Offset = context.Rip;
    ex.AddrPC.Mode = AddrModeFlat;
    ex.AddrStack.Offset = context.Rsp;
    ex.AddrStack.Mode = AddrModeFlat;
    ex.AddrFrame.Offset = context.Rbp;
    ex.AddrFrame.Mode = AddrModeFlat;
    ex.InlineFrameContext = INLINE_FRAME_CONTEXT_INIT;
    for (int i = 0; i < 40 && !done &&
                    StackWalkEx(IMAGE_FILE_MACHINE_AMD64, process, thread, &ex, &context, NULL,
                                SymFunctionTableAccess64, SymGetModuleBase64, NULL, 0);
         i++) {
        IMAGEHLP_LINE64 line = {sizeof(line), NULL, 0, NULL, 0};
        DWORD displacement;
        const char *n = name_of(process, ex.AddrPC.Offset, ex.InlineFrameContext, name);
        const char *file = "?";
        if (SymGetLineFromInlineContext(process, ex.AddrPC.Offset, ex.InlineFrameContext, 0,
                                        &displacement, &line)) {
            file = strrchr(line.FileName, '\\') ? strrchr(line.FileName, '\\') + 1
                   : strrchr(line.FileName, '/') ? strrchr(line.FileName, '/') + 1
                                                  : line.FileName;
        }
        printf("EX %d 0x%llx 0x%lx %s %s:%lu\n", i, (unsigned long long)ex.AddrPC.Offset,
               (unsigned long)ex.InlineFrameContext, n, file,
               file[0] == '?' ? 0ul : (unsigned long)line.LineNumber);
        done = strcmp(n, "main") == 0;
    }

    context = captured;
    memset(&frame, 0, sizeof(frame));
    frame.AddrPC.Offset = context.Rip;
    frame.AddrPC.Mode = AddrModeFlat;
    frame.AddrStack.Offset = context.Rsp;
    frame.AddrStack.Mode = AddrModeFlat;
    frame.AddrFrame.Offset = context.Rbp;
    frame.AddrFrame.Mode = AddrModeFlat;
    done = 0;
    for (int i = 0; i < 40 && !done &&
                    StackWalk64(IMAGE_FILE_MACHINE_AMD64, process, thread, &frame, &context, NULL,
                                SymFunctionTableAccess64, SymGetModuleBase64, NULL);
         i++) {
        union { SYMBOL_INFO info; char bytes[sizeof(SYMBOL_INFO) + 256]; } s;
        DWORD64 displacement;
        const char *n = "?";
        memset(&s, 0, sizeof(s));
        s.info.SizeOfStruct = sizeof(s.info);
        s.info.MaxNameLen = 256;
        if (SymFromAddr(process, frame.AddrPC.Offset, &displacement, &s.info))
            n = strcpy(name, s.info.Name);
        printf("S64 %d 0x%llx %s\n", i, (unsigned long long)frame.AddrPC.Offset, n);
        done = strcmp(n, "main") == 0;
    }
    SymCleanup(process);
}

int main(int argc, char **argv)
{
    (void)argc;
    program = argv[0];
    return level_a(sink) == 12345; /* 0: the value does not matter */
}
