/*
 * What a module's debug information answers, whatever its format.
 *
 * The symbol API (SymFromAddr, SymGetLineFromAddr64, SymEnumSymbols, the
 * inline-context functions, ...) asks these questions and fills DbgHelp's
 * structures from the answers; each reader (src/pdb/ for PDBs, src/dwarf/ for
 * DWARF in PE images) answers them from its own indexes, built lazily, once.
 *
 * Threads: a module's debug_info is queried by several threads at once with
 * no lock held by the caller. A reader that builds an index on first use
 * builds it under its own lock (or builds a private copy and publishes it
 * atomically); once built, queries take no lock.
 *
 * Strings and records handed out (names, file paths) are owned by the reader
 * and stay valid until close().
 *
 * RVAs are relative to the image base the debug information was linked for;
 * the caller subtracts the module's load base before asking.
 */
#ifndef DBGWALK_DEBUG_INFO_H
#define DBGWALK_DEBUG_INFO_H

#include "../platform.h"

/* cvconst.h SymTagEnum values DbgHelp reports in SYMBOL_INFO.Tag */
enum di_tag {
    DI_TAG_FUNCTION = 5,
    DI_TAG_DATA = 7,
    DI_TAG_PUBLIC = 10,
    DI_TAG_LABEL = 9,
    DI_TAG_THUNK = 27,
    DI_TAG_INLINE_SITE = 38,
};

struct di_symbol {
    uint32_t rva;     /* start of the symbol */
    uint32_t size;    /* bytes it covers; 0 when unknown (publics) */
    enum di_tag tag;
    uint32_t flags;   /* SYMFLAG_* beyond what the API derives (e.g. SYMFLAG_EXPORT) */
    const char *name; /* as recorded: decorated for publics, readable for procedures */
    size_t name_length;
};

struct di_line {
    uint32_t rva;     /* first byte of the code this line entry covers */
    uint32_t line;    /* 1-based; 0 never reported */
    const char *file; /* the path as the compiler recorded it */
    /* The compiland (PDB module's object name, DWARF unit's name) the entry
     * comes from: set by enum_lines (SymEnumLines' Obj), else may be NULL. */
    const char *object;
};

/* One frame of an inline chain at an address. */
struct di_inline_frame {
    struct di_symbol function; /* the inlined function */
    struct di_line call_site;  /* where its caller called it (file, line) */
    struct di_line line;       /* the line inside the inlinee at the address */
};

/* x86 frame data for one address (PDB FPO / FrameData streams). */
struct di_frame_data {
    bool has_program;           /* a FrameData program (new FPO); else old FPO */
    uint32_t rva_start, code_size;
    uint32_t locals_size, params_size, max_stack_size;
    uint32_t saved_regs_size, prolog_size;
    bool has_seh, has_cpp_eh, function_start, uses_bp;
    const char *program;        /* FrameData program text, NUL-terminated */
    uint8_t fpo_frame_type;     /* old FPO: FRAME_FPO/TRAP/TSS/NONFPO */
    uint8_t fpo_regs;           /* old FPO: cbRegs */
};

/* What SymGetModuleInfo64 reports about the debug information. */
struct di_summary {
    SYM_TYPE sym_type;      /* SymPdb, SymDia, ... as DbgHelp (or Wine, for DWARF) reports */
    bool line_numbers, global_symbols, type_info, source_indexed, publics;
    GUID guid;              /* PDB 7.0 signature; zero for other formats */
    DWORD signature;        /* PDB 2.0 signature; 0 otherwise */
    DWORD age;
    char path[260];         /* the file the information was read from */
};

/* Return false from a callback to stop the enumeration. */
typedef bool (*di_symbol_callback)(void *context, const struct di_symbol *symbol);
typedef bool (*di_line_callback)(void *context, const struct di_line *line);

struct debug_info;

struct debug_info_ops {
    const char *format; /* "pdb", "dwarf": for messages and SymGetModuleInfo */

    /* The procedure (or, failing that, the nearest public/label below) that
     * holds `rva`. Procedures win over publics. */
    bool (*symbol_at)(struct debug_info *info, uint32_t rva, struct di_symbol *out);

    /* The line entry whose code holds `rva`. */
    bool (*line_at)(struct debug_info *info, uint32_t rva, struct di_line *out);

    /* The line entry after (direction > 0) or before (< 0) `from` in the same
     * file's sequence, as SymGetLineNext64/Prev64 step. `from` names an entry
     * by its rva, line and file (several entries may share an rva: the one
     * with that line and file is meant). May be NULL. */
    bool (*line_step)(struct debug_info *info, const struct di_line *from, int direction,
                      struct di_line *out);

    /* The inline chain at `rva`, innermost first: up to `max` frames; returns
     * how many there are (may exceed max). May be NULL (no inline data). */
    unsigned (*inlines_at)(struct debug_info *info, uint32_t rva, struct di_inline_frame *out,
                           unsigned max);

    /* Every symbol (procedures, publics, globals); order unspecified. */
    bool (*enum_symbols)(struct debug_info *info, di_symbol_callback callback, void *context);

    /* Every line entry, with its source file. May be NULL. */
    bool (*enum_lines)(struct debug_info *info, di_line_callback callback, void *context);

    /* x86 frame data covering `rva` (the innermost record). May be NULL. */
    bool (*frame_data_at)(struct debug_info *info, uint32_t rva, struct di_frame_data *out);

    void (*summary)(struct debug_info *info, struct di_summary *out);

    void (*close)(struct debug_info *info);
};

/* Every reader's object begins with this. */
struct debug_info {
    const struct debug_info_ops *ops;
};

#endif
