/*
 * Opening a PDB: the PDB info stream (identity, named streams), the DBI
 * stream (modules, section contributions, the optional debug header), /names,
 * the section headers and OMAP; and the debug_info operations over the
 * lazily built indexes (pdb_internal.h).
 */
#include "pdb_internal.h"

#include <stdlib.h>

#define PDB_STREAM_INFO 1u
#define PDB_STREAM_TPI 2u
#define PDB_STREAM_DBI 3u
#define PDB_STREAM_IPI 4u

#define DBI_HEADER 64u
#define MODULE_FIXED 64u

/* The optional debug header's stream slots (LLVM's "DBI Stream" page). */
enum { DBG_FPO = 0, DBG_OMAP_FROM_SRC = 4, DBG_SECTION_HDR = 5, DBG_NEW_FPO = 9,
       DBG_SECTION_HDR_ORIG = 10, DBG_SLOTS = 11 };

static const struct debug_info_ops pdb_ops;

bool pdb_lazy(struct pdb_reader *r, atomic_int *state, bool (*build)(struct pdb_reader *, void *),
              void *arg)
{
    int s = atomic_load_explicit(state, memory_order_acquire);

    if (s != PDB_UNTRIED)
        return s == PDB_READY;
    dw_lock_exclusive(&r->lock);
    s = atomic_load_explicit(state, memory_order_relaxed);
    if (s == PDB_UNTRIED) {
        s = build(r, arg) ? PDB_READY : PDB_FAILED;
        atomic_store_explicit(state, s, memory_order_release);
    }
    dw_unlock_exclusive(&r->lock);
    return s == PDB_READY;
}

const char *pdb_name(const struct pdb_reader *r, uint32_t offset)
{
    if (!r->names || offset >= r->names_strings)
        return "";
    return (const char *)r->names + 12 + offset; /* the stream is NUL-terminated past its end */
}

uint32_t pdb_rva(const struct pdb_reader *r, uint16_t segment, uint32_t offset)
{
    uint32_t rva, lo = 0, hi = r->omap_count;

    if (segment == 0 || segment > r->section_count)
        return 0;
    rva = r->section_rvas[segment - 1] + offset;
    if (!r->omap)
        return rva;
    /* OMAP: the last entry at or below rva moves it */
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (r->omap[mid][0] <= rva)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0 || r->omap[lo - 1][1] == 0)
        return 0;
    return r->omap[lo - 1][1] + (rva - r->omap[lo - 1][0]);
}

struct pdb_module *pdb_module_at(struct pdb_reader *r, uint32_t rva)
{
    uint32_t lo = 0, hi = r->contribution_count;

    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (r->contributions[mid].rva <= rva)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0)
        return NULL;
    lo--;
    if (rva - r->contributions[lo].rva >= r->contributions[lo].size)
        return NULL;
    return &r->modules[r->contributions[lo].module];
}

/* ---- opening ---- */

/* The PDB info stream: identity, and the named-stream map for /names. */
static bool read_info(struct pdb_reader *r, uint32_t *names_stream)
{
    uint32_t size, at, strings, count, capacity, words;
    uint8_t *info = msf_read_stream(&r->msf, PDB_STREAM_INFO, 1u << 20, &size);
    const uint8_t *present;
    bool ok = false;

    *names_stream = MSF_NIL_STREAM;
    if (!info || size < 28 + 4)
        goto out;
    r->signature = dw_le32(info + 4);
    r->age = dw_le32(info + 8);
    r->guid.Data1 = dw_le32(info + 12);
    r->guid.Data2 = dw_le16(info + 16);
    r->guid.Data3 = dw_le16(info + 18);
    memcpy(r->guid.Data4, info + 20, 8);

    strings = dw_le32(info + 28);
    at = 32;
    if (strings > size - at)
        goto out;
    at += strings;
    if (size - at < 12)
        goto out;
    count = dw_le32(info + at);
    capacity = dw_le32(info + at + 4);
    words = dw_le32(info + at + 8);
    at += 12;
    if (count > capacity || capacity > (1u << 20) || words > (size - at) / 4 ||
        (uint64_t)words * 32 < capacity)
        goto out;
    present = info + at;
    at += 4 * words;
    if (size - at < 4 || dw_le32(info + at) > (size - at - 4) / 4)
        goto out;
    at += 4 + 4 * dw_le32(info + at); /* the deleted-bucket bit vector */
    for (uint32_t bucket = 0; bucket < capacity; bucket++) {
        uint32_t key, value;
        if (!(dw_le32(present + 4 * (bucket / 32)) & (1u << (bucket % 32))))
            continue;
        if (size - at < 8)
            goto out;
        key = dw_le32(info + at);
        value = dw_le32(info + at + 4);
        at += 8;
        if (key < strings && strcmp((const char *)info + 32 + key, "/names") == 0)
            *names_stream = value;
    }
    ok = true;
out:
    free(info);
    return ok;
}

static void read_names(struct pdb_reader *r, uint32_t stream)
{
    uint32_t size;

    if (stream == MSF_NIL_STREAM)
        return;
    r->names = msf_read_stream(&r->msf, stream, PDB_MAX_STREAM, &size);
    if (!r->names || size < 12 || dw_le32(r->names) != 0xEFFEEFFEu ||
        dw_le32(r->names + 8) > size - 12) {
        free(r->names);
        r->names = NULL;
        return;
    }
    r->names_size = size;
    r->names_strings = dw_le32(r->names + 8);
}

/* Section RVAs from a section-header stream (IMAGE_SECTION_HEADERs). */
static bool read_sections(struct pdb_reader *r, uint16_t stream)
{
    uint32_t size;
    uint8_t *headers;

    if (stream == 0xFFFF)
        return false;
    headers = msf_read_stream(&r->msf, stream, 1u << 20, &size);
    if (!headers)
        return false;
    r->section_count = size / 40;
    r->section_rvas = malloc((size_t)r->section_count * 4 + 4);
    if (!r->section_rvas) {
        free(headers);
        r->section_count = 0;
        return false;
    }
    for (uint32_t i = 0; i < r->section_count; i++)
        r->section_rvas[i] = dw_le32(headers + 40 * (size_t)i + 12);
    free(headers);
    return true;
}

static int compare_pair(const void *a, const void *b)
{
    const uint32_t *x = a, *y = b;
    return x[0] < y[0] ? -1 : x[0] > y[0];
}

static void read_omap(struct pdb_reader *r, uint16_t stream)
{
    uint32_t size;
    uint8_t *raw;

    if (stream == 0xFFFF || !(raw = msf_read_stream(&r->msf, stream, PDB_MAX_STREAM, &size)))
        return;
    r->omap_count = size / 8;
    r->omap = malloc((size_t)r->omap_count * 8 + 8);
    if (r->omap) {
        for (uint32_t i = 0; i < r->omap_count; i++) {
            r->omap[i][0] = dw_le32(raw + 8 * (size_t)i);
            r->omap[i][1] = dw_le32(raw + 8 * (size_t)i + 4);
        }
        qsort(r->omap, r->omap_count, sizeof(r->omap[0]), compare_pair);
    } else {
        r->omap_count = 0;
    }
    free(raw);
}

static int compare_contribution(const void *a, const void *b)
{
    const struct pdb_contribution *x = a, *y = b;
    return x->rva < y->rva ? -1 : x->rva > y->rva;
}

/* The DBI stream's substreams, each bounds-checked against the stream. */
static bool read_dbi(struct pdb_reader *r)
{
    const uint8_t *d, *modules, *contributions;
    uint32_t sizes[7], at, count = 0;
    uint16_t debug_streams[DBG_SLOTS];
    uint64_t total = DBI_HEADER;

    r->dbi = msf_read_stream(&r->msf, PDB_STREAM_DBI, PDB_MAX_STREAM, &r->dbi_size);
    if (!r->dbi || r->dbi_size < DBI_HEADER)
        return false;
    d = r->dbi;
    r->age = dw_le32(d + 8); /* the age images record (RSDS) is the DBI's */
    r->symbol_records_stream = dw_le16(d + 20);
    r->machine = dw_le16(d + 58);
    /* module info, section contributions, section map, file info, type
     * server map, EC, optional debug header */
    sizes[0] = dw_le32(d + 24);
    sizes[1] = dw_le32(d + 28);
    sizes[2] = dw_le32(d + 32);
    sizes[3] = dw_le32(d + 36);
    sizes[4] = dw_le32(d + 40);
    sizes[5] = dw_le32(d + 52);
    sizes[6] = dw_le32(d + 48);
    for (unsigned i = 0; i < 7; i++)
        total += sizes[i];
    if (total > r->dbi_size)
        return false;

    /* modules: count them, then index them */
    modules = d + DBI_HEADER;
    for (at = 0; at + MODULE_FIXED < sizes[0] && count < (1u << 20); count++) {
        const char *name = (const char *)modules + at + MODULE_FIXED;
        size_t left = sizes[0] - at - MODULE_FIXED, n1, n2;
        const char *end1 = memchr(name, 0, left);
        if (!end1)
            break;
        n1 = (size_t)(end1 - name) + 1;
        if (!memchr(name + n1, 0, left - n1))
            break;
        n2 = strlen(name + n1) + 1;
        at += (uint32_t)((MODULE_FIXED + n1 + n2 + 3) & ~(size_t)3);
    }
    r->modules = calloc(count ? count : 1, sizeof(*r->modules));
    if (!r->modules)
        return false;
    for (at = 0; r->module_count < count; r->module_count++) {
        struct pdb_module *m = &r->modules[r->module_count];
        const uint8_t *rec = modules + at;
        size_t n1 = strlen((const char *)rec + MODULE_FIXED) + 1;
        size_t n2 = strlen((const char *)rec + MODULE_FIXED + n1) + 1;
        m->stream = dw_le16(rec + 34);
        m->symbol_bytes = dw_le32(rec + 36);
        m->c11_bytes = dw_le32(rec + 40);
        m->c13_bytes = dw_le32(rec + 44);
        m->name = (const char *)rec + MODULE_FIXED;
        atomic_init(&m->state, PDB_UNTRIED);
        at += (uint32_t)((MODULE_FIXED + n1 + n2 + 3) & ~(size_t)3);
    }

    /* the optional debug header */
    for (unsigned i = 0; i < DBG_SLOTS; i++)
        debug_streams[i] = 0xFFFF;
    {
        const uint8_t *h = d + total - sizes[6];
        for (unsigned i = 0; i < DBG_SLOTS && 2 * (i + 1) <= sizes[6]; i++)
            debug_streams[i] = dw_le16(h + 2 * i);
    }
    r->fpo_stream = debug_streams[DBG_FPO];
    r->new_fpo_stream = debug_streams[DBG_NEW_FPO];
    if (debug_streams[DBG_OMAP_FROM_SRC] != 0xFFFF &&
        read_sections(r, debug_streams[DBG_SECTION_HDR_ORIG]))
        read_omap(r, debug_streams[DBG_OMAP_FROM_SRC]);
    else
        read_sections(r, debug_streams[DBG_SECTION_HDR]);

    /* section contributions: 28-byte entries (V60), 32 (V2) */
    contributions = d + DBI_HEADER + sizes[0];
    if (sizes[1] >= 4) {
        uint32_t version = dw_le32(contributions);
        uint32_t entry = version == 0xF13151E4u ? 32 : 28, n = (sizes[1] - 4) / entry, kept = 0;
        r->contributions = malloc((size_t)n * sizeof(*r->contributions) + 1);
        if (!r->contributions)
            return false;
        for (uint32_t i = 0; i < n; i++) {
            const uint8_t *e = contributions + 4 + (size_t)i * entry;
            uint32_t size = dw_le32(e + 8), module = dw_le16(e + 16);
            uint32_t rva = pdb_rva(r, dw_le16(e), dw_le32(e + 4));
            if (rva == 0 || size == 0 || module >= r->module_count)
                continue;
            r->contributions[kept++] = (struct pdb_contribution){rva, size, module};
        }
        r->contribution_count = kept;
        qsort(r->contributions, kept, sizeof(*r->contributions), compare_contribution);
    }
    return true;
}

static struct pdb_reader *pdb_new(void)
{
    struct pdb_reader *r = calloc(1, sizeof(*r));

    if (!r)
        return NULL;
    r->base.ops = &pdb_ops;
    dw_lock_init(&r->lock);
    atomic_init(&r->publics_state, PDB_UNTRIED);
    atomic_init(&r->frames_state, PDB_UNTRIED);
    atomic_init(&r->ipi_state, PDB_UNTRIED);
    atomic_init(&r->tpi_state, PDB_UNTRIED);
    return r;
}

static void pdb_close(struct debug_info *info);

/* Reads what every lookup needs; the rest is indexed on first use. */
static struct debug_info *pdb_load(struct pdb_reader *r, const struct image_source *source,
                                   uint64_t size)
{
    uint32_t names_stream;

    if (!msf_open(&r->msf, source, size) || !read_info(r, &names_stream) || !read_dbi(r)) {
        pdb_close(&r->base);
        dw_set_last_error(ERROR_BAD_FORMAT);
        return NULL;
    }
    read_names(r, names_stream);
    r->has_types = msf_stream_size(&r->msf, PDB_STREAM_TPI) > 56;
    r->has_ids = msf_stream_size(&r->msf, PDB_STREAM_IPI) > 56;
    return &r->base;
}

struct debug_info *pdb_open(const struct image_source *source, uint64_t size)
{
    struct pdb_reader *r = pdb_new();
    return r ? pdb_load(r, source, size) : NULL;
}

static bool file_read(void *context, uint64_t offset, void *buffer, size_t size)
{
    FILE *f = context;
    return offset <= 0x7FFFFFFFu && fseek(f, (long)offset, SEEK_SET) == 0 &&
           fread(buffer, 1, size, f) == size;
}

struct debug_info *pdb_open_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    struct pdb_reader *r;
    long size;

    if (!f) {
        dw_set_last_error(ERROR_FILE_NOT_FOUND);
        return NULL;
    }
    if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 || !(r = pdb_new())) {
        fclose(f);
        dw_set_last_error(ERROR_FILE_NOT_FOUND);
        return NULL;
    }
    /* the source lives in the reader, which closes the file */
    r->file = f;
    r->file_source = (struct image_source){file_read, f, false};
    snprintf(r->path, sizeof(r->path), "%s", path);
    return pdb_load(r, &r->file_source, (uint64_t)size);
}

/* ---- the debug_info operations ---- */

static bool build_module(struct pdb_reader *r, void *arg)
{
    return pdb_module_load(r, arg);
}

static bool build_publics(struct pdb_reader *r, void *arg)
{
    (void)arg;
    return pdb_publics_load(r);
}

static bool build_frames(struct pdb_reader *r, void *arg)
{
    (void)arg;
    return pdb_frames_load(r);
}

/* The module holding rva, with its indexes built; NULL otherwise. */
static struct pdb_module *loaded_module_at(struct pdb_reader *r, uint32_t rva)
{
    struct pdb_module *m = pdb_module_at(r, rva);
    return m && pdb_lazy(r, &m->state, build_module, m) ? m : NULL;
}

static void fill_proc(const struct pdb_proc *p, struct di_symbol *out)
{
    out->rva = p->rva;
    out->size = p->size;
    out->tag = p->tag;
    out->flags = 0;
    out->name = p->name;
    out->name_length = strlen(p->name);
}

static bool pdb_symbol_at(struct debug_info *info, uint32_t rva, struct di_symbol *out)
{
    struct pdb_reader *r = (struct pdb_reader *)info;
    struct pdb_module *m = loaded_module_at(r, rva);
    const struct pdb_proc *p = m ? pdb_module_proc_at(m, rva) : NULL;
    const struct pdb_public *pub;

    if (p) {
        fill_proc(p, out);
        return true;
    }
    if (!pdb_lazy(r, &r->publics_state, build_publics, NULL) || !(pub = pdb_public_at(r, rva)))
        return false;
    out->rva = pub->rva;
    out->size = pub->tag == DI_TAG_DATA ? pdb_type_size(r, pub->type) : 0;
    out->tag = pub->tag;
    out->flags = 0;
    out->name = pub->name;
    out->name_length = strlen(pub->name);
    return true;
}

static void fill_line(const struct pdb_line *l, struct di_line *out)
{
    out->rva = l->rva;
    out->line = l->line;
    out->file = l->file;
    out->object = NULL;
}

static bool pdb_line_at(struct debug_info *info, uint32_t rva, struct di_line *out)
{
    struct pdb_reader *r = (struct pdb_reader *)info;
    struct pdb_module *m = loaded_module_at(r, rva);
    const struct pdb_line *l = m ? pdb_module_line_at(m, rva) : NULL;

    if (!l)
        return false;
    fill_line(l, out);
    return true;
}

static bool pdb_line_step(struct debug_info *info, const struct di_line *from, int direction,
                          struct di_line *out)
{
    struct pdb_reader *r = (struct pdb_reader *)info;
    struct pdb_module *m = loaded_module_at(r, from->rva);
    const struct pdb_line *l = m ? pdb_module_line_at(m, from->rva) : NULL;

    if (!l)
        return false;
    /* entries sharing the rva: the caller's is the one with its line and
     * file (else stepping from the second of two would find the second
     * again through the first, for ever) */
    for (const struct pdb_line *same = l; same < m->lines + m->line_count && same->rva == l->rva;
         same++) {
        if (same->line == from->line && from->file &&
            (same->file == from->file || strcmp(same->file, from->file) == 0)) {
            l = same;
            break;
        }
    }
    /* the neighbouring entry of the same file, in address order */
    for (const struct pdb_line *n = l + (direction > 0 ? 1 : -1);
         n >= m->lines && n < m->lines + m->line_count; n += direction > 0 ? 1 : -1) {
        if (n->file == l->file || strcmp(n->file, l->file) == 0) {
            fill_line(n, out);
            return true;
        }
    }
    return false;
}

static unsigned pdb_inlines(struct debug_info *info, uint32_t rva, struct di_inline_frame *out,
                            unsigned max)
{
    struct pdb_reader *r = (struct pdb_reader *)info;
    struct pdb_module *m = loaded_module_at(r, rva);
    const struct pdb_proc *p = m ? pdb_module_proc_at(m, rva) : NULL;

    if (!p || p->tag != DI_TAG_FUNCTION)
        return 0;
    return pdb_inlines_at(r, m, p, rva, out, max);
}

static bool pdb_enum_symbols(struct debug_info *info, di_symbol_callback callback, void *context)
{
    struct pdb_reader *r = (struct pdb_reader *)info;
    struct di_symbol s;

    for (uint32_t i = 0; i < r->module_count; i++) {
        struct pdb_module *m = &r->modules[i];
        if (!pdb_lazy(r, &m->state, build_module, m))
            continue;
        for (uint32_t k = 0; k < m->proc_count; k++) {
            fill_proc(&m->procs[k], &s);
            if (!callback(context, &s))
                return true;
        }
    }
    if (pdb_lazy(r, &r->publics_state, build_publics, NULL)) {
        for (uint32_t i = 0; i < r->public_count; i++) {
            const struct pdb_public *p = &r->publics[i];
            s = (struct di_symbol){p->rva, p->tag == DI_TAG_DATA ? pdb_type_size(r, p->type) : 0,
                                   p->tag, 0, p->name, strlen(p->name)};
            if (!callback(context, &s))
                return true;
        }
    }
    return true;
}

static bool pdb_enum_lines(struct debug_info *info, di_line_callback callback, void *context)
{
    struct pdb_reader *r = (struct pdb_reader *)info;
    struct di_line l;

    for (uint32_t i = 0; i < r->module_count; i++) {
        struct pdb_module *m = &r->modules[i];
        if (!pdb_lazy(r, &m->state, build_module, m))
            continue;
        for (uint32_t k = 0; k < m->line_count; k++) {
            fill_line(&m->lines[k], &l);
            l.object = m->name;
            if (!callback(context, &l))
                return true;
        }
    }
    return true;
}

static bool pdb_frame_data(struct debug_info *info, uint32_t rva, struct di_frame_data *out)
{
    struct pdb_reader *r = (struct pdb_reader *)info;
    return pdb_lazy(r, &r->frames_state, build_frames, NULL) && pdb_frame_data_at(r, rva, out);
}

static void pdb_summary(struct debug_info *info, struct di_summary *out)
{
    struct pdb_reader *r = (struct pdb_reader *)info;

    memset(out, 0, sizeof(*out));
    out->sym_type = SymPdb;
    for (uint32_t i = 0; i < r->module_count; i++)
        if (r->modules[i].c13_bytes || r->modules[i].c11_bytes)
            out->line_numbers = true;
    out->global_symbols = r->symbol_records_stream != 0xFFFF &&
                          msf_stream_size(&r->msf, r->symbol_records_stream) > 0;
    out->publics = out->global_symbols;
    out->type_info = r->has_types;
    out->source_indexed = false;
    out->guid = r->guid;
    out->signature = r->signature;
    out->age = r->age;
    snprintf(out->path, sizeof(out->path), "%s", r->path);
}

static void pdb_close(struct debug_info *info)
{
    struct pdb_reader *r = (struct pdb_reader *)info;

    if (!r)
        return;
    for (uint32_t i = 0; i < r->module_count; i++)
        pdb_module_free(&r->modules[i]);
    free(r->modules);
    free(r->contributions);
    free(r->section_rvas);
    free(r->omap);
    free(r->names);
    free(r->dbi);
    free(r->records);
    free(r->publics);
    free(r->frames);
    free(r->frame_data);
    free(r->fpo);
    free(r->ipi);
    free(r->ipi_offsets);
    free(r->tpi);
    free(r->tpi_offsets);
    free(r->udt_by_name);
    msf_close(&r->msf);
    if (r->file)
        fclose(r->file);
    dw_lock_destroy(&r->lock);
    free(r);
}

static const struct debug_info_ops pdb_ops = {
    .format = "pdb",
    .symbol_at = pdb_symbol_at,
    .line_at = pdb_line_at,
    .line_step = pdb_line_step,
    .inlines_at = pdb_inlines,
    .enum_symbols = pdb_enum_symbols,
    .enum_lines = pdb_enum_lines,
    .frame_data_at = pdb_frame_data,
    .summary = pdb_summary,
    .close = pdb_close,
};
