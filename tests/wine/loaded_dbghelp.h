/*
 * Which dbghelp.dll a test program really loaded: Wine reports its builtin
 * under the path of a native file of the same name, so the path alone does
 * not tell. Shared by the Wine test programs (header-only: each is built
 * from one source file).
 */
#ifndef LOADED_DBGHELP_H
#define LOADED_DBGHELP_H

#include <windows.h>
#include <stdio.h>
#include <string.h>

/* Wine marks its builtin PE images at offset 0x40. */
static inline int is_wine_builtin(HMODULE module)
{
    return memcmp((const char *)module + 0x40, "Wine builtin DLL", 16) == 0;
}

/* Whether the mapped image's headers are those of the file at `path`. */
static inline int matches_file(HMODULE module, const char *path)
{
    unsigned char head[4096];
    DWORD got = 0;
    const IMAGE_DOS_HEADER *mdos = (const IMAGE_DOS_HEADER *)module, *fdos;
    const IMAGE_NT_HEADERS64 *mnt, *fnt;
    HANDLE file = CreateFileA(path, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_DELETE, NULL,
                              OPEN_EXISTING, 0, NULL);
    if (file == INVALID_HANDLE_VALUE)
        return 0;
    if (!ReadFile(file, head, sizeof head, &got, NULL))
        got = 0;
    CloseHandle(file);
    fdos = (const IMAGE_DOS_HEADER *)head;
    if (got < sizeof *fdos || fdos->e_magic != IMAGE_DOS_SIGNATURE || fdos->e_lfanew < 0 ||
        (DWORD)fdos->e_lfanew + sizeof *fnt > got)
        return 0;
    fnt = (const IMAGE_NT_HEADERS64 *)(head + fdos->e_lfanew);
    mnt = (const IMAGE_NT_HEADERS64 *)((const char *)module + mdos->e_lfanew);
    return fnt->Signature == IMAGE_NT_SIGNATURE && mnt->Signature == IMAGE_NT_SIGNATURE &&
           fnt->FileHeader.TimeDateStamp == mnt->FileHeader.TimeDateStamp &&
           fnt->OptionalHeader.SizeOfImage == mnt->OptionalHeader.SizeOfImage &&
           fnt->OptionalHeader.AddressOfEntryPoint == mnt->OptionalHeader.AddressOfEntryPoint &&
           fnt->OptionalHeader.CheckSum == mnt->OptionalHeader.CheckSum;
}

/* The loaded dbghelp.dll and its path ("?" without one). */
static inline HMODULE loaded_dbghelp(char *path, DWORD path_size)
{
    HMODULE dbghelp = GetModuleHandleA("dbghelp.dll");

    if (!dbghelp || !GetModuleFileNameA(dbghelp, path, path_size))
        snprintf(path, path_size, "?");
    return dbghelp;
}

/* The lines the run-*.sh scripts check the loaded DLL by: EXE, DBGHELP,
 * DBGHELP_BUILTIN, DBGHELP_MATCHES_FILE. */
static inline void print_loaded(const char *exe, HMODULE dbghelp, const char *dll)
{
    printf("EXE %s\n", exe);
    printf("DBGHELP %s\n", dll);
    printf("DBGHELP_BUILTIN %d\n", dbghelp ? is_wine_builtin(dbghelp) : 0);
    printf("DBGHELP_MATCHES_FILE %d\n", dbghelp ? matches_file(dbghelp, dll) : 0);
}

#endif
