/*
 * Finding files in a symbol path, with the search of debug_info_find.c:
 *
 * - SymFindFileInPath(W): a file named FileName (its base name only) in each
 *   element, as DIR/name and in the store layout DIR/name/ID/name, where ID
 *   is made from id/two as the flags say (SSRVOPT_GUIDPTR: id points to a
 *   GUID, two is the age; SSRVOPT_DWORDPTR: id points to a DWORD;
 *   SSRVOPT_DWORD or none: id is the DWORD; two follows in hex). As
 *   documented, a candidate is checked against the identity only under
 *   SYMOPT_EXACT_SYMBOLS (then a file that is neither a PE nor a PDB, or is
 *   unreadable as one, is passed by). The callback sees each candidate: TRUE goes on
 *   searching, FALSE takes that file.
 * - FindExecutableImage(Ex)(W), FindDebugInfoFile(Ex)(W) and their Sym*
 *   forms (the session's path): the name as given, then DIR/name in each
 *   element of the path, opened; the Ex callback accepts the open file
 *   (TRUE) or passes it by (FALSE).
 */
#include "file_index.h"
#include "text.h"

#include <stdio.h>
#include <stdlib.h>

#define WIDE_PATH_BYTES (MAX_PATH * 4)

/* The session's search path (a copy), or NULL with ERROR_INVALID_HANDLE. */
static char *session_path(HANDLE process)
{
    struct sym_session *session = session_acquire(process);
    char *path;

    if (!session)
        return NULL;
    path = sym_copy_string(session->search_path ? session->search_path : ".");
    session_release(session);
    if (!path)
        dw_set_last_error(ERROR_NOT_ENOUGH_MEMORY);
    return path;
}

/* ---- SymFindFileInPath ---- */

typedef bool (*candidate_callback)(void *context, const char *path);

struct in_path {
    bool exact; /* SYMOPT_EXACT_SYMBOLS: the identity must match */
    bool guid_id;
    GUID guid;
    DWORD first, second;
    candidate_callback callback; /* true: keep searching */
    void *context;
    char *found; /* MAX_PATH bytes */
};

static bool identity_matches(const struct in_path *s, const char *path)
{
    struct file_index index;

    if (!file_index_read(path, &index))
        return false; /* no identity to show: not the exact file asked for */
    if (index.kind == FILE_KIND_PE)
        return !s->guid_id && index.timestamp == s->first && index.size_of_image == s->second;
    if (index.codeview.age != s->second)
        return false;
    return s->guid_id ? memcmp(&index.codeview.guid, &s->guid, sizeof(GUID)) == 0
                      : index.codeview.signature == s->first;
}

static bool try_in_path(void *context, const char *path)
{
    struct in_path *s = context;

    if (strlen(path) >= MAX_PATH || !file_is_regular(path))
        return false;
    if (s->exact && !identity_matches(s, path))
        return false;
    if (s->callback && s->callback(s->context, path))
        return false;
    strcpy(s->found, path);
    return true;
}

static BOOL find_file_in_path(HANDLE process, const char *search_path, const char *file_name,
                              PVOID id, DWORD two, DWORD flags, char *found,
                              candidate_callback callback, void *context)
{
    struct in_path s = {.exact = (sym_options() & SYMOPT_EXACT_SYMBOLS) != 0,
                        .second = two,
                        .callback = callback,
                        .context = context,
                        .found = found};
    char store_id[80] = "", *own_path = NULL;
    struct sym_path_walk walk;
    bool ok;

    if (!file_name || !found) {
        dw_set_last_error(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    if (!search_path) {
        if (!(own_path = session_path(process)))
            return FALSE;
        search_path = own_path;
    } else {
        struct sym_session *session = session_acquire(process);
        if (!session)
            return FALSE;
        session_release(session);
    }
    if (flags & SSRVOPT_GUIDPTR) {
        if (id) {
            s.guid_id = true;
            memcpy(&s.guid, id, sizeof(GUID));
            sym_store_id_guid(&s.guid, two, store_id, sizeof(store_id));
        }
    } else if (flags & SSRVOPT_DWORDPTR) {
        if (id) {
            memcpy(&s.first, id, sizeof(DWORD));
            sym_store_id_dword(s.first, two, store_id, sizeof(store_id));
        }
    } else {
        s.first = (DWORD)(uintptr_t)id;
        if (id || two)
            sym_store_id_dword(s.first, two, store_id, sizeof(store_id));
    }
    if (!(s.guid_id || s.first || two))
        s.exact = false; /* no identity given: nothing to check */
    walk = (struct sym_path_walk){sym_base_name(file_name), store_id, try_in_path, &s};
    found[0] = 0;
    ok = sym_path_walk(&walk, search_path);
    free(own_path);
    if (!ok) {
        dw_set_last_error(ERROR_FILE_NOT_FOUND);
        return FALSE;
    }
    return TRUE;
}

struct narrow_bridge {
    PFINDFILEINPATHCALLBACK callback;
    PVOID context;
};

static bool call_narrow(void *context, const char *path)
{
    const struct narrow_bridge *b = context;
    return b->callback(path, b->context) != FALSE;
}

DW_EXPORT BOOL IMAGEAPI SymFindFileInPath(HANDLE hprocess, PCSTR SearchPath, PCSTR FileName,
                                          PVOID id, DWORD two, DWORD three, DWORD flags,
                                          PSTR FoundFile, PFINDFILEINPATHCALLBACK callback,
                                          PVOID context)
{
    struct narrow_bridge b = {callback, context};

    (void)three; /* unused, as documented */
    return find_file_in_path(hprocess, SearchPath, FileName, id, two, flags, FoundFile,
                             callback ? call_narrow : NULL, &b);
}

struct wide_bridge {
    PFINDFILEINPATHCALLBACKW callback;
    PVOID context;
};

static bool call_wide(void *context, const char *path)
{
    const struct wide_bridge *b = context;
    WCHAR wide[MAX_PATH];

    if (!text_widen(path, wide, DW_ARRAY_SIZE(wide)))
        return true; /* cannot be shown to the caller: go on */
    return b->callback(wide, b->context) != FALSE;
}

DW_EXPORT BOOL IMAGEAPI SymFindFileInPathW(HANDLE hprocess, PCWSTR SearchPath, PCWSTR FileName,
                                           PVOID id, DWORD two, DWORD three, DWORD flags,
                                           PSTR FoundFile, PFINDFILEINPATHCALLBACKW callback,
                                           PVOID context)
{
    char search[WIDE_PATH_BYTES * 4], name[WIDE_PATH_BYTES], found[MAX_PATH];
    struct wide_bridge b = {callback, context};
    WCHAR *out = (WCHAR *)(void *)FoundFile;

    (void)three;
    if (!FileName || !FoundFile || !text_narrow(FileName, name, sizeof(name)) ||
        (SearchPath && !text_narrow(SearchPath, search, sizeof(search)))) {
        dw_set_last_error(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    if (!find_file_in_path(hprocess, SearchPath ? search : NULL, name, id, two, flags, found,
                           callback ? call_wide : NULL, &b))
        return FALSE;
    text_widen(found, out, MAX_PATH);
    return TRUE;
}

/* ---- FindExecutableImage, FindDebugInfoFile ---- */

/* true: accept the open file. */
typedef bool (*open_callback)(void *context, HANDLE file, const char *path);

struct open_search {
    open_callback callback;
    void *context;
    HANDLE handle;
    char *found; /* MAX_PATH bytes */
};

static bool try_open(void *context, const char *path)
{
    struct open_search *s = context;
    HANDLE h;

    if (strlen(path) >= MAX_PATH || !(h = file_handle_open(path)))
        return false;
    if (s->callback && !s->callback(s->context, h, path)) {
        file_handle_close(h);
        return false;
    }
    s->handle = h;
    strcpy(s->found, path);
    return true;
}

static HANDLE find_and_open(const char *file_name, const char *search_path, char *found,
                            open_callback callback, void *context)
{
    struct open_search s = {callback, context, NULL, found};
    struct sym_path_walk walk;

    if (!file_name || !*file_name || !found) {
        dw_set_last_error(ERROR_INVALID_PARAMETER);
        return NULL;
    }
    found[0] = 0;
    walk = (struct sym_path_walk){sym_base_name(file_name), NULL, try_open, &s};
    if (try_open(&s, file_name) || (search_path && sym_path_walk(&walk, search_path)))
        return s.handle;
    found[0] = 0;
    dw_set_last_error(ERROR_FILE_NOT_FOUND);
    return NULL;
}

/* The callbacks of both families have one type: (handle, name, data). */
struct exe_bridge {
    PFIND_EXE_FILE_CALLBACK callback;
    PVOID data;
};

static bool call_exe(void *context, HANDLE file, const char *path)
{
    const struct exe_bridge *b = context;
    return b->callback(file, path, b->data) != FALSE;
}

struct exe_bridge_w {
    PFIND_EXE_FILE_CALLBACKW callback;
    PVOID data;
};

static bool call_exe_w(void *context, HANDLE file, const char *path)
{
    const struct exe_bridge_w *b = context;
    WCHAR wide[MAX_PATH];
    return text_widen(path, wide, DW_ARRAY_SIZE(wide)) && b->callback(file, wide, b->data);
}

static HANDLE find_narrow(PCSTR FileName, PCSTR SymbolPath, PSTR found,
                          PFIND_EXE_FILE_CALLBACK callback,
                          PVOID data)
{
    struct exe_bridge b = {callback, data};
    return find_and_open(FileName, SymbolPath, found, callback ? call_exe : NULL, &b);
}

static HANDLE find_wide(PCWSTR FileName, PCWSTR SymbolPath, PWSTR found,
                        PFIND_EXE_FILE_CALLBACKW callback,
                        PVOID data)
{
    char name[WIDE_PATH_BYTES], path[WIDE_PATH_BYTES * 4], out[MAX_PATH];
    struct exe_bridge_w b = {callback, data};
    HANDLE h;

    if (!FileName || !found || !text_narrow(FileName, name, sizeof(name)) ||
        (SymbolPath && !text_narrow(SymbolPath, path, sizeof(path)))) {
        dw_set_last_error(ERROR_INVALID_PARAMETER);
        return NULL;
    }
    h = find_and_open(name, SymbolPath ? path : NULL, out, callback ? call_exe_w : NULL, &b);
    text_widen(out, found, MAX_PATH);
    return h;
}

/* The Sym* forms search the session's path. */
static HANDLE sym_find_narrow(HANDLE process, PCSTR FileName, PSTR found,
                              PFIND_EXE_FILE_CALLBACK callback,
                              PVOID data)
{
    char *path = session_path(process);
    HANDLE h;

    if (!path)
        return NULL;
    h = find_narrow(FileName, path, found, callback, data);
    free(path);
    return h;
}

static HANDLE sym_find_wide(HANDLE process, PCWSTR FileName, PWSTR found,
                            PFIND_EXE_FILE_CALLBACKW callback,
                            PVOID data)
{
    char *path = session_path(process), name[WIDE_PATH_BYTES], out[MAX_PATH];
    struct exe_bridge_w b = {callback, data};
    HANDLE h = NULL;

    if (!path)
        return NULL;
    if (!FileName || !found || !text_narrow(FileName, name, sizeof(name)))
        dw_set_last_error(ERROR_INVALID_PARAMETER);
    else {
        h = find_and_open(name, path, out, callback ? call_exe_w : NULL, &b);
        text_widen(out, found, MAX_PATH);
    }
    free(path);
    return h;
}

DW_EXPORT HANDLE IMAGEAPI FindExecutableImage(PCSTR FileName, PCSTR SymbolPath,
                                              PSTR ImageFilePath)
{
    return find_narrow(FileName, SymbolPath, ImageFilePath, NULL, NULL);
}

DW_EXPORT HANDLE IMAGEAPI FindExecutableImageEx(PCSTR FileName, PCSTR SymbolPath,
                                                PSTR ImageFilePath,
                                                PFIND_EXE_FILE_CALLBACK Callback,
                                                PVOID CallerData)
{
    return find_narrow(FileName, SymbolPath, ImageFilePath, Callback, CallerData);
}

DW_EXPORT HANDLE IMAGEAPI FindExecutableImageExW(PCWSTR FileName, PCWSTR SymbolPath,
                                                 PWSTR ImageFilePath,
                                                 PFIND_EXE_FILE_CALLBACKW Callback,
                                                 PVOID CallerData)
{
    return find_wide(FileName, SymbolPath, ImageFilePath, Callback, CallerData);
}

DW_EXPORT HANDLE IMAGEAPI FindDebugInfoFile(PCSTR FileName, PCSTR SymbolPath,
                                            PSTR DebugFilePath)
{
    return find_narrow(FileName, SymbolPath, DebugFilePath, NULL, NULL);
}

DW_EXPORT HANDLE IMAGEAPI FindDebugInfoFileEx(PCSTR FileName, PCSTR SymbolPath,
                                              PSTR DebugFilePath,
                                              PFIND_DEBUG_FILE_CALLBACK Callback,
                                              PVOID CallerData)
{
    return find_narrow(FileName, SymbolPath, DebugFilePath, Callback, CallerData);
}

DW_EXPORT HANDLE IMAGEAPI FindDebugInfoFileExW(PCWSTR FileName, PCWSTR SymbolPath,
                                               PWSTR DebugFilePath,
                                               PFIND_DEBUG_FILE_CALLBACKW Callback,
                                               PVOID CallerData)
{
    return find_wide(FileName, SymbolPath, DebugFilePath, Callback, CallerData);
}

DW_EXPORT HANDLE IMAGEAPI SymFindExecutableImage(HANDLE hProcess, PCSTR FileName,
                                                 PSTR ImageFilePath,
                                                 PFIND_EXE_FILE_CALLBACK Callback,
                                                 PVOID CallerData)
{
    return sym_find_narrow(hProcess, FileName, ImageFilePath, Callback, CallerData);
}

DW_EXPORT HANDLE IMAGEAPI SymFindExecutableImageW(HANDLE hProcess, PCWSTR FileName,
                                                  PWSTR ImageFilePath,
                                                  PFIND_EXE_FILE_CALLBACKW Callback,
                                                  PVOID CallerData)
{
    return sym_find_wide(hProcess, FileName, ImageFilePath, Callback, CallerData);
}

DW_EXPORT HANDLE IMAGEAPI SymFindDebugInfoFile(HANDLE hProcess, PCSTR FileName,
                                               PSTR DebugFilePath,
                                               PFIND_DEBUG_FILE_CALLBACK Callback,
                                               PVOID CallerData)
{
    return sym_find_narrow(hProcess, FileName, DebugFilePath, Callback, CallerData);
}

DW_EXPORT HANDLE IMAGEAPI SymFindDebugInfoFileW(HANDLE hProcess, PCWSTR FileName,
                                                PWSTR DebugFilePath,
                                                PFIND_DEBUG_FILE_CALLBACKW Callback,
                                                PVOID CallerData)
{
    return sym_find_wide(hProcess, FileName, DebugFilePath, Callback, CallerData);
}
