/*
 * Opening DWARF in a PE image (or in the separate debug file its
 * .gnu_debuglink names), the lazy-index machinery, and the debug_info
 * operations over the indexes (dwarf_internal.h). Opening reads only the PE
 * headers; the first question builds the unit index, and a question about an
 * address builds only the unit that covers it.
 */
#include "dwarf_internal.h"

#include <stdlib.h>

static const struct debug_info_ops dwarf_ops;

bool dwarf_lazy(struct dwarf_reader *r, atomic_int *state,
                bool (*build)(struct dwarf_reader *, void *), void *arg)
{
    int s = atomic_load_explicit(state, memory_order_acquire);

    if (s != DWARF_UNTRIED)
        return s == DWARF_READY;
    dw_lock_exclusive(&r->lock);
    s = atomic_load_explicit(state, memory_order_relaxed);
    if (s == DWARF_UNTRIED) {
        s = build(r, arg) ? DWARF_READY : DWARF_FAILED;
        atomic_store_explicit(state, s, memory_order_release);
    }
    dw_unlock_exclusive(&r->lock);
    return s == DWARF_READY;
}

bool dwarf_rva(const struct dwarf_reader *r, uint64_t address, uint32_t *rva)
{
    uint64_t offset = address - r->image_base;

    /* 0 and -1 are the linkers' tombstones for discarded code */
    if (address < r->image_base || offset >= (r->size_of_image ? r->size_of_image : 1u << 31))
        return false;
    *rva = (uint32_t)offset;
    return true;
}

static bool build_units(struct dwarf_reader *r, void *arg)
{
    (void)arg;
    return dwarf_units_load(r);
}

static bool build_unit(struct dwarf_reader *r, void *arg)
{
    return dwarf_unit_load(r, arg);
}

static bool build_publics(struct dwarf_reader *r, void *arg)
{
    (void)arg;
    return dwarf_publics_load(r);
}

static bool units_ready(struct dwarf_reader *r)
{
    return dwarf_lazy(r, &r->units_state, build_units, NULL);
}

static struct dwarf_unit *loaded_unit(struct dwarf_reader *r, struct dwarf_unit *u)
{
    return u && dwarf_lazy(r, &u->state, build_unit, u) ? u : NULL;
}

/* The unit covering rva, with its functions and lines built. */
static struct dwarf_unit *unit_at(struct dwarf_reader *r, uint32_t rva)
{
    return units_ready(r) ? loaded_unit(r, dwarf_unit_at(r, rva)) : NULL;
}

/* The innermost subprogram record holding rva. */
static const struct dwarf_function *subprogram_at(const struct dwarf_unit *u, uint32_t rva)
{
    uint32_t lo = 0, hi = u->subprogram_count;
    const struct dwarf_function *best = NULL;

    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (u->subprograms[mid].lo <= rva)
            lo = mid + 1;
        else
            hi = mid;
    }
    /* nested functions start after their parent: the last containing wins */
    for (uint32_t i = lo, n = 0; i > 0 && n < 16; i--, n++) {
        const struct dwarf_function *f = &u->subprograms[i - 1];
        if (rva - f->lo < f->size) {
            best = f;
            break;
        }
    }
    return best;
}

static void fill_symbol(const struct dwarf_function *f, struct di_symbol *out)
{
    out->rva = f->lo;
    out->size = f->size;
    out->tag = DI_TAG_FUNCTION;
    out->flags = 0;
    out->name = f->name ? f->name : "";
    out->name_length = strlen(out->name);
}

static bool dwarf_symbol_at(struct debug_info *info, uint32_t rva, struct di_symbol *out)
{
    struct dwarf_reader *r = (struct dwarf_reader *)info;
    struct dwarf_unit *u = unit_at(r, rva);
    const struct dwarf_function *f = u ? subprogram_at(u, rva) : NULL;
    const struct dwarf_public *p;

    if (f && f->name) {
        fill_symbol(f, out);
        return true;
    }
    if (!dwarf_lazy(r, &r->publics_state, build_publics, NULL) || !(p = dwarf_public_at(r, rva)))
        return false;
    *out = (struct di_symbol){p->rva, 0, DI_TAG_PUBLIC, 0, p->name, strlen(p->name)};
    return true;
}

static const struct dwarf_line_entry *line_entry_at(const struct dwarf_unit *u, uint32_t rva)
{
    uint32_t lo = 0, hi = u->line_count;

    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (u->lines[mid].rva <= rva)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0 || rva >= u->lines[lo - 1].end)
        return NULL;
    return &u->lines[lo - 1];
}

static void fill_line(const struct dwarf_line_entry *l, struct di_line *out)
{
    out->rva = l->rva;
    out->line = l->line;
    out->file = l->file ? l->file : "";
    out->object = NULL;
}

static bool dwarf_line_at(struct debug_info *info, uint32_t rva, struct di_line *out)
{
    struct dwarf_reader *r = (struct dwarf_reader *)info;
    struct dwarf_unit *u = unit_at(r, rva);
    const struct dwarf_line_entry *l = u ? line_entry_at(u, rva) : NULL;

    if (!l)
        return false;
    fill_line(l, out);
    return true;
}

static bool dwarf_line_step(struct debug_info *info, const struct di_line *from, int direction,
                            struct di_line *out)
{
    struct dwarf_reader *r = (struct dwarf_reader *)info;
    struct dwarf_unit *u = unit_at(r, from->rva);
    const struct dwarf_line_entry *l = u ? line_entry_at(u, from->rva) : NULL;

    if (!l)
        return false;
    /* the neighbouring entry of the same file, in address order */
    for (const struct dwarf_line_entry *n = l + (direction > 0 ? 1 : -1);
         n >= u->lines && n < u->lines + u->line_count; n += direction > 0 ? 1 : -1) {
        if (n->file == l->file || (n->file && l->file && strcmp(n->file, l->file) == 0)) {
            fill_line(n, out);
            return true;
        }
    }
    return false;
}

static unsigned dwarf_inlines(struct debug_info *info, uint32_t rva, struct di_inline_frame *out,
                              unsigned max)
{
    struct dwarf_reader *r = (struct dwarf_reader *)info;
    struct dwarf_unit *u = unit_at(r, rva);
    const struct dwarf_function *f = u ? subprogram_at(u, rva) : NULL;
    const struct dwarf_function *chain[64];
    const struct dwarf_line_entry *l;
    unsigned depth = 0;

    if (!f)
        return 0;
    /* inlines are sorted by depth: the containing one at each depth in turn */
    for (uint32_t i = u->inline_first[f->subprogram]; i < u->inline_first[f->subprogram + 1];
         i++) {
        const struct dwarf_function *in = &u->inlines[i];
        if (in->depth == depth + 1 && rva - in->lo < in->size) {
            if (depth >= DW_ARRAY_SIZE(chain))
                break;
            chain[depth++] = in;
        } else if (in->depth > depth + 1) {
            break;
        }
    }
    l = line_entry_at(u, rva);
    /* innermost first: its line is the line table's, each outer frame's
     * line is the call site of the frame inside it */
    for (unsigned k = 0; k < depth && k < max; k++) {
        const struct dwarf_function *in = chain[depth - 1 - k];
        struct di_inline_frame *o = &out[k];
        fill_symbol(in, &o->function);
        o->function.tag = DI_TAG_INLINE_SITE;
        o->call_site =
            (struct di_line){in->lo, in->call_line, in->call_file ? in->call_file : "", NULL};
        if (k == 0) {
            if (l)
                fill_line(l, &o->line);
            else
                o->line = (struct di_line){rva, 0, "", NULL};
        } else {
            o->line = out[k - 1].call_site;
        }
    }
    return depth;
}

static bool dwarf_enum_symbols(struct debug_info *info, di_symbol_callback callback, void *context)
{
    struct dwarf_reader *r = (struct dwarf_reader *)info;
    struct di_symbol s;

    if (units_ready(r)) {
        for (uint32_t i = 0; i < r->unit_count; i++) {
            struct dwarf_unit *u = loaded_unit(r, &r->units[i]);
            if (!u)
                continue;
            for (uint32_t k = 0; k < u->subprogram_count; k++) {
                if (!u->subprograms[k].name)
                    continue;
                fill_symbol(&u->subprograms[k], &s);
                if (!callback(context, &s))
                    return true;
            }
        }
    }
    if (dwarf_lazy(r, &r->publics_state, build_publics, NULL)) {
        for (uint32_t i = 0; i < r->public_count; i++) {
            const struct dwarf_public *p = &r->publics[i];
            s = (struct di_symbol){p->rva, 0, DI_TAG_PUBLIC, 0, p->name, strlen(p->name)};
            if (!callback(context, &s))
                return true;
        }
    }
    return true;
}

static bool dwarf_enum_lines(struct debug_info *info, di_line_callback callback, void *context)
{
    struct dwarf_reader *r = (struct dwarf_reader *)info;
    struct di_line l;

    if (!units_ready(r))
        return true;
    for (uint32_t i = 0; i < r->unit_count; i++) {
        struct dwarf_unit *u = loaded_unit(r, &r->units[i]);
        if (!u)
            continue;
        for (uint32_t k = 0; k < u->line_count; k++) {
            fill_line(&u->lines[k], &l);
            l.object = u->name;
            if (!callback(context, &l))
                return true;
        }
    }
    return true;
}

static void dwarf_summary(struct debug_info *info, struct di_summary *out)
{
    struct dwarf_reader *r = (struct dwarf_reader *)info;

    memset(out, 0, sizeof(*out));
    /* as Wine's builtin reports a DWARF module: SymDia, line numbers, and
     * GlobalSymbols, TypeInfo, SourceIndexed and Publics all set */
    out->sym_type = SymDia;
    out->line_numbers = r->sections[SEC_LINE].file_size != 0;
    out->global_symbols = true;
    out->type_info = true;
    out->source_indexed = true;
    out->publics = true;
    snprintf(out->path, sizeof(out->path), "%s", r->path);
}

static void dwarf_close(struct debug_info *info)
{
    struct dwarf_reader *r = (struct dwarf_reader *)info;

    if (!r)
        return;
    for (uint32_t i = 0; i < r->unit_count; i++)
        dwarf_unit_free(&r->units[i]);
    free(r->units);
    for (uint32_t i = 0; i < r->abbrev_table_count; i++)
        dwarf_abbrev_free(&r->abbrev_tables[i]);
    free(r->abbrev_tables);
    free(r->unit_ranges);
    for (unsigned s = 0; s < SEC_COUNT; s++)
        free((void *)r->sections[s].data);
    free(r->publics);
    free(r->public_names);
    if (r->file)
        fclose(r->file);
    dw_lock_destroy(&r->lock);
    free(r);
}

static struct dwarf_reader *dwarf_new(void)
{
    struct dwarf_reader *r = calloc(1, sizeof(*r));

    if (!r)
        return NULL;
    r->base.ops = &dwarf_ops;
    dw_lock_init(&r->lock);
    atomic_init(&r->units_state, DWARF_UNTRIED);
    atomic_init(&r->publics_state, DWARF_UNTRIED);
    return r;
}

/* The headers only: NULL (ERROR_BAD_FORMAT) when it is no PE image. */
static struct dwarf_reader *dwarf_parse(struct dwarf_reader *r)
{
    if (!dwarf_pe_parse(r)) {
        dwarf_close(&r->base);
        dw_set_last_error(ERROR_BAD_FORMAT);
        return NULL;
    }
    return r;
}

static bool has_dwarf(const struct dwarf_reader *r)
{
    return r->sections[SEC_INFO].file_size && r->sections[SEC_ABBREV].file_size;
}

struct debug_info *dwarf_open(const struct image_source *source, uint64_t size)
{
    struct dwarf_reader *r = dwarf_new();

    if (!r)
        return NULL;
    if (source->mapped) {
        /* the DWARF sections are not loaded into memory: files only */
        dwarf_close(&r->base);
        dw_set_last_error(ERROR_BAD_FORMAT);
        return NULL;
    }
    r->source = *source;
    r->file_size = size;
    if (!(r = dwarf_parse(r)))
        return NULL;
    if (!has_dwarf(r)) {
        dwarf_close(&r->base);
        dw_set_last_error(ERROR_BAD_FORMAT);
        return NULL;
    }
    return &r->base;
}

static bool file_read(void *context, uint64_t offset, void *buffer, size_t size)
{
    FILE *f = context;
    return offset <= 0x7FFFFFFFu && fseek(f, (long)offset, SEEK_SET) == 0 &&
           fread(buffer, 1, size, f) == size;
}

static struct dwarf_reader *open_path(const char *path)
{
    FILE *f = fopen(path, "rb");
    struct dwarf_reader *r;
    long size;

    if (!f)
        return NULL;
    if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 || !(r = dwarf_new())) {
        fclose(f);
        return NULL;
    }
    r->file = f;
    r->file_source = (struct image_source){file_read, f, false};
    r->source = r->file_source;
    r->file_size = (uint64_t)size;
    snprintf(r->path, sizeof(r->path), "%s", path);
    return dwarf_parse(r);
}

struct debug_info *dwarf_open_file(const char *path)
{
    struct dwarf_reader *image = open_path(path), *debug;
    char debug_path[1024];

    if (!image) {
        dw_set_last_error(ERROR_FILE_NOT_FOUND);
        return NULL;
    }
    if (has_dwarf(image))
        return &image->base;
    /* a stripped image: the separate debug file its .gnu_debuglink names */
    if (!dwarf_find_debuglink(image, path, debug_path, sizeof(debug_path)) ||
        !(debug = open_path(debug_path))) {
        dwarf_close(&image->base);
        dw_set_last_error(ERROR_FILE_NOT_FOUND);
        return NULL;
    }
    if (!has_dwarf(debug)) {
        dwarf_close(&debug->base);
        dwarf_close(&image->base);
        dw_set_last_error(ERROR_BAD_FORMAT);
        return NULL;
    }
    /* addresses are the image's: its base and section table name them */
    debug->image_base = image->image_base;
    if (!debug->size_of_image)
        debug->size_of_image = image->size_of_image;
    dwarf_close(&image->base);
    return &debug->base;
}

static const struct debug_info_ops dwarf_ops = {
    .format = "dwarf",
    .symbol_at = dwarf_symbol_at,
    .line_at = dwarf_line_at,
    .line_step = dwarf_line_step,
    .inlines_at = dwarf_inlines,
    .enum_symbols = dwarf_enum_symbols,
    .enum_lines = dwarf_enum_lines,
    .frame_data_at = NULL,
    .summary = dwarf_summary,
    .close = dwarf_close,
};
