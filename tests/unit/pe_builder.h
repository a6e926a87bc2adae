/*
 * Minimal PE32+ / PE32 images for the symbol-service tests: headers, one
 * section whose file offsets equal its RVAs (so the same bytes serve as an
 * image file and as mapped memory), a .pdata table and an export table.
 */
#ifndef PE_BUILDER_H
#define PE_BUILDER_H

#include <stdint.h>
#include <stddef.h>

struct pe_export {
    const char *name;
    uint32_t rva;
};

/* Writes headers into `image` (`size` bytes, a multiple of 0x1000, at least
 * 0x2000): machine, preferred base, and the two directories. */
void pe_build_headers(uint8_t *image, uint32_t size, uint16_t machine, uint64_t image_base,
                      uint32_t pdata_rva, uint32_t pdata_size, uint32_t export_rva,
                      uint32_t export_size);

/* Writes an export directory at `rva` (with its arrays and names after it);
 * returns its size. */
uint32_t pe_write_exports(uint8_t *image, uint32_t rva, const char *dll_name,
                          const struct pe_export *exports, unsigned count);

/* Writes x64 .pdata entries at `rva`; returns their size. */
uint32_t pe_write_pdata(uint8_t *image, uint32_t rva, const uint32_t (*entries)[3],
                        unsigned count);

/* Writes the image to a file; returns 0 on success. */
int pe_save(const uint8_t *image, uint32_t size, const char *path);

#endif
