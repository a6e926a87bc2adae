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

/* The answers the table routines gave during one walk, by the address asked
 * about. A walk asks about the same addresses again and again (recursion
 * repeats return addresses; the epilog check asks about jump targets), and
 * under Wine a caller's RtlLookupFunctionEntry-based routine costs more than
 * the rest of the step: within one walk the target's code does not change,
 * so a repeated question gets the first answer without a callback. The
 * slots belong to the walk layer's per-thread state; a slot is valid only
 * for the walk (and routines) that filled it, so nothing is ever cleared. */
#define ENTRY_CACHE_SLOTS 64u
#define ENTRY_CACHE_ENTRY_MAX 16u /* the largest entry: x86 FPO_DATA */

struct entry_cache_slot {
    uint64_t epoch; /* 0: empty */
    uint64_t address;
    PVOID found;   /* the routine's answer (NULL: none covers the address) */
    uint64_t base; /* the module-base routine's answer, if asked */
    bool has_entry, has_base;
    uint8_t entry_size; /* bytes of `entry` copied from the answer */
    uint8_t entry[ENTRY_CACHE_ENTRY_MAX];
};

struct entry_cache {
    /* whom the slots answer for: a walk and its routines */
    uint64_t walk_id;
    HANDLE process;
    PFUNCTION_TABLE_ACCESS_ROUTINE64 entry_for;
    PGET_MODULE_BASE_ROUTINE64 module_base_for;
    PFUNCTION_TABLE_ACCESS_ROUTINE32 entry_for32;
    PGET_MODULE_BASE_ROUTINE32 module_base_for32;
    uint64_t epoch; /* a slot is valid when its epoch is this (never 0) */
    struct entry_cache_slot slots[ENTRY_CACHE_SLOTS];
};

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
    /* the walk's answer cache (NULL: ask every time, as outside a walk) and
     * the epoch of its slots that are this walk's: kept here, not read from
     * the cache, because a read routine may run a walk of its own on this
     * thread, which re-binds the cache to itself */
    struct entry_cache *cache;
    uint64_t cache_epoch;
};

/* Points `table` at `cache` for the walk `walk_id`: the cache keeps its
 * answers when it last served the same walk with the same routines, and
 * forgets them otherwise. */
void function_table_bind_cache(struct function_table *table, struct entry_cache *cache,
                               uint64_t walk_id);

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
