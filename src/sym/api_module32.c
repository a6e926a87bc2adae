/*
 * SymGetModuleBase: the 32-bit form of SymGetModuleBase64, for callers
 * built against the old API (a 64-bit Windows header renames the name).
 */
#include "session.h"

#undef SymGetModuleBase

DW_EXPORT DWORD IMAGEAPI SymGetModuleBase(HANDLE hProcess, DWORD dwAddr)
{
    DWORD64 base = SymGetModuleBase64(hProcess, dwAddr);

    /* a module above 4 GiB has no 32-bit base */
    if (base > 0xFFFFFFFFu) {
        dw_set_last_error(ERROR_MOD_NOT_FOUND);
        return 0;
    }
    return (DWORD)base;
}
