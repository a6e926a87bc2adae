/*
 * A module's lazily read parts: PE headers, the function table (.pdata) and
 * the export table, from its image file or from target memory.
 */
#include "session.h"
#include "frame_data.h"
#include "../arch/arch.h"

#include <stdio.h>
#include <stdlib.h>

#define MAX_TABLE_BYTES (64u << 20)
#define MAX_EXPORTS (1u << 20)
#define MAX_NAME 512u

static void copy_name(char *out, size_t size, const char *in)
{
    size_t n = strlen(in);
    if (n >= size)
        n = size - 1;
    memcpy(out, in, n);
    out[n] = 0;
}

const char *sym_base_name(const char *path)
{
    const char *base = path;

    for (const char *p = path; *p; p++)
        if (*p == '\\' || *p == '/')
            base = p + 1;
    return base;
}

/* "C:\dir\name.dll" or "/dir/name.dll" -> "name" */
static void module_name_from(char *out, size_t size, const char *path)
{
    char name[256], *dot;

    copy_name(name, sizeof(name), sym_base_name(path));
    dot = strrchr(name, '.');
    if (dot && dot != name)
        *dot = 0;
    copy_name(out, size, name);
}

/* A module name the caller gave: an image's extension dropped (StackWalker
 * passes Toolhelp's "swtest.exe"; DbgHelp names the module "swtest"), any
 * other dot kept ("my.module" stays). */
static void given_module_name(char *out, size_t size, const char *name)
{
    static const char *const image_extensions[] = {".exe", ".dll", ".sys", ".drv",
                                                   ".ocx", ".cpl", ".efi", ".scr"};
    size_t n = strlen(name);

    copy_name(out, size, name);
    for (unsigned i = 0; i < DW_ARRAY_SIZE(image_extensions); i++) {
        size_t e = strlen(image_extensions[i]);
        bool same = n > e && n - e < size;
        for (size_t k = 0; same && k < e; k++) {
            char c = name[n - e + k];
            if (c >= 'A' && c <= 'Z')
                c = (char)(c - 'A' + 'a');
            same = c == image_extensions[i][k];
        }
        if (same) {
            out[n - e] = 0;
            return;
        }
    }
}

struct sym_module *module_new(uint64_t base, uint32_t size, const char *image_name,
                              const char *module_name)
{
    struct sym_module *m = calloc(1, sizeof(*m));

    if (!m)
        return NULL;
    m->base = base;
    m->size = size;
    if (image_name) {
        copy_name(m->image_name, sizeof(m->image_name), image_name);
        module_name_from(m->module_name, sizeof(m->module_name), image_name);
    }
    if (module_name && *module_name)
        given_module_name(m->module_name, sizeof(m->module_name), module_name);
    if (!m->module_name[0])
        snprintf(m->module_name, sizeof(m->module_name), "%llx", (unsigned long long)base);
    return m;
}

void module_free(struct sym_module *m)
{
    free(m->file_path);
    free(m->table);
    free(m->table_ranges);
    free(m->exports);
    free(m->export_names);
    if (m->debug)
        m->debug->ops->close(m->debug);
    module_free_wide_names(m);
    sym_fpo_entries_free(m);
    free(m);
}

/* ---- sources ---- */

static bool file_read(void *context, uint64_t offset, void *buffer, size_t size)
{
    FILE *f = context;
    return offset <= 0x7FFFFFFFu && fseek(f, (long)offset, SEEK_SET) == 0 &&
           fread(buffer, 1, size, f) == size;
}

struct memory_source {
    const struct target_reader *reader;
    uint64_t base;
};

static bool memory_source_read(void *context, uint64_t offset, void *buffer, size_t size)
{
    const struct memory_source *m = context;
    return target_read(m->reader, m->base + offset, buffer, size);
}

/* Runs `fn(context, source)` on the module's source: its file, or target
 * memory at its base. */
static bool with_source(struct sym_module *module, const struct target_reader *reader,
                        bool (*fn)(void *, const struct image_source *), void *context)
{
    struct image_source source;
    struct memory_source memory = {reader, module->base};
    bool ok;

    if (module->file_path) {
        FILE *f = fopen(module->file_path, "rb");
        if (!f) {
            dw_set_last_error(ERROR_FILE_NOT_FOUND);
            return false;
        }
        source = (struct image_source){file_read, f, false};
        ok = fn(context, &source);
        fclose(f);
        return ok;
    }
    source = (struct image_source){memory_source_read, &memory, true};
    return fn(context, &source);
}

struct image_visit {
    struct sym_module *module;
    bool (*fn)(void *context, const struct pe_info *pe, const struct image_source *source);
    void *context;
};

static bool visit_image(void *context, const struct image_source *source)
{
    struct image_visit *visit = context;
    struct pe_info pe;

    if (visit->module->headers_state == LAZY_LOADED)
        pe = visit->module->pe;
    else if (!pe_parse(source, &pe))
        return false;
    return visit->fn(visit->context, &pe, source);
}

bool module_with_image(struct sym_module *module, const struct target_reader *reader,
                       bool (*fn)(void *context, const struct pe_info *pe,
                                  const struct image_source *source),
                       void *context)
{
    struct image_visit visit = {module, fn, context};
    return with_source(module, reader, visit_image, &visit);
}

/* ---- the parts ---- */

static bool parse_headers(void *context, const struct image_source *source)
{
    struct sym_module *m = context;
    if (!pe_parse(source, &m->pe))
        return false;
    if (m->size == 0)
        m->size = m->pe.size_of_image;
    return true;
}

bool module_read_headers(struct sym_module *module, const struct target_reader *reader)
{
    return with_source(module, reader, parse_headers, module);
}

/* An entry the table keeps: its range and where it is in the raw table. */
struct kept_entry {
    uint32_t begin, end, index;
};

static int compare_kept(const void *a, const void *b)
{
    const struct kept_entry *x = a, *y = b;
    if (x->begin != y->begin)
        return x->begin < y->begin ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index; /* the first one listed wins */
}

/* The index's bucket width (log2): the smallest giving at most two buckets
 * per entry, so that a bucket's neighbours are usually one or two entries
 * apart and a lookup makes one step instead of log2(count) dependent
 * loads; never fewer than 16 bytes a bucket. */
static unsigned index_shift_for(const struct kept_entry *kept, uint32_t count)
{
    uint64_t span;
    unsigned shift = 4;

    if (count == 0)
        return shift;
    span = kept[count - 1].end - kept[0].begin;
    while (shift < 31 && (span >> shift) >= 2 * (uint64_t)count)
        shift++;
    return shift;
}

/* index[b]: the last entry beginning at or before bucket b's start (entry 0
 * for bucket 0, where the first begins); index[buckets] the last entry. */
static void build_table_index(struct sym_module *m, unsigned shift, uint32_t buckets)
{
    const struct table_range *r = m->table_ranges;
    uint32_t *index = (uint32_t *)(void *)&m->table_ranges[m->table_count];
    uint32_t first = r[0].begin, j = 0;

    for (uint32_t b = 0; b < buckets; b++) {
        uint64_t start = (uint64_t)b << shift;
        while (j + 1 < m->table_count && r[j + 1].begin - first <= start)
            j++;
        index[b] = j;
    }
    index[buckets] = m->table_count - 1;
    m->table_index = index;
    m->index_first = first;
    m->index_span = r[m->table_count - 1].end - first;
    m->index_buckets = buckets;
    m->index_shift = shift;
}

struct table_image {
    const struct image_source *source;
    const struct pe_info *pe;
};

static bool read_table_image(void *context, uint32_t rva, void *out, uint32_t size)
{
    const struct table_image *image = context;
    return pe_read_rva(image->source, image->pe, rva, out, size);
}

static bool parse_table(void *context, const struct image_source *source)
{
    struct sym_module *m = context;
    const struct arch_unwinder *arch = arch_for_machine(m->pe.machine);
    const struct function_table_format *format = arch ? arch->table_format : NULL;
    struct table_image image = {source, &m->pe};
    const struct image_rva_reader reader = {read_table_image, &image};
    uint32_t size = m->pe.exception_size, entry, count, kept = 0, out = 0, buckets;
    unsigned shift;
    struct kept_entry *keep;
    uint8_t *raw;

    if (!format) {
        m->entry_size = 0; /* no table for this machine (x86: FPO needs a PDB) */
        return true;
    }
    entry = format->entry_size;
    m->entry_size = entry;
    /* The table lies inside the image as loaded: a header that claims more
     * (hostile memory) would have us read megabytes that are not there. */
    {
        uint32_t extent = m->size && m->size < m->pe.size_of_image ? m->size
                                                                    : m->pe.size_of_image;
        if (m->pe.exception_rva >= extent)
            size = 0;
        else if (size > extent - m->pe.exception_rva)
            size = extent - m->pe.exception_rva;
    }
    if (size > MAX_TABLE_BYTES)
        size = MAX_TABLE_BYTES;
    count = size / entry;
    if (count == 0)
        return true;
    raw = malloc((size_t)count * entry);
    keep = malloc((size_t)count * sizeof(*keep));
    if (!raw || !keep || !pe_read_rva(source, &m->pe, m->pe.exception_rva, raw,
                                      (size_t)count * entry)) {
        free(raw);
        free(keep);
        return false;
    }
    /* Keep the entries the format accepts, in order, without overlaps: an
     * entry beginning inside the one before is not trusted. */
    for (uint32_t i = 0; i < count; i++) {
        struct kept_entry *k = &keep[kept];
        if (format->entry_range(raw + (size_t)i * entry, m->pe.size_of_image, &reader, &k->begin,
                                &k->end)) {
            k->index = i;
            kept++;
        }
    }
    qsort(keep, kept, sizeof(*keep), compare_kept);
    for (uint32_t i = 0; i < kept; i++)
        if (out == 0 || keep[i].begin >= keep[out - 1].end)
            keep[out++] = keep[i];
    shift = index_shift_for(keep, out);
    buckets = out ? (uint32_t)((uint64_t)(keep[out - 1].end - keep[0].begin) >> shift) + 1 : 0;
    m->table = malloc(out ? (size_t)out * entry : 1);
    m->table_ranges = malloc(out ? (size_t)out * sizeof(*m->table_ranges) +
                                       ((size_t)buckets + 1) * sizeof(uint32_t)
                                 : 1);
    if (!m->table || !m->table_ranges) {
        free(m->table);
        free(m->table_ranges);
        m->table = NULL;
        m->table_ranges = NULL;
        free(raw);
        free(keep);
        return false;
    }
    for (uint32_t i = 0; i < out; i++) {
        memcpy(m->table + (size_t)i * entry, raw + (size_t)keep[i].index * entry, entry);
        m->table_ranges[i].begin = keep[i].begin;
        m->table_ranges[i].end = keep[i].end;
    }
    m->table_count = out;
    if (out)
        build_table_index(m, shift, buckets);
    free(raw);
    free(keep);
    return true;
}

static bool ensure_headers(struct sym_module *module, const struct target_reader *reader)
{
    if (module->headers_state == LAZY_UNTRIED)
        module->headers_state = module_read_headers(module, reader) ? LAZY_LOADED : LAZY_FAILED;
    return module->headers_state == LAZY_LOADED;
}

bool module_read_table(struct sym_module *module, const struct target_reader *reader)
{
    return ensure_headers(module, reader) && with_source(module, reader, parse_table, module);
}

static int compare_export(const void *a, const void *b)
{
    const struct sym_export *x = a, *y = b;
    return x->rva < y->rva ? -1 : x->rva > y->rva;
}

/* A NUL-terminated name at `rva`, read in small pieces so that a name near
 * the end of readable memory still reads. */
static size_t read_name(const struct image_source *source, const struct pe_info *pe,
                        uint32_t rva, char *out)
{
    size_t n = 0;

    while (n < MAX_NAME - 1) {
        char piece[32];
        size_t take = sizeof(piece);
        if (rva + n >= pe->size_of_image)
            return 0;
        if (take > pe->size_of_image - (rva + n))
            take = pe->size_of_image - (rva + n);
        if (!pe_read_rva(source, pe, (uint32_t)(rva + n), piece, take))
            return 0;
        for (size_t i = 0; i < take && n < MAX_NAME - 1; i++) {
            if (piece[i] == 0) {
                out[n] = 0;
                return n;
            }
            out[n++] = piece[i];
        }
    }
    return 0;
}

static bool parse_exports(void *context, const struct image_source *source)
{
    struct sym_module *m = context;
    uint8_t directory[40];
    uint32_t functions, names, *function_rvas = NULL, *name_rvas = NULL;
    uint16_t *ordinals = NULL;
    size_t blob_size = 0, blob_used = 0;
    bool ok = false;

    if (m->pe.export_size < sizeof(directory))
        return true; /* no exports: SymFromAddr finds nothing */
    if (!pe_read_rva(source, &m->pe, m->pe.export_rva, directory, sizeof(directory)))
        return false;
    functions = dw_le32(directory + 0x14);
    names = dw_le32(directory + 0x18);
    if (functions > MAX_EXPORTS || names > MAX_EXPORTS)
        return false;
    function_rvas = malloc((functions ? functions : 1) * sizeof(uint32_t));
    name_rvas = malloc((names ? names : 1) * sizeof(uint32_t));
    ordinals = malloc((names ? names : 1) * sizeof(uint16_t));
    m->exports = calloc(names ? names : 1, sizeof(*m->exports));
    if (!function_rvas || !name_rvas || !ordinals || !m->exports ||
        !pe_read_rva(source, &m->pe, dw_le32(directory + 0x1C), function_rvas,
                     functions * sizeof(uint32_t)) ||
        !pe_read_rva(source, &m->pe, dw_le32(directory + 0x20), name_rvas,
                     names * sizeof(uint32_t)) ||
        !pe_read_rva(source, &m->pe, dw_le32(directory + 0x24), ordinals,
                     names * sizeof(uint16_t)))
        goto out;
    for (uint32_t i = 0; i < names; i++) {
        char name[MAX_NAME];
        uint16_t ordinal = dw_le16((const uint8_t *)&ordinals[i]);
        uint32_t rva;
        size_t length;
        if (ordinal >= functions)
            continue;
        rva = dw_le32((const uint8_t *)&function_rvas[ordinal]);
        if (rva == 0 || rva >= m->pe.size_of_image ||
            (rva >= m->pe.export_rva && rva - m->pe.export_rva < m->pe.export_size))
            continue; /* forwarders name another module's function */
        length = read_name(source, &m->pe, dw_le32((const uint8_t *)&name_rvas[i]), name);
        if (length == 0)
            continue;
        if (blob_used + length + 1 > blob_size) {
            size_t grown = blob_size ? blob_size * 2 : 4096;
            char *blob;
            while (grown < blob_used + length + 1)
                grown *= 2;
            blob = realloc(m->export_names, grown);
            if (!blob)
                goto out;
            m->export_names = blob;
            blob_size = grown;
        }
        memcpy(m->export_names + blob_used, name, length + 1);
        m->exports[m->export_count].rva = rva;
        m->exports[m->export_count].name = (uint32_t)blob_used;
        m->export_count++;
        blob_used += length + 1;
    }
    qsort(m->exports, m->export_count, sizeof(*m->exports), compare_export);
    ok = true;
out:
    free(function_rvas);
    free(name_rvas);
    free(ordinals);
    if (!ok) {
        free(m->exports);
        free(m->export_names);
        m->exports = NULL;
        m->export_names = NULL;
        m->export_count = 0;
    }
    return ok;
}

bool module_read_exports(struct sym_module *module, const struct target_reader *reader)
{
    return ensure_headers(module, reader) && with_source(module, reader, parse_exports, module);
}

void module_adopt_parts(struct sym_module *to, struct sym_module *from)
{
    if (to->headers_state == LAZY_UNTRIED && from->headers_state != LAZY_UNTRIED) {
        to->pe = from->pe;
        if (to->size == 0)
            to->size = from->size;
        to->headers_state = from->headers_state;
    }
    if (to->table_state == LAZY_UNTRIED && from->table_state != LAZY_UNTRIED) {
        to->table = from->table;
        to->table_ranges = from->table_ranges;
        to->table_count = from->table_count;
        to->table_index = from->table_index;
        to->index_first = from->index_first;
        to->index_span = from->index_span;
        to->index_buckets = from->index_buckets;
        to->index_shift = from->index_shift;
        to->entry_size = from->entry_size;
        to->table_state = from->table_state;
        from->table = NULL;
        from->table_ranges = NULL;
    }
    if (to->exports_state == LAZY_UNTRIED && from->exports_state != LAZY_UNTRIED) {
        to->exports = from->exports;
        to->export_names = from->export_names;
        to->export_count = from->export_count;
        to->exports_state = from->exports_state;
        from->exports = NULL;
        from->export_names = NULL;
    }
}

bool module_read_from_source(struct sym_module *module, const struct image_source *source)
{
    if (!parse_headers(module, source))
        return false;
    module->headers_state = LAZY_LOADED;
    module->table_state = parse_table(module, source) ? LAZY_LOADED : LAZY_FAILED;
    module->exports_state = parse_exports(module, source) ? LAZY_LOADED : LAZY_FAILED;
    return true;
}
