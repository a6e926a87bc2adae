/*
 * The unit index: every unit header of .debug_info (DWARF 2-4, and every
 * DWARF 5 unit type: compile, partial, type, skeleton, split), the
 * attributes of each unit's top DIE, and the map from address ranges to
 * units, taken from .debug_aranges when present, else from the top DIE's
 * low_pc/high_pc/ranges. Only a unit described by neither is parsed whole
 * here, to learn its ranges from its functions.
 */
#include "dwarf_internal.h"

#include <stdlib.h>

#define MAX_UNITS (1u << 22)

/* Parses a unit header at `offset`; false when it is malformed. */
static bool read_header(const struct dwarf_section *info, uint64_t offset, struct dwarf_unit *u)
{
    struct dwarf_cursor c = dwarf_cursor_at(info, offset);
    uint64_t length = dwarf_u32(&c);

    memset(u, 0, sizeof(*u));
    u->offset = offset;
    u->offset_size = 4;
    if (length == 0xFFFFFFFFu) {
        length = dwarf_u64(&c);
        u->offset_size = 8;
    } else if (length >= 0xFFFFFFF0u) {
        return false;
    }
    if (c.bad || length > (uint64_t)(c.end - c.p))
        return false;
    u->end = (uint64_t)(c.p - c.start) + length;
    c.end = c.p + length; /* nothing of the header may run past the unit */
    u->version = dwarf_u16(&c);
    if (u->version < 2 || u->version > 5)
        return false;
    if (u->version >= 5) {
        u->unit_type = dwarf_u8(&c);
        u->address_size = dwarf_u8(&c);
        u->abbrev_offset = dwarf_uint(&c, u->offset_size);
        switch (u->unit_type) {
        case DW_UT_compile: case DW_UT_partial:
            break;
        case DW_UT_skeleton: case DW_UT_split_compile:
            dwarf_skip(&c, 8); /* dwo_id */
            break;
        case DW_UT_type: case DW_UT_split_type:
            dwarf_skip(&c, 8 + u->offset_size); /* type signature, type offset */
            break;
        default:
            return false;
        }
    } else {
        u->unit_type = DW_UT_compile;
        u->abbrev_offset = dwarf_uint(&c, u->offset_size);
        u->address_size = dwarf_u8(&c);
    }
    if (c.bad || (u->address_size != 4 && u->address_size != 8))
        return false;
    u->die_offset = (uint64_t)(c.p - c.start);
    return true;
}

struct range_list {
    struct dwarf_unit_range *items;
    uint32_t count, capacity;
    const struct dwarf_reader *reader;
    uint32_t unit;
};

static bool push_range(struct range_list *l, uint32_t lo, uint32_t hi, uint32_t unit)
{
    if (l->count >= l->capacity) {
        uint32_t n = l->capacity ? l->capacity * 2 : 256;
        struct dwarf_unit_range *grown;
        if (n > (1u << 26))
            return false;
        grown = realloc(l->items, n * sizeof(*grown));
        if (!grown)
            return false;
        l->items = grown;
        l->capacity = n;
    }
    l->items[l->count++] = (struct dwarf_unit_range){lo, hi, unit};
    return true;
}

/* A range of addresses, kept as RVAs when it lies inside the image. */
static bool add_range(void *context, uint64_t lo, uint64_t hi)
{
    struct range_list *l = context;
    uint32_t rlo, rhi;

    if (!dwarf_rva(l->reader, lo, &rlo) || !dwarf_rva(l->reader, hi - 1, &rhi))
        return true; /* discarded code (address 0 or -1 tombstones) */
    return push_range(l, rlo, rhi + 1, l->unit);
}

/* The top DIE's attributes; adds its ranges to `ranges` (`*has_ranges`). */
static void read_top_die(struct dwarf_reader *r, struct dwarf_unit *u, struct range_list *ranges,
                         bool *has_ranges)
{
    struct dwarf_cursor c = dwarf_cursor_at(&r->sections[SEC_INFO], u->die_offset);
    const struct dwarf_abbrev *a;
    struct dwarf_value name = {0}, comp_dir = {0}, low = {0}, high = {0}, range_value = {0};
    bool have_low = false, have_high = false, have_ranges = false;

    *has_ranges = false;
    c.end = c.start + u->end;
    if (!u->abbrevs || !(a = dwarf_abbrev_find(u->abbrevs, dwarf_uleb(&c))))
        return;
    u->tag = a->tag;
    for (uint32_t i = 0; i < a->attr_count; i++) {
        const struct dwarf_attr_spec *spec = &u->abbrevs->attrs[a->first_attr + i];
        struct dwarf_value v;
        if (!dwarf_read_form(&c, u, spec, &v))
            return;
        switch (spec->name) {
        case DW_AT_name: name = v; break;
        case DW_AT_comp_dir: comp_dir = v; break;
        case DW_AT_stmt_list: u->stmt_list = v.u; u->has_stmt_list = true; break;
        case DW_AT_low_pc: low = v; have_low = true; break;
        case DW_AT_high_pc: high = v; have_high = true; break;
        case DW_AT_ranges: range_value = v; have_ranges = true; break;
        case DW_AT_str_offsets_base:
            u->str_offsets_base = v.u;
            u->has_str_offsets_base = true;
            break;
        case DW_AT_addr_base: case DW_AT_GNU_addr_base:
            u->addr_base = v.u;
            u->has_addr_base = true;
            break;
        case DW_AT_rnglists_base: case DW_AT_GNU_ranges_base:
            u->rnglists_base = v.u;
            u->has_rnglists_base = true;
            break;
        default: break;
        }
    }
    /* the bases are known now: strings and addresses can be resolved */
    u->name = dwarf_string(r, u, &name);
    u->comp_dir = dwarf_string(r, u, &comp_dir);
    if (have_low && !dwarf_address(r, u, &low, &u->low_pc))
        have_low = false;
    if (have_ranges) {
        uint32_t before = ranges->count;
        dwarf_ranges(r, u, &range_value, u->low_pc, add_range, ranges);
        *has_ranges = ranges->count > before;
    } else if (have_low && have_high) {
        uint64_t hi;
        if (dwarf_is_constant(high.form))
            hi = u->low_pc + high.u;
        else if (!dwarf_address(r, u, &high, &hi))
            return;
        if (hi > u->low_pc) {
            add_range(ranges, u->low_pc, hi);
            *has_ranges = true;
        }
    }
}

static int compare_unit_range(const void *a, const void *b)
{
    const struct dwarf_unit_range *x = a, *y = b;
    if (x->lo != y->lo)
        return x->lo < y->lo ? -1 : 1;
    return x->hi < y->hi ? -1 : x->hi > y->hi;
}

static int compare_u64(const void *a, const void *b)
{
    const uint64_t *x = a, *y = b;
    return *x < *y ? -1 : *x > *y;
}

/* .debug_aranges: (address, length) tuples per unit. */
static void read_aranges(struct dwarf_reader *r, struct range_list *ranges, bool *covered)
{
    const struct dwarf_section *s = &r->sections[SEC_ARANGES];
    uint64_t at = 0;

    for (unsigned sets = 0; s->data && at < s->size && sets < MAX_UNITS; sets++) {
        struct dwarf_cursor c = dwarf_cursor_at(s, at);
        uint64_t length = dwarf_u32(&c), info_offset, set_end;
        unsigned offset_size = 4, address_size, tuple;
        struct dwarf_unit *u;
        if (length == 0xFFFFFFFFu) {
            length = dwarf_u64(&c);
            offset_size = 8;
        }
        if (c.bad || length > (uint64_t)(c.end - c.p) || length < 4)
            return;
        set_end = (uint64_t)(c.p - c.start) + length;
        c.end = c.p + length;
        at = set_end;
        if (dwarf_u16(&c) != 2)
            continue;
        info_offset = dwarf_uint(&c, offset_size);
        address_size = dwarf_u8(&c);
        if (dwarf_u8(&c) != 0 || (address_size != 4 && address_size != 8) || c.bad)
            continue; /* segmented addresses: not ours */
        u = dwarf_unit_of(r, info_offset);
        if (!u || u->offset != info_offset)
            continue;
        ranges->unit = (uint32_t)(u - r->units);
        /* tuples are aligned to twice the address size from the set's start */
        tuple = 2 * address_size;
        {
            uint64_t set_start = set_end - length - (offset_size == 8 ? 12 : 4);
            uint64_t here = (uint64_t)(c.p - c.start) - set_start;
            dwarf_skip(&c, (tuple - here % tuple) % tuple);
        }
        while (!c.bad) {
            uint64_t lo = dwarf_uint(&c, address_size), size = dwarf_uint(&c, address_size);
            if (c.bad || (lo == 0 && size == 0))
                break;
            if (size && lo + size > lo) {
                uint32_t before = ranges->count;
                add_range(ranges, lo, lo + size);
                if (ranges->count > before)
                    covered[ranges->unit] = true;
            }
        }
    }
}

bool dwarf_units_load(struct dwarf_reader *r)
{
    const struct dwarf_section *info = &r->sections[SEC_INFO];
    uint32_t capacity = 0;
    uint64_t at = 0, *offsets;
    struct range_list ranges = {NULL, 0, 0, r, 0};
    bool *covered;

    if (!dwarf_read_sections(r))
        return false;
    while (at < info->size && r->unit_count < MAX_UNITS) {
        struct dwarf_unit u;
        if (!read_header(info, at, &u))
            break; /* the units before stay usable */
        at = u.end;
        if (u.unit_type == DW_UT_type || u.unit_type == DW_UT_split_type ||
            u.unit_type == DW_UT_split_compile)
            continue; /* no code of this image's in them */
        if (r->unit_count >= capacity) {
            uint32_t n = capacity ? capacity * 2 : 64;
            struct dwarf_unit *grown = realloc(r->units, n * sizeof(*grown));
            if (!grown)
                return false;
            r->units = grown;
            capacity = n;
        }
        r->units[r->unit_count++] = u;
    }
    if (!r->unit_count)
        return false;

    /* one abbreviation table per distinct offset, shared by its units */
    offsets = malloc(r->unit_count * sizeof(*offsets));
    if (!offsets)
        return false;
    for (uint32_t i = 0; i < r->unit_count; i++)
        offsets[i] = r->units[i].abbrev_offset;
    if (r->unit_count > 1)
        qsort(offsets, r->unit_count, sizeof(*offsets), compare_u64);
    r->abbrev_tables = calloc(r->unit_count, sizeof(*r->abbrev_tables));
    if (!r->abbrev_tables) {
        free(offsets);
        return false;
    }
    for (uint32_t i = 0; i < r->unit_count; i++) {
        if (i && offsets[i] == offsets[i - 1])
            continue;
        if (!dwarf_abbrev_parse(&r->sections[SEC_ABBREV], offsets[i],
                                &r->abbrev_tables[r->abbrev_table_count]))
            r->abbrev_tables[r->abbrev_table_count].offset = offsets[i]; /* empty: fails */
        r->abbrev_table_count++;
    }
    free(offsets);
    for (uint32_t i = 0; i < r->unit_count; i++) {
        struct dwarf_unit *u = &r->units[i];
        uint32_t lo = 0, hi = r->abbrev_table_count;
        while (lo < hi) {
            uint32_t mid = lo + (hi - lo) / 2;
            if (r->abbrev_tables[mid].offset < u->abbrev_offset)
                lo = mid + 1;
            else
                hi = mid;
        }
        u->abbrevs = lo < r->abbrev_table_count && r->abbrev_tables[lo].count
                         ? &r->abbrev_tables[lo]
                         : NULL;
        atomic_init(&u->state, DWARF_UNTRIED);
    }

    covered = calloc(r->unit_count, 1);
    if (!covered)
        return false;
    read_aranges(r, &ranges, covered);
    for (uint32_t i = 0; i < r->unit_count; i++) {
        struct dwarf_unit *u = &r->units[i];
        struct range_list mine = {NULL, 0, 0, r, i};
        bool has_ranges;
        read_top_die(r, u, &mine, &has_ranges);
        if (!covered[i]) {
            for (uint32_t k = 0; k < mine.count; k++)
                push_range(&ranges, mine.items[k].lo, mine.items[k].hi, i);
            if (!has_ranges && u->tag == DW_TAG_compile_unit && dwarf_unit_load(r, u)) {
                /* no ranges recorded: the unit's functions tell */
                atomic_store_explicit(&u->state, DWARF_READY, memory_order_relaxed);
                for (uint32_t k = 0; k < u->subprogram_count; k++)
                    push_range(&ranges, u->subprograms[k].lo,
                               u->subprograms[k].lo + u->subprograms[k].size, i);
            }
        }
        free(mine.items);
    }
    free(covered);
    if (ranges.count > 1)
        qsort(ranges.items, ranges.count, sizeof(*ranges.items), compare_unit_range);
    r->unit_ranges = ranges.items;
    r->unit_range_count = ranges.count;
    return true;
}

struct dwarf_unit *dwarf_unit_at(struct dwarf_reader *r, uint32_t rva)
{
    uint32_t lo = 0, hi = r->unit_range_count;

    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (r->unit_ranges[mid].lo <= rva)
            lo = mid + 1;
        else
            hi = mid;
    }
    /* ranges may nest (a unit's range around another's): look back a little */
    for (uint32_t i = lo, n = 0; i > 0 && n < 8; i--, n++) {
        const struct dwarf_unit_range *ur = &r->unit_ranges[i - 1];
        if (rva < ur->hi)
            return &r->units[ur->unit];
    }
    return NULL;
}

struct dwarf_unit *dwarf_unit_of(struct dwarf_reader *r, uint64_t offset)
{
    uint32_t lo = 0, hi = r->unit_count;

    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (r->units[mid].offset <= offset)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0 || offset >= r->units[lo - 1].end)
        return NULL;
    return &r->units[lo - 1];
}
