/*
 * Line answers shared by the line functions: SymGetLineFromAddr64 and its
 * forms (api_lookup.c), the stepping and enumerating ones (api_lines.c).
 * File names are the reader's, valid until the module is unloaded, as
 * DbgHelp's are; wide ones come from sym_module_wide_file.
 */
#ifndef DBGWALK_LINE_LOOKUP_H
#define DBGWALK_LINE_LOOKUP_H

#include "../platform.h"

struct sym_line_found {
    uint64_t module_base;
    uint64_t address; /* first byte of the entry's code */
    uint32_t line;
    const char *file;
};

/* The line entry holding `address`; false with DbgHelp's last error
 * (ERROR_MOD_NOT_FOUND outside every module, ERROR_INVALID_ADDRESS where
 * the module has no line there). */
bool sym_line_from_address(HANDLE process, DWORD64 address, struct sym_line_found *out);

/* The same file's next (direction > 0) or previous entry after the one the
 * caller holds (its address, line and file); ERROR_NO_MORE_ITEMS at the
 * end. (api_lines.c) */
bool sym_line_step(HANDLE process, DWORD64 address, uint32_t line, const char *file,
                   int direction, struct sym_line_found *out);

/* A UTF-16 copy of `file` (a name the module at `module_base` handed out),
 * kept with the module until it is unloaded, for IMAGEHLP_LINEW64.FileName;
 * NULL when the module is gone or memory is out. (wide_names.c) */
const WCHAR *sym_module_wide_file(HANDLE process, uint64_t module_base, const char *file);

#endif
