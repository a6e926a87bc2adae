/*
 * One symbol as the symbol API reports it (SymFromAddr, SymFromName,
 * SymEnumSymbols, SymFromInlineContext): the name as DbgHelp shows it and the fields of
 * SYMBOL_INFO, derived once from a reader's di_symbol or an export so every
 * function fills SYMBOL_INFO identically. (src/sym/api_lookup.c)
 */
#ifndef DBGWALK_SYMBOL_INFO_H
#define DBGWALK_SYMBOL_INFO_H

#include "debug_info.h"

struct found_symbol {
    uint64_t module_base, address;
    uint32_t size, tag, flags;
    char name[512];
};

/* From the debug information of the module at `module_base` (format is the
 * reader's ops->format): SYMOPT_UNDNAME undecorates publics, DWARF names
 * lose their parameter lists, as SymFromAddr shows them. */
void found_symbol_from_debug(struct found_symbol *found, uint64_t module_base, bool x86,
                             const char *format, const struct di_symbol *symbol);

/* From an export table entry (modules without debug information). */
void found_symbol_from_export(struct found_symbol *found, uint64_t module_base, uint32_t rva,
                              const char *name);

/* SYMBOL_INFO(W) as DbgHelp fills it: every field before the name, NameLen
 * the whole name's length, Name truncated to MaxNameLen with its
 * terminator. The caller has checked SizeOfStruct. */
void found_symbol_fill(const struct found_symbol *found, SYMBOL_INFO *symbol);
void found_symbol_fill_wide(const struct found_symbol *found, SYMBOL_INFOW *symbol);

/* The symbol holding `address` (procedures, then publics, then exports);
 * false with the last error set when there is none. (SymFromAddr and the
 * inline-context functions' physical frames) */
bool sym_symbol_for_address(HANDLE process, DWORD64 address, struct found_symbol *found);

/* IMAGEHLP_SYMBOL64 (SymGetSymFromAddr64, SymGetSymFromName64). */
void found_symbol_fill_old(const struct found_symbol *found, IMAGEHLP_SYMBOL64 *symbol);

#endif
