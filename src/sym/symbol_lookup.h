/*
 * What names an address, shared by SymFromAddr(W), SymGetSymFromAddr64 and
 * the inline-context functions (src/sym/api_lookup.c): the lookup (debug
 * information, else exports), the naming rules DbgHelp applies to what the
 * reader recorded, and the filling of SYMBOL_INFO / SYMBOL_INFOW.
 */
#ifndef DBGWALK_SYMBOL_LOOKUP_H
#define DBGWALK_SYMBOL_LOOKUP_H

#include "session.h"

struct found_symbol {
    uint64_t module_base, address;
    uint32_t size, tag, flags;
    char name[512];
};

/* The symbol holding `address` (procedures, then publics, then exports);
 * false with the last error set when there is none. */
bool sym_symbol_for_address(HANDLE process, DWORD64 address, struct found_symbol *found);

/* `symbol` of module `m`'s debug information `info`, named as DbgHelp names
 * it (SYMOPT_UNDNAME for publics; no parameter list for DWARF names). */
void sym_found_from_debug(const struct debug_info *info, const struct sym_module *m,
                          const struct di_symbol *symbol, struct found_symbol *found);

/* SYMBOL_INFO(W) from `found`, the name truncated to MaxNameLen; the caller
 * has checked SizeOfStruct. */
void sym_fill_symbol_info(PSYMBOL_INFO symbol, const struct found_symbol *found);
void sym_fill_symbol_infow(PSYMBOL_INFOW symbol, const struct found_symbol *found);

#endif
