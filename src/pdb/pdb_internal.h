/*
 * The PDB reader's model, shared by its files:
 *
 *   msf.c          the container: blocks, directory, streams
 *   pdb_reader.c   opening: the PDB info stream, DBI (modules, section
 *                  contributions, the optional debug header), /names, the
 *                  section headers and OMAP; the lazy-index machinery; the
 *                  debug_info operations
 *   pdb_module.c   one module's symbol stream (procedures, thunks, labels,
 *                  blocks, inline sites) and its C13 lines, indexed on first use
 *   pdb_publics.c  the symbol record stream: publics and global data
 *   pdb_frames.c   the FPO and new-FPO (FrameData) streams
 *   pdb_inline.c   inline sites' binary annotations
 *
 * Every index is built once, on first use, under the reader's lock, and
 * published with a release store: lookups after that take no lock.
 */
#ifndef DBGWALK_PDB_INTERNAL_H
#define DBGWALK_PDB_INTERNAL_H

#include "../sym/lock.h"
#include "msf.h"
#include "pdb.h"

#include <stdatomic.h>
#include <stdio.h>

/* Largest stream we read whole (a module's symbols, the record stream, a
 * FrameData table): larger ones are not trusted. */
#define PDB_MAX_STREAM (256u << 20)

enum pdb_lazy { PDB_UNTRIED, PDB_READY, PDB_FAILED };

/* A procedure (or thunk, or label) of a module: [rva, rva + size). */
struct pdb_proc {
    uint32_t rva, size;
    const char *name;  /* inside the module's stream (NUL-terminated there) */
    uint32_t record;   /* offset of its record in the module's symbols */
    uint32_t end;      /* offset just past its S_END (procedures), else record */
    enum di_tag tag;
};

/* A line entry: code [rva, end) is line `line` of file `file`. */
struct pdb_line {
    uint32_t rva, end;
    uint32_t line;
    uint32_t order; /* position in the module's tables: ties at one rva keep it */
    const char *file;
};

struct pdb_module {
    uint16_t stream;
    uint32_t symbol_bytes, c11_bytes, c13_bytes;
    const char *name; /* inside the DBI stream */

    atomic_int state; /* enum pdb_lazy */
    uint8_t *data;    /* the module's stream */
    uint32_t size;
    struct pdb_proc *procs; /* sorted by rva */
    uint32_t proc_count;
    struct pdb_line *lines; /* sorted by rva */
    uint32_t line_count;
    const uint8_t *checksums; /* the DEBUG_S_FILECHKSMS subsection, inside data */
    uint32_t checksums_size;
    const uint8_t *inlinee_lines; /* the DEBUG_S_INLINEELINES subsection */
    uint32_t inlinee_lines_size;
};

/* A section contribution: [rva, rva + size) comes from module `module`. */
struct pdb_contribution {
    uint32_t rva, size;
    uint32_t module;
};

struct pdb_public {
    uint32_t rva;
    uint32_t flags; /* S_PUB32 flags: 2 = code, 4 = function */
    uint32_t type;  /* global data: its TPI type index (its size is the symbol's) */
    const char *name;
    enum di_tag tag;
};

/* A complete (not forward-referenced) UDT record and its name. */
struct pdb_udt_name {
    const char *name;
    uint32_t index;
};

struct pdb_reader {
    struct debug_info base;
    struct msf msf;
    struct image_source file_source; /* pdb_open_file's source */
    FILE *file;
    dw_lock lock; /* serialises index building */

    GUID guid;
    uint32_t signature, age;
    uint16_t machine;
    char path[260];

    uint8_t *dbi;
    uint32_t dbi_size;
    uint8_t *names; /* the /names stream */
    uint32_t names_size, names_strings; /* strings: [12, 12 + names_strings) */

    uint32_t *section_rvas; /* 1-based segment -> RVA (original sections under OMAP) */
    uint32_t section_count;
    uint32_t (*omap)[2]; /* OMAP from source: sorted (from, to) pairs, or NULL */
    uint32_t omap_count;

    struct pdb_module *modules;
    uint32_t module_count;
    struct pdb_contribution *contributions; /* sorted by rva */
    uint32_t contribution_count;

    uint16_t symbol_records_stream, fpo_stream, new_fpo_stream;
    bool has_types, has_ids;

    atomic_int publics_state;
    uint8_t *records; /* the symbol record stream */
    uint32_t records_size;
    struct pdb_public *publics; /* sorted by rva: publics, then global data */
    uint32_t public_count;

    atomic_int frames_state;
    struct di_frame_data *frames; /* FrameData records, sorted by rva_start */
    uint32_t frame_count;
    uint8_t *frame_data; /* the new FPO stream (programs point into /names) */
    struct di_frame_data *fpo; /* old FPO records, sorted */
    uint32_t fpo_count;

    uint8_t *ipi; /* the IPI stream, read with the inline sites */
    uint32_t ipi_size;
    uint32_t *ipi_offsets; /* type index - first -> record offset */
    uint32_t ipi_first, ipi_count;
    atomic_int ipi_state;

    uint8_t *tpi; /* the TPI stream, read when a data symbol's size is asked */
    uint32_t tpi_size;
    uint32_t *tpi_offsets; /* type index - first -> record offset */
    uint32_t tpi_first, tpi_count;
    struct pdb_udt_name *udt_by_name; /* complete struct/class/union records, by name */
    uint32_t udt_count;
    atomic_int tpi_state;
};

enum { PDB_TPI_STREAM = 2, PDB_IPI_STREAM = 4 };

/* Reads type stream `stream` (TPI or IPI: the same layout) and indexes its
 * records: (*offsets)[index - *first] is the offset of the record of type
 * index `index`. pdb_types.c */
bool pdb_index_type_stream(struct pdb_reader *r, uint32_t stream, uint8_t **data,
                           uint32_t *size, uint32_t **offsets, uint32_t *first, uint32_t *count);

/* The size in bytes of type `index` (simple types, pointers, arrays,
 * structures, unions, enums, modifiers; a forward reference through its
 * definition); 0 when unknown. pdb_types.c */
uint32_t pdb_type_size(struct pdb_reader *r, uint32_t index);

/* Runs `build` once for `state` under the reader's lock; true once built. */
bool pdb_lazy(struct pdb_reader *r, atomic_int *state, bool (*build)(struct pdb_reader *, void *),
              void *arg);

/* Section:offset to RVA (through OMAP when present); 0 when the segment is
 * not one of the image's. */
uint32_t pdb_rva(const struct pdb_reader *r, uint16_t segment, uint32_t offset);

/* A string of /names, or "" when the offset lies outside it. */
const char *pdb_name(const struct pdb_reader *r, uint32_t offset);

/* The module holding `rva` by the section contributions, or NULL. */
struct pdb_module *pdb_module_at(struct pdb_reader *r, uint32_t rva);

/* pdb_module.c */
bool pdb_module_load(struct pdb_reader *r, struct pdb_module *m);
const struct pdb_proc *pdb_module_proc_at(const struct pdb_module *m, uint32_t rva);
const struct pdb_line *pdb_module_line_at(const struct pdb_module *m, uint32_t rva);
/* The first line entry whose code starts in [from, to), or NULL. */
const struct pdb_line *pdb_module_first_line(const struct pdb_module *m, uint32_t from,
                                             uint32_t to);
void pdb_module_free(struct pdb_module *m);

/* pdb_publics.c */
bool pdb_publics_load(struct pdb_reader *r);
const struct pdb_public *pdb_public_at(const struct pdb_reader *r, uint32_t rva);

/* pdb_frames.c */
bool pdb_frames_load(struct pdb_reader *r);
bool pdb_frame_data_at(struct pdb_reader *r, uint32_t rva, struct di_frame_data *out);

/* pdb_inline.c: the inline chain at `rva` inside procedure `proc` of `m`. */
unsigned pdb_inlines_at(struct pdb_reader *r, struct pdb_module *m, const struct pdb_proc *proc,
                        uint32_t rva, struct di_inline_frame *out, unsigned max);

/* Record helpers: a record's kind and length are checked by the caller. */
static inline const char *pdb_record_name(const uint8_t *record, uint32_t length,
                                          uint32_t name_offset)
{
    /* the name runs to a NUL inside the record, or the record is bad */
    if (name_offset >= length || !memchr(record + name_offset, 0, length - name_offset))
        return NULL;
    return (const char *)record + name_offset;
}

#endif
