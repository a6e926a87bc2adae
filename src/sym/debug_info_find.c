/*
 * Finding and opening a module's debug information: the PDB named by the
 * image's CodeView record (or the record the caller gave), searched for as
 * DbgHelp searches — the path in the record, the image's directory, then
 * every element of the symbol path, plain directories and the local
 * symbol-store layout (name.pdb/GUIDAGE/name.pdb, also under srv*DIR and
 * cache*DIR elements; no network) — and accepted only when its GUID (or
 * signature) and age match the record, unless SYMOPT_LOAD_ANYTHING. Without
 * a PDB, DWARF in the image file. The walk over a symbol path's elements
 * (sym_path_walk) is shared with SymFindFileInPath and the Find* functions
 * (api_find_file.c), so every file is looked for the same way.
 */
#include "../dwarf/dwarf.h"
#include "../pdb/pdb.h"
#include "file_index.h"
#include "session.h"

#include <stdio.h>
#include <stdlib.h>

#define DEBUG_DIRECTORY_ENTRY 28
#define DEBUG_TYPE_CODEVIEW 2
#define MAX_DEBUG_ENTRIES 64
#define MAX_CODEVIEW_RECORD 1024

#ifdef _WIN32
#define PATH_SEPARATOR '\\'
#else
#define PATH_SEPARATOR '/'
#endif

/* ---- the CodeView record ---- */

bool sym_parse_codeview(const uint8_t *record, size_t size, struct sym_codeview *out)
{
    size_t path_offset;

    memset(out, 0, sizeof(*out));
    if (size >= 24 && memcmp(record, "RSDS", 4) == 0) {
        out->pdb70 = true;
        out->guid.Data1 = dw_le32(record + 4);
        out->guid.Data2 = dw_le16(record + 8);
        out->guid.Data3 = dw_le16(record + 10);
        memcpy(out->guid.Data4, record + 12, 8);
        out->age = dw_le32(record + 20);
        path_offset = 24;
    } else if (size >= 16 && memcmp(record, "NB10", 4) == 0) {
        out->signature = dw_le32(record + 8);
        out->age = dw_le32(record + 12);
        path_offset = 16;
    } else {
        return false;
    }
    size -= path_offset;
    if (size >= sizeof(out->pdb_path))
        size = sizeof(out->pdb_path) - 1;
    memcpy(out->pdb_path, record + path_offset, size);
    out->pdb_path[size] = 0; /* the record's own NUL, or ours at its end */
    out->present = true;
    return true;
}

bool pe_read_codeview(void *context, const struct pe_info *pe,
                          const struct image_source *source)
{
    struct sym_codeview *out = context;
    unsigned count = pe->debug_size / DEBUG_DIRECTORY_ENTRY;

    if (count > MAX_DEBUG_ENTRIES)
        count = MAX_DEBUG_ENTRIES;
    for (unsigned i = 0; i < count; i++) {
        uint8_t entry[DEBUG_DIRECTORY_ENTRY], record[MAX_CODEVIEW_RECORD];
        uint32_t size, rva, file_offset;
        bool ok;

        if (!pe_read_rva(source, pe, pe->debug_rva + i * DEBUG_DIRECTORY_ENTRY, entry,
                         sizeof(entry)))
            return false;
        if (dw_le32(entry + 12) != DEBUG_TYPE_CODEVIEW)
            continue;
        size = dw_le32(entry + 16);
        rva = dw_le32(entry + 20);
        file_offset = dw_le32(entry + 24);
        if (size < 16)
            continue;
        if (size > sizeof(record))
            size = sizeof(record);
        /* mapped images are read by RVA; files by the raw-data pointer,
         * which also covers records no section maps */
        if (source->mapped)
            ok = rva && pe_read_rva(source, pe, rva, record, size);
        else
            ok = (file_offset && source->read(source->context, file_offset, record, size)) ||
                 (rva && pe_read_rva(source, pe, rva, record, size));
        if (ok && sym_parse_codeview(record, size, out))
            return true;
    }
    return false;
}

bool module_codeview(struct sym_module *module, const struct target_reader *reader,
                     struct sym_codeview *out)
{
    memset(out, 0, sizeof(*out));
    if ((module->file_path || target_reader_available(reader)) &&
        module_with_image(module, reader, pe_read_codeview, out))
        return true;
    if (module->given_codeview.present) {
        *out = module->given_codeview;
        return true;
    }
    return false;
}

/* ---- walking a search path (shared with SymFindFileInPath & co.) ---- */

static bool join(char *out, size_t size, const char *dir, size_t dir_length, const char *a,
                 const char *b, const char *c)
{
    int n;

    while (dir_length && (dir[dir_length - 1] == '/' || dir[dir_length - 1] == '\\'))
        dir_length--;
    if (dir_length > 4096)
        return false;
    if (b)
        n = snprintf(out, size, "%.*s%c%s%c%s%c%s", (int)dir_length, dir, PATH_SEPARATOR, a,
                     PATH_SEPARATOR, b, PATH_SEPARATOR, c);
    else
        n = snprintf(out, size, "%.*s%c%s", (int)dir_length, dir, PATH_SEPARATOR, a);
    return n > 0 && (size_t)n < size;
}

void sym_store_id_guid(const GUID *guid, DWORD age, char *out, size_t size)
{
    snprintf(out, size, "%08X%04X%04X%02X%02X%02X%02X%02X%02X%02X%02X%X", (unsigned)guid->Data1,
             guid->Data2, guid->Data3, guid->Data4[0], guid->Data4[1], guid->Data4[2],
             guid->Data4[3], guid->Data4[4], guid->Data4[5], guid->Data4[6], guid->Data4[7],
             (unsigned)age);
}

void sym_store_id_dword(DWORD first, DWORD second, char *out, size_t size)
{
    snprintf(out, size, "%08X%X", (unsigned)first, (unsigned)second);
}

bool sym_path_try_directory(const struct sym_path_walk *walk, const char *dir, size_t length,
                            bool plain)
{
    char path[4400];

    if (plain && join(path, sizeof(path), dir, length, walk->name, NULL, NULL) &&
        walk->try_file(walk->context, path))
        return true;
    return walk->store_id && walk->store_id[0] &&
           join(path, sizeof(path), dir, length, walk->name, walk->store_id, walk->name) &&
           walk->try_file(walk->context, path);
}

static bool is_url(const char *s, size_t length)
{
    return (length >= 7 && strncmp(s, "http://", 7) == 0) ||
           (length >= 8 && strncmp(s, "https://", 8) == 0);
}

static bool prefix_is(const char *s, size_t length, const char *prefix)
{
    size_t n = strlen(prefix);
    if (length < n)
        return false;
    for (size_t i = 0; i < n; i++)
        if ((s[i] | 0x20) != prefix[i])
            return false;
    return true;
}

/* One symbol-path element: "DIR", "srv*DIR*...", "symsrv*DLL*DIR*...",
 * "cache*DIR". Store elements name local stores and URLs; only the local
 * ones are searched (no network). */
static bool try_element(const struct sym_path_walk *walk, const char *element, size_t length)
{
    const char *p, *end = element + length;
    bool store = true;

    if (prefix_is(element, length, "srv*"))
        p = element + 4;
    else if (prefix_is(element, length, "cache*"))
        p = element + 6;
    else if (prefix_is(element, length, "symsrv*")) {
        p = memchr(element + 7, '*', length - 7); /* past the DLL's name */
        if (!p)
            return false;
        p++;
    } else {
        store = false;
        p = element;
    }
    if (!store)
        return length && sym_path_try_directory(walk, element, length, true);
    while (p < end) {
        const char *star = memchr(p, '*', (size_t)(end - p));
        size_t n = star ? (size_t)(star - p) : (size_t)(end - p);
        if (n && !is_url(p, n) && sym_path_try_directory(walk, p, n, false))
            return true;
        p += n + 1;
    }
    return false;
}

bool sym_path_walk(const struct sym_path_walk *walk, const char *search_path)
{
    const char *p = search_path;

    if (!walk->name[0])
        return false;
    while (p && *p) {
        const char *semicolon = strchr(p, ';');
        size_t n = semicolon ? (size_t)(semicolon - p) : strlen(p);
        while (n && (*p == ' ' || *p == '\t')) {
            p++;
            n--;
        }
        if (try_element(walk, p, n))
            return true;
        p += n + (semicolon ? 1 : 0);
    }
    return false;
}

/* ---- candidates ---- */

struct search {
    struct sym_codeview codeview;
    const struct load_event_sink *sink; /* CBA_DEBUG_INFO lines for the files tried */
    bool load_anything;
    struct debug_info *found;
    struct debug_info *unmatched; /* the first mismatching PDB, for LOAD_ANYTHING */
};

static bool identity_matches(const struct sym_codeview *cv, const struct di_summary *s)
{
    if (s->age != cv->age)
        return false;
    return cv->pdb70 ? memcmp(&s->guid, &cv->guid, sizeof(GUID)) == 0
                     : s->signature == cv->signature;
}

/* Tries one path; true when the search is over. */
static bool try_path(void *context, const char *path)
{
    struct search *search = context;
    struct debug_info *info = pdb_open_file(path);
    struct di_summary summary;

    if (!info) {
        sym_debug_info(search->sink, "DBGHELP: %s - %s\n", path,
                       file_is_regular(path) ? "not a PDB file" : "file not found");
        return false;
    }
    info->ops->summary(info, &summary);
    if (identity_matches(&search->codeview, &summary)) {
        search->found = info;
        return true;
    }
    sym_debug_info(search->sink, "DBGHELP: %s - mismatched pdb\n", path);
    if (search->load_anything && !search->unmatched)
        search->unmatched = info;
    else
        info->ops->close(info);
    return false;
}

/* The symbol store's directory for a PDB: GUID (or signature) then age. */
static void store_id(const struct sym_codeview *cv, char *out, size_t size)
{
    if (cv->pdb70)
        sym_store_id_guid(&cv->guid, cv->age, out, size);
    else
        sym_store_id_dword(cv->signature, cv->age, out, size);
}

static struct debug_info *find_pdb(const struct sym_codeview *cv, const char *image_path,
                                   const char *search_path, bool *unmatched,
                                   const struct load_event_sink *sink)
{
    struct search search = {.codeview = *cv,
                            .sink = sink,
                            .load_anything = (sym_options() & SYMOPT_LOAD_ANYTHING) != 0};
    char id[64];
    struct sym_path_walk walk = {sym_base_name(cv->pdb_path), id, try_path, &search};
    const char *image_dir_end;

    *unmatched = false;
    if (!walk.name[0])
        return NULL;
    store_id(cv, id, sizeof(id));
    if (cv->pdb_path[0] && try_path(&search, cv->pdb_path))
        goto done;
    if (image_path && (image_dir_end = sym_base_name(image_path)) != image_path &&
        sym_path_try_directory(&walk, image_path, (size_t)(image_dir_end - image_path), true))
        goto done;
    sym_path_walk(&walk, search_path);
done:
    if (search.found) {
        if (search.unmatched)
            search.unmatched->ops->close(search.unmatched);
        return search.found;
    }
    *unmatched = search.unmatched != NULL;
    return search.unmatched;
}

/* ---- the module's debug information, once ---- */

struct load_result {
    struct debug_info *info;
    bool unmatched, have_codeview;
    struct sym_codeview codeview;
    char file_name[MAX_PATH]; /* the file a retry loaded from */
};


/* How many times a FAILURE or PARTIAL answer may send the loader to another file. */
#define MAX_LOAD_RETRIES 4
#define SEV_PROBLEM 1 /* sevProblem */

/* What DbgHelp's "DBGHELP: module - ..." line says was loaded. */
static const char *loaded_kind(struct debug_info *info, bool have_image)
{
    struct di_summary summary;

    if (!info)
        return have_image ? "export symbols" : "no symbols loaded";
    memset(&summary, 0, sizeof(summary));
    info->ops->summary(info, &summary);
    if (strcmp(info->ops->format, "pdb") != 0)
        return "DWARF symbols & lines";
    if (summary.global_symbols)
        return summary.line_numbers ? "private symbols & lines" : "private symbols";
    return "public symbols";
}

/* Searches for the debug information of `probe` (no lock held), with its
 * events; false when the callback cancelled the deferred load. */
static bool search_debug_info(struct sym_module *probe, const struct target_reader *reader,
                              const char *search_path, const struct load_event_sink *sink,
                              struct load_event_module *event, const char *module_name,
                              struct load_result *out)
{
    char retry[MAX_PATH];
    unsigned retries = 0;

    out->info = NULL;
    out->unmatched = false;
    out->file_name[0] = 0;
    sym_load_event(sink, CBA_DEFERRED_SYMBOL_LOAD_START, event);
    if ((sym_options() & SYMOPT_DEFERRED_LOADS) &&
        sym_load_event(sink, CBA_DEFERRED_SYMBOL_LOAD_CANCEL, event)) {
        sym_debug_info(sink, "DBGHELP: %s - symbol load cancelled\n", module_name);
        sym_load_event(sink, CBA_DEFERRED_SYMBOL_LOAD_FAILURE, event);
        return false;
    }
    event->retry = retry;
    event->retry_size = sizeof(retry);
    for (;;) {
        const char *image_path = probe->file_path;
        bool have_image;

        out->have_codeview = module_codeview(probe, reader, &out->codeview);
        if (!out->have_codeview)
            sym_debug_info(sink, "DBGHELP: %s - no CodeView record\n", module_name);
        else
            out->info = find_pdb(&out->codeview, image_path, search_path, &out->unmatched, sink);
        if (!out->info && image_path)
            out->info = dwarf_open_file(image_path);
        /* An image without debug information still has its exports: the
         * load is complete, as DbgHelp reports it (SymType SymExport). */
        have_image = image_path || probe->headers_state == LAZY_LOADED;
        event->mismatched_pdb = out->unmatched;
        retry[0] = 0;
        if (out->info || have_image) {
            sym_debug_info(sink, "DBGHELP: %s - %s\n", module_name,
                           loaded_kind(out->info, have_image));
            sym_load_event(sink, CBA_DEFERRED_SYMBOL_LOAD_COMPLETE, event);
            return true;
        }
        /* No image header, from the file or the target: PARTIAL, then
         * FAILURE; either answer may name the file to try instead. */
        sym_debug_info(sink, "DBGHELP: No header for %s\n", event->file_name);
        if (retries >= MAX_LOAD_RETRIES)
            event->retry = NULL; /* no more tries: the answers are only news */
        sym_load_event(sink, CBA_DEFERRED_SYMBOL_LOAD_PARTIAL, event);
        if (!retry[0]) {
            sym_event(sink, SEV_PROBLEM, 0, NULL, "DBGHELP: %s - no symbols loaded\n",
                      module_name);
            sym_load_event(sink, CBA_DEFERRED_SYMBOL_LOAD_FAILURE, event);
        }
        if (!retry[0])
            return true;
        retries++;
        /* again, with the callback's file if it is an image: its headers,
         * not the module's */
        {
            char *previous = probe->file_path;
            enum lazy_state previous_state = probe->headers_state;
            if (!(probe->file_path = sym_copy_string(retry))) {
                probe->file_path = previous;
                return true;
            }
            probe->headers_state = LAZY_UNTRIED;
            if (!file_is_regular(retry) || !module_read_headers(probe, reader)) {
                sym_debug_info(sink, "DBGHELP: %s - %s\n", retry,
                               file_is_regular(retry) ? "not an image" : "file not found");
                free(probe->file_path);
                probe->file_path = previous;
                probe->headers_state = previous_state;
                continue; /* still no header: asked again, up to the bound */
            }
            free(previous);
            probe->headers_state = LAZY_LOADED;
        }
        snprintf(out->file_name, sizeof(out->file_name), "%s", retry);
        event->file_name = out->file_name;
        sym_debug_info(sink, "DBGHELP: %s - retrying with %s\n", module_name, retry);
    }
}

struct debug_info *module_debug_info(struct sym_session *session, struct sym_module **module,
                                     const struct target_reader *reader)
{
    struct sym_module *m = *module, probe;
    uint64_t base = m->base;
    char *search_path, *image_path;
    struct debug_info *info = NULL;
    bool have_codeview = false, unmatched = false, attempted, searched = false;
    struct sym_codeview codeview;
    struct load_event_sink sink;
    struct load_event_module event;
    struct load_result result;
    char event_name[256], module_name[sizeof(m->module_name)];

    if (m->debug_state != LAZY_UNTRIED)
        return m->debug;

    /* Search with no lock held: opening files is slow, and reading the
     * CodeView record from target memory may run the caller's callbacks,
     * which may call us again. */
    memset(&probe, 0, sizeof(probe));
    probe.base = m->base;
    probe.size = m->size;
    probe.pe = m->pe;
    probe.headers_state = m->headers_state;
    probe.given_codeview = m->given_codeview;
    probe.file_path = m->file_path ? sym_copy_string(m->file_path) : NULL;
    search_path = sym_copy_string(session->search_path ? session->search_path : ".");
    image_path = probe.file_path;
    if ((m->file_path && !probe.file_path) || !search_path) {
        free(probe.file_path);
        free(search_path);
        return NULL;
    }
    sink.process = session->process;
    sink.callback = session->callback;
    sink.context = session->callback_context;
    sink.wide = session->callback_wide;
    memset(&event, 0, sizeof(event));
    memset(&result, 0, sizeof(result));
    event.base = m->base;
    event.checksum = m->pe.checksum;
    event.timestamp = m->pe.timestamp;
    snprintf(event_name, sizeof(event_name), "%s",
             m->loaded_image_name[0] ? m->loaded_image_name : m->image_name);
    snprintf(module_name, sizeof(module_name), "%s", m->module_name);
    event.file_name = event_name;
    session_pause(session);

    /* A memory-only module whose memory cannot be read this time may be
     * readable by a later lookup with a routine: try again then (and send
     * no events for a search that cannot happen). */
    attempted = probe.given_codeview.present || image_path || target_reader_available(reader);
    if (attempted) {
        searched = search_debug_info(&probe, reader, search_path, &sink, &event, module_name,
                                     &result);
        info = result.info;
        unmatched = result.unmatched;
        have_codeview = result.have_codeview;
        codeview = result.codeview;
    }
    attempted = attempted && searched; /* a cancelled load stays untried */
    free(probe.file_path);
    free(search_path);

    dw_lock_exclusive(&session->lock);
    m = session_module_at(session, base);
    if (m && m->base == base && m->debug_state == LAZY_UNTRIED && attempted) {
        m->debug = info;
        m->pdb_unmatched = unmatched;
        if (have_codeview)
            m->codeview = codeview;
        m->debug_state = info ? LAZY_LOADED : LAZY_FAILED;
        info = NULL;
        /* The callback named the image a memory-only module lacked (its
         * FAILURE/PARTIAL answer): the module reads its parts from it now. */
        if (result.file_name[0] && !m->file_path &&
            (m->file_path = sym_copy_string(result.file_name)) != NULL) {
            size_t n = strnlen(result.file_name, sizeof(m->loaded_image_name) - 1);
            memcpy(m->loaded_image_name, result.file_name, n); /* cut to the structure's 256 */
            m->loaded_image_name[n] = 0;
            if (m->headers_state == LAZY_FAILED)
                m->headers_state = LAZY_UNTRIED;
            if (m->exports_state == LAZY_FAILED)
                m->exports_state = LAZY_UNTRIED;
        }
    }
    dw_unlock_exclusive(&session->lock);
    if (info)
        info->ops->close(info);
    session_resume(session);
    /* The module may have gone while the lock was down: find it again. */
    m = session_module_at(session, base);
    *module = m && m->base == base ? m : NULL;
    return *module ? (*module)->debug : NULL;
}
