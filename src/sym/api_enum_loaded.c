/*
 * EnumerateLoadedModules(64/W64/Ex/ExW): the modules loaded in the target
 * process, each with its image path, base and size. On Windows that is the
 * real process, asked through the loader's module list (Toolhelp), as
 * DbgHelp does, whether or not a symbol session exists; elsewhere there is
 * no process to ask, and the session's modules are the answer.
 */
#include "session.h"
#include "text.h"

#include <stdio.h>
#include <stdlib.h>

#ifdef _WIN32
#include <tlhelp32.h>
#endif

#undef EnumerateLoadedModules

struct loaded_module {
    char path[MAX_PATH * 2];
    uint64_t base;
    uint32_t size;
};

/* A snapshot, so the callbacks run with no lock held. */
static bool loaded_modules(HANDLE process, struct loaded_module **out, unsigned *count)
{
#ifdef _WIN32
    DWORD pid = GetProcessId(process);
    HANDLE snap;
    MODULEENTRY32 entry;
    unsigned n = 0, cap = 16;
    struct loaded_module *list;

    if (process == GetCurrentProcess())
        pid = GetCurrentProcessId();
    if (!pid) {
        dw_set_last_error(ERROR_INVALID_HANDLE);
        return false;
    }
    snap = CreateToolhelp32Snapshot(TH32CS_SNAPMODULE | TH32CS_SNAPMODULE32, pid);
    if (snap == INVALID_HANDLE_VALUE)
        return false; /* its last error stands */
    list = malloc(cap * sizeof(*list));
    if (!list) {
        CloseHandle(snap);
        dw_set_last_error(ERROR_NOT_ENOUGH_MEMORY);
        return false;
    }
    entry.dwSize = sizeof(entry);
    for (BOOL more = Module32First(snap, &entry); more; more = Module32Next(snap, &entry)) {
        if (n == cap) {
            struct loaded_module *grown = realloc(list, 2 * cap * sizeof(*list));
            if (!grown)
                break;
            list = grown;
            cap *= 2;
        }
        snprintf(list[n].path, sizeof(list[n].path), "%s", entry.szExePath);
        list[n].base = (uint64_t)(uintptr_t)entry.modBaseAddr;
        list[n].size = entry.modBaseSize;
        n++;
    }
    CloseHandle(snap);
    *out = list;
    *count = n;
    return true;
#else
    struct sym_session *session = session_acquire(process);
    unsigned n = 0, i = 0;
    struct loaded_module *list;

    if (!session)
        return false;
    for (struct sym_module *m = session->modules; m; m = m->next)
        n++;
    list = malloc((n ? n : 1) * sizeof(*list));
    if (!list) {
        session_release(session);
        dw_set_last_error(ERROR_NOT_ENOUGH_MEMORY);
        return false;
    }
    for (struct sym_module *m = session->modules; m; m = m->next, i++) {
        /* the path the image was found at, else the name it was given */
        const char *path = m->loaded_image_name[0] ? m->loaded_image_name
                           : m->image_name[0]      ? m->image_name
                                                   : m->module_name;
        snprintf(list[i].path, sizeof(list[i].path), "%s", path);
        list[i].base = m->base;
        list[i].size = m->size;
    }
    session_release(session);
    *out = list;
    *count = n;
    return true;
#endif
}

typedef BOOL (CALLBACK *enum_loaded32_callback)(PCSTR name, ULONG base, ULONG size,
                                                PVOID context);

static BOOL enumerate_loaded(HANDLE process, PENUMLOADED_MODULES_CALLBACK64 narrow,
                             PENUMLOADED_MODULES_CALLBACKW64 wide,
                             enum_loaded32_callback narrow32, PVOID context)
{
    struct loaded_module *list;
    unsigned count;

    if (!narrow && !wide && !narrow32) {
        dw_set_last_error(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    if (!loaded_modules(process, &list, &count))
        return FALSE;
    for (unsigned i = 0; i < count; i++) {
        BOOL more;
        if (narrow) {
            more = narrow(list[i].path, list[i].base, list[i].size, context);
        } else if (wide) {
            WCHAR path[DW_ARRAY_SIZE(list[i].path)];
            text_widen(list[i].path, path, DW_ARRAY_SIZE(path));
            more = wide(path, list[i].base, list[i].size, context);
        } else {
            if (list[i].base > 0xFFFFFFFFu)
                continue; /* no 32-bit base to give */
            more = narrow32(list[i].path, (ULONG)list[i].base, list[i].size, context);
        }
        if (!more)
            break;
    }
    free(list);
    return TRUE;
}

DW_EXPORT BOOL IMAGEAPI EnumerateLoadedModules64(HANDLE hProcess,
                                                 PENUMLOADED_MODULES_CALLBACK64 Callback,
                                                 PVOID UserContext)
{
    return enumerate_loaded(hProcess, Callback, NULL, NULL, UserContext);
}

DW_EXPORT BOOL IMAGEAPI EnumerateLoadedModulesW64(HANDLE hProcess,
                                                  PENUMLOADED_MODULES_CALLBACKW64 Callback,
                                                  PVOID UserContext)
{
    return enumerate_loaded(hProcess, NULL, Callback, NULL, UserContext);
}

DW_EXPORT BOOL IMAGEAPI EnumerateLoadedModulesEx(HANDLE hProcess,
                                                 PENUMLOADED_MODULES_CALLBACK64 Callback,
                                                 PVOID UserContext)
{
    return enumerate_loaded(hProcess, Callback, NULL, NULL, UserContext);
}

DW_EXPORT BOOL IMAGEAPI EnumerateLoadedModulesExW(HANDLE hProcess,
                                                  PENUMLOADED_MODULES_CALLBACKW64 Callback,
                                                  PVOID UserContext)
{
    return enumerate_loaded(hProcess, NULL, Callback, NULL, UserContext);
}

/* The 32-bit form: modules above 4 GiB have no base it can carry. */
DW_EXPORT BOOL IMAGEAPI EnumerateLoadedModules(HANDLE hProcess,
                                               enum_loaded32_callback Callback,
                                               PVOID UserContext)
{
    return enumerate_loaded(hProcess, NULL, NULL, Callback, UserContext);
}
