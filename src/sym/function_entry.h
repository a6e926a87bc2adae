/*
 * The function-table lookup our own symbol services make for a walk: the
 * entry covering an address, only if its module is of the walk's machine.
 * (A module's table is in its own machine's format; a WOW64 target walked as
 * x86 has x64 modules loaded, and an x64 walk may meet ARM64 code: another
 * machine's entry read as the walk's would be wrong and read past the
 * table.)
 */
#ifndef DBGWALK_FUNCTION_ENTRY_H
#define DBGWALK_FUNCTION_ENTRY_H

#include "../platform.h"
#include "debug_info.h"

/* The entry for `address` from our services (modules' tables, then the
 * registered function-entry callback for code no module holds), or NULL.
 * `read`: the walk's routine, for modules read lazily from target memory.
 * `machine`: the walk's IMAGE_FILE_MACHINE_*. */
PVOID sym_function_entry_for_walk(HANDLE process, DWORD64 address,
                                  PREAD_PROCESS_MEMORY_ROUTINE64 read, DWORD machine);

/* How many inline frames StackWalkEx reports at `address` before its
 * physical frame (SymAddrIncludeInlineTrace's answer; 0 without a session,
 * a module or inline data). Leaves the last error as it was. */
unsigned sym_inline_count_for_walk(HANDLE process, DWORD64 address);
/* The FrameData record covering `address` for an x86 walk with our own
 * services: the record, its program copied out (the module may be unloaded
 * once the lookup returns) and the base of its module. */
#define SYM_FRAME_PROGRAM_MAX 1024
struct sym_walk_frame_data {
    struct di_frame_data record; /* .program points at `program` */
    uint64_t module_base;
    uint64_t function_start; /* the procedure holding the address; 0 if unknown */
    char program[SYM_FRAME_PROGRAM_MAX + 1];
};

/* Only FrameData records with a program answer (old FPO records come as
 * FPO_DATA through sym_function_entry_for_walk). */
bool sym_frame_data_for_walk(HANDLE process, DWORD64 address, PREAD_PROCESS_MEMORY_ROUTINE64 read,
                             DWORD machine, struct sym_walk_frame_data *out);

#endif
