/*
 * The caller's function-table and module-base routines, as one object.
 *
 * FunctionTableAccessRoutine answers with a pointer in *our* address space to
 * an entry whose RVAs are relative to what GetModuleBaseRoutine answers. A
 * NULL routine means the library's own symbol services
 * (SymFunctionTableAccess64 / SymGetModuleBase64), as DbgHelp documents.
 */
#ifndef DBGWALK_FUNCTION_TABLE_H
#define DBGWALK_FUNCTION_TABLE_H

#include "platform.h"

struct function_table {
    HANDLE process;
    PFUNCTION_TABLE_ACCESS_ROUTINE64 entry_for;
    PGET_MODULE_BASE_ROUTINE64 module_base_for;
    /* StackWalk's 32-bit routines, used where the 64-bit ones are NULL */
    PFUNCTION_TABLE_ACCESS_ROUTINE32 entry_for32;
    PGET_MODULE_BASE_ROUTINE32 module_base_for32;
    /* the walk's read routine, for our own symbol services' memory reads */
    PREAD_PROCESS_MEMORY_ROUTINE64 read;
    /* the walk's machine: our own services answer only with its entries */
    DWORD machine;
    /* the calling thread's last error where the walk holds it (non-Windows
     * hosts), so that our own services' misses are hidden without another
     * thread-local access; NULL: GetLastError/SetLastError */
    DWORD *last_error;
};

/* The entry covering `address`, copied out of the caller's memory into
 * `entry` (`size` bytes); returns the caller's pointer, or NULL for none. */
PVOID function_table_lookup(const struct function_table *table, uint64_t address, void *entry,
                            size_t size);

struct sym_walk_frame_data;

/* x86: the FrameData record (with its program) covering `address`, from
 * the module's PDB, when the walk uses our own symbol services (NULL
 * routines, or SymFunctionTableAccess64 passed in); false otherwise or when
 * none covers it. A caller's own routines give FPO_DATA only. */
bool function_table_frame_data(const struct function_table *table, uint64_t address,
                               struct sym_walk_frame_data *out);

/* The base of the module holding `address`, or 0. */
uint64_t function_table_module_base(const struct function_table *table, uint64_t address);

#endif
