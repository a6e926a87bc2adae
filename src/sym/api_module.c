/*
 * Modules: loading (from an image file found by name or search path, from an
 * open file handle, or as a region of target memory read lazily), unloading,
 * information and enumeration, and the module base of an address.
 */
#include "session.h"
#include "published.h"
#include "text.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#ifndef SLMFLAG_NO_SYMBOLS
#define SLMFLAG_NO_SYMBOLS 0x4 /* dbghelp.h; older mingw-w64 headers lack it */
#endif

static bool file_exists(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f)
        fclose(f);
    return f != NULL;
}

/* The platform's one separator style in the paths we form and report. */
#ifdef _WIN32
#define PATH_SEP '\\'
#else
#define PATH_SEP '/'
#endif

/* The image file: the name as given first (a full path names the image the
 * caller means, even when a file of the same name lies in a search-path
 * directory such as the current one), then its base name in each directory
 * of the search path, as DbgHelp looks. */
static char *find_image(const char *image_name, const char *search_path)
{
    const char *name = sym_base_name(image_name), *dir = search_path;
    char *path;

    if (file_exists(image_name))
        return sym_copy_string(image_name);
    while (dir && *dir) {
        const char *end = strchr(dir, ';');
        size_t length = end ? (size_t)(end - dir) : strlen(dir);
        if (length > 0 && length < 1024) {
            path = malloc(length + strlen(name) + 2);
            if (!path)
                return NULL;
            memcpy(path, dir, length);
            if (dir[length - 1] == '\\' || dir[length - 1] == '/')
                length--;
            path[length] = PATH_SEP;
            strcpy(path + length + 1, name);
            if (file_exists(path))
                return path;
            free(path);
        }
        dir = end ? end + 1 : NULL;
    }
    return NULL;
}

#ifdef _WIN32
static bool handle_read(void *context, uint64_t offset, void *buffer, size_t size)
{
    LARGE_INTEGER at;
    DWORD got = 0;

    at.QuadPart = (LONGLONG)offset;
    return size <= 0xFFFFFFFFu && SetFilePointerEx((HANDLE)context, at, NULL, FILE_BEGIN) &&
           ReadFile((HANDLE)context, buffer, (DWORD)size, &got, NULL) && got == size;
}
#endif

/* Everything about the module that can be learned before it joins the
 * session, with no lock held (reading memory may call the caller back). */
static struct sym_module *prepare(HANDLE process, HANDLE file, const char *image_name,
                                  const char *module_name, DWORD64 base, DWORD size,
                                  DWORD flags)
{
    struct sym_session *session = session_acquire(process);
    struct sym_module *m;
    char *path = NULL;
    PSYMBOL_REGISTERED_CALLBACK64 callback;
    ULONG64 callback_context;

    if (!session)
        return NULL;
    if (image_name && *image_name && !file && !(flags & SLMFLAG_VIRTUAL))
        path = find_image(image_name, session->search_path);
    callback = session->callback;
    callback_context = session->callback_context;
    session_release(session);

    m = module_new(base, size, image_name, module_name);
    if (!m) {
        free(path);
        dw_set_last_error(ERROR_NOT_ENOUGH_MEMORY);
        return NULL;
    }
    if (flags & SLMFLAG_VIRTUAL) {
        /* symbols only, no image: nothing to read, ever */
        m->headers_state = m->table_state = m->exports_state = LAZY_LOADED;
        if (base == 0 || size == 0) {
            module_free(m);
            dw_set_last_error(ERROR_INVALID_PARAMETER);
            return NULL;
        }
        return m;
    }
#ifdef _WIN32
    if (file && file != INVALID_HANDLE_VALUE) {
        struct image_source source = {handle_read, file, false};
        if (!module_read_from_source(m, &source)) {
            module_free(m);
            return NULL;
        }
        if (image_name)
            snprintf(m->loaded_image_name, sizeof(m->loaded_image_name), "%s", image_name);
    } else
#else
    (void)file;
#endif
    if (path) {
        m->file_path = path;
        if (!module_read_headers(m, &(struct target_reader){process, NULL, NULL})) {
            module_free(m);
            return NULL;
        }
        m->headers_state = LAZY_LOADED;
        snprintf(m->loaded_image_name, sizeof(m->loaded_image_name), "%s", path);
#ifdef _WIN32
        for (char *c = m->loaded_image_name; *c; c++)
            if (*c == '/')
                *c = PATH_SEP;
#endif
    } else if (base != 0 && size == 0) {
        /* no file: the image in target memory tells its size */
        struct sym_session shadow;
        struct target_reader reader = {process, NULL, NULL};
        memset(&shadow, 0, sizeof(shadow));
        shadow.callback = callback;
        shadow.callback_context = callback_context;
        reader.session = callback ? &shadow : NULL;
        if (!module_read_headers(m, &reader)) {
            module_free(m);
            dw_set_last_error(ERROR_FILE_NOT_FOUND);
            return NULL;
        }
        m->headers_state = LAZY_LOADED;
    } else if (base == 0) {
        module_free(m);
        dw_set_last_error(image_name ? ERROR_FILE_NOT_FOUND : ERROR_INVALID_PARAMETER);
        return NULL;
    }
    if (m->base == 0)
        m->base = m->pe.image_base;
    if (m->size == 0)
        m->size = m->pe.size_of_image;
    if (m->base == 0 || m->size == 0 || m->base + m->size < m->base) {
        module_free(m);
        dw_set_last_error(ERROR_INVALID_PARAMETER);
        return NULL;
    }
    return m;
}

/* Without SYMOPT_DEFERRED_LOADS the symbols are read as the module loads,
 * as DbgHelp reads them (its load events go to the callback meanwhile). */
static void load_symbols_now(HANDLE process, DWORD64 base)
{
    struct sym_session *session = session_acquire(process);
    struct target_reader reader = {process, NULL, NULL};
    struct sym_module *m;

    if (!session)
        return;
    reader.session = session;
    m = session_module_at(session, base);
    if (m && m->base == base)
        (void)module_debug_info(session, &m, &reader);
    session_release(session);
}

static DWORD64 load_module(HANDLE process, HANDLE file, const char *image_name,
                           const char *module_name, DWORD64 base, DWORD size,
                           const MODLOAD_DATA *data, DWORD flags)
{
    struct sym_module *m = prepare(process, file, image_name, module_name, base, size, flags);
    struct sym_session *session;
    struct sym_module **link;
    struct module_snapshot *retired = NULL;

    if (!m)
        return 0;
    /* the record the caller read from the image it cannot give us (a
     * minidump's module): the PDB is found from it when the image is absent */
    (void)sym_codeview_from_modload(data, &m->given_codeview);
    session = session_acquire_exclusive(process);
    if (!session) {
        module_free(m);
        return 0;
    }
    for (link = &session->modules; *link; link = &(*link)->next) {
        if ((*link)->base == m->base) {
            /* already loaded: 0 with ERROR_SUCCESS, as documented */
            session_release_exclusive(session);
            module_free(m);
            dw_set_last_error(ERROR_SUCCESS);
            return 0;
        }
    }
    *link = m;
    module_publish_table(m); /* read eagerly from a file handle */
    if (!session_publish_modules(session, &retired)) {
        *link = NULL;
        session_release_exclusive(session);
        module_free(m);
        return 0;
    }
    base = m->base;
    session_release_exclusive(session);
    session_free_retired(retired, NULL);
    if (!(sym_options() & SYMOPT_DEFERRED_LOADS) &&
        !(flags & (SLMFLAG_VIRTUAL | SLMFLAG_NO_SYMBOLS)))
        load_symbols_now(process, base);
    dw_set_last_error(ERROR_SUCCESS);
    return base;
}

DW_EXPORT DWORD64 IMAGEAPI SymLoadModuleEx(HANDLE hProcess, HANDLE hFile, PCSTR ImageName,
                                           PCSTR ModuleName, DWORD64 BaseOfDll, DWORD DllSize,
                                           PMODLOAD_DATA Data, DWORD Flags)
{
    return load_module(hProcess, hFile, ImageName, ModuleName, BaseOfDll, DllSize, Data, Flags);
}

DW_EXPORT DWORD64 IMAGEAPI SymLoadModuleExW(HANDLE hProcess, HANDLE hFile, PCWSTR ImageName,
                                            PCWSTR ModuleName, DWORD64 BaseOfDll, DWORD DllSize,
                                            PMODLOAD_DATA Data, DWORD Flags)
{
    char image[1024], module[256];

    if ((ImageName && !text_narrow(ImageName, image, sizeof(image))) ||
        (ModuleName && !text_narrow(ModuleName, module, sizeof(module)))) {
        dw_set_last_error(ERROR_INVALID_PARAMETER);
        return 0;
    }
    return load_module(hProcess, hFile, ImageName ? image : NULL, ModuleName ? module : NULL,
                       BaseOfDll, DllSize, Data, Flags);
}

DW_EXPORT DWORD64 IMAGEAPI SymLoadModule64(HANDLE hProcess, HANDLE hFile, PCSTR ImageName,
                                           PCSTR ModuleName, DWORD64 BaseOfDll, DWORD SizeOfDll)
{
    return load_module(hProcess, hFile, ImageName, ModuleName, BaseOfDll, SizeOfDll, NULL, 0);
}

DW_EXPORT BOOL IMAGEAPI SymUnloadModule64(HANDLE hProcess, DWORD64 BaseOfDll)
{
    struct sym_session *session = session_acquire_exclusive(hProcess);
    struct sym_module **link;

    if (!session)
        return FALSE;
    for (link = &session->modules; *link; link = &(*link)->next) {
        if ((*link)->base == BaseOfDll) {
            struct sym_module *gone = *link;
            struct module_snapshot *retired = NULL;
            *link = gone->next;
            if (!session_publish_modules(session, &retired)) {
                *link = gone; /* out of memory: still loaded */
                session_release_exclusive(session);
                return FALSE;
            }
            session_release_exclusive(session);
            /* lock-free readers may still see it: freed once they left */
            session_free_retired(retired, gone);
            return TRUE;
        }
    }
    session_release_exclusive(session);
    dw_set_last_error(ERROR_MOD_NOT_FOUND);
    return FALSE;
}

/* Lock-free: the published snapshot (session.h). A walk asks mostly for
 * the module the lookup before found: checked against the thread's hints
 * inline, else searched (the answer the next hint). */
DW_EXPORT DWORD64 IMAGEAPI SymGetModuleBase64(HANDLE hProcess, DWORD64 qwAddr)
{
    struct sym_read_section section;
    struct sym_module *m;
    bool no_session = false;
    DWORD64 base;

    sym_read_enter(&section);
    m = published_module_for(hProcess, qwAddr, &section, &no_session);
    base = m ? m->base : 0;
    sym_read_leave(&section);
    if (no_session)
        dw_set_last_error(ERROR_INVALID_HANDLE);
    else if (!base)
        dw_set_last_error(ERROR_MOD_NOT_FOUND);
    return base;
}

/* Every IMAGEHLP_MODULE64 size DbgHelp has had (contract.md 3.7). */
static bool known_size(DWORD size, bool wide)
{
    static const DWORD narrow_sizes[] = {0x248, 0x680, 0x688, 0x690};
    static const DWORD wide_sizes[] = {0x468, 0xCB0, 0xCB8, 0xCC0};
    for (unsigned i = 0; i < 4; i++)
        if (size == (wide ? wide_sizes[i] : narrow_sizes[i]))
            return true;
    return false;
}

/* CodeView signatures as CVSig reports them: the record's first four bytes. */
#define CV_SIGNATURE_RSDS 0x53445352u
#define CV_SIGNATURE_NB10 0x3031424Eu

static bool count_symbol(void *context, const struct di_symbol *symbol)
{
    (void)symbol;
    ++*(uint32_t *)context;
    return true;
}

/* NumSyms: the symbols the debug information knows (procedures, publics,
 * globals), as DbgHelp counts them; counted once (enum_symbols is safe
 * under the shared lock) and kept with the module. */
static DWORD debug_symbol_count(struct sym_module *m)
{
    uint32_t count = atomic_load(&m->debug_symbol_count);
    if (count == 0) {
        count = 0;
        (void)m->debug->ops->enum_symbols(m->debug, count_symbol, &count);
        count = count == UINT32_MAX ? count : count + 1;
        atomic_store(&m->debug_symbol_count, count);
    }
    return count - 1;
}

/* The debug-information part of IMAGEHLP_MODULE64: what the reader's
 * summary says, and the CodeView record (which names the PDB even when it
 * was not found, so a caller can fetch it). */
static void debug_facts(struct sym_module *m, IMAGEHLP_MODULE64 *out)
{
    const struct sym_codeview *cv = &m->codeview;
    struct di_summary summary;

    if (cv->present) {
        out->CVSig = cv->pdb70 ? CV_SIGNATURE_RSDS : CV_SIGNATURE_NB10;
        snprintf(out->CVData, sizeof(out->CVData), "%s", cv->pdb_path);
        out->PdbSig70 = cv->guid;
        out->PdbSig = cv->signature;
        out->PdbAge = cv->age;
    }
    if (!m->debug)
        return;
    memset(&summary, 0, sizeof(summary));
    m->debug->ops->summary(m->debug, &summary);
    out->SymType = summary.sym_type;
    out->NumSyms = debug_symbol_count(m);
    if (strcmp(m->debug->ops->format, "pdb") == 0) {
        /* the reader's MAX_PATH path, cut to the structure's 256 */
        size_t n = strnlen(summary.path, sizeof(out->LoadedPdbName) - 1);
        memcpy(out->LoadedPdbName, summary.path, n);
        out->LoadedPdbName[n] = 0;
        out->PdbSig70 = summary.guid;
        out->PdbSig = summary.signature;
        out->PdbAge = summary.age;
        out->PdbUnmatched = m->pdb_unmatched;
    }
    out->LineNumbers = summary.line_numbers;
    out->GlobalSymbols = summary.global_symbols;
    out->TypeInfo = summary.type_info;
    out->SourceIndexed = summary.source_indexed;
    out->Publics = summary.publics;
}

/* What both information calls report, read under the session lock. With
 * SYMOPT_DEFERRED_LOADS a module whose symbols no lookup has needed yet is
 * SymDeferred, and asking does not load them (as in DbgHelp). */
static bool module_facts(HANDLE process, DWORD64 address, IMAGEHLP_MODULE64 *out)
{
    struct sym_session *session = session_acquire(process);
    struct target_reader reader = {process, NULL, NULL};
    struct sym_module *m;
    bool deferred;

    if (!session)
        return false;
    m = session_module_at(session, address);
    if (!m) {
        session_release(session);
        dw_set_last_error(ERROR_MOD_NOT_FOUND);
        return false;
    }
    reader.session = session;
    deferred = (sym_options() & SYMOPT_DEFERRED_LOADS) && m->debug_state == LAZY_UNTRIED;
    if (!deferred) {
        uint64_t base = m->base;
        (void)module_debug_info(session, &m, &reader);
        m = m ? session_load_part(session, base, PART_EXPORTS, &reader) : NULL;
    }
    if (!m)
        m = session_module_at(session, address); /* reported without exports */
    if (!m) {
        session_release(session);
        dw_set_last_error(ERROR_MOD_NOT_FOUND);
        return false;
    }
    memset(out, 0, sizeof(*out));
    out->BaseOfImage = m->base;
    out->ImageSize = m->size;
    out->TimeDateStamp = m->pe.timestamp;
    out->CheckSum = m->pe.checksum;
    if (deferred) {
        out->SymType = SymDeferred;
    } else {
        out->NumSyms = m->export_count;
        out->SymType = m->exports_state == LAZY_LOADED && m->export_count ? SymExport
                       : m->exports_state == LAZY_UNTRIED                ? SymDeferred
                                                                         : SymNone;
        out->Publics = out->SymType == SymExport;
        debug_facts(m, out);
    }
    snprintf(out->ModuleName, sizeof(out->ModuleName), "%s", m->module_name);
    snprintf(out->ImageName, sizeof(out->ImageName), "%s", m->image_name);
    snprintf(out->LoadedImageName, sizeof(out->LoadedImageName), "%s", m->loaded_image_name);
    out->MachineType = m->pe.machine;
    session_release(session);
    return true;
}

DW_EXPORT BOOL IMAGEAPI SymGetModuleInfo64(HANDLE hProcess, DWORD64 qwAddr,
                                           PIMAGEHLP_MODULE64 ModuleInfo)
{
    IMAGEHLP_MODULE64 info;
    DWORD size;

    if (!ModuleInfo || !known_size(ModuleInfo->SizeOfStruct, false)) {
        dw_set_last_error(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    if (!module_facts(hProcess, qwAddr, &info))
        return FALSE;
    size = ModuleInfo->SizeOfStruct;
    info.SizeOfStruct = size;
    memcpy(ModuleInfo, &info, size); /* older layouts are prefixes */
    return TRUE;
}

DW_EXPORT BOOL IMAGEAPI SymGetModuleInfoW64(HANDLE hProcess, DWORD64 qwAddr,
                                            PIMAGEHLP_MODULEW64 ModuleInfo)
{
    IMAGEHLP_MODULE64 info;
    IMAGEHLP_MODULEW64 wide;
    DWORD size;

    if (!ModuleInfo || !known_size(ModuleInfo->SizeOfStruct, true)) {
        dw_set_last_error(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    if (!module_facts(hProcess, qwAddr, &info))
        return FALSE;
    memset(&wide, 0, sizeof(wide));
    size = ModuleInfo->SizeOfStruct;
    wide.SizeOfStruct = size;
    wide.BaseOfImage = info.BaseOfImage;
    wide.ImageSize = info.ImageSize;
    wide.TimeDateStamp = info.TimeDateStamp;
    wide.CheckSum = info.CheckSum;
    wide.NumSyms = info.NumSyms;
    wide.SymType = info.SymType;
    text_widen(info.ModuleName, wide.ModuleName, DW_ARRAY_SIZE(wide.ModuleName));
    text_widen(info.ImageName, wide.ImageName, DW_ARRAY_SIZE(wide.ImageName));
    text_widen(info.LoadedImageName, wide.LoadedImageName, DW_ARRAY_SIZE(wide.LoadedImageName));
    text_widen(info.LoadedPdbName, wide.LoadedPdbName, DW_ARRAY_SIZE(wide.LoadedPdbName));
    wide.CVSig = info.CVSig;
    text_widen(info.CVData, wide.CVData, DW_ARRAY_SIZE(wide.CVData));
    wide.PdbSig = info.PdbSig;
    wide.PdbSig70 = info.PdbSig70;
    wide.PdbAge = info.PdbAge;
    wide.PdbUnmatched = info.PdbUnmatched;
    wide.DbgUnmatched = info.DbgUnmatched;
    wide.LineNumbers = info.LineNumbers;
    wide.GlobalSymbols = info.GlobalSymbols;
    wide.TypeInfo = info.TypeInfo;
    wide.SourceIndexed = info.SourceIndexed;
    wide.Publics = info.Publics;
    wide.MachineType = info.MachineType;
    memcpy(ModuleInfo, &wide, size);
    return TRUE;
}

/* A snapshot of (name, base) pairs, so the callbacks run with no lock held
 * and may load or unload modules themselves. */
static bool snapshot(HANDLE process, char (**names)[32], DWORD64 **bases, unsigned *count)
{
    struct sym_session *session = session_acquire(process);
    unsigned n = 0, i = 0;

    if (!session)
        return false;
    for (struct sym_module *m = session->modules; m; m = m->next)
        n++;
    *names = malloc((n ? n : 1) * sizeof(**names));
    *bases = malloc((n ? n : 1) * sizeof(**bases));
    if (!*names || !*bases) {
        session_release(session);
        free(*names);
        free(*bases);
        dw_set_last_error(ERROR_NOT_ENOUGH_MEMORY);
        return false;
    }
    for (struct sym_module *m = session->modules; m; m = m->next, i++) {
        memcpy((*names)[i], m->module_name, sizeof(m->module_name));
        (*bases)[i] = m->base;
    }
    *count = n;
    session_release(session);
    return true;
}

/* Calls `narrow` or `wide` for each module of a snapshot. */
static BOOL enumerate(HANDLE process, PSYM_ENUMMODULES_CALLBACK64 narrow,
                      PSYM_ENUMMODULES_CALLBACKW64 wide, PVOID context)
{
    char (*names)[32];
    DWORD64 *bases;
    unsigned count;

    if (!narrow && !wide) {
        dw_set_last_error(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    if (!snapshot(process, &names, &bases, &count))
        return FALSE;
    for (unsigned i = 0; i < count; i++) {
        WCHAR name[32];
        bool more;
        if (narrow) {
            more = narrow(names[i], bases[i], context);
        } else {
            text_widen(names[i], name, DW_ARRAY_SIZE(name));
            more = wide(name, bases[i], context);
        }
        if (!more)
            break;
    }
    free(names);
    free(bases);
    return TRUE;
}

DW_EXPORT BOOL IMAGEAPI SymEnumerateModules64(HANDLE hProcess,
                                              PSYM_ENUMMODULES_CALLBACK64 EnumModulesCallback,
                                              PVOID UserContext)
{
    return enumerate(hProcess, EnumModulesCallback, NULL, UserContext);
}

DW_EXPORT BOOL IMAGEAPI SymEnumerateModulesW64(HANDLE hProcess,
                                               PSYM_ENUMMODULES_CALLBACKW64 EnumModulesCallback,
                                               PVOID UserContext)
{
    return enumerate(hProcess, NULL, EnumModulesCallback, UserContext);
}
