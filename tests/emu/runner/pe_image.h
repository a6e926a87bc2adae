/* A minimal PE loader for the emulator proof: headers and sections mapped
 * at ImageBase into a private copy (no relocations, no imports), the
 * exception directory, the runner's .emumark records and the COFF symbol
 * table (names for reports). PE32 and PE32+. */
#ifndef EMU_PE_IMAGE_H
#define EMU_PE_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum emu_mark_kind {
    EMU_MARK_UNCHECKED = 1,      /* [begin, end) is not checked */
    EMU_MARK_MACHINE_FRAME = 2,  /* begin is entered with a machine frame at SP */
    EMU_MARK_MACHINE_FRAME_CODE = 3, /* the same, with an error code below it */
};

struct emu_mark {
    uint32_t kind, begin, end;
};

struct emu_symbol {
    uint32_t rva;
    char name[64];
};

struct pe_image {
    const char *path;
    uint16_t machine;
    bool pe32plus;
    uint64_t base;
    uint32_t size;        /* SizeOfImage */
    uint32_t entry;       /* AddressOfEntryPoint (RVA) */
    uint8_t *bytes;       /* the mapped image, `size` bytes */
    uint32_t exception_rva, exception_size;
    struct emu_mark *marks;
    unsigned mark_count;
    uint32_t fpo_rva, fpo_size; /* .emufpo: FPO_DATA records for x86 images */
    struct emu_symbol *symbols; /* sorted by rva */
    unsigned symbol_count;
};

bool pe_load(const char *path, struct pe_image *img, char *err, size_t err_size);
void pe_free(struct pe_image *img);
/* The last symbol at or before rva, or NULL. */
const struct emu_symbol *pe_symbol_before(const struct pe_image *img, uint64_t rva);
/* "name+0x12" for an RVA, from the symbol table; false without one. */
bool pe_symbolize(const struct pe_image *img, uint32_t rva, char *out, size_t out_size);

#endif
