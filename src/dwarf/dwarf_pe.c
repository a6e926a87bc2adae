/*
 * The PE image around the DWARF: the image base the addresses were linked
 * for, the section table, and the DWARF sections. mingw-w64's ld keeps
 * section names longer than eight bytes ("/4", "/19", ...) as offsets into
 * the COFF string table that follows the symbol table, so the names are
 * looked up there. The COFF symbol table's functions are kept as the names
 * for code DWARF does not describe (the CRT, assembly), as llvm-symbolizer
 * falls back to them too.
 */
#include "dwarf_internal.h"

#include <stdlib.h>

static const char *const section_names[SEC_COUNT] = {
    [SEC_INFO] = ".debug_info",         [SEC_ABBREV] = ".debug_abbrev",
    [SEC_STR] = ".debug_str",           [SEC_LINE_STR] = ".debug_line_str",
    [SEC_LINE] = ".debug_line",         [SEC_RANGES] = ".debug_ranges",
    [SEC_RNGLISTS] = ".debug_rnglists", [SEC_ADDR] = ".debug_addr",
    [SEC_STR_OFFSETS] = ".debug_str_offsets", [SEC_ARANGES] = ".debug_aranges",
};

static bool rd(const struct dwarf_reader *r, uint64_t offset, void *buffer, size_t size)
{
    return offset <= r->file_size && size <= r->file_size - offset &&
           r->source.read(r->source.context, offset, buffer, size);
}

/* A section header's name: inline, or "/decimal" into the string table. */
static bool section_name(const struct dwarf_reader *r, const uint8_t raw[8], char *out,
                         size_t out_size)
{
    uint64_t offset = 0, table;
    size_t n = 0;

    if (raw[0] != '/') {
        memcpy(out, raw, 8);
        out[8] = 0;
        return true;
    }
    for (unsigned i = 1; i < 8 && raw[i]; i++) {
        if (raw[i] < '0' || raw[i] > '9')
            return false;
        offset = offset * 10 + (uint64_t)(raw[i] - '0');
    }
    if (!r->symbol_table)
        return false;
    table = (uint64_t)r->symbol_table + (uint64_t)r->symbol_count * 18;
    if (offset < 4)
        return false;
    /* read byte by byte up to the NUL: names are short */
    for (n = 0; n + 1 < out_size; n++) {
        if (!rd(r, table + offset + n, &out[n], 1))
            return false;
        if (!out[n])
            return true;
    }
    out[n] = 0;
    return true;
}

bool dwarf_pe_parse(struct dwarf_reader *r)
{
    uint8_t dos[64], head[24 + 112];
    uint32_t pe, optional_size, magic, sections_at;
    unsigned count;

    if (!rd(r, 0, dos, sizeof(dos)) || dos[0] != 'M' || dos[1] != 'Z')
        return false;
    pe = dw_le32(dos + 60);
    if (!rd(r, pe, head, 24) || memcmp(head, "PE\0\0", 4) != 0)
        return false;
    r->machine = dw_le16(head + 4);
    count = dw_le16(head + 6);
    r->symbol_table = dw_le32(head + 12);
    r->symbol_count = dw_le32(head + 16);
    optional_size = dw_le16(head + 20);
    if (r->symbol_count > (1u << 26))
        r->symbol_table = r->symbol_count = 0;
    if (optional_size < 60 || !rd(r, (uint64_t)pe + 24, head + 24, 60))
        return false;
    magic = dw_le16(head + 24);
    if (magic == 0x20b)
        r->image_base = dw_le64(head + 24 + 24);
    else if (magic == 0x10b)
        r->image_base = dw_le32(head + 24 + 28);
    else
        return false;
    r->size_of_image = dw_le32(head + 24 + 56);
    sections_at = pe + 24 + optional_size;
    if (count > DW_ARRAY_SIZE(r->image_sections))
        count = DW_ARRAY_SIZE(r->image_sections);
    for (unsigned i = 0; i < count; i++) {
        uint8_t h[40];
        char name[64];
        uint32_t vsize, raw_size, raw_at;
        if (!rd(r, (uint64_t)sections_at + 40u * i, h, 40))
            return false;
        vsize = dw_le32(h + 8);
        raw_size = dw_le32(h + 16);
        raw_at = dw_le32(h + 20);
        r->image_sections[i].rva = dw_le32(h + 12);
        r->image_sections[i].size = vsize ? vsize : raw_size;
        r->section_count = i + 1;
        if (!section_name(r, h, name, sizeof(name)))
            continue;
        /* the file holds min(virtual size, raw size); the rest is zero fill */
        if (vsize && vsize < raw_size)
            raw_size = vsize;
        if (strcmp(name, ".gnu_debuglink") == 0) {
            r->debuglink.offset = raw_at;
            r->debuglink.size = raw_size;
            continue;
        }
        for (unsigned s = 0; s < SEC_COUNT; s++) {
            if (strcmp(name, section_names[s]) == 0) {
                r->sections[s].file_offset = raw_at;
                r->sections[s].file_size = raw_size;
            }
        }
    }
    return true;
}

/* Reads every DWARF section whole (they are what the indexes point into). */
bool dwarf_read_sections(struct dwarf_reader *r)
{
    for (unsigned s = 0; s < SEC_COUNT; s++) {
        struct dwarf_section *sec = &r->sections[s];
        uint8_t *data;
        if (!sec->file_size)
            continue;
        if (sec->file_size > DWARF_MAX_SECTION)
            return false;
        /* one NUL past the end keeps a string that runs off the section in bounds */
        data = malloc((size_t)sec->file_size + 1);
        if (!data)
            return false;
        if (!rd(r, sec->file_offset, data, sec->file_size)) {
            free(data);
            if (s == SEC_INFO || s == SEC_ABBREV)
                return false;
            continue; /* a section we can do without */
        }
        data[sec->file_size] = 0;
        sec->data = data;
        sec->size = sec->file_size;
    }
    return r->sections[SEC_INFO].data && r->sections[SEC_ABBREV].data;
}

static int compare_public(const void *a, const void *b)
{
    const struct dwarf_public *x = a, *y = b;
    if (x->rva != y->rva)
        return x->rva < y->rva ? -1 : 1;
    return x->order < y->order ? -1 : x->order > y->order;
}

/* Function symbols of the COFF symbol table (type 0x20: a function). */
bool dwarf_publics_load(struct dwarf_reader *r)
{
    uint64_t table = r->symbol_table, strings = table + (uint64_t)r->symbol_count * 18;
    uint8_t size_field[4];
    uint32_t string_size = 0, kept = 0;
    uint8_t *symbols;

    if (!r->symbol_table || !r->symbol_count)
        return true;
    if (rd(r, strings, size_field, 4))
        string_size = dw_le32(size_field);
    if (string_size < 4 || string_size > (64u << 20))
        string_size = 4;
    symbols = malloc((size_t)r->symbol_count * 18);
    r->public_names = malloc((size_t)string_size + (size_t)r->symbol_count * 9 + 1);
    r->publics = malloc((size_t)r->symbol_count * sizeof(*r->publics));
    if (!symbols || !r->public_names || !r->publics ||
        !rd(r, table, symbols, (size_t)r->symbol_count * 18)) {
        free(symbols);
        return false;
    }
    if (!rd(r, strings, r->public_names, string_size))
        string_size = 4;
    r->public_names[string_size] = 0;
    {
        char *short_names = r->public_names + string_size + 1;
        for (uint32_t i = 0; i < r->symbol_count; i++) {
            const uint8_t *s = symbols + 18 * (size_t)i;
            int16_t section = (int16_t)dw_le16(s + 12);
            uint16_t type = dw_le16(s + 14);
            uint8_t storage = s[16], aux = s[17];
            const char *name;
            i += aux;
            /* external (2) or static (3) functions in a section of the image */
            if ((type & 0x30) != 0x20 || (storage != 2 && storage != 3) || section <= 0 ||
                (uint32_t)section > r->section_count)
                continue;
            if (dw_le32(s) == 0) {
                uint32_t at = dw_le32(s + 4);
                if (at < 4 || at >= string_size)
                    continue;
                name = r->public_names + at;
            } else {
                memcpy(short_names, s, 8);
                short_names[8] = 0;
                name = short_names;
                short_names += 9;
            }
            r->publics[kept].rva = r->image_sections[section - 1].rva + dw_le32(s + 8);
            r->publics[kept].name = name;
            r->publics[kept].order = i;
            kept++;
        }
    }
    free(symbols);
    r->public_count = kept;
    if (kept > 1)
        qsort(r->publics, kept, sizeof(*r->publics), compare_public);
    return true;
}

const struct dwarf_public *dwarf_public_at(const struct dwarf_reader *r, uint32_t rva)
{
    uint32_t lo = 0, hi = r->public_count;

    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (r->publics[mid].rva <= rva)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0)
        return NULL;
    /* the symbol must lie in the same section as rva */
    for (uint32_t i = 0; i < r->section_count; i++) {
        uint32_t start = r->image_sections[i].rva;
        if (rva >= start && rva - start < r->image_sections[i].size &&
            r->publics[lo - 1].rva < start)
            return NULL;
    }
    /* several names at one address: the symbol table's last, as
     * llvm-symbolizer keeps it (gcc writes "_fpreset" before "fpreset") */
    return &r->publics[lo - 1];
}
