/*
 * DW_AT_ranges: a list of address ranges, in .debug_ranges (DWARF 2-4: pairs
 * of addresses, a base-address selection entry, (0, 0) at the end) or in
 * .debug_rnglists (DWARF 5: DW_RLE_* entries; DW_FORM_rnglistx indexes the
 * offset table at the unit's DW_AT_rnglists_base). Lists are read to their
 * end marker or the section's end, never further, and at most MAX_ENTRIES.
 */
#include "dwarf_internal.h"

#define MAX_ENTRIES 65536u

static bool ranges_v4(const struct dwarf_reader *r, const struct dwarf_unit *u, uint64_t offset,
                      uint64_t base, dwarf_range_callback add, void *context)
{
    struct dwarf_cursor c = dwarf_cursor_at(&r->sections[SEC_RANGES], offset);
    uint64_t all_ones = u->address_size == 4 ? 0xFFFFFFFFu : ~(uint64_t)0;

    for (unsigned n = 0; n < MAX_ENTRIES; n++) {
        uint64_t lo = dwarf_uint(&c, u->address_size), hi = dwarf_uint(&c, u->address_size);
        if (c.bad)
            return false;
        if (lo == 0 && hi == 0)
            return true;
        if (lo == all_ones) {
            base = hi;
            continue;
        }
        if (hi > lo && !add(context, base + lo, base + hi))
            return true;
    }
    return false;
}

static bool ranges_v5(const struct dwarf_reader *r, const struct dwarf_unit *u, uint64_t offset,
                      uint64_t base, dwarf_range_callback add, void *context)
{
    struct dwarf_cursor c = dwarf_cursor_at(&r->sections[SEC_RNGLISTS], offset);

    for (unsigned n = 0; n < MAX_ENTRIES; n++) {
        uint8_t kind = dwarf_u8(&c);
        uint64_t lo = 0, hi = 0, a, b;
        if (c.bad)
            return false;
        switch (kind) {
        case DW_RLE_end_of_list:
            return true;
        case DW_RLE_base_addressx:
            if (!dwarf_addr_index(r, u, dwarf_uleb(&c), &base))
                return false;
            continue;
        case DW_RLE_startx_endx:
            a = dwarf_uleb(&c);
            b = dwarf_uleb(&c);
            if (!dwarf_addr_index(r, u, a, &lo) || !dwarf_addr_index(r, u, b, &hi))
                return false;
            break;
        case DW_RLE_startx_length:
            a = dwarf_uleb(&c);
            if (!dwarf_addr_index(r, u, a, &lo))
                return false;
            hi = lo + dwarf_uleb(&c);
            break;
        case DW_RLE_offset_pair:
            lo = base + dwarf_uleb(&c);
            hi = base + dwarf_uleb(&c);
            break;
        case DW_RLE_base_address:
            base = dwarf_uint(&c, u->address_size);
            continue;
        case DW_RLE_start_end:
            lo = dwarf_uint(&c, u->address_size);
            hi = dwarf_uint(&c, u->address_size);
            break;
        case DW_RLE_start_length:
            lo = dwarf_uint(&c, u->address_size);
            hi = lo + dwarf_uleb(&c);
            break;
        default:
            return false;
        }
        if (c.bad)
            return false;
        if (hi > lo && !add(context, lo, hi))
            return true;
    }
    return false;
}

bool dwarf_ranges(const struct dwarf_reader *r, const struct dwarf_unit *u,
                  const struct dwarf_value *v, uint64_t base, dwarf_range_callback add,
                  void *context)
{
    uint64_t offset = v->u;

    if (u->version < 5)
        return ranges_v4(r, u, offset, base, add, context);
    if (v->form == DW_FORM_rnglistx) {
        /* the offset table entry is relative to the table's base */
        struct dwarf_cursor c;
        uint64_t table = u->has_rnglists_base ? u->rnglists_base : 12;
        if (offset > r->sections[SEC_RNGLISTS].size / u->offset_size)
            return false;
        c = dwarf_cursor_at(&r->sections[SEC_RNGLISTS], table + offset * u->offset_size);
        offset = dwarf_uint(&c, u->offset_size);
        if (c.bad)
            return false;
        offset += table;
    }
    return ranges_v5(r, u, offset, base, add, context);
}
