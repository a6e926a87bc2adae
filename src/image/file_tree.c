/*
 * Files on disk: MakeSureDirectoryPathExists, SearchTreeForFile(W) and
 * EnumDirTree(W). A search goes depth-first through a directory tree for a
 * file name (DbgHelp's wildcards allowed, letters compared without case as
 * on Windows), not following symbolic links and at most MAX_DEPTH deep, so
 * a looping or huge tree cannot hang the caller.
 */
#include "../platform.h"
#include "../sym/text.h"
#include "../sym/wildcard.h"

#include <stdio.h>
#include <stdlib.h>
#include <errno.h>

#ifdef _WIN32
#define SEP '\\'
#else
#include <dirent.h>
#include <sys/stat.h>
#include <sys/types.h>
#define SEP '/'
#endif

#define MAX_DEPTH 32
#define PATH_BYTES (MAX_PATH * 4)

static bool is_sep(char c) { return c == '\\' || c == '/'; }

static const char *base_name(const char *path)
{
    const char *base = path;
    for (const char *p = path; *p; p++)
        if (is_sep(*p))
            base = p + 1;
    return base;
}

static bool make_dir(const char *path)
{
#ifdef _WIN32
    return CreateDirectoryA(path, NULL) || GetLastError() == ERROR_ALREADY_EXISTS;
#else
    struct stat st;
    if (mkdir(path, 0777) == 0)
        return true;
    return errno == EEXIST && stat(path, &st) == 0 && S_ISDIR(st.st_mode);
#endif
}

/* Every directory of the path up to its last separator: the last component
 * is a file's name unless the path ends with a separator (as documented). */
DW_EXPORT BOOL IMAGEAPI MakeSureDirectoryPathExists(PCSTR DirPath)
{
    char path[PATH_BYTES];
    size_t n;

    if (!DirPath || !*DirPath) {
        dw_set_last_error(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    n = strlen(DirPath);
    if (n >= sizeof(path)) {
        dw_set_last_error(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    memcpy(path, DirPath, n + 1);
    for (size_t i = 1; i < n; i++) {
        if (!is_sep(path[i]) || is_sep(path[i - 1]) || (i == 2 && path[1] == ':'))
            continue;
        path[i] = 0;
        if (!make_dir(path)) {
#ifndef _WIN32
            dw_set_last_error(errno == ENOTDIR || errno == EEXIST ? ERROR_PATH_NOT_FOUND
                                                                  : ERROR_ACCESS_DENIED);
#endif
            return FALSE;
        }
        path[i] = DirPath[i];
    }
    return TRUE;
}

typedef BOOL (CALLBACK *found_callback)(PCSTR path, PVOID data);

struct search {
    const char *name;        /* the file name (pattern) sought */
    found_callback callback; /* NULL: the first match ends the search */
    void *data;
    char *output; /* MAX_PATH + 1 bytes, or NULL */
};

/* Whether the search ended (a match the caller accepted). `path` holds the
 * directory and has room for PATH_BYTES. */
static bool search_dir(struct search *s, char *path, unsigned depth)
{
    size_t length = strlen(path);
    bool done = false;

    if (depth > MAX_DEPTH || length + 2 >= PATH_BYTES)
        return false;
#ifdef _WIN32
    WIN32_FIND_DATAA found;
    HANDLE h;
    if (length && !is_sep(path[length - 1]))
        path[length++] = SEP;
    path[length] = '*';
    path[length + 1] = 0;
    h = FindFirstFileA(path, &found);
    path[length] = 0;
    if (h == INVALID_HANDLE_VALUE)
        return false;
    do {
        const char *entry = found.cFileName;
        bool dir = (found.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) != 0;
        bool link = (found.dwFileAttributes & FILE_ATTRIBUTE_REPARSE_POINT) != 0;
#else
    DIR *d;
    struct dirent *de;
    if (length && !is_sep(path[length - 1]))
        path[length++] = SEP;
    path[length] = 0;
    d = opendir(path);
    if (!d)
        return false;
    while (!done && (de = readdir(d)) != NULL) {
        const char *entry = de->d_name;
        struct stat st;
        bool dir, link;
#endif
        if (!strcmp(entry, ".") || !strcmp(entry, ".."))
            continue;
        if (length + strlen(entry) + 1 >= PATH_BYTES)
            continue;
        strcpy(path + length, entry);
#ifndef _WIN32
        if (lstat(path, &st) != 0)
            continue;
        dir = S_ISDIR(st.st_mode);
        link = S_ISLNK(st.st_mode);
#endif
        if (!dir && sym_match(entry, s->name, false) && strlen(path) <= MAX_PATH) {
            if (s->output)
                strcpy(s->output, path);
            if (!s->callback || s->callback(path, s->data))
                done = true;
        } else if (dir && !link) {
            done = search_dir(s, path, depth + 1);
        }
        path[length] = 0;
#ifdef _WIN32
    } while (!done && FindNextFileA(h, &found));
    FindClose(h);
#else
    }
    closedir(d);
#endif
    return done;
}

static BOOL search_tree(const char *root, const char *input, char *output,
                        found_callback callback, void *data)
{
    char path[PATH_BYTES];
    struct search s;

    if (!root || !input || !*base_name(input)) {
        dw_set_last_error(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    if (strlen(root) >= sizeof(path) - 2) {
        dw_set_last_error(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    strcpy(path, root);
    s.name = base_name(input);
    s.callback = callback;
    s.data = data;
    s.output = output;
    if (output)
        output[0] = 0;
    if (search_dir(&s, path, 0))
        return TRUE;
    dw_set_last_error(ERROR_FILE_NOT_FOUND);
    return FALSE;
}

DW_EXPORT BOOL IMAGEAPI SearchTreeForFile(PSTR RootPath, PSTR InputPathName,
                                          PSTR OutputPathBuffer)
{
    return search_tree(RootPath, InputPathName, OutputPathBuffer, NULL, NULL);
}

/* Each match goes to the callback; one returning TRUE ends the search. */
DW_EXPORT BOOL IMAGEAPI EnumDirTree(HANDLE hProcess, PSTR RootPath, PSTR InputPathName,
                                    PSTR OutputPathBuffer, PENUMDIRTREE_CALLBACK cb, PVOID data)
{
    (void)hProcess; /* a file search needs no session */
    return search_tree(RootPath, InputPathName, OutputPathBuffer, (found_callback)cb, data);
}

DW_EXPORT BOOL IMAGEAPI SearchTreeForFileW(PWSTR RootPath, PWSTR InputPathName,
                                           PWSTR OutputPathBuffer)
{
    char root[PATH_BYTES], input[PATH_BYTES], output[MAX_PATH + 1];

    if (!RootPath || !InputPathName || !text_narrow(RootPath, root, sizeof(root)) ||
        !text_narrow(InputPathName, input, sizeof(input))) {
        dw_set_last_error(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    if (!search_tree(root, input, output, NULL, NULL))
        return FALSE;
    if (OutputPathBuffer)
        text_widen(output, OutputPathBuffer, MAX_PATH + 1);
    return TRUE;
}

/* The wide callback wants wide paths: each match is widened for it. */
struct wide_bridge {
    PENUMDIRTREE_CALLBACKW callback;
    void *data;
};

static BOOL CALLBACK bridge(PCSTR path, PVOID data)
{
    struct wide_bridge *b = data;
    WCHAR wide[MAX_PATH + 1];

    text_widen(path, wide, DW_ARRAY_SIZE(wide));
    return b->callback(wide, b->data);
}

DW_EXPORT BOOL IMAGEAPI EnumDirTreeW(HANDLE hProcess, PWSTR RootPath, PWSTR InputPathName,
                                     PWSTR OutputPathBuffer, PENUMDIRTREE_CALLBACKW cb,
                                     PVOID data)
{
    char root[PATH_BYTES], input[PATH_BYTES], output[MAX_PATH + 1];
    struct wide_bridge b = {cb, data};
    BOOL ok;

    (void)hProcess;
    if (!RootPath || !InputPathName || !text_narrow(RootPath, root, sizeof(root)) ||
        !text_narrow(InputPathName, input, sizeof(input))) {
        dw_set_last_error(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    ok = search_tree(root, input, output, cb ? bridge : NULL, &b);
    if (OutputPathBuffer && output[0])
        text_widen(output, OutputPathBuffer, MAX_PATH + 1);
    return ok;
}
