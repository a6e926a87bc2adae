/*
 * SymGetSymFromName, SymEnumerateSymbols(W): the 32-bit forms of
 * SymGetSymFromName64 and SymEnumerateSymbols(W)64, for callers built
 * against the old API (a 64-bit Windows header renames the names). Symbols
 * above 4 GiB have no 32-bit address: SymGetSymFromName fails for them and
 * the enumeration leaves them out.
 */
#include "session.h"
#include "symbol_info.h"
#include "text.h"

#include <string.h>

#undef SymGetSymFromName
#undef SymEnumerateSymbols
#undef SymEnumerateSymbolsW

#if defined(_WIN32) && !defined(_WIN64)
/* the i686 header declares these with its own types */
typedef IMAGEHLP_SYMBOL symbol32;
typedef PSYM_ENUMSYMBOLS_CALLBACK enum_callback32;
typedef PSYM_ENUMSYMBOLS_CALLBACKW enum_callback32w;
#else
/* IMAGEHLP_SYMBOL as DbgHelp lays it out */
typedef struct {
    DWORD SizeOfStruct;
    DWORD Address;
    DWORD Size;
    DWORD Flags;
    DWORD MaxNameLength;
    CHAR Name[1];
} symbol32;
typedef BOOL (CALLBACK *enum_callback32)(PCSTR SymbolName, ULONG SymbolAddress,
                                         ULONG SymbolSize, PVOID UserContext);
typedef BOOL (CALLBACK *enum_callback32w)(PCWSTR SymbolName, ULONG SymbolAddress,
                                          ULONG SymbolSize, PVOID UserContext);
#endif

DW_EXPORT BOOL IMAGEAPI SymGetSymFromName(HANDLE hProcess, PCSTR Name, symbol32 *Symbol)
{
    union {
        IMAGEHLP_SYMBOL64 info;
        char bytes[sizeof(IMAGEHLP_SYMBOL64) + 512];
    } wide;
    size_t length;

    if (!Name || !Symbol) {
        dw_set_last_error(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    memset(&wide.info, 0, sizeof(wide.info));
    wide.info.SizeOfStruct = sizeof(IMAGEHLP_SYMBOL64);
    wide.info.MaxNameLength = 512;
    if (!SymGetSymFromName64(hProcess, Name, &wide.info))
        return FALSE;
    if (wide.info.Address > 0xFFFFFFFFu) {
        dw_set_last_error(ERROR_INVALID_ADDRESS);
        return FALSE;
    }
    Symbol->Address = (DWORD)wide.info.Address;
    Symbol->Size = wide.info.Size;
    Symbol->Flags = wide.info.Flags;
    if (Symbol->MaxNameLength > 0) {
        char *name = Symbol->Name; /* declared [1]; the caller's buffer extends it */
        length = strlen(wide.info.Name);
        if (length > Symbol->MaxNameLength - 1)
            length = Symbol->MaxNameLength - 1;
        memcpy(name, wide.info.Name, length);
        name[length] = 0;
    }
    return TRUE;
}

struct relay32 {
    enum_callback32 narrow;
    enum_callback32w wide;
    PVOID context;
};

static BOOL CALLBACK relay_narrow(PCSTR name, DWORD64 address, ULONG size, PVOID context)
{
    const struct relay32 *r = context;

    if (address > 0xFFFFFFFFu)
        return TRUE;
    return r->narrow(name, (ULONG)address, size, r->context);
}

static BOOL CALLBACK relay_wide(PCWSTR name, DWORD64 address, ULONG size, PVOID context)
{
    const struct relay32 *r = context;

    if (address > 0xFFFFFFFFu)
        return TRUE;
    return r->wide(name, (ULONG)address, size, r->context);
}

DW_EXPORT BOOL IMAGEAPI SymEnumerateSymbols(HANDLE hProcess, ULONG BaseOfDll,
                                            enum_callback32 EnumSymbolsCallback,
                                            PVOID UserContext)
{
    struct relay32 r = {EnumSymbolsCallback, NULL, UserContext};

    if (!EnumSymbolsCallback) {
        dw_set_last_error(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    return SymEnumerateSymbols64(hProcess, BaseOfDll, relay_narrow, &r);
}

DW_EXPORT BOOL IMAGEAPI SymEnumerateSymbolsW(HANDLE hProcess, ULONG BaseOfDll,
                                             enum_callback32w EnumSymbolsCallback,
                                             PVOID UserContext)
{
    struct relay32 r = {NULL, EnumSymbolsCallback, UserContext};

    if (!EnumSymbolsCallback) {
        dw_set_last_error(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    return SymEnumerateSymbolsW64(hProcess, BaseOfDll, relay_wide, &r);
}
