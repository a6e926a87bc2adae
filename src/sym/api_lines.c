/*
 * The line functions beyond SymGetLineFromAddr64 (api_lookup.c): its W and
 * 32-bit forms, stepping from a line the caller holds to the next or
 * previous one of the same file (SymGetLineNext64/Prev64 and forms),
 * enumerating a module's lines (SymEnumLines) and source files
 * (SymEnumSourceFiles), and finding the code of a file's line
 * (SymGetLineFromName64).
 *
 * Enumerations take a snapshot of what they report (strings copied, each
 * distinct one once) and call the caller's callback with no lock held, so a
 * callback may call back into the library, even unload the module.
 */
#ifdef _WIN32
/* mingw-w64's <dbghelp.h> declares SymEnumLinesW's File as PCSTR; DbgHelp's
 * is PCWSTR, as defined here. */
#define SymEnumLinesW dw_mingw_declared_SymEnumLinesW
#endif
#include "line_lookup.h"
#include "session.h"
#include "text.h"
#include "wildcard.h"
#ifdef _WIN32
#undef SymEnumLinesW
#endif

#include <stdlib.h>

/* 64-bit Windows headers rename the 32-bit names to the 64-bit ones. */
#undef SymGetLineFromAddr
#undef SymGetLineNext
#undef SymGetLinePrev
#undef SymGetLineFromName

/* IMAGEHLP_LINE: the 32-bit form (a 64-bit header has only the name). */
#if defined(_WIN32) && !defined(_WIN64)
typedef IMAGEHLP_LINE line32;
#else
typedef struct {
    DWORD SizeOfStruct;
    PVOID Key;
    DWORD LineNumber;
    PCHAR FileName;
    DWORD Address;
} line32;
#endif

#define NO_STRING UINT32_MAX

/* ---- snapshots ---------------------------------------------------------- */

struct snap_line {
    uint64_t address;
    uint32_t line;
    uint32_t file, object; /* string indexes */
};

struct snapshot {
    struct snap_line *lines;
    size_t count, capacity;
    char **strings;
    uint32_t string_count, string_capacity;
    uint32_t *slots; /* open addressing over strings: index + 1, 0 empty */
    uint32_t slot_count;
    /* consecutive entries mostly share their file and object */
    const char *last_file, *last_object;
    uint32_t last_file_index, last_object_index;
    bool failed;
};

static uint32_t hash_string(const char *s)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (uint8_t)*s) * 16777619u;
    return h;
}

static bool grow_slots(struct snapshot *snap)
{
    uint32_t count = snap->slot_count ? snap->slot_count * 2 : 256;
    uint32_t *slots = calloc(count, sizeof(*slots));

    if (!slots)
        return false;
    for (uint32_t i = 0; i < snap->string_count; i++) {
        uint32_t at = hash_string(snap->strings[i]) & (count - 1);
        while (slots[at])
            at = (at + 1) & (count - 1);
        slots[at] = i + 1;
    }
    free(snap->slots);
    snap->slots = slots;
    snap->slot_count = count;
    return true;
}

/* The index of a copy of `s` in the snapshot (one per distinct content);
 * *added tells whether it is new. NO_STRING when out of memory. */
static uint32_t intern(struct snapshot *snap, const char *s, bool *added)
{
    uint32_t at, index;
    size_t length;

    *added = false;
    if ((snap->string_count + 1) * 2 > snap->slot_count && !grow_slots(snap))
        return NO_STRING;
    for (at = hash_string(s) & (snap->slot_count - 1); snap->slots[at];
         at = (at + 1) & (snap->slot_count - 1)) {
        if (strcmp(snap->strings[snap->slots[at] - 1], s) == 0)
            return snap->slots[at] - 1;
    }
    if (snap->string_count == snap->string_capacity) {
        uint32_t capacity = snap->string_capacity ? snap->string_capacity * 2 : 64;
        char **strings = realloc(snap->strings, capacity * sizeof(*strings));
        if (!strings)
            return NO_STRING;
        snap->strings = strings;
        snap->string_capacity = capacity;
    }
    length = strlen(s);
    index = snap->string_count;
    snap->strings[index] = malloc(length + 1);
    if (!snap->strings[index])
        return NO_STRING;
    memcpy(snap->strings[index], s, length + 1);
    snap->string_count++;
    snap->slots[at] = index + 1;
    *added = true;
    return index;
}

static uint32_t intern_cached(struct snapshot *snap, const char *s, const char **last,
                              uint32_t *last_index, bool *added)
{
    *added = false;
    if (s == *last && *last_index != NO_STRING)
        return *last_index;
    *last = s;
    *last_index = intern(snap, s, added);
    return *last_index;
}

static bool push_line(struct snapshot *snap, const struct snap_line *line)
{
    if (snap->count == snap->capacity) {
        size_t capacity = snap->capacity ? snap->capacity * 2 : 256;
        struct snap_line *lines = realloc(snap->lines, capacity * sizeof(*lines));
        if (!lines)
            return false;
        snap->lines = lines;
        snap->capacity = capacity;
    }
    snap->lines[snap->count++] = *line;
    return true;
}

static void snapshot_free(struct snapshot *snap)
{
    for (uint32_t i = 0; i < snap->string_count; i++)
        free(snap->strings[i]);
    free(snap->strings);
    free(snap->slots);
    free(snap->lines);
    memset(snap, 0, sizeof(*snap));
}

/* What one enumeration of a module's lines keeps. */
struct collect {
    struct snapshot *snap;
    uint64_t base;
    const char *object_mask, *file_mask; /* NULL: any */
    bool files_only;                     /* one record per distinct file */
};

static bool collect_line(void *context, const struct di_line *l)
{
    struct collect *c = context;
    struct snapshot *snap = c->snap;
    struct snap_line out;
    const char *object = l->object ? l->object : "";
    bool added;

    if (c->file_mask && !sym_match(l->file, c->file_mask, false))
        return true;
    if (c->object_mask && !sym_match(object, c->object_mask, false))
        return true;
    out.address = c->base + l->rva;
    out.line = l->line;
    out.file = intern_cached(snap, l->file, &snap->last_file, &snap->last_file_index, &added);
    if (out.file == NO_STRING) {
        snap->failed = true;
        return false;
    }
    if (c->files_only) {
        out.object = NO_STRING;
        if (added && !push_line(snap, &out)) {
            snap->failed = true;
            return false;
        }
        return true;
    }
    out.object = intern_cached(snap, object, &snap->last_object, &snap->last_object_index, &added);
    if (out.object == NO_STRING || !push_line(snap, &out)) {
        snap->failed = true;
        return false;
    }
    return true;
}

/* Snapshots the lines of the module holding `base`, filtered as `c` says.
 * False with the last error set when the module is not there or memory ran
 * out; a module without lines gives an empty snapshot. */
static bool snapshot_module(HANDLE process, uint64_t base, struct collect *c)
{
    struct module_lookup l;

    if (!module_lookup_open(process, base, &l))
        return false;
    c->snap->last_file = c->snap->last_object = NULL;
    c->snap->last_file_index = c->snap->last_object_index = NO_STRING;
    if (l.info && l.info->ops->enum_lines) {
        c->base = l.module->base;
        l.info->ops->enum_lines(l.info, collect_line, c);
    }
    module_lookup_close(&l);
    if (c->snap->failed) {
        dw_set_last_error(ERROR_NOT_ENOUGH_MEMORY);
        return false;
    }
    return true;
}

/* ---- SymGetLineFromAddr forms ------------------------------------------ */

/* IMAGEHLP_LINEW64 from a found entry: its file name widened (kept with the
 * module); FALSE with ERROR_NOT_ENOUGH_MEMORY when that fails. */
static BOOL fill_line_wide(HANDLE process, const struct sym_line_found *found,
                           PIMAGEHLP_LINEW64 line)
{
    const WCHAR *wide = sym_module_wide_file(process, found->module_base, found->file);

    if (!wide) {
        dw_set_last_error(ERROR_NOT_ENOUGH_MEMORY);
        return FALSE;
    }
    line->Key = NULL;
    line->LineNumber = found->line;
    line->FileName = (PWSTR)wide;
    line->Address = found->address;
    return TRUE;
}

DW_EXPORT BOOL IMAGEAPI SymGetLineFromAddrW64(HANDLE hProcess, DWORD64 qwAddr,
                                              PDWORD pdwDisplacement, PIMAGEHLP_LINEW64 Line)
{
    struct sym_line_found found;

    if (!Line) {
        dw_set_last_error(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    if (!sym_line_from_address(hProcess, qwAddr, &found))
        return FALSE;
    if (!fill_line_wide(hProcess, &found, Line))
        return FALSE;
    if (pdwDisplacement)
        *pdwDisplacement = (DWORD)(qwAddr - found.address);
    return TRUE;
}

/* A line above 4 GiB has no 32-bit address. */
static bool fill_line32(line32 *line, const struct sym_line_found *found)
{
    if (found->address > 0xFFFFFFFFu) {
        dw_set_last_error(ERROR_INVALID_ADDRESS);
        return false;
    }
    line->Key = NULL;
    line->LineNumber = found->line;
    line->FileName = (PCHAR)found->file;
    line->Address = (DWORD)found->address;
    return true;
}

DW_EXPORT BOOL IMAGEAPI SymGetLineFromAddr(HANDLE hProcess, DWORD dwAddr, PDWORD pdwDisplacement,
                                           line32 *Line)
{
    struct sym_line_found found;

    if (!Line) {
        dw_set_last_error(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    if (!sym_line_from_address(hProcess, dwAddr, &found) || !fill_line32(Line, &found))
        return FALSE;
    if (pdwDisplacement)
        *pdwDisplacement = (DWORD)(dwAddr - found.address);
    return TRUE;
}

/* ---- stepping ------------------------------------------------------------ */

bool sym_line_step(HANDLE process, DWORD64 address, uint32_t line, const char *file,
                   int direction, struct sym_line_found *out)
{
    struct module_lookup l;
    struct di_line from, to;
    bool ok = false;

    if (!module_lookup_open(process, address, &l))
        return false;
    from = (struct di_line){l.rva, line, file ? file : "", NULL};
    if (l.info && l.info->ops->line_step && l.info->ops->line_step(l.info, &from, direction, &to)) {
        out->module_base = l.module->base;
        out->address = l.module->base + to.rva;
        out->line = to.line;
        out->file = to.file;
        ok = true;
    }
    module_lookup_close(&l);
    if (!ok)
        dw_set_last_error(ERROR_NO_MORE_ITEMS);
    return ok;
}

static BOOL step64(HANDLE process, PIMAGEHLP_LINE64 line, int direction)
{
    struct sym_line_found found;

    if (!line) {
        dw_set_last_error(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    if (!sym_line_step(process, line->Address, line->LineNumber, line->FileName, direction,
                       &found))
        return FALSE;
    line->Key = NULL;
    line->LineNumber = found.line;
    line->FileName = (PCHAR)found.file;
    line->Address = found.address;
    return TRUE;
}

static BOOL step_wide(HANDLE process, PIMAGEHLP_LINEW64 line, int direction)
{
    struct sym_line_found found;
    char file[1024] = "";

    if (!line) {
        dw_set_last_error(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    if (line->FileName)
        text_narrow(line->FileName, file, sizeof(file));
    if (!sym_line_step(process, line->Address, line->LineNumber, file, direction, &found))
        return FALSE;
    return fill_line_wide(process, &found, line);
}

static BOOL step32(HANDLE process, line32 *line, int direction)
{
    struct sym_line_found found;

    if (!line) {
        dw_set_last_error(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    if (!sym_line_step(process, line->Address, line->LineNumber, line->FileName, direction,
                       &found))
        return FALSE;
    return fill_line32(line, &found);
}

DW_EXPORT BOOL IMAGEAPI SymGetLineNext64(HANDLE hProcess, PIMAGEHLP_LINE64 Line)
{
    return step64(hProcess, Line, 1);
}

DW_EXPORT BOOL IMAGEAPI SymGetLinePrev64(HANDLE hProcess, PIMAGEHLP_LINE64 Line)
{
    return step64(hProcess, Line, -1);
}

DW_EXPORT BOOL IMAGEAPI SymGetLineNextW64(HANDLE hProcess, PIMAGEHLP_LINEW64 Line)
{
    return step_wide(hProcess, Line, 1);
}

DW_EXPORT BOOL IMAGEAPI SymGetLinePrevW64(HANDLE hProcess, PIMAGEHLP_LINEW64 Line)
{
    return step_wide(hProcess, Line, -1);
}

DW_EXPORT BOOL IMAGEAPI SymGetLineNext(HANDLE hProcess, line32 *Line)
{
    return step32(hProcess, Line, 1);
}

DW_EXPORT BOOL IMAGEAPI SymGetLinePrev(HANDLE hProcess, line32 *Line)
{
    return step32(hProcess, Line, -1);
}

/* ---- SymEnumLines --------------------------------------------------------- */

static void copy_text(char *out, size_t size, const char *in)
{
    size_t n = strlen(in);
    if (n >= size)
        n = size - 1;
    memcpy(out, in, n);
    out[n] = 0;
}

/* Obj and File are wildcard masks (NULL: any), compared without case as
 * Windows paths are; the callback's FALSE ends the enumeration. */
static BOOL enum_lines(HANDLE process, ULONG64 base, const char *object, const char *file,
                       PSYM_ENUMLINES_CALLBACK narrow, PSYM_ENUMLINES_CALLBACKW wide,
                       PVOID context)
{
    struct snapshot snap = {0};
    struct collect c = {&snap, 0, object, file, false};
    BOOL ok;

    if (!narrow && !wide) {
        dw_set_last_error(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    ok = snapshot_module(process, base, &c);
    for (size_t i = 0; ok && i < snap.count; i++) {
        const struct snap_line *l = &snap.lines[i];
        BOOL more;
        if (narrow) {
            SRCCODEINFO info;
            memset(&info, 0, sizeof(info));
            info.SizeOfStruct = sizeof(info);
            info.ModBase = c.base;
            copy_text(info.Obj, sizeof(info.Obj), snap.strings[l->object]);
            copy_text(info.FileName, sizeof(info.FileName), snap.strings[l->file]);
            info.LineNumber = l->line;
            info.Address = l->address;
            more = narrow(&info, context);
        } else {
            SRCCODEINFOW info;
            memset(&info, 0, sizeof(info));
            info.SizeOfStruct = sizeof(info);
            info.ModBase = c.base;
            text_widen(snap.strings[l->object], info.Obj, DW_ARRAY_SIZE(info.Obj));
            text_widen(snap.strings[l->file], info.FileName, DW_ARRAY_SIZE(info.FileName));
            info.LineNumber = l->line;
            info.Address = l->address;
            more = wide(&info, context);
        }
        if (!more)
            break;
    }
    snapshot_free(&snap);
    return ok;
}

DW_EXPORT BOOL IMAGEAPI SymEnumLines(HANDLE hProcess, ULONG64 Base, PCSTR Obj, PCSTR File,
                                     PSYM_ENUMLINES_CALLBACK EnumLinesCallback,
                                     PVOID UserContext)
{
    return enum_lines(hProcess, Base, Obj, File, EnumLinesCallback, NULL, UserContext);
}

DW_EXPORT BOOL IMAGEAPI SymEnumLinesW(HANDLE hProcess, ULONG64 Base, PCWSTR Obj, PCWSTR File,
                                      PSYM_ENUMLINES_CALLBACKW EnumLinesCallback,
                                      PVOID UserContext)
{
    char object[1024], file[1024];

    if ((Obj && !text_narrow(Obj, object, sizeof(object))) ||
        (File && !text_narrow(File, file, sizeof(file)))) {
        dw_set_last_error(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    return enum_lines(hProcess, Base, Obj ? object : NULL, File ? file : NULL, NULL,
                      EnumLinesCallback, UserContext);
}

/* ---- modules by base or name -------------------------------------------- */

static bool same_name(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        int x = (*a >= 'A' && *a <= 'Z') ? *a - 'A' + 'a' : *a;
        int y = (*b >= 'A' && *b <= 'Z') ? *b - 'A' + 'a' : *b;
        if (x != y)
            return false;
    }
    return *a == *b;
}

/* The bases of the loaded modules whose name is `name` (NULL or empty:
 * every module), a malloc'd array. False when out of memory or the handle
 * is not a session. */
static bool module_bases(HANDLE process, const char *name, uint64_t **bases, size_t *count)
{
    struct sym_session *session = session_acquire(process);
    size_t n = 0, k = 0;

    *bases = NULL;
    *count = 0;
    if (!session)
        return false;
    for (struct sym_module *m = session->modules; m; m = m->next)
        n++;
    *bases = malloc((n ? n : 1) * sizeof(**bases));
    if (!*bases) {
        session_release(session);
        dw_set_last_error(ERROR_NOT_ENOUGH_MEMORY);
        return false;
    }
    for (struct sym_module *m = session->modules; m && k < n; m = m->next) {
        if (name && *name && !same_name(m->module_name, name) &&
            !same_name(sym_base_name(m->image_name), name))
            continue;
        (*bases)[k++] = m->base;
    }
    session_release(session);
    *count = k;
    return true;
}

/* ---- SymEnumSourceFiles ------------------------------------------------- */

/* ModBase 0 means every module ("module!mask" picks modules by name);
 * Mask NULL means every file. Each file of a module once, in the order its
 * first line comes. */
static BOOL enum_source_files(HANDLE process, ULONG64 base, const char *mask,
                              PSYM_ENUMSOURCEFILES_CALLBACK narrow,
                              PSYM_ENUMSOURCEFILES_CALLBACKW wide, PVOID context)
{
    char module_name[256] = "";
    const char *file_mask = mask && *mask ? mask : NULL;
    uint64_t *bases = NULL;
    size_t count = 0;
    bool stop = false;

    if (!narrow && !wide) {
        dw_set_last_error(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    if (file_mask && strchr(file_mask, '!')) {
        size_t n = (size_t)(strchr(file_mask, '!') - file_mask);
        if (n < sizeof(module_name)) {
            memcpy(module_name, file_mask, n);
            module_name[n] = 0;
        }
        file_mask = *(file_mask + n + 1) ? file_mask + n + 1 : NULL;
    }
    if (base) {
        bases = malloc(sizeof(*bases));
        if (!bases) {
            dw_set_last_error(ERROR_NOT_ENOUGH_MEMORY);
            return FALSE;
        }
        bases[0] = base;
        count = 1;
    } else if (!module_bases(process, strcmp(module_name, "*") ? module_name : NULL, &bases,
                             &count)) {
        return FALSE;
    }
    for (size_t i = 0; i < count && !stop; i++) {
        struct snapshot snap = {0};
        struct collect c = {&snap, 0, NULL, file_mask, true};
        if (!snapshot_module(process, bases[i], &c)) {
            snapshot_free(&snap);
            if (base) {
                free(bases);
                return FALSE;
            }
            continue; /* unloaded meanwhile */
        }
        for (size_t k = 0; k < snap.count && !stop; k++) {
            const char *file = snap.strings[snap.lines[k].file];
            if (narrow) {
                SOURCEFILE source = {c.base, (PCHAR)file};
                stop = !narrow(&source, context);
            } else {
                WCHAR name[1024];
                SOURCEFILEW source = {c.base, name};
                text_widen(file, name, DW_ARRAY_SIZE(name));
                stop = !wide(&source, context);
            }
        }
        snapshot_free(&snap);
    }
    free(bases);
    return TRUE;
}

DW_EXPORT BOOL IMAGEAPI SymEnumSourceFiles(HANDLE hProcess, ULONG64 ModBase, PCSTR Mask,
                                           PSYM_ENUMSOURCEFILES_CALLBACK cbSrcFiles,
                                           PVOID UserContext)
{
    return enum_source_files(hProcess, ModBase, Mask, cbSrcFiles, NULL, UserContext);
}

DW_EXPORT BOOL IMAGEAPI SymEnumSourceFilesW(HANDLE hProcess, ULONG64 ModBase, PCWSTR Mask,
                                            PSYM_ENUMSOURCEFILES_CALLBACKW cbSrcFiles,
                                            PVOID UserContext)
{
    char mask[1024];

    if (Mask && !text_narrow(Mask, mask, sizeof(mask))) {
        dw_set_last_error(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    return enum_source_files(hProcess, ModBase, Mask ? mask : NULL, NULL, cbSrcFiles,
                             UserContext);
}

/* ---- SymGetLineFromName64 ---------------------------------------------- */

static int path_unit(char c)
{
    if (c == '/')
        return '\\';
    return (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c;
}

/* Whether `recorded` is the file `given` names: the same path, or one
 * ending in it at a separator ("main.c" names "C:\src\main.c"), compared
 * without case and with `/` and `\` as one. */
static bool names_file(const char *recorded, const char *given)
{
    size_t r = strlen(recorded), g = strlen(given);

    if (g == 0 || g > r)
        return false;
    for (size_t i = 1; i <= g; i++)
        if (path_unit(recorded[r - i]) != path_unit(given[g - i]))
            return false;
    return r == g || path_unit(recorded[r - g - 1]) == '\\' || path_unit(given[0]) == '\\';
}

struct name_search {
    const char *file;
    uint32_t line;
    bool found;
    struct di_line best; /* the line itself, else the nearest later line with code */
};

static bool better(const struct di_line *a, const struct di_line *b)
{
    return a->line < b->line || (a->line == b->line && a->rva < b->rva);
}

static bool consider_line(void *context, const struct di_line *l)
{
    struct name_search *s = context;

    if (l->line < s->line || !names_file(l->file, s->file))
        return true;
    if (!s->found || better(l, &s->best)) {
        s->best = *l;
        s->found = true;
    }
    return true;
}

/* The code of line `line` of `file` in the named module (NULL: any): the
 * lowest address of that line, else of the nearest later line that has
 * code (where a debugger would stop). *displacement: bytes from the start
 * of the line, always 0 as the entry's start is given. */
static bool line_from_name(HANDLE process, const char *module, const char *file, uint32_t line,
                           struct sym_line_found *out)
{
    uint64_t *bases;
    size_t count;
    bool found = false;

    if (!module_bases(process, module, &bases, &count))
        return false;
    for (size_t i = 0; i < count; i++) {
        struct name_search search = {file, line, false, {0, 0, NULL, NULL}};
        struct module_lookup l;

        if (!module_lookup_open(process, bases[i], &l))
            continue; /* unloaded meanwhile */
        if (l.info && l.info->ops->enum_lines) {
            l.info->ops->enum_lines(l.info, consider_line, &search);
            if (search.found && (!found || search.best.line < out->line)) {
                out->module_base = l.module->base;
                out->address = l.module->base + search.best.rva;
                out->line = search.best.line;
                out->file = search.best.file;
                found = true;
            }
        }
        module_lookup_close(&l);
    }
    free(bases);
    if (!found)
        dw_set_last_error(count ? ERROR_NOT_FOUND : ERROR_MOD_NOT_FOUND);
    return found;
}

DW_EXPORT BOOL IMAGEAPI SymGetLineFromName64(HANDLE hProcess, PCSTR ModuleName, PCSTR FileName,
                                             DWORD dwLineNumber, PLONG plDisplacement,
                                             PIMAGEHLP_LINE64 Line)
{
    struct sym_line_found found;

    if (!Line || !FileName) {
        dw_set_last_error(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    if (!line_from_name(hProcess, ModuleName, FileName, dwLineNumber, &found))
        return FALSE;
    Line->Key = NULL;
    Line->LineNumber = found.line;
    Line->FileName = (PCHAR)found.file;
    Line->Address = found.address;
    if (plDisplacement)
        *plDisplacement = 0;
    return TRUE;
}

DW_EXPORT BOOL IMAGEAPI SymGetLineFromNameW64(HANDLE hProcess, PCWSTR ModuleName,
                                              PCWSTR FileName, DWORD dwLineNumber,
                                              PLONG plDisplacement, PIMAGEHLP_LINEW64 Line)
{
    struct sym_line_found found;
    char module[256], file[1024];

    if (!Line || !FileName || !text_narrow(FileName, file, sizeof(file)) ||
        (ModuleName && !text_narrow(ModuleName, module, sizeof(module)))) {
        dw_set_last_error(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    if (!line_from_name(hProcess, ModuleName ? module : NULL, file, dwLineNumber, &found))
        return FALSE;
    if (!fill_line_wide(hProcess, &found, Line))
        return FALSE;
    if (plDisplacement)
        *plDisplacement = 0;
    return TRUE;
}

DW_EXPORT BOOL IMAGEAPI SymGetLineFromName(HANDLE hProcess, PCSTR ModuleName, PCSTR FileName,
                                           DWORD dwLineNumber, PLONG plDisplacement,
                                           line32 *Line)
{
    struct sym_line_found found;

    if (!Line || !FileName) {
        dw_set_last_error(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    if (!line_from_name(hProcess, ModuleName, FileName, dwLineNumber, &found) ||
        !fill_line32(Line, &found))
        return FALSE;
    if (plDisplacement)
        *plDisplacement = 0;
    return TRUE;
}
