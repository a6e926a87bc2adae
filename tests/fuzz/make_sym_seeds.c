/*
 * Writes the seed images of the symbol-services fuzz target: small PE images
 * built with the unit tests' PE builder (x64 with .pdata and exports, ARM64,
 * x86), each behind 8 knob bytes. Run by make-seeds.sh.
 */
#include "../unit/pe_builder.h"

#include <stdio.h>
#include <string.h>

#define SIZE 0x4000u

static int save(const char *dir, const char *name, const uint8_t knobs[8], const uint8_t *image)
{
    char path[512];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    f = fopen(path, "wb");
    if (!f || fwrite(knobs, 1, 8, f) != 8 || fwrite(image, 1, SIZE, f) != SIZE) {
        if (f)
            fclose(f);
        return 1;
    }
    return fclose(f) != 0;
}

int main(int argc, char **argv)
{
    static uint8_t image[SIZE];
    static const uint32_t entries[][3] = {{0x1000, 0x1040, 0x2000}, {0x1040, 0x1100, 0x2010},
                                          {0x1200, 0x1300, 0x2020}};
    static const struct pe_export exports[] = {{"alpha", 0x1000}, {"beta", 0x1040},
                                               {"gamma", 0x1200}};
    const uint8_t from_file[8] = {0, 1, 0, 0, 0x10, 0, 0, 0};
    const uint8_t from_callback[8] = {1, 1, 2, 1, 0x10, 0, 0, 0};
    const uint8_t from_routine[8] = {2, 2, 1, 0, 0x11, 0, 0, 0};
    uint32_t pdata, exports_size;
    int failures = 0;

    if (argc != 2) {
        fprintf(stderr, "usage: %s DIR\n", argv[0]);
        return 2;
    }
    /* x64: .pdata at 0x3000, exports at 0x3100 */
    memset(image, 0, sizeof(image));
    pdata = pe_write_pdata(image, 0x3000, entries, 3);
    exports_size = pe_write_exports(image, 0x3100, "seed.dll", exports, 3);
    pe_build_headers(image, SIZE, 0x8664, 0x180000000ull, 0x3000, pdata, 0x3100, exports_size);
    failures += save(argv[1], "x64-file", from_file, image);
    failures += save(argv[1], "x64-callback", from_callback, image);
    failures += save(argv[1], "x64-routine", from_routine, image);

    /* ARM64: the same table read as 8-byte entries (begin, packed unwind) */
    pe_build_headers(image, SIZE, 0xAA64, 0x180000000ull, 0x3000, 24, 0x3100, exports_size);
    failures += save(argv[1], "arm64-routine", from_routine, image);

    /* x86: PE32 headers, no exception directory */
    memset(image, 0, sizeof(image));
    exports_size = pe_write_exports(image, 0x3100, "seed.dll", exports, 3);
    pe_build_headers(image, SIZE, 0x014C, 0x10000000ull, 0, 0, 0x3100, exports_size);
    failures += save(argv[1], "x86-file", from_file, image);
    return failures ? 1 : 0;
}
