/* Reading a .dwsnap stack snapshot and serving it to a walk (snapshot.h). */
#include "snapshot.h"

#include <stdlib.h>
#include <string.h>

struct cursor {
    const uint8_t *p, *end;
    int ok;
};

static const uint8_t *take(struct cursor *c, size_t n)
{
    const uint8_t *at = c->p;
    if (!c->ok || (size_t)(c->end - c->p) < n) {
        c->ok = 0;
        return NULL;
    }
    c->p += n;
    return at;
}

static uint64_t take_le(struct cursor *c, unsigned bytes)
{
    const uint8_t *p = take(c, bytes);
    uint64_t v = 0;
    if (!p)
        return 0;
    for (unsigned i = bytes; i-- > 0;)
        v = (v << 8) | p[i];
    return v;
}

/* An array of `count` elements, each of which the file must spend at least
 * one byte on: a count beyond the bytes left is malformed, not allocated. */
static void *array(struct cursor *c, uint64_t count, size_t size)
{
    if (!c->ok || count > (uint64_t)(c->end - c->p) + 1) {
        c->ok = 0;
        return NULL;
    }
    return calloc(count ? (size_t)count : 1, size);
}

int snapshot_parse(const uint8_t *data, size_t size, struct snapshot *s)
{
    struct cursor c = {data, data + size, 1};
    const uint8_t *magic = take(&c, 8);

    memset(s, 0, sizeof(*s));
    if (!magic || memcmp(magic, "DWSNAP1\n", 8) != 0)
        return 0;
    s->machine = (uint32_t)take_le(&c, 4);
    s->context_size = (uint32_t)take_le(&c, 4);
    if (s->context_size > SNAPSHOT_CONTEXT_BYTES)
        return 0;
    s->context = calloc(1, SNAPSHOT_CONTEXT_BYTES);
    if (!s->context)
        return 0;
    {
        const uint8_t *ctx = take(&c, s->context_size);
        if (ctx)
            memcpy(s->context, ctx, s->context_size);
    }
    s->region_count = (uint32_t)take_le(&c, 4);
    s->regions = array(&c, s->region_count, sizeof(*s->regions));
    for (uint32_t i = 0; c.ok && i < s->region_count; i++) {
        s->regions[i].base = take_le(&c, 8);
        s->regions[i].size = (uint32_t)take_le(&c, 4);
        s->regions[i].bytes = take(&c, s->regions[i].size);
    }
    s->module_count = (uint32_t)take_le(&c, 4);
    s->modules = array(&c, s->module_count, sizeof(*s->modules));
    for (uint32_t i = 0; c.ok && i < s->module_count; i++) {
        const uint8_t *name;
        s->modules[i].base = take_le(&c, 8);
        s->modules[i].size = (uint32_t)take_le(&c, 4);
        name = take(&c, 32);
        if (name)
            memcpy(s->modules[i].name, name, 32);
    }
    s->entry_size = (uint32_t)take_le(&c, 4);
    s->entry_count = (uint32_t)take_le(&c, 4);
    if (s->entry_size > 16)
        return 0;
    s->entries = array(&c, s->entry_count, sizeof(*s->entries));
    for (uint32_t i = 0; c.ok && i < s->entry_count; i++) {
        const uint8_t *bytes;
        s->entries[i].module = (uint32_t)take_le(&c, 4);
        bytes = take(&c, s->entry_size);
        if (bytes)
            memcpy(s->entries[i].bytes, bytes, s->entry_size);
        if (s->entries[i].module >= s->module_count)
            c.ok = 0;
    }
    s->frame_count = (uint32_t)take_le(&c, 4);
    s->frames = array(&c, s->frame_count, sizeof(*s->frames));
    for (uint32_t i = 0; c.ok && i < s->frame_count; i++) {
        s->frames[i][0] = take_le(&c, 8);
        s->frames[i][1] = take_le(&c, 8);
    }
    return c.ok;
}

void snapshot_free(struct snapshot *s)
{
    free(s->context);
    free(s->regions);
    free(s->modules);
    free(s->entries);
    free(s->frames);
    memset(s, 0, sizeof(*s));
}

DWORD snapshot_copy_memory(const struct snapshot *s, uint64_t address, void *buffer, DWORD size)
{
    DWORD done = 0;

    while (done < size) {
        uint64_t at = address + done;
        const struct snapshot_region *r = NULL;
        for (uint32_t i = 0; i < s->region_count; i++)
            if (at >= s->regions[i].base && at - s->regions[i].base < s->regions[i].size)
                r = &s->regions[i];
        if (!r)
            break;
        {
            uint64_t offset = at - r->base, n = r->size - offset;
            if (n > size - done)
                n = size - done;
            memcpy((uint8_t *)buffer + done, r->bytes + offset, (size_t)n);
            done += (DWORD)n;
        }
    }
    return done;
}

BOOL WINAPI snapshot_read_memory(HANDLE process, DWORD64 address, PVOID buffer, DWORD size,
                                 LPDWORD got)
{
    struct snapshot *s = process;

    s->reads++;
    *got = snapshot_copy_memory(s, address, buffer, size);
    return *got == size;
}

const struct snapshot_module *snapshot_module_at(const struct snapshot *s, uint64_t address)
{
    for (uint32_t i = 0; i < s->module_count; i++)
        if (address >= s->modules[i].base && address - s->modules[i].base < s->modules[i].size)
            return &s->modules[i];
    return NULL;
}

DWORD64 WINAPI snapshot_module_base(HANDLE process, DWORD64 address)
{
    const struct snapshot_module *m = snapshot_module_at(process, address);
    return m ? m->base : 0;
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
           ((uint32_t)p[3] << 24);
}

/* An ARM64 function's length: in a packed entry, or in its .xdata header. */
static uint32_t arm64_length(const struct snapshot *s, const struct snapshot_module *m,
                             const uint8_t *e)
{
    uint32_t unwind = le32(e + 4);
    uint8_t header[4];

    if ((unwind & 3) == 1 || (unwind & 3) == 2)
        return ((unwind >> 2) & 0x7FF) * 4;
    if ((unwind & 3) == 0 && snapshot_copy_memory(s, m->base + unwind, header, 4) == 4)
        return (le32(header) & 0x3FFFF) * 4;
    return 0;
}

const uint8_t *snapshot_entry_at(const struct snapshot *s, uint64_t address)
{
    const struct snapshot_module *m = snapshot_module_at(s, address);
    uint32_t module, rva;

    if (!m)
        return NULL;
    module = (uint32_t)(m - s->modules);
    rva = (uint32_t)(address - m->base);
    for (uint32_t i = 0; i < s->entry_count; i++) {
        const uint8_t *e = s->entries[i].bytes;
        uint32_t begin, end;
        if (s->entries[i].module != module)
            continue;
        begin = le32(e);
        if (s->entry_size == 12)
            end = le32(e + 4);
        else if (s->entry_size == 16)
            end = begin + le32(e + 4);
        else if (rva >= begin)
            end = begin + arm64_length(s, m, e);
        else
            end = begin;
        if (rva >= begin && rva < end)
            return e;
    }
    return NULL;
}

PVOID WINAPI snapshot_function_table(HANDLE process, DWORD64 address)
{
    return (PVOID)snapshot_entry_at(process, address);
}

uint64_t snapshot_context_register(const struct snapshot *s, int want_sp)
{
    unsigned offset, bytes = s->machine == IMAGE_FILE_MACHINE_I386 ? 4 : 8;
    uint64_t v = 0;

    if (s->machine == IMAGE_FILE_MACHINE_AMD64)
        offset = want_sp ? 0x98 : 0xF8;
    else if (s->machine == IMAGE_FILE_MACHINE_ARM64)
        offset = want_sp ? 0x100 : 0x108;
    else
        offset = want_sp ? 0xC4 : 0xB8;
    for (unsigned i = bytes; i-- > 0;)
        v = (v << 8) | s->context[offset + i];
    return v;
}
