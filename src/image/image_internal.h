/*
 * What the image helpers share: the NT headers of an image in our own
 * memory, a data directory, and the section of an RVA.
 */
#ifndef DBGWALK_IMAGE_INTERNAL_H
#define DBGWALK_IMAGE_INTERNAL_H

#include "../platform.h"

#ifndef _WIN32
typedef PVOID HMODULE;
#endif

/* The NT headers of the image at `base`, or NULL when it is not a PE. */
PIMAGE_NT_HEADERS image_nt_headers(const void *base);

/* Directory `entry` of the optional header (PE32 or PE32+), present and
 * within NumberOfRvaAndSizes and SizeOfOptionalHeader. */
bool image_directory(const IMAGE_NT_HEADERS *nt, unsigned entry, uint32_t *rva,
                     uint32_t *size);

uint32_t image_size_of_headers(const IMAGE_NT_HEADERS *nt);

/* The section whose raw data holds `rva`, or NULL. */
PIMAGE_SECTION_HEADER image_rva_section(const IMAGE_NT_HEADERS *nt, uint32_t rva);

#endif
