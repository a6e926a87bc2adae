/*
 * Sessions: SymInitialize(W), SymCleanup, the search path, the API version,
 * and the callbacks a session may register.
 */
#include "session.h"
#include "text.h"

#include <stdio.h>
#include <stdlib.h>

bool sym_invade_process(HANDLE process); /* invade.c */

/* "." then _NT_SYMBOL_PATH and _NT_ALTERNATE_SYMBOL_PATH, as documented. */
static char *default_search_path(void)
{
    const char *parts[3] = {".", getenv("_NT_SYMBOL_PATH"), getenv("_NT_ALTERNATE_SYMBOL_PATH")};
    size_t size = 1;
    char *path;

    for (unsigned i = 0; i < 3; i++)
        if (parts[i] && *parts[i])
            size += strlen(parts[i]) + 1;
    path = malloc(size);
    if (!path)
        return NULL;
    path[0] = 0;
    for (unsigned i = 0; i < 3; i++) {
        if (parts[i] && *parts[i]) {
            if (path[0])
                strcat(path, ";");
            strcat(path, parts[i]);
        }
    }
    return path;
}

DW_EXPORT BOOL IMAGEAPI SymInitialize(HANDLE hProcess, PCSTR UserSearchPath, BOOL fInvadeProcess)
{
    char *fallback = NULL;
    bool existed, ok;

    if (!hProcess) {
        dw_set_last_error(ERROR_INVALID_HANDLE);
        return FALSE;
    }
    if (!UserSearchPath)
        UserSearchPath = fallback = default_search_path();
    ok = session_create(hProcess, UserSearchPath, &existed);
    free(fallback);
    if (!ok)
        return FALSE;
    /* A second SymInitialize on a live handle keeps its session. */
    if (fInvadeProcess)
        sym_invade_process(hProcess);
    return TRUE;
}

DW_EXPORT BOOL IMAGEAPI SymInitializeW(HANDLE hProcess, PCWSTR UserSearchPath,
                                       BOOL fInvadeProcess)
{
    char path[4096];

    if (UserSearchPath && !text_narrow(UserSearchPath, path, sizeof(path))) {
        dw_set_last_error(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    return SymInitialize(hProcess, UserSearchPath ? path : NULL, fInvadeProcess);
}

DW_EXPORT BOOL IMAGEAPI SymCleanup(HANDLE hProcess)
{
    return session_destroy(hProcess);
}

DW_EXPORT BOOL IMAGEAPI SymGetSearchPath(HANDLE hProcess, PSTR SearchPath,
                                         DWORD SearchPathLength)
{
    struct sym_session *session;
    size_t n;

    if (!SearchPath || SearchPathLength == 0) {
        dw_set_last_error(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    session = session_acquire(hProcess);
    if (!session)
        return FALSE;
    n = strlen(session->search_path);
    if (n >= SearchPathLength)
        n = SearchPathLength - 1;
    memcpy(SearchPath, session->search_path, n);
    SearchPath[n] = 0;
    session_release(session);
    return TRUE;
}

DW_EXPORT BOOL IMAGEAPI SymGetSearchPathW(HANDLE hProcess, PWSTR SearchPath,
                                          DWORD SearchPathLength)
{
    char path[4096];

    if (!SearchPath || SearchPathLength == 0) {
        dw_set_last_error(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    if (!SymGetSearchPath(hProcess, path, sizeof(path)))
        return FALSE;
    text_widen(path, SearchPath, SearchPathLength);
    return TRUE;
}

DW_EXPORT BOOL IMAGEAPI SymSetSearchPath(HANDLE hProcess, PCSTR SearchPath)
{
    struct sym_session *session;
    char *copy, *fallback = NULL;

    if (!SearchPath)
        SearchPath = fallback = default_search_path();
    if (!SearchPath) {
        dw_set_last_error(ERROR_NOT_ENOUGH_MEMORY);
        return FALSE;
    }
    copy = malloc(strlen(SearchPath) + 1);
    if (!copy) {
        free(fallback);
        dw_set_last_error(ERROR_NOT_ENOUGH_MEMORY);
        return FALSE;
    }
    strcpy(copy, SearchPath);
    free(fallback);
    session = session_acquire_exclusive(hProcess);
    if (!session) {
        free(copy);
        return FALSE;
    }
    free(session->search_path);
    session->search_path = copy;
    session_release_exclusive(session);
    return TRUE;
}

DW_EXPORT BOOL IMAGEAPI SymSetSearchPathW(HANDLE hProcess, PCWSTR SearchPath)
{
    char path[4096];

    if (SearchPath && !text_narrow(SearchPath, path, sizeof(path))) {
        dw_set_last_error(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    return SymSetSearchPath(hProcess, SearchPath ? path : NULL);
}

/* DbgHelp 6.x's version numbers; the Revision tells callers what it knows. */
static const API_VERSION library_version = {6, 12, API_VERSION_NUMBER, 0};

DW_EXPORT LPAPI_VERSION IMAGEAPI ImagehlpApiVersion(void)
{
    return (LPAPI_VERSION)&library_version;
}

DW_EXPORT LPAPI_VERSION IMAGEAPI ImagehlpApiVersionEx(LPAPI_VERSION AppVersion)
{
    (void)AppVersion; /* nothing depends on the caller's version */
    return (LPAPI_VERSION)&library_version;
}

static BOOL register_callback(HANDLE process, PSYMBOL_REGISTERED_CALLBACK64 callback,
                              ULONG64 context, bool wide)
{
    struct sym_session *session = session_acquire_exclusive(process);

    if (!session)
        return FALSE;
    session->callback = callback;
    session->callback_context = context;
    session->callback_wide = wide;
    session_release_exclusive(session);
    return TRUE;
}

DW_EXPORT BOOL IMAGEAPI SymRegisterCallback64(HANDLE hProcess,
                                              PSYMBOL_REGISTERED_CALLBACK64 CallbackFunction,
                                              ULONG64 UserContext)
{
    return register_callback(hProcess, CallbackFunction, UserContext, false);
}

/* The wide variant differs only in the strings its events carry: the
 * symbol-load events' IMAGEHLP_DEFERRED_SYMBOL_LOADW64 (load_events.c). */
DW_EXPORT BOOL IMAGEAPI SymRegisterCallbackW64(HANDLE hProcess,
                                               PSYMBOL_REGISTERED_CALLBACK64 CallbackFunction,
                                               ULONG64 UserContext)
{
    return register_callback(hProcess, CallbackFunction, UserContext, true);
}

DW_EXPORT BOOL IMAGEAPI SymRegisterFunctionEntryCallback64(
    HANDLE hProcess, PSYMBOL_FUNCENTRY_CALLBACK64 CallbackFunction, ULONG64 UserContext)
{
    struct sym_session *session = session_acquire_exclusive(hProcess);

    if (!session)
        return FALSE;
    session->function_entry_callback = CallbackFunction;
    session->function_entry_context = UserContext;
    session_release_exclusive(session);
    return TRUE;
}

DW_EXPORT BOOL IMAGEAPI SymRefreshModuleList(HANDLE hProcess)
{
    struct sym_session *session = session_acquire(hProcess);

    if (!session)
        return FALSE;
    session_release(session);
    return sym_invade_process(hProcess) ? TRUE : FALSE;
}
