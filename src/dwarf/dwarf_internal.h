/*
 * The DWARF reader's model, shared by its files:
 *
 *   dwarf_pe.c        the PE image: image base, sections by their long names
 *                     (COFF string table "/NN"), COFF function symbols
 *   dwarf_form.c      a bounds-checked cursor, attribute forms, strings and
 *                     the v5 indirections (strx, addrx, rnglistx)
 *   dwarf_abbrev.c    .debug_abbrev tables
 *   dwarf_units.c     unit headers (v2-5, every v5 unit type), the top DIE,
 *                     .debug_aranges, the address -> unit map
 *   dwarf_ranges.c    DW_AT_ranges: .debug_ranges (v2-4), .debug_rnglists (v5)
 *   dwarf_dies.c      one unit's subprograms and inlined subroutines
 *   dwarf_line.c      line programs v2-5
 *   dwarf_debuglink.c .gnu_debuglink: finding the separate debug file
 *   dwarf_open.c      opening, the lazy-index machinery, the debug_info ops
 *
 * Nothing is parsed at open beyond the PE headers. The unit index (unit
 * headers, top DIEs, aranges) is built on first use; a unit's functions and
 * lines are built when an address inside it is first asked about. Each is
 * built once under the reader's lock and published with a release store, so
 * queries after that take no lock.
 */
#ifndef DBGWALK_DWARF_INTERNAL_H
#define DBGWALK_DWARF_INTERNAL_H

#include "../demangle/demangle.h"
#include "../sym/lock.h"
#include "dwarf.h"
#include "dwarf_consts.h"

#include <stdatomic.h>
#include <stdio.h>

/* Largest section we read whole. */
#define DWARF_MAX_SECTION (1u << 30)

enum dwarf_lazy { DWARF_UNTRIED, DWARF_READY, DWARF_FAILED };

enum dwarf_section_id {
    SEC_INFO, SEC_ABBREV, SEC_STR, SEC_LINE_STR, SEC_LINE, SEC_RANGES, SEC_RNGLISTS,
    SEC_ADDR, SEC_STR_OFFSETS, SEC_ARANGES, SEC_COUNT
};

struct dwarf_section {
    uint32_t file_offset, file_size; /* where it lies in the file */
    const uint8_t *data;             /* read on first use */
    uint64_t size;
};

/* A bounds-checked reader: once `bad` is set every read yields 0. */
struct dwarf_cursor {
    const uint8_t *start, *p, *end;
    bool bad;
};

/* What form decoding needs to know about the unit it is in. */
struct dwarf_unit;

struct dwarf_value {
    uint16_t form;
    uint64_t u;             /* constants, offsets, addresses, indexes */
    int64_t s;              /* sdata, implicit_const */
    const uint8_t *block;   /* blocks, exprloc, inline strings */
    uint64_t block_size;
};

struct dwarf_attr_spec {
    uint16_t name, form;
    int64_t implicit_const;
};

struct dwarf_abbrev {
    uint64_t code;
    uint16_t tag;
    bool has_children;
    uint32_t first_attr, attr_count; /* into the table's attrs */
};

struct dwarf_abbrev_table {
    uint64_t offset;
    struct dwarf_abbrev *abbrevs; /* sorted by code */
    uint32_t count;
    struct dwarf_attr_spec *attrs;
    bool dense; /* abbrevs[i].code == i + 1 */
};

/* An address range [lo, hi) as RVAs. */
struct dwarf_range {
    uint32_t lo, hi;
};

/* A function: a subprogram with code, or an inlined subroutine. */
struct dwarf_function {
    const char *name;
    uint32_t lo, size;   /* the range this record covers (one per range) */
    uint32_t subprogram; /* inlines: the index of their subprogram record */
    uint32_t depth;      /* inlines: 1 = directly in the subprogram */
    const char *call_file;
    uint32_t call_line;
};

struct dwarf_line_entry {
    uint32_t rva, end;
    uint32_t line;
    const char *file;
};

struct dwarf_unit {
    uint64_t offset;      /* of the header in .debug_info */
    uint64_t end;         /* just past the unit */
    uint64_t die_offset;  /* the first DIE */
    uint64_t abbrev_offset;
    uint16_t version;
    uint8_t unit_type, address_size, offset_size;
    const struct dwarf_abbrev_table *abbrevs;

    /* from the top DIE */
    uint16_t tag;
    const char *name, *comp_dir;
    uint64_t stmt_list;
    bool has_stmt_list;
    uint64_t low_pc; /* the base address of ranges and location lists */
    uint64_t str_offsets_base, addr_base, rnglists_base;
    bool has_str_offsets_base, has_addr_base, has_rnglists_base;

    /* built on first use */
    atomic_int state;
    struct dwarf_function *subprograms; /* sorted by lo */
    uint32_t subprogram_count;
    struct dwarf_function *inlines;     /* grouped by subprogram, outer first */
    uint32_t inline_count;
    uint32_t *inline_first;             /* per subprogram: [first, next) in inlines */
    struct dwarf_line_entry *lines;     /* sorted by rva */
    uint32_t line_count;
    char **files;                       /* the line table's joined paths */
    uint32_t file_count;
    char *strings;                      /* names built by the reader (one block list) */
};

/* Which unit covers [lo, hi). */
struct dwarf_unit_range {
    uint32_t lo, hi;
    uint32_t unit;
};

/* A COFF symbol table function: the fallback name where DWARF has none. */
struct dwarf_public {
    uint32_t rva;
    uint32_t order; /* position in the symbol table */
    const char *name;
};

struct dwarf_reader {
    struct debug_info base;
    struct image_source source;
    struct image_source file_source; /* dwarf_open_file's */
    FILE *file;
    uint64_t file_size;
    dw_lock lock;
    char path[260];

    uint64_t image_base;
    uint32_t size_of_image;
    uint16_t machine;
    uint32_t section_count;
    struct { uint32_t rva, size; } image_sections[96];
    uint32_t symbol_table, symbol_count; /* COFF symbol table, file offsets */
    struct dwarf_section sections[SEC_COUNT];
    struct { uint32_t offset, size; } debuglink;

    atomic_int units_state;
    struct dwarf_unit *units; /* sorted by offset */
    uint32_t unit_count;
    struct dwarf_abbrev_table *abbrev_tables;
    uint32_t abbrev_table_count;
    struct dwarf_unit_range *unit_ranges; /* sorted by lo */
    uint32_t unit_range_count;

    atomic_int publics_state;
    struct dwarf_public *publics; /* sorted by rva */
    uint32_t public_count;
    char *public_names;
};

/* dwarf_open.c: runs `build` once for `state` under the lock. */
bool dwarf_lazy(struct dwarf_reader *r, atomic_int *state,
                bool (*build)(struct dwarf_reader *, void *), void *arg);
/* An address of the debug information as an RVA; false outside the image. */
bool dwarf_rva(const struct dwarf_reader *r, uint64_t address, uint32_t *rva);
/* Keeps a string the reader built until close. */
const char *dwarf_keep_string(struct dwarf_unit *u, const char *text, size_t length);

/* dwarf_pe.c */
bool dwarf_pe_parse(struct dwarf_reader *r);
bool dwarf_read_sections(struct dwarf_reader *r);
bool dwarf_publics_load(struct dwarf_reader *r);
const struct dwarf_public *dwarf_public_at(const struct dwarf_reader *r, uint32_t rva);

/* dwarf_form.c */
static inline struct dwarf_cursor dwarf_cursor_at(const struct dwarf_section *s, uint64_t offset)
{
    struct dwarf_cursor c = {s->data, s->data, s->data, true};
    if (s->data && offset <= s->size) {
        c.p = s->data + offset;
        c.end = s->data + s->size;
        c.bad = false;
    }
    return c;
}
uint8_t dwarf_u8(struct dwarf_cursor *c);
uint16_t dwarf_u16(struct dwarf_cursor *c);
uint32_t dwarf_u24(struct dwarf_cursor *c);
uint32_t dwarf_u32(struct dwarf_cursor *c);
uint64_t dwarf_u64(struct dwarf_cursor *c);
uint64_t dwarf_uint(struct dwarf_cursor *c, unsigned size);
uint64_t dwarf_uleb(struct dwarf_cursor *c);
int64_t dwarf_sleb(struct dwarf_cursor *c);
const char *dwarf_cstr(struct dwarf_cursor *c);
void dwarf_skip(struct dwarf_cursor *c, uint64_t n);
/* Reads one attribute value; false on a bad form or a truncated read. */
bool dwarf_read_form(struct dwarf_cursor *c, const struct dwarf_unit *u,
                     const struct dwarf_attr_spec *spec, struct dwarf_value *out);
/* A string-class value as text, or NULL. */
const char *dwarf_string(const struct dwarf_reader *r, const struct dwarf_unit *u,
                         const struct dwarf_value *v);
/* An address-class value (addr, addrx*), or false. */
bool dwarf_address(const struct dwarf_reader *r, const struct dwarf_unit *u,
                   const struct dwarf_value *v, uint64_t *out);
/* Entry `index` of .debug_addr from the unit's addr_base. */
bool dwarf_addr_index(const struct dwarf_reader *r, const struct dwarf_unit *u, uint64_t index,
                      uint64_t *out);
bool dwarf_is_constant(uint16_t form);

/* dwarf_abbrev.c */
bool dwarf_abbrev_parse(const struct dwarf_section *s, uint64_t offset,
                        struct dwarf_abbrev_table *out);
const struct dwarf_abbrev *dwarf_abbrev_find(const struct dwarf_abbrev_table *t, uint64_t code);
void dwarf_abbrev_free(struct dwarf_abbrev_table *t);

/* dwarf_units.c */
bool dwarf_units_load(struct dwarf_reader *r);
struct dwarf_unit *dwarf_unit_at(struct dwarf_reader *r, uint32_t rva);
/* The unit holding .debug_info offset `offset`, or NULL. */
struct dwarf_unit *dwarf_unit_of(struct dwarf_reader *r, uint64_t offset);

/* dwarf_ranges.c: calls `add` for each range of a DW_AT_ranges value. */
typedef bool (*dwarf_range_callback)(void *context, uint64_t lo, uint64_t hi);
bool dwarf_ranges(const struct dwarf_reader *r, const struct dwarf_unit *u,
                  const struct dwarf_value *v, uint64_t base, dwarf_range_callback add,
                  void *context);

/* dwarf_dies.c */
bool dwarf_unit_load(struct dwarf_reader *r, struct dwarf_unit *u);
void dwarf_unit_free(struct dwarf_unit *u);

/* dwarf_line.c: the unit's line table (u->lines, u->files). */
bool dwarf_lines_load(struct dwarf_reader *r, struct dwarf_unit *u);
/* The path of file `index` of the unit's line table, or NULL. */
const char *dwarf_line_file(const struct dwarf_unit *u, uint64_t index);

/* dwarf_debuglink.c */
uint32_t dwarf_crc32(uint32_t crc, const uint8_t *data, size_t size);
/* Finds the separate debug file named by the image's .gnu_debuglink; writes
 * its path and returns true when one with the right CRC exists. */
bool dwarf_find_debuglink(struct dwarf_reader *image, const char *image_path, char *out,
                          size_t out_size);


#endif
