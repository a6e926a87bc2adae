/* The memory ranges a dump saves: added by the streams and the caller's
 * MemoryCallback, removed by RemoveMemoryCallback, merged before writing. */
#ifdef _WIN32
#include "dump_writer.h"

#include <string.h>

/* More ranges than this come only from a runaway callback. */
#define MAX_RANGES (1u << 20)

bool dump_memory_add(struct dump_memory *m, uint64_t start, uint64_t size)
{
    if (size == 0 || start + size < start)
        return false;
    if (m->count == m->capacity) {
        size_t capacity = m->capacity ? m->capacity * 2 : 64;
        struct dump_range *grown;
        if (capacity > MAX_RANGES)
            return false;
        grown = dump_realloc(m->ranges, capacity * sizeof(*grown));
        if (!grown)
            return false;
        m->ranges = grown;
        m->capacity = capacity;
    }
    m->ranges[m->count++] = (struct dump_range){start, size, 0};
    return true;
}

static int by_start(const void *a, const void *b)
{
    const struct dump_range *x = a, *y = b;
    return x->start < y->start ? -1 : x->start > y->start;
}

void dump_memory_normalise(struct dump_memory *m)
{
    size_t out = 0;

    if (!m->count)
        return;
    qsort(m->ranges, m->count, sizeof(*m->ranges), by_start);
    for (size_t i = 1; i < m->count; i++) {
        struct dump_range *last = &m->ranges[out];
        uint64_t end = last->start + last->size;
        if (m->ranges[i].start <= end) {
            uint64_t other = m->ranges[i].start + m->ranges[i].size;
            if (other > end)
                last->size = other - last->start;
        } else {
            m->ranges[++out] = m->ranges[i];
        }
    }
    m->count = out + 1;
}

void dump_memory_remove(struct dump_memory *m, uint64_t start, uint64_t size)
{
    uint64_t end = start + size;

    if (size == 0 || end < start)
        return;
    dump_memory_normalise(m);
    for (size_t i = 0; i < m->count; i++) {
        struct dump_range *r = &m->ranges[i];
        uint64_t r_end = r->start + r->size;
        if (end <= r->start || start >= r_end)
            continue;
        if (start > r->start && end < r_end) { /* splits it in two */
            uint64_t tail_start = end, tail_size = r_end - end;
            r->size = start - r->start;
            dump_memory_add(m, tail_start, tail_size);
            continue;
        }
        if (start > r->start) {
            r->size = start - r->start; /* keeps its head */
        } else if (end >= r_end) {
            r->size = 0; /* wholly removed */
        } else {
            r->size = r_end - end; /* keeps its tail */
            r->start = end;
        }
    }
    /* drop the emptied ones */
    size_t out = 0;
    for (size_t i = 0; i < m->count; i++)
        if (m->ranges[i].size)
            m->ranges[out++] = m->ranges[i];
    m->count = out;
    dump_memory_normalise(m);
}

uint64_t dump_memory_rva_of(const struct dump_memory *m, uint64_t address)
{
    size_t lo = 0, hi = m->count;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (m->ranges[mid].start <= address)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0)
        return 0;
    const struct dump_range *r = &m->ranges[lo - 1];
    return address - r->start < r->size && r->rva ? r->rva + (address - r->start) : 0;
}

void dump_memory_free(struct dump_memory *m)
{
    dump_free(m->ranges);
    memset(m, 0, sizeof(*m));
}
#endif
