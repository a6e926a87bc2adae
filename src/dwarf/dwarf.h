/*
 * The DWARF reader's entry points. Everything else about DWARF stays inside
 * src/dwarf/; the symbol API sees only struct debug_info (sym/debug_info.h).
 */
#ifndef DBGWALK_DWARF_H
#define DBGWALK_DWARF_H

#include "../sym/debug_info.h"
#include "../sym/pe_image.h"

/* Opens the DWARF sections of a PE image file held by `source` (file
 * offsets; `source->mapped` false) of `size` bytes. NULL when the image has
 * no DWARF (or it is unreadable). `source` must stay valid until close(). */
struct debug_info *dwarf_open(const struct image_source *source, uint64_t size);

/* The same for an image file on disk, also following .gnu_debuglink to a
 * separate debug file. */
struct debug_info *dwarf_open_file(const char *path);

#endif
