/*
 * What the Wine test programs do around StackWalk64 the way DbgHelp's users
 * do: seed the first frame, count the read routine's calls, name frames with
 * SymGetModuleInfo64 and SymFromAddr. Shared by the Wine test programs
 * (header-only: each is built from one source file).
 */
#ifndef WALK_CLIENT_H
#define WALK_CLIENT_H

#include <windows.h>
#include <dbghelp.h>
#include <stdio.h>
#include <string.h>

/* A flat STACKFRAME64 at the context's PC, SP and frame pointer. */
static inline void seed_frame(STACKFRAME64 *frame, DWORD64 pc, DWORD64 sp, DWORD64 fp)
{
    memset(frame, 0, sizeof *frame);
    frame->AddrPC.Offset = pc;
    frame->AddrPC.Mode = AddrModeFlat;
    frame->AddrStack.Offset = sp;
    frame->AddrStack.Mode = AddrModeFlat;
    frame->AddrFrame.Offset = fp;
    frame->AddrFrame.Mode = AddrModeFlat;
}

/* What a walk cost: counting_read's calls and the bytes it gave. */
static volatile LONG read_calls;
static DWORD64 read_bytes;

/* ReadProcessMemory, counted. */
static inline BOOL WINAPI counting_read(HANDLE process, DWORD64 address, PVOID buffer,
                                        DWORD size, LPDWORD bytes_read)
{
    SIZE_T got = 0;
    BOOL ok;
    InterlockedIncrement(&read_calls);
    ok = ReadProcessMemory(process, (LPCVOID)(ULONG_PTR)address, buffer, size, &got);
    read_bytes += got;
    if (bytes_read)
        *bytes_read = (DWORD)got;
    return ok;
}

/* SymGetModuleInfo64's ModuleName and BaseOfImage for pc; "?" and *base
 * untouched when it fails. */
static inline int frame_module(HANDLE process, DWORD64 pc, DWORD64 *base, char *name,
                               size_t name_size)
{
    IMAGEHLP_MODULE64 module;

    memset(&module, 0, sizeof module);
    module.SizeOfStruct = sizeof(IMAGEHLP_MODULE64);
    if (!SymGetModuleInfo64(process, pc, &module)) {
        snprintf(name, name_size, "?");
        return 0;
    }
    *base = module.BaseOfImage;
    snprintf(name, name_size, "%s", module.ModuleName);
    return 1;
}

/* SymFromAddr's name for `lookup` (the PC, or PC - 1 for a return address:
 * it may be the byte after a call that ends its function), with the
 * displacement from the PC itself; "?" and its last error in *error (when
 * not NULL) when it fails. */
static inline int frame_symbol(HANDLE process, DWORD64 pc, DWORD64 lookup, DWORD64 *displacement,
                               char *name, size_t name_size, DWORD *error)
{
    ULONG64 buffer[(sizeof(SYMBOL_INFO) + MAX_SYM_NAME + sizeof(ULONG64) - 1) / sizeof(ULONG64)];
    SYMBOL_INFO *symbol = (SYMBOL_INFO *)buffer;

    memset(buffer, 0, sizeof buffer);
    symbol->SizeOfStruct = sizeof(SYMBOL_INFO);
    symbol->MaxNameLen = MAX_SYM_NAME;
    SetLastError(0);
    if (!SymFromAddr(process, lookup, displacement, symbol)) {
        if (error)
            *error = GetLastError();
        snprintf(name, name_size, "?");
        return 0;
    }
    snprintf(name, name_size, "%s", symbol->Name);
    *displacement += pc - lookup;
    return 1;
}

/* Whether frame `index` passes the check of its SymFromAddr name, with the
 * check's text in `what`. With names-optional a wrong or missing name is
 * only noted: Wine 8.0's builtin finds none in these exes (it prefers the
 * CRT's DWARF to the export table). */
static inline int symbol_checked(int index, int have_symbol, const char *symbol,
                                 const char *expected, int names_optional, char *what,
                                 size_t what_size)
{
    int ok = have_symbol && strcmp(symbol, expected) == 0;

    snprintf(what, what_size, "frame %d: SymFromAddr gave '%s', expected '%s'", index, symbol,
             expected);
    if (!ok && names_optional) {
        printf("NOTE (not checked): %s\n", what);
        return 1;
    }
    return ok;
}

#endif
