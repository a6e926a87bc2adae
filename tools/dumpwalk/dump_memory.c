/*
 * The dump as the walk's target memory: a ReadProcessMemory-like routine over
 * the dump's memory ranges, and, where the dump has none, the module images
 * loaded with -i, mapped the way the loader maps their sections (minidumps
 * carry no images, so the unwind data and code the walker reads are mostly
 * not in the dump).
 */
#include "dumpwalk.h"

#include <string.h>

static const struct region *region_at(const struct dump *d, uint64_t address)
{
    size_t low = 0, high = d->region_count;

    /* the last region starting at or below address, then back over the
     * ones that might still reach it (overlaps are rare) */
    while (low < high) {
        size_t mid = low + (high - low) / 2;
        if (d->regions[mid].base <= address)
            low = mid + 1;
        else
            high = mid;
    }
    while (low-- > 0) {
        const struct region *r = &d->regions[low];
        if (r->max_end <= address)
            break;
        if (address - r->base < r->size)
            return r;
    }
    return NULL;
}

const struct module *module_at(const struct dump *d, uint64_t address)
{
    for (size_t i = 0; i < d->module_count; i++)
        if (address >= d->modules[i].base && address - d->modules[i].base < d->modules[i].size)
            return &d->modules[i];
    return NULL;
}

/* The section table of an image file (PE/COFF), checked against the file;
 * 0 when it is not an image we can map. */
int map_image(struct module *m)
{
    const uint8_t *f = m->file_bytes;
    size_t size = m->file_size;
    uint32_t pe, optional_size, sections;

    if (size < 0x40 || f[0] != 'M' || f[1] != 'Z')
        return 0;
    pe = le32(f + 0x3C);
    if (pe > size || size - pe < 24 || memcmp(f + pe, "PE\0\0", 4) != 0)
        return 0;
    m->section_count = le16(f + pe + 6);
    optional_size = le16(f + pe + 20);
    sections = pe + 24 + optional_size;
    if (optional_size < 64 || sections > size ||
        (size - sections) / 40 < m->section_count)
        return 0;
    m->headers_size = le32(f + pe + 24 + 60);
    if (m->headers_size > size)
        m->headers_size = (uint32_t)size;
    m->sections = f + sections;
    return 1;
}

/* The image's bytes at `rva` as the loader maps them: a pointer to up to
 * *length of them in the file, or NULL with *length zero-filled bytes (the
 * part of a section beyond its raw data); *length 0 outside the image. */
static const uint8_t *image_bytes(const struct module *m, uint32_t rva, uint64_t *length)
{
    *length = 0;
    if (rva < m->headers_size) {
        *length = m->headers_size - rva;
        return m->file_bytes + rva;
    }
    for (uint32_t i = 0; i < m->section_count; i++) {
        const uint8_t *s = m->sections + (size_t)i * 40;
        uint32_t virtual_size = le32(s + 8), va = le32(s + 12), raw_size = le32(s + 16),
                 raw = le32(s + 20), extent = virtual_size > raw_size ? virtual_size : raw_size;
        uint64_t offset = (uint64_t)rva - va;
        if (rva < va || offset >= extent)
            continue;
        if (raw <= m->file_size && offset < raw_size && offset < m->file_size - raw) {
            uint64_t in_file = m->file_size - raw - offset;
            *length = raw_size - offset < in_file ? raw_size - offset : in_file;
            return m->file_bytes + raw + offset;
        }
        *length = extent - offset;
        return NULL;
    }
    return NULL;
}

/* Like ReadProcessMemory: FALSE with the count of what could be read. The
 * dump's memory first; where it has none, the module images given with -i. */
BOOL WINAPI read_memory(HANDLE process, DWORD64 address, PVOID buffer, DWORD size,
                        LPDWORD bytes_read)
{
    struct dump *d = process;
    DWORD done = 0;

    d->reads++;
    while (done < size && address + done >= address) {
        uint64_t at = address + done, n;
        const struct region *r = region_at(d, at);
        const struct module *m;
        const uint8_t *from;
        if (r) {
            from = r->bytes + (at - r->base);
            n = r->size - (at - r->base);
        } else if ((m = module_at(d, at)) != NULL && m->file_bytes) {
            from = image_bytes(m, (uint32_t)(at - m->base), &n);
            if (n > m->size - (at - m->base))
                n = m->size - (at - m->base);
            if (n == 0)
                break;
            if (n > size - done)
                n = size - done;
            d->image_bytes += n;
        } else {
            break;
        }
        if (n > size - done)
            n = size - done;
        if (from)
            memcpy((uint8_t *)buffer + done, from, (size_t)n);
        else
            memset((uint8_t *)buffer + done, 0, (size_t)n);
        done += (DWORD)n;
    }
    if (bytes_read)
        *bytes_read = done;
    return done == size;
}

int peek_memory(struct dump *d, uint64_t address, void *buffer, unsigned size)
{
    unsigned long long reads = d->reads, from_images = d->image_bytes;
    DWORD got = 0;
    BOOL ok = read_memory(d, address, buffer, size, &got);

    d->reads = reads;
    d->image_bytes = from_images;
    return ok;
}

int peek_pointer(struct dump *d, uint64_t address, unsigned size, uint64_t *value)
{
    uint8_t bytes[8];
    int ok = (size == 4 || size == 8) && peek_memory(d, address, bytes, size);

    *value = ok ? (size == 4 ? le32(bytes) : le64(bytes)) : 0;
    return ok;
}
