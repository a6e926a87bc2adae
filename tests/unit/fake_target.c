#include "fake_target.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ft_init(struct fake_target *t)
{
    memset(t, 0, sizeof(*t));
}

void ft_free(struct fake_target *t)
{
    for (unsigned i = 0; i < t->region_count; i++)
        free(t->regions[i].bytes);
    memset(t, 0, sizeof(*t));
}

uint8_t *ft_map(struct fake_target *t, uint64_t base, size_t size)
{
    struct ft_region *r;

    if (t->region_count == FT_MAX_REGIONS) {
        fprintf(stderr, "fake_target: too many regions\n");
        abort();
    }
    r = &t->regions[t->region_count++];
    r->base = base;
    r->size = size;
    r->bytes = calloc(1, size);
    if (!r->bytes)
        abort();
    return r->bytes;
}

uint8_t *ft_map_image(struct fake_target *t, uint64_t base, size_t size)
{
    t->image = ft_map(t, base, size);
    t->image_base = base;
    t->image_size = size;
    t->module_base_answer = base;
    return t->image;
}

static struct ft_region *region_of(struct fake_target *t, uint64_t address)
{
    for (unsigned i = 0; i < t->region_count; i++) {
        struct ft_region *r = &t->regions[i];
        if (address >= r->base && address - r->base < r->size)
            return r;
    }
    return NULL;
}

/* How many bytes from `address` are mapped, up to `limit`. */
static size_t readable_prefix(struct fake_target *t, uint64_t address, size_t limit)
{
    size_t done = 0;

    while (done < limit) {
        struct ft_region *r = region_of(t, address + done);
        size_t avail;
        if (!r)
            break;
        avail = r->size - (size_t)(address + done - r->base);
        done += avail < limit - done ? avail : limit - done;
    }
    return done;
}

static void copy_out(struct fake_target *t, uint64_t address, uint8_t *out, size_t size)
{
    while (size > 0) {
        struct ft_region *r = region_of(t, address);
        size_t offset = (size_t)(address - r->base);
        size_t take = r->size - offset < size ? r->size - offset : size;
        memcpy(out, r->bytes + offset, take);
        out += take;
        address += take;
        size -= take;
    }
}

uint8_t *ft_at(struct fake_target *t, uint64_t address, size_t size)
{
    struct ft_region *r = region_of(t, address);

    if (!r || address - r->base + size > r->size)
        return NULL;
    return r->bytes + (address - r->base);
}

void ft_write(struct fake_target *t, uint64_t address, const void *bytes, size_t size)
{
    uint8_t *p = ft_at(t, address, size);

    if (!p) {
        fprintf(stderr, "fake_target: write outside the map at %#llx\n",
                (unsigned long long)address);
        abort();
    }
    memcpy(p, bytes, size);
}

void ft_write64(struct fake_target *t, uint64_t address, uint64_t value)
{
    uint8_t b[8];
    for (int i = 0; i < 8; i++)
        b[i] = (uint8_t)(value >> (8 * i));
    ft_write(t, address, b, 8);
}

uint64_t ft_read64(struct fake_target *t, uint64_t address)
{
    uint8_t *p = ft_at(t, address, 8);
    uint64_t v = 0;

    if (!p)
        abort();
    for (int i = 7; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

IMAGE_RUNTIME_FUNCTION_ENTRY *ft_add_function(struct fake_target *t, uint32_t begin, uint32_t end,
                                              uint32_t unwind)
{
    unsigned at;

    if (t->function_count == FT_MAX_FUNCTIONS)
        abort();
    /* kept sorted as entries arrive, so that lookups never write */
    for (at = t->function_count; at > 0 && t->functions[at - 1].BeginAddress > begin; at--)
        t->functions[at] = t->functions[at - 1];
    t->function_count++;
    t->functions[at].BeginAddress = begin;
    t->functions[at].EndAddress = end;
    t->functions[at].UnwindData = unwind;
    return &t->functions[at];
}

BOOL WINAPI ft_read_memory(HANDLE process, DWORD64 address, PVOID buffer, DWORD size,
                           LPDWORD bytes_read)
{
    struct fake_target *t = process;
    size_t give, prefix;
    BOOL ok;

    /* counters are shared when several threads walk one target */
    __atomic_fetch_add(&t->callbacks, 1, __ATOMIC_RELAXED);
    *bytes_read = 0;
    if (address + size < address)
        return FALSE;
    prefix = readable_prefix(t, address, size);
    switch (t->mode) {
    case FT_READ_EXACT:
        give = prefix == size ? size : 0;
        ok = give == size;
        break;
    case FT_READ_PARTIAL:
        give = prefix;
        ok = give == size;
        break;
    case FT_READ_CAPPED16:
        give = prefix < 16 ? prefix : 16;
        if (give > size)
            give = size;
        ok = give == size || give == 16;
        break;
    case FT_READ_SHORT_TRUE:
        give = size > 1 ? (size + 1) / 2 : size;
        if (give > prefix)
            give = prefix;
        ok = give > 0;
        break;
    case FT_READ_PAGE_BOUND:
        if (size > 0 && (address >> 12) != ((address + size - 1) >> 12))
            give = 0;
        else
            give = prefix == size ? size : 0;
        ok = give == size;
        break;
    default:
        give = 0;
        ok = FALSE;
    }
    copy_out(t, address, buffer, give);
    __atomic_fetch_add(&t->bytes_delivered, give, __ATOMIC_RELAXED);
    *bytes_read = (DWORD)give;
    return ok;
}

PVOID WINAPI ft_function_table(HANDLE process, DWORD64 address)
{
    struct fake_target *t = process;
    uint64_t rva;

    __atomic_fetch_add(&t->table_calls, 1, __ATOMIC_RELAXED);
    if (!t->image || address < t->image_base || address - t->image_base >= t->image_size)
        return NULL;
    rva = address - t->image_base;
    for (unsigned i = 0; i < t->function_count; i++) {
        if (rva >= t->functions[i].BeginAddress && rva < t->functions[i].EndAddress)
            return &t->functions[i];
    }
    return NULL;
}

DWORD64 WINAPI ft_module_base(HANDLE process, DWORD64 address)
{
    struct fake_target *t = process;

    if (!t->image || address < t->image_base || address - t->image_base >= t->image_size)
        return 0;
    return t->module_base_answer;
}

BOOL WINAPI ft_read_memory32(HANDLE process, DWORD address, PVOID buffer, DWORD size,
                             LPDWORD bytes_read)
{
    return ft_read_memory(process, address, buffer, size, bytes_read);
}

PVOID WINAPI ft_function_table32(HANDLE process, DWORD address)
{
    return ft_function_table(process, address);
}

DWORD WINAPI ft_module_base32(HANDLE process, DWORD address)
{
    return (DWORD)ft_module_base(process, address);
}

const char *ft_mode_name(enum ft_read_mode mode)
{
    static const char *const names[] = {"exact", "partial (ReadProcessMemory-like)",
                                        "capped at 16 bytes", "short with TRUE",
                                        "page-bounded"};
    return mode < FT_READ_MODE_COUNT ? names[mode] : "?";
}
