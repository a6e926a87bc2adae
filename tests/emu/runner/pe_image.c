#include "pe_image.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint16_t le16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t le32(const uint8_t *p) { return (uint32_t)le16(p) | (uint32_t)le16(p + 2) << 16; }
static uint64_t le64(const uint8_t *p) { return le32(p) | (uint64_t)le32(p + 4) << 32; }

static bool fail(char *err, size_t err_size, const char *what)
{
    snprintf(err, err_size, "%s", what);
    return false;
}

static int compare_symbols(const void *a, const void *b)
{
    const struct emu_symbol *x = a, *y = b;
    return x->rva < y->rva ? -1 : x->rva > y->rva;
}

/* COFF symbols defined in executable sections, for naming functions in reports. */
static void load_symbols(struct pe_image *img, const uint8_t *file, size_t file_size,
                         const uint8_t *sections, unsigned section_count)
{
    uint32_t table = le32(file + le32(file + 0x3C) + 4 + 8);
    uint32_t count = le32(file + le32(file + 0x3C) + 4 + 12);
    const uint8_t *strings;
    size_t strings_size;

    if (table == 0 || count == 0 || table > file_size || count > (file_size - table) / 18)
        return;
    strings = file + table + (size_t)count * 18;
    strings_size = file_size - (size_t)(strings - file);
    img->symbols = calloc(count, sizeof(*img->symbols));
    if (!img->symbols)
        return;
    for (uint32_t i = 0; i < count; i++) {
        const uint8_t *s = file + table + (size_t)i * 18;
        int16_t section = (int16_t)le16(s + 12);
        uint8_t storage = s[16], aux = s[17];
        struct emu_symbol *out;
        const uint8_t *sh;

        if (section > 0 && (unsigned)section <= section_count &&
            (storage == 2 || storage == 3 || storage == 6)) {
            sh = sections + (size_t)(section - 1) * 40;
            if (le32(sh + 36) & 0x20000000u) { /* IMAGE_SCN_MEM_EXECUTE */
                out = &img->symbols[img->symbol_count];
                out->rva = le32(sh + 12) + le32(s + 8);
                if (le32(s) == 0) {
                    uint32_t off = le32(s + 4);
                    size_t len = 0;
                    while (off + len < strings_size && strings[off + len] && len < 63)
                        len++;
                    memcpy(out->name, strings + off, len);
                    out->name[len] = 0;
                } else {
                    snprintf(out->name, sizeof(out->name), "%.8s", (const char *)s);
                }
                /* Section symbols and local labels name nothing useful. */
                if (out->name[0] && out->name[0] != '.' && !(storage == 3 && aux))
                    img->symbol_count++;
            }
        }
        i += aux;
    }
    qsort(img->symbols, img->symbol_count, sizeof(*img->symbols), compare_symbols);
}

bool pe_load(const char *path, struct pe_image *img, char *err, size_t err_size)
{
    FILE *f = fopen(path, "rb");
    uint8_t *file = NULL;
    long file_size;
    uint32_t pe, opt, section_table, size_of_headers;
    uint16_t section_count, opt_size, magic;
    unsigned dir_count;
    const uint8_t *dirs;

    memset(img, 0, sizeof(*img));
    img->path = path;
    if (!f)
        return fail(err, err_size, "cannot open the image");
    if (fseek(f, 0, SEEK_END) != 0 || (file_size = ftell(f)) < 0x200 || fseek(f, 0, SEEK_SET) != 0 ||
        !(file = malloc((size_t)file_size)) || fread(file, 1, (size_t)file_size, f) != (size_t)file_size) {
        fclose(f);
        free(file);
        return fail(err, err_size, "cannot read the image");
    }
    fclose(f);
#define CHECK(cond, what)                                                                         \
    do {                                                                                          \
        if (!(cond)) {                                                                            \
            free(file);                                                                           \
            pe_free(img);                                                                         \
            return fail(err, err_size, what);                                                     \
        }                                                                                         \
    } while (0)
    CHECK(file[0] == 'M' && file[1] == 'Z', "no MZ header");
    pe = le32(file + 0x3C);
    CHECK(pe < (uint32_t)file_size - 24 && memcmp(file + pe, "PE\0\0", 4) == 0, "no PE signature");
    img->machine = le16(file + pe + 4);
    section_count = le16(file + pe + 6);
    opt_size = le16(file + pe + 20);
    opt = pe + 24;
    section_table = opt + opt_size;
    CHECK(section_table + (uint64_t)section_count * 40 <= (uint64_t)file_size, "truncated headers");
    magic = le16(file + opt);
    CHECK(magic == 0x10B || magic == 0x20B, "unknown optional header");
    img->pe32plus = magic == 0x20B;
    img->entry = le32(file + opt + 16);
    img->base = img->pe32plus ? le64(file + opt + 24) : le32(file + opt + 28);
    img->size = le32(file + opt + 56);
    size_of_headers = le32(file + opt + 60);
    dir_count = le32(file + opt + (img->pe32plus ? 108 : 92));
    dirs = file + opt + (img->pe32plus ? 112 : 96);
    CHECK(img->size > 0 && img->size < (256u << 20), "implausible SizeOfImage");
    CHECK(size_of_headers <= img->size && size_of_headers <= (uint32_t)file_size, "bad SizeOfHeaders");
    if (dir_count > 3) {
        img->exception_rva = le32(dirs + 3 * 8);
        img->exception_size = le32(dirs + 3 * 8 + 4);
    }
    img->bytes = calloc(1, img->size);
    CHECK(img->bytes != NULL, "out of memory");
    memcpy(img->bytes, file, size_of_headers);
    for (unsigned i = 0; i < section_count; i++) {
        const uint8_t *s = file + section_table + i * 40;
        uint32_t vsize = le32(s + 8), va = le32(s + 12), raw_size = le32(s + 16), raw = le32(s + 20);
        uint32_t copy = raw_size < vsize || vsize == 0 ? raw_size : vsize;

        CHECK(va <= img->size && copy <= img->size - va, "a section lies outside the image");
        CHECK(raw <= (uint32_t)file_size && copy <= (uint32_t)file_size - raw, "truncated section");
        memcpy(img->bytes + va, file + raw, copy);
        if (memcmp(s, ".emufpo", 8) == 0) {
            img->fpo_rva = va;
            img->fpo_size = copy;
        }
        if (memcmp(s, ".emumark", 8) == 0) {
            uint32_t n = (vsize ? vsize : raw_size) / 12;
            img->marks = calloc(n ? n : 1, sizeof(*img->marks));
            CHECK(img->marks != NULL, "out of memory");
            for (uint32_t k = 0; k < n; k++) {
                const uint8_t *m = img->bytes + va + k * 12;
                if (le32(m) == 0)
                    continue; /* padding */
                img->marks[img->mark_count].kind = le32(m);
                img->marks[img->mark_count].begin = le32(m + 4);
                img->marks[img->mark_count].end = le32(m + 8);
                img->mark_count++;
            }
        }
    }
    /* No loader work beyond copying: the programs must not import (GNU ld
     * writes an import directory holding only the terminating descriptor). */
    if (dir_count > 1 && le32(dirs + 8 + 4) != 0) {
        uint32_t rva = le32(dirs + 8);
        CHECK(rva <= img->size - 20, "bad import directory");
        for (int k = 0; k < 20; k++)
            CHECK(img->bytes[rva + k] == 0, "the image imports something");
    }
    CHECK(img->exception_rva <= img->size && img->exception_size <= img->size - img->exception_rva,
          "the exception directory lies outside the image");
    load_symbols(img, file, (size_t)file_size, file + section_table, section_count);
#undef CHECK
    free(file);
    return true;
}

void pe_free(struct pe_image *img)
{
    free(img->bytes);
    free(img->marks);
    free(img->symbols);
    img->bytes = NULL;
    img->marks = NULL;
    img->symbols = NULL;
}

const struct emu_symbol *pe_symbol_before(const struct pe_image *img, uint64_t rva)
{
    unsigned lo = 0, hi = img->symbol_count;

    while (lo < hi) {
        unsigned mid = (lo + hi) / 2;
        if (img->symbols[mid].rva <= rva)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo == 0 ? NULL : &img->symbols[lo - 1];
}

bool pe_symbolize(const struct pe_image *img, uint32_t rva, char *out, size_t out_size)
{
    const struct emu_symbol *symbol = pe_symbol_before(img, rva);

    if (!symbol)
        return false;
    snprintf(out, out_size, "%s+%#x", symbol->name, rva - symbol->rva);
    return true;
}
