/*
 * Separate debug files named by .gnu_debuglink (a file name, NUL, padding to
 * four bytes, then the CRC-32 of the debug file, as GNU objcopy
 * --add-gnu-debuglink writes it). The file is looked for where gdb looks:
 * next to the image, in its .debug subdirectory, and under /usr/lib/debug
 * followed by the image's directory; the first whose CRC matches wins.
 */
#include "dwarf_internal.h"

#include <stdlib.h>

/* CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320), as gdb checks it. */
uint32_t dwarf_crc32(uint32_t crc, const uint8_t *data, size_t size)
{
    crc = ~crc;
    for (size_t i = 0; i < size; i++) {
        crc ^= data[i];
        for (unsigned k = 0; k < 8; k++)
            crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1)));
    }
    return ~crc;
}

static bool file_crc(const char *path, uint32_t *crc)
{
    FILE *f = fopen(path, "rb");
    uint8_t buffer[65536];
    size_t n;

    if (!f)
        return false;
    *crc = 0;
    while ((n = fread(buffer, 1, sizeof(buffer), f)) > 0)
        *crc = dwarf_crc32(*crc, buffer, n);
    fclose(f);
    return true;
}

bool dwarf_find_debuglink(struct dwarf_reader *image, const char *image_path, char *out,
                          size_t out_size)
{
    char link[256], dir[260];
    uint8_t crc_bytes[4];
    uint32_t size = image->debuglink.size, name_length, expected;
    const char *slash;
    size_t dir_length;
    const char *patterns[] = {"%s%s", "%s.debug/%s", "/usr/lib/debug/%s%s"};

    if (size < 6 || size > sizeof(link) + 4)
        return false;
    {
        uint8_t raw[sizeof(link) + 4];
        if (!image->source.read(image->source.context, image->debuglink.offset, raw, size))
            return false;
        if (!memchr(raw, 0, size - 4))
            return false;
        name_length = (uint32_t)strlen((const char *)raw);
        if (name_length == 0 || ((name_length + 4) & ~3u) + 4 > size)
            return false;
        memcpy(link, raw, name_length + 1);
        memcpy(crc_bytes, raw + ((name_length + 4) & ~3u), 4);
    }
    expected = dw_le32(crc_bytes);
    if (strchr(link, '/') || strchr(link, '\\'))
        return false; /* a bare file name only, never a path elsewhere */
    slash = strrchr(image_path, '/');
    {
        const char *back = strrchr(image_path, '\\');
        if (back && (!slash || back > slash))
            slash = back;
    }
    dir_length = slash ? (size_t)(slash - image_path) + 1 : 0;
    if (dir_length >= sizeof(dir))
        return false;
    memcpy(dir, image_path, dir_length);
    dir[dir_length] = 0;
    for (unsigned i = 0; i < DW_ARRAY_SIZE(patterns); i++) {
        uint32_t crc;
        int n;
        const char *d = dir;
        if (i == 2 && dir[0] != '/')
            continue; /* /usr/lib/debug mirrors absolute directories only */
        if (i == 2)
            d = dir + 1;
        n = snprintf(out, out_size, patterns[i], d, link);
        if (n < 0 || (size_t)n >= out_size)
            continue;
        if (strcmp(out, image_path) == 0)
            continue;
        if (file_crc(out, &crc) && crc == expected)
            return true;
    }
    return false;
}
