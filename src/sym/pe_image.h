/*
 * Reading a PE image's headers, exception directory and export table, from
 * an image file (file offsets) or from target memory (RVAs), with every
 * offset and size checked against what the source can deliver.
 */
#ifndef DBGWALK_PE_IMAGE_H
#define DBGWALK_PE_IMAGE_H

#include "../platform.h"

struct image_source {
    /* Reads `size` bytes at `offset` (a file offset, or an RVA when mapped). */
    bool (*read)(void *context, uint64_t offset, void *buffer, size_t size);
    void *context;
    bool mapped; /* target memory: RVAs are offsets */
};

#define PE_MAX_SECTIONS 96

struct pe_info {
    uint16_t machine;
    uint64_t image_base;
    uint32_t size_of_image, timestamp, checksum;
    uint32_t export_rva, export_size;
    uint32_t exception_rva, exception_size;
    uint32_t debug_rva, debug_size; /* the debug directory (CodeView records) */
    unsigned section_count;
    struct {
        uint32_t rva, virtual_size, file_offset, file_size;
    } sections[PE_MAX_SECTIONS];
};

/* Parses the headers; false (and ERROR_BAD_FORMAT) when they are not a
 * well-formed PE32 or PE32+ image. Directories lying outside the image are
 * dropped (size 0), not trusted. */
bool pe_parse(const struct image_source *source, struct pe_info *info);

/* Reads bytes at an RVA: directly from memory, or through the section
 * table from a file. */
bool pe_read_rva(const struct image_source *source, const struct pe_info *info, uint32_t rva,
                 void *buffer, size_t size);

#endif
