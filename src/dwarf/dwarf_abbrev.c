/*
 * .debug_abbrev: one table per offset, a list of (code, tag, children,
 * attribute specs) ending in code 0. A table that never ends (the section
 * runs out), repeats a code, or names more attributes than bytes left is
 * refused, so a unit using it fails cleanly instead of looping.
 */
#include "dwarf_internal.h"

#include <stdlib.h>

#define MAX_ABBREVS (1u << 20)
#define MAX_ATTRS_PER_ABBREV 256u

static int compare_abbrev(const void *a, const void *b)
{
    const struct dwarf_abbrev *x = a, *y = b;
    return x->code < y->code ? -1 : x->code > y->code;
}

bool dwarf_abbrev_parse(const struct dwarf_section *s, uint64_t offset,
                        struct dwarf_abbrev_table *out)
{
    struct dwarf_cursor c = dwarf_cursor_at(s, offset);
    uint32_t capacity = 0, attr_capacity = 0;

    memset(out, 0, sizeof(*out));
    out->offset = offset;
    while (!c.bad) {
        struct dwarf_abbrev a;
        uint64_t code = dwarf_uleb(&c);
        if (c.bad)
            break;
        if (code == 0) {
            if (out->count > 1)
                qsort(out->abbrevs, out->count, sizeof(*out->abbrevs), compare_abbrev);
            out->dense = true;
            for (uint32_t i = 0; i < out->count; i++) {
                if (i && out->abbrevs[i].code == out->abbrevs[i - 1].code)
                    goto fail; /* a code defined twice */
                if (out->abbrevs[i].code != (uint64_t)i + 1)
                    out->dense = false;
            }
            return true;
        }
        if (out->count >= MAX_ABBREVS)
            break;
        a.code = code;
        a.tag = (uint16_t)dwarf_uleb(&c);
        a.has_children = dwarf_u8(&c) != 0;
        a.first_attr = out->count ? out->abbrevs[out->count - 1].first_attr +
                                        out->abbrevs[out->count - 1].attr_count
                                  : 0;
        a.attr_count = 0;
        for (;;) {
            struct dwarf_attr_spec spec;
            spec.name = (uint16_t)dwarf_uleb(&c);
            spec.form = (uint16_t)dwarf_uleb(&c);
            spec.implicit_const = spec.form == DW_FORM_implicit_const ? dwarf_sleb(&c) : 0;
            if (c.bad)
                goto fail;
            if (spec.name == 0 && spec.form == 0)
                break;
            if (a.attr_count >= MAX_ATTRS_PER_ABBREV)
                goto fail;
            if (a.first_attr + a.attr_count >= attr_capacity) {
                uint32_t n = attr_capacity ? attr_capacity * 2 : 64;
                struct dwarf_attr_spec *grown = realloc(out->attrs, n * sizeof(*grown));
                if (!grown)
                    goto fail;
                out->attrs = grown;
                attr_capacity = n;
            }
            out->attrs[a.first_attr + a.attr_count++] = spec;
        }
        if (out->count >= capacity) {
            uint32_t n = capacity ? capacity * 2 : 32;
            struct dwarf_abbrev *grown = realloc(out->abbrevs, n * sizeof(*grown));
            if (!grown)
                goto fail;
            out->abbrevs = grown;
            capacity = n;
        }
        out->abbrevs[out->count++] = a;
    }
fail:
    dwarf_abbrev_free(out);
    return false;
}

const struct dwarf_abbrev *dwarf_abbrev_find(const struct dwarf_abbrev_table *t, uint64_t code)
{
    uint32_t lo = 0, hi = t->count;

    if (t->dense)
        return code && code <= t->count ? &t->abbrevs[code - 1] : NULL;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (t->abbrevs[mid].code < code)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < t->count && t->abbrevs[lo].code == code ? &t->abbrevs[lo] : NULL;
}

void dwarf_abbrev_free(struct dwarf_abbrev_table *t)
{
    free(t->abbrevs);
    free(t->attrs);
    t->abbrevs = NULL;
    t->attrs = NULL;
    t->count = 0;
}
