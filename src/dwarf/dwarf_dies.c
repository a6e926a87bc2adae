/*
 * One unit's functions, read from its DIE tree on first use: every
 * DW_TAG_subprogram with code (low_pc/high_pc or ranges; one record per
 * range, so a function split into hot and cold parts is found in both), and
 * every DW_TAG_inlined_subroutine inside one, with its depth in the inline
 * tree and its call_file/call_line. Names follow llvm-symbolizer's choice:
 * the linkage name (demangled) found through DW_AT_specification and
 * DW_AT_abstract_origin, else DW_AT_name found the same way.
 *
 * The walk is bounded: a DIE tree deeper than MAX_DEPTH, an unknown
 * abbreviation code or a form that cannot be read ends the unit there; what
 * was read before stays usable.
 */
#include "dwarf_internal.h"

#include <stdlib.h>

#define MAX_DEPTH 128
#define MAX_REFERENCE_HOPS 8

struct die {
    uint64_t offset;
    uint16_t tag;
    bool has_children;
    struct dwarf_value name, linkage, low, high, ranges, origin, specification;
    bool has_name, has_linkage, has_low, has_high, has_ranges, has_origin, has_specification;
    uint64_t call_file, call_line;
};

/* Reads the DIE at the cursor; false on a bad code or form. A null entry
 * (the end of a sibling list) is returned with tag 0. */
static bool read_die(const struct dwarf_unit *u, struct dwarf_cursor *c, struct die *d)
{
    const struct dwarf_abbrev *a;
    uint64_t code;

    d->offset = (uint64_t)(c->p - c->start);
    code = dwarf_uleb(c);
    if (c->bad)
        return false;
    d->tag = 0;
    if (code == 0)
        return true;
    if (!(a = dwarf_abbrev_find(u->abbrevs, code)))
        return false;
    d->tag = a->tag;
    d->has_children = a->has_children;
    d->has_name = d->has_linkage = d->has_low = d->has_high = d->has_ranges = false;
    d->has_origin = d->has_specification = false;
    d->call_file = d->call_line = 0;
    for (uint32_t i = 0; i < a->attr_count; i++) {
        const struct dwarf_attr_spec *spec = &u->abbrevs->attrs[a->first_attr + i];
        struct dwarf_value v;
        if (!dwarf_read_form(c, u, spec, &v))
            return false;
        switch (spec->name) {
        case DW_AT_name: d->name = v; d->has_name = true; break;
        case DW_AT_linkage_name: case DW_AT_MIPS_linkage_name:
            d->linkage = v;
            d->has_linkage = true;
            break;
        case DW_AT_low_pc: d->low = v; d->has_low = true; break;
        case DW_AT_high_pc: d->high = v; d->has_high = true; break;
        case DW_AT_ranges: d->ranges = v; d->has_ranges = true; break;
        case DW_AT_abstract_origin: d->origin = v; d->has_origin = true; break;
        case DW_AT_specification: d->specification = v; d->has_specification = true; break;
        case DW_AT_call_file: d->call_file = v.u; break;
        case DW_AT_call_line: d->call_line = v.u; break;
        default: break;
        }
    }
    return true;
}

/* A reference attribute as a .debug_info offset, and the unit it lies in. */
static bool follow(struct dwarf_reader *r, const struct dwarf_unit *u, const struct dwarf_value *v,
                   const struct dwarf_unit **target, uint64_t *offset)
{
    switch (v->form) {
    case DW_FORM_ref1: case DW_FORM_ref2: case DW_FORM_ref4: case DW_FORM_ref8:
    case DW_FORM_ref_udata:
        if (v->u >= u->end - u->offset)
            return false;
        *offset = u->offset + v->u;
        *target = u;
        return true;
    case DW_FORM_ref_addr:
        *target = dwarf_unit_of(r, v->u);
        *offset = v->u;
        return *target != NULL && (*target)->abbrevs != NULL;
    default:
        return false;
    }
}

struct name_cache {
    struct { uint64_t key; const char *name; } *slots;
    uint32_t mask, used;
};

/* The name llvm-symbolizer would show for the subprogram DIE `d`. */
static const char *function_name(struct dwarf_reader *r, struct dwarf_unit *u,
                                 struct name_cache *cache, const struct die *d)
{
    const struct dwarf_unit *at = u;
    struct die here = *d;
    const char *linkage = NULL, *name = NULL;
    uint64_t linkage_key = 0;

    for (unsigned hop = 0; hop <= MAX_REFERENCE_HOPS; hop++) {
        const struct dwarf_value *next = NULL;
        const struct dwarf_unit *target;
        uint64_t offset;
        struct dwarf_cursor c;
        if (!linkage && here.has_linkage && (linkage = dwarf_string(r, at, &here.linkage)))
            linkage_key = here.offset;
        if (!name && here.has_name)
            name = dwarf_string(r, at, &here.name);
        if (linkage)
            break;
        if (here.has_specification)
            next = &here.specification;
        else if (here.has_origin)
            next = &here.origin;
        if (!next || !follow(r, at, next, &target, &offset))
            break;
        c = dwarf_cursor_at(&r->sections[SEC_INFO], offset);
        c.end = c.start + target->end;
        at = target;
        if (!read_die(at, &c, &here) || here.tag == 0)
            break;
    }
    if (!linkage)
        return name;
    if (cache->slots && cache->used * 2 < cache->mask) {
        uint32_t slot = (uint32_t)(linkage_key * 0x9E3779B97F4A7C15ull >> 40) & cache->mask;
        while (cache->slots[slot].name) {
            if (cache->slots[slot].key == linkage_key)
                return cache->slots[slot].name;
            slot = (slot + 1) & cache->mask;
        }
        {
            char *plain = itanium_demangle(linkage);
            const char *kept = plain ? dwarf_keep_string(u, plain, strlen(plain)) : NULL;
            free(plain);
            if (!kept)
                kept = linkage;
            cache->slots[slot].key = linkage_key;
            cache->slots[slot].name = kept;
            cache->used++;
            return kept;
        }
    }
    {
        /* the cache is full: demangle without keeping the answer twice */
        char *plain = itanium_demangle(linkage);
        const char *kept = plain ? dwarf_keep_string(u, plain, strlen(plain)) : NULL;
        free(plain);
        return kept ? kept : linkage;
    }
}

struct function_list {
    struct dwarf_function *items;
    uint32_t count, capacity;
};

static struct dwarf_function *push_function(struct function_list *l)
{
    if (l->count >= l->capacity) {
        uint32_t n = l->capacity ? l->capacity * 2 : 64;
        struct dwarf_function *grown;
        if (n > (1u << 26))
            return NULL;
        grown = realloc(l->items, n * sizeof(*grown));
        if (!grown)
            return NULL;
        l->items = grown;
        l->capacity = n;
    }
    return &l->items[l->count++];
}

struct range_sink {
    struct dwarf_reader *reader;
    struct function_list *list;
    struct dwarf_function model;
    uint32_t added;
};

static bool add_function_range(void *context, uint64_t lo, uint64_t hi)
{
    struct range_sink *s = context;
    struct dwarf_function *f;
    uint32_t rlo, rlast;

    if (!dwarf_rva(s->reader, lo, &rlo) || !dwarf_rva(s->reader, hi - 1, &rlast))
        return true; /* discarded code */
    if (!(f = push_function(s->list)))
        return false;
    *f = s->model;
    f->lo = rlo;
    f->size = rlast - rlo + 1;
    s->added++;
    return true;
}

/* Adds a record per code range of DIE `d`; how many were added. */
static uint32_t add_ranges(struct dwarf_reader *r, struct dwarf_unit *u, const struct die *d,
                           struct function_list *list, const struct dwarf_function *model)
{
    struct range_sink sink = {r, list, *model, 0};
    uint64_t lo, hi;

    if (d->has_ranges) {
        dwarf_ranges(r, u, &d->ranges, u->low_pc, add_function_range, &sink);
        return sink.added;
    }
    if (!d->has_low || !d->has_high || !dwarf_address(r, u, &d->low, &lo))
        return 0;
    if (dwarf_is_constant(d->high.form))
        hi = lo + d->high.u;
    else if (!dwarf_address(r, u, &d->high, &hi))
        return 0;
    if (hi <= lo)
        return 0;
    add_function_range(&sink, lo, hi);
    return sink.added;
}

static int compare_function(const void *a, const void *b)
{
    const struct dwarf_function *x = a, *y = b;
    if (x->lo != y->lo)
        return x->lo < y->lo ? -1 : 1;
    return x->size > y->size ? -1 : x->size < y->size; /* outer first */
}

static int compare_inline(const void *a, const void *b)
{
    const struct dwarf_function *x = a, *y = b;
    if (x->subprogram != y->subprogram)
        return x->subprogram < y->subprogram ? -1 : 1;
    if (x->depth != y->depth)
        return x->depth < y->depth ? -1 : 1;
    return x->lo < y->lo ? -1 : x->lo > y->lo;
}

bool dwarf_unit_load(struct dwarf_reader *r, struct dwarf_unit *u)
{
    struct dwarf_cursor c;
    struct function_list subprograms = {0}, inlines = {0};
    struct name_cache cache = {0};
    /* per depth: the subprogram group whose code this subtree is (or ~0),
     * and the inline depth there */
    uint32_t group[MAX_DEPTH + 1], inline_depth[MAX_DEPTH + 1];
    uint32_t groups = 0, depth = 0;

    if (!u->abbrevs)
        return false;
    dwarf_lines_load(r, u); /* call_file names come from the line table */
    cache.mask = 16383;
    cache.slots = calloc(cache.mask + 1, sizeof(*cache.slots));

    c = dwarf_cursor_at(&r->sections[SEC_INFO], u->die_offset);
    c.end = c.start + u->end;
    group[0] = UINT32_MAX;
    inline_depth[0] = 0;
    while (c.p < c.end) {
        struct die d;
        uint32_t my_group, my_depth;
        if (!read_die(u, &c, &d))
            break;
        if (d.tag == 0) {
            if (depth == 0)
                break; /* past the top DIE's children */
            depth--;
            continue;
        }
        my_group = group[depth];
        my_depth = inline_depth[depth];
        if (d.tag == DW_TAG_subprogram && (d.has_low || d.has_ranges)) {
            struct dwarf_function model = {0};
            model.name = function_name(r, u, &cache, &d);
            model.subprogram = groups;
            if (add_ranges(r, u, &d, &subprograms, &model)) {
                my_group = groups++;
                my_depth = 0;
            }
        } else if (d.tag == DW_TAG_inlined_subroutine && my_group != UINT32_MAX) {
            struct dwarf_function model = {0};
            model.name = function_name(r, u, &cache, &d);
            model.subprogram = my_group;
            model.depth = my_depth + 1;
            model.call_file = dwarf_line_file(u, d.call_file);
            model.call_line = (uint32_t)d.call_line;
            if (add_ranges(r, u, &d, &inlines, &model))
                my_depth++;
        }
        if (d.has_children) {
            if (depth >= MAX_DEPTH)
                break;
            depth++;
            group[depth] = my_group;
            inline_depth[depth] = my_depth;
        }
    }
    free(cache.slots);

    if (subprograms.count > 1)
        qsort(subprograms.items, subprograms.count, sizeof(*subprograms.items), compare_function);
    if (inlines.count > 1)
        qsort(inlines.items, inlines.count, sizeof(*inlines.items), compare_inline);
    u->inline_first = malloc(((size_t)groups + 1) * sizeof(*u->inline_first));
    if (!u->inline_first) {
        free(subprograms.items);
        free(inlines.items);
        return false;
    }
    for (uint32_t g = 0, i = 0; g <= groups; g++) {
        while (i < inlines.count && inlines.items[i].subprogram < g)
            i++;
        u->inline_first[g] = i;
    }
    u->subprograms = subprograms.items;
    u->subprogram_count = subprograms.count;
    u->inlines = inlines.items;
    u->inline_count = inlines.count;
    return true;
}

void dwarf_unit_free(struct dwarf_unit *u)
{
    char *block = u->strings;

    while (block) {
        char *next;
        memcpy(&next, block, sizeof(next));
        free(block);
        block = next;
    }
    for (uint32_t i = 0; i < u->file_count; i++)
        free(u->files[i]);
    free(u->files);
    free(u->subprograms);
    free(u->inlines);
    free(u->inline_first);
    free(u->lines);
}

const char *dwarf_keep_string(struct dwarf_unit *u, const char *text, size_t length)
{
    char *block = malloc(sizeof(char *) + length + 1);

    if (!block)
        return NULL;
    memcpy(block, &u->strings, sizeof(char *));
    memcpy(block + sizeof(char *), text, length);
    block[sizeof(char *) + length] = 0;
    u->strings = block;
    return block + sizeof(char *);
}
