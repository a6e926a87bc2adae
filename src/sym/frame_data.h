/*
 * x86 frame data kept with a module (src/sym/frame_data.c): the FPO_DATA
 * entries SymFunctionTableAccess64 hands out on x86.
 */
#ifndef DBGWALK_SYM_FRAME_DATA_H
#define DBGWALK_SYM_FRAME_DATA_H

#include "function_entry.h"
#include "session.h"

/* One FPO_DATA handed out for a record; lives as long as its module. */
struct sym_fpo_entry {
    struct sym_fpo_entry *next;
    uint32_t rva_start, code_size; /* the record it was built from */
    FPO_DATA fpo;
};

/* The FPO_DATA for `address` in *m from its debug information, or NULL.
 * The session is held shared; *m is found again as module_debug_info does. */
PVOID sym_x86_fpo_entry(struct sym_session *session, struct sym_module **m,
                        const struct target_reader *reader, uint64_t address);

/* Frees the module's FPO_DATA entries (module_free). */
void sym_fpo_entries_free(struct sym_module *m);

#endif
