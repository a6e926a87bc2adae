#include "pe_builder.h"

#include <stdio.h>
#include <string.h>

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void put64(uint8_t *p, uint64_t v)
{
    put32(p, (uint32_t)v);
    put32(p + 4, (uint32_t)(v >> 32));
}

void pe_build_headers(uint8_t *image, uint32_t size, uint16_t machine, uint64_t image_base,
                      uint32_t pdata_rva, uint32_t pdata_size, uint32_t export_rva,
                      uint32_t export_size)
{
    const uint32_t nt = 0x80;
    uint8_t *optional = image + nt + 24, *section;
    int pe32 = machine == 0x014C;
    uint32_t directories = pe32 ? 96 : 112;

    memset(image, 0, 0x1000);
    image[0] = 'M';
    image[1] = 'Z';
    put32(image + 0x3C, nt);
    memcpy(image + nt, "PE\0\0", 4);
    put16(image + nt + 4, machine);
    put16(image + nt + 6, 1);               /* sections */
    put32(image + nt + 8, 0x5F000000);      /* TimeDateStamp */
    put16(image + nt + 20, (uint16_t)(directories + 16 * 8));
    put16(image + nt + 22, 0x2022);
    put16(optional, pe32 ? 0x10B : 0x20B);
    if (pe32)
        put32(optional + 28, (uint32_t)image_base);
    else
        put64(optional + 24, image_base);
    put32(optional + 32, 0x1000);           /* SectionAlignment */
    put32(optional + 36, 0x1000);           /* FileAlignment */
    put32(optional + 56, size);             /* SizeOfImage */
    put32(optional + 60, 0x1000);           /* SizeOfHeaders */
    put32(optional + 64, 0xC0FFEE);         /* CheckSum */
    put32(optional + directories - 4, 16);  /* NumberOfRvaAndSizes */
    put32(optional + directories + 0, export_rva);
    put32(optional + directories + 4, export_size);
    put32(optional + directories + 24, pdata_rva);
    put32(optional + directories + 28, pdata_size);
    section = optional + directories + 16 * 8;
    memcpy(section, ".text\0\0\0", 8);
    put32(section + 8, size - 0x1000);      /* VirtualSize */
    put32(section + 12, 0x1000);            /* VirtualAddress */
    put32(section + 16, size - 0x1000);     /* SizeOfRawData */
    put32(section + 20, 0x1000);            /* PointerToRawData */
}

uint32_t pe_write_exports(uint8_t *image, uint32_t rva, const char *dll_name,
                          const struct pe_export *exports, unsigned count)
{
    uint8_t *dir = image + rva;
    uint32_t functions = rva + 40, names = functions + 4 * count, ordinals = names + 4 * count;
    uint32_t strings = ordinals + 2 * count;

    memset(dir, 0, 40);
    put32(dir + 0x0C, strings);
    strcpy((char *)image + strings, dll_name);
    strings += (uint32_t)strlen(dll_name) + 1;
    put32(dir + 0x10, 1);
    put32(dir + 0x14, count);
    put32(dir + 0x18, count);
    put32(dir + 0x1C, functions);
    put32(dir + 0x20, names);
    put32(dir + 0x24, ordinals);
    for (unsigned i = 0; i < count; i++) {
        put32(image + functions + 4 * i, exports[i].rva);
        put32(image + names + 4 * i, strings);
        put16(image + ordinals + 2 * i, (uint16_t)i);
        strcpy((char *)image + strings, exports[i].name);
        strings += (uint32_t)strlen(exports[i].name) + 1;
    }
    return strings - rva;
}

uint32_t pe_write_pdata(uint8_t *image, uint32_t rva, const uint32_t (*entries)[3],
                        unsigned count)
{
    for (unsigned i = 0; i < count; i++)
        for (unsigned k = 0; k < 3; k++)
            put32(image + rva + 12 * i + 4 * k, entries[i][k]);
    return 12 * count;
}

int pe_save(const uint8_t *image, uint32_t size, const char *path)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    if (fwrite(image, 1, size, f) != size) {
        fclose(f);
        return -1;
    }
    return fclose(f);
}
