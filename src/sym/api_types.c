/*
 * The type functions. There is no type reader, so every module is one
 * without type information, and these answer as DbgHelp does for such a
 * module: enumerating its types succeeds and finds none; asking about a
 * type index fails with ERROR_INVALID_PARAMETER (no index names a type);
 * looking a type up by name fails with ERROR_NOT_FOUND. A process without a
 * session fails with ERROR_INVALID_HANDLE, an address in no module with
 * ERROR_MOD_NOT_FOUND. Debuggers (winedbg) then print values without types
 * instead of stopping.
 */
#include "session.h"

/* Whether the session exists and a module holds `base`; the error if not. */
static bool module_known(HANDLE process, uint64_t base)
{
    struct sym_session *session = session_acquire(process);
    bool known;

    if (!session)
        return false;
    known = session_module_at(session, base) != NULL;
    session_release(session);
    if (!known)
        dw_set_last_error(ERROR_MOD_NOT_FOUND);
    return known;
}

static BOOL no_such_type(HANDLE process, uint64_t base, DWORD error)
{
    if (module_known(process, base))
        dw_set_last_error(error);
    return FALSE;
}

DW_EXPORT BOOL IMAGEAPI SymGetTypeInfo(HANDLE hProcess, DWORD64 ModBase, ULONG TypeId,
                                       IMAGEHLP_SYMBOL_TYPE_INFO GetType, PVOID pInfo)
{
    (void)TypeId;
    (void)GetType;
    (void)pInfo;
    return no_such_type(hProcess, ModBase, ERROR_INVALID_PARAMETER);
}

DW_EXPORT BOOL IMAGEAPI SymGetTypeInfoEx(HANDLE hProcess, DWORD64 ModBase,
                                         struct _IMAGEHLP_GET_TYPE_INFO_PARAMS *Params)
{
    if (!Params) {
        dw_set_last_error(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    return no_such_type(hProcess, ModBase, ERROR_INVALID_PARAMETER);
}

DW_EXPORT BOOL IMAGEAPI SymGetTypeFromName(HANDLE hProcess, ULONG64 BaseOfDll, PCSTR Name,
                                           PSYMBOL_INFO Symbol)
{
    if (!Name || !Symbol) {
        dw_set_last_error(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    return no_such_type(hProcess, BaseOfDll, ERROR_NOT_FOUND);
}

DW_EXPORT BOOL IMAGEAPI SymGetTypeFromNameW(HANDLE hProcess, ULONG64 BaseOfDll, PCWSTR Name,
                                            PSYMBOL_INFOW Symbol)
{
    if (!Name || !Symbol) {
        dw_set_last_error(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    return no_such_type(hProcess, BaseOfDll, ERROR_NOT_FOUND);
}

/* A module without types: the enumeration succeeds and calls back never. */
static BOOL enumerate_none(HANDLE process, uint64_t base)
{
    return module_known(process, base) ? TRUE : FALSE;
}

DW_EXPORT BOOL IMAGEAPI SymEnumTypes(HANDLE hProcess, ULONG64 BaseOfDll,
                                     PSYM_ENUMERATESYMBOLS_CALLBACK EnumSymbolsCallback,
                                     PVOID UserContext)
{
    (void)EnumSymbolsCallback;
    (void)UserContext;
    return enumerate_none(hProcess, BaseOfDll);
}

DW_EXPORT BOOL IMAGEAPI SymEnumTypesW(HANDLE hProcess, ULONG64 BaseOfDll,
                                      PSYM_ENUMERATESYMBOLS_CALLBACKW EnumSymbolsCallback,
                                      PVOID UserContext)
{
    (void)EnumSymbolsCallback;
    (void)UserContext;
    return enumerate_none(hProcess, BaseOfDll);
}

DW_EXPORT BOOL IMAGEAPI SymEnumTypesByName(HANDLE hProcess, ULONG64 BaseOfDll, PCSTR mask,
                                           PSYM_ENUMERATESYMBOLS_CALLBACK EnumSymbolsCallback,
                                           PVOID UserContext)
{
    (void)mask;
    (void)EnumSymbolsCallback;
    (void)UserContext;
    return enumerate_none(hProcess, BaseOfDll);
}

/* mask is a PCWSTR, declared PCSTR as mingw-w64 does. */
DW_EXPORT BOOL IMAGEAPI SymEnumTypesByNameW(HANDLE hProcess, ULONG64 BaseOfDll, PCSTR mask,
                                            PSYM_ENUMERATESYMBOLS_CALLBACKW EnumSymbolsCallback,
                                            PVOID UserContext)
{
    (void)mask;
    (void)EnumSymbolsCallback;
    (void)UserContext;
    return enumerate_none(hProcess, BaseOfDll);
}
