/*
 * Reading DWARF's encodings: fixed-size little-endian integers, LEB128,
 * strings, and attribute values by form (DWARF 5 section 7.5.6, plus the GNU
 * forms gcc writes). Every read is checked against the cursor's end; a read
 * past it marks the cursor bad and yields zero, so callers check once.
 */
#include "dwarf_internal.h"

static bool need(struct dwarf_cursor *c, uint64_t n)
{
    if (c->bad || (uint64_t)(c->end - c->p) < n) {
        c->bad = true;
        return false;
    }
    return true;
}

uint8_t dwarf_u8(struct dwarf_cursor *c)
{
    return need(c, 1) ? *c->p++ : 0;
}

uint16_t dwarf_u16(struct dwarf_cursor *c)
{
    uint16_t v;
    if (!need(c, 2))
        return 0;
    v = dw_le16(c->p);
    c->p += 2;
    return v;
}

uint32_t dwarf_u24(struct dwarf_cursor *c)
{
    uint32_t v;
    if (!need(c, 3))
        return 0;
    v = (uint32_t)c->p[0] | ((uint32_t)c->p[1] << 8) | ((uint32_t)c->p[2] << 16);
    c->p += 3;
    return v;
}

uint32_t dwarf_u32(struct dwarf_cursor *c)
{
    uint32_t v;
    if (!need(c, 4))
        return 0;
    v = dw_le32(c->p);
    c->p += 4;
    return v;
}

uint64_t dwarf_u64(struct dwarf_cursor *c)
{
    uint64_t v;
    if (!need(c, 8))
        return 0;
    v = dw_le64(c->p);
    c->p += 8;
    return v;
}

uint64_t dwarf_uint(struct dwarf_cursor *c, unsigned size)
{
    switch (size) {
    case 1: return dwarf_u8(c);
    case 2: return dwarf_u16(c);
    case 4: return dwarf_u32(c);
    case 8: return dwarf_u64(c);
    default: c->bad = true; return 0;
    }
}

uint64_t dwarf_uleb(struct dwarf_cursor *c)
{
    uint64_t v = 0;
    unsigned shift = 0;

    for (;;) {
        uint8_t b;
        if (!need(c, 1))
            return 0;
        b = *c->p++;
        if (shift < 64)
            v |= (uint64_t)(b & 0x7f) << shift;
        shift += 7;
        if (!(b & 0x80))
            return v;
    }
}

int64_t dwarf_sleb(struct dwarf_cursor *c)
{
    uint64_t v = 0;
    unsigned shift = 0;
    uint8_t b;

    do {
        if (!need(c, 1))
            return 0;
        b = *c->p++;
        if (shift < 64)
            v |= (uint64_t)(b & 0x7f) << shift;
        shift += 7;
    } while (b & 0x80);
    if (shift < 64 && (b & 0x40))
        v |= ~(uint64_t)0 << shift;
    return (int64_t)v;
}

const char *dwarf_cstr(struct dwarf_cursor *c)
{
    const uint8_t *nul;

    if (c->bad || !(nul = memchr(c->p, 0, (size_t)(c->end - c->p)))) {
        c->bad = true;
        return NULL;
    }
    {
        const char *s = (const char *)c->p;
        c->p = nul + 1;
        return s;
    }
}

void dwarf_skip(struct dwarf_cursor *c, uint64_t n)
{
    if (need(c, n))
        c->p += n;
}

bool dwarf_is_constant(uint16_t form)
{
    switch (form) {
    case DW_FORM_data1: case DW_FORM_data2: case DW_FORM_data4: case DW_FORM_data8:
    case DW_FORM_udata: case DW_FORM_sdata: case DW_FORM_implicit_const:
        return true;
    default:
        return false;
    }
}

static void block(struct dwarf_cursor *c, uint64_t size, struct dwarf_value *out)
{
    out->block = c->p;
    out->block_size = size;
    dwarf_skip(c, size);
}

bool dwarf_read_form(struct dwarf_cursor *c, const struct dwarf_unit *u,
                     const struct dwarf_attr_spec *spec, struct dwarf_value *out)
{
    uint16_t form = spec->form;
    unsigned indirections = 0;

    memset(out, 0, sizeof(*out));
again:
    out->form = form;
    switch (form) {
    case DW_FORM_addr: out->u = dwarf_uint(c, u->address_size); break;
    case DW_FORM_block2: block(c, dwarf_u16(c), out); break;
    case DW_FORM_block4: block(c, dwarf_u32(c), out); break;
    case DW_FORM_data2: out->u = dwarf_u16(c); break;
    case DW_FORM_data4: out->u = dwarf_u32(c); break;
    case DW_FORM_data8: out->u = dwarf_u64(c); break;
    case DW_FORM_data16: block(c, 16, out); break;
    case DW_FORM_string:
        out->block = (const uint8_t *)dwarf_cstr(c);
        break;
    case DW_FORM_block: case DW_FORM_exprloc: block(c, dwarf_uleb(c), out); break;
    case DW_FORM_block1: block(c, dwarf_u8(c), out); break;
    case DW_FORM_data1: case DW_FORM_flag: case DW_FORM_ref1: case DW_FORM_strx1:
    case DW_FORM_addrx1:
        out->u = dwarf_u8(c);
        break;
    case DW_FORM_ref2: case DW_FORM_strx2: case DW_FORM_addrx2: out->u = dwarf_u16(c); break;
    case DW_FORM_strx3: case DW_FORM_addrx3: out->u = dwarf_u24(c); break;
    case DW_FORM_ref4: case DW_FORM_strx4: case DW_FORM_addrx4: case DW_FORM_ref_sup4:
        out->u = dwarf_u32(c);
        break;
    case DW_FORM_ref8: case DW_FORM_ref_sig8: case DW_FORM_ref_sup8:
        out->u = dwarf_u64(c);
        break;
    case DW_FORM_sdata: out->s = dwarf_sleb(c); out->u = (uint64_t)out->s; break;
    case DW_FORM_udata: case DW_FORM_ref_udata: case DW_FORM_strx: case DW_FORM_addrx:
    case DW_FORM_loclistx: case DW_FORM_rnglistx: case DW_FORM_GNU_addr_index:
    case DW_FORM_GNU_str_index:
        out->u = dwarf_uleb(c);
        break;
    case DW_FORM_strp: case DW_FORM_line_strp: case DW_FORM_sec_offset:
    case DW_FORM_strp_sup: case DW_FORM_GNU_ref_alt: case DW_FORM_GNU_strp_alt:
        out->u = dwarf_uint(c, u->offset_size);
        break;
    case DW_FORM_ref_addr:
        /* DWARF 2 wrote ref_addr address-sized; later versions offset-sized */
        out->u = dwarf_uint(c, u->version <= 2 ? u->address_size : u->offset_size);
        break;
    case DW_FORM_flag_present: out->u = 1; break;
    case DW_FORM_implicit_const: out->s = spec->implicit_const; out->u = (uint64_t)out->s; break;
    case DW_FORM_indirect:
        /* bounded: an indirect form naming indirect again is malformed */
        form = (uint16_t)dwarf_uleb(c);
        if (++indirections > 1 || form == DW_FORM_implicit_const)
            return false;
        goto again;
    default:
        return false;
    }
    return !c->bad;
}

/* An offset into .debug_str / .debug_line_str as text. */
static const char *string_at(const struct dwarf_section *s, uint64_t offset)
{
    /* sections are read with a NUL past their end, so any offset inside is safe */
    if (!s->data || offset >= s->size)
        return NULL;
    return (const char *)s->data + offset;
}

const char *dwarf_string(const struct dwarf_reader *r, const struct dwarf_unit *u,
                         const struct dwarf_value *v)
{
    switch (v->form) {
    case DW_FORM_string:
        return (const char *)v->block;
    case DW_FORM_strp:
        return string_at(&r->sections[SEC_STR], v->u);
    case DW_FORM_line_strp:
        return string_at(&r->sections[SEC_LINE_STR], v->u);
    case DW_FORM_strx: case DW_FORM_strx1: case DW_FORM_strx2: case DW_FORM_strx3:
    case DW_FORM_strx4: case DW_FORM_GNU_str_index: {
        const struct dwarf_section *offsets = &r->sections[SEC_STR_OFFSETS];
        /* without DW_AT_str_offsets_base, v5's table starts after its 8-byte header */
        uint64_t base = u->has_str_offsets_base ? u->str_offsets_base : 8;
        struct dwarf_cursor c;
        if (v->u > offsets->size / u->offset_size)
            return NULL;
        c = dwarf_cursor_at(offsets, base + v->u * u->offset_size);
        {
            uint64_t at = dwarf_uint(&c, u->offset_size);
            return c.bad ? NULL : string_at(&r->sections[SEC_STR], at);
        }
    }
    default:
        return NULL;
    }
}

bool dwarf_addr_index(const struct dwarf_reader *r, const struct dwarf_unit *u, uint64_t index,
                      uint64_t *out)
{
    const struct dwarf_section *addr = &r->sections[SEC_ADDR];
    uint64_t base = u->has_addr_base ? u->addr_base : 8;
    struct dwarf_cursor c;

    if (!u->address_size || index > addr->size / u->address_size)
        return false;
    c = dwarf_cursor_at(addr, base + index * u->address_size);
    *out = dwarf_uint(&c, u->address_size);
    return !c.bad;
}

bool dwarf_address(const struct dwarf_reader *r, const struct dwarf_unit *u,
                   const struct dwarf_value *v, uint64_t *out)
{
    switch (v->form) {
    case DW_FORM_addr:
        *out = v->u;
        return true;
    case DW_FORM_addrx: case DW_FORM_addrx1: case DW_FORM_addrx2: case DW_FORM_addrx3:
    case DW_FORM_addrx4: case DW_FORM_GNU_addr_index:
        return dwarf_addr_index(r, u, v->u, out);
    default:
        return false;
    }
}
