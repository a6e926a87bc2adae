/*
 * The callback reader and its per-walk block cache.
 *
 * Reads are served from aligned blocks. A miss asks the routine for the whole
 * block; when that is refused or comes back short of what is needed, it asks
 * again for the rest, and then for just the bytes needed, so that a readable
 * range never fails because a larger request crossed into unmapped memory.
 */
#include "memory.h"
#include "walk_state.h"

#include <stdatomic.h>

#define BLOCK_SIZE MEMORY_BLOCK_SIZE
#define BLOCK_COUNT (MEMORY_BLOCK_SETS * MEMORY_BLOCK_WAYS)

_Static_assert(BLOCK_SIZE <= MEMORY_MAX_REQUEST, "a block is one request");
_Static_assert((MEMORY_BLOCK_SETS & (MEMORY_BLOCK_SETS - 1)) == 0, "sets: a power of two");

static atomic_uint_fast64_t next_walk_id = 1;

uint64_t memory_new_walk_id(void)
{
    return (uint64_t)atomic_fetch_add_explicit(&next_walk_id, 1, memory_order_relaxed);
}

void memory_reader_open_cache(struct memory_reader *reader, struct read_cache *cache,
                              HANDLE process, PREAD_PROCESS_MEMORY_ROUTINE64 read,
                              PREAD_PROCESS_MEMORY_ROUTINE32 read32, uint64_t walk_id)
{
    reader->process = process;
    reader->read = read;
    reader->read32 = read32;
    reader->callbacks = 0;
    reader->cache = NULL;
    if (!cache || cache->busy)
        return;
    if (cache->walk_id != walk_id || cache->process != process || cache->read != read ||
        cache->read32 != read32) {
        /* A new generation empties every block at once; only when the
         * counter wraps are the blocks cleared for real. */
        if (++cache->generation == 0) {
            for (unsigned i = 0; i < BLOCK_COUNT; i++)
                cache->blocks[i].generation = 0;
            cache->generation = 1;
        }
        cache->walk_id = walk_id;
        cache->process = process;
        cache->read = read;
        cache->read32 = read32;
        cache->clock = 0;
        cache->window = MEMORY_FIRST_WINDOW;
        cache->recent[0] = cache->recent[1] = NULL;
    }
    cache->busy = true;
    reader->cache = cache;
}

void memory_reader_open(struct memory_reader *reader, HANDLE process,
                        PREAD_PROCESS_MEMORY_ROUTINE64 read, PREAD_PROCESS_MEMORY_ROUTINE32 read32,
                        uint64_t walk_id)
{
    struct walk_caches *caches = walk_thread_caches(walk_thread_state());

    /* out of memory for the caches: every read goes to the routine */
    memory_reader_open_cache(reader, caches ? &caches->cache : NULL, process, read, read32,
                             walk_id);
}

void memory_reader_close(struct memory_reader *reader)
{
    if (reader->cache)
        reader->cache->busy = false;
    reader->cache = NULL;
}

/* One call of the routine; returns how many bytes it delivered (clamped to
 * the request, whatever it claims), treating FALSE as "what it reports". */
static uint32_t call_routine(struct memory_reader *reader, uint64_t address, uint8_t *buffer,
                             uint32_t size)
{
    DWORD got = 0;
    BOOL ok;

    if (size == 0)
        return 0;
    reader->callbacks++;
    /* A routine that says TRUE without a count is taken to have filled the
     * buffer; one that did not must leave zeros, not what the buffer held
     * before (a cache block last filled by another walk, of another
     * process, or uninitialised heap). */
    memset(buffer, 0, size);
    if (reader->read) {
        ok = reader->read(reader->process, address, buffer, size, &got);
    } else {
        /* A 32-bit routine sees 32-bit addresses; nothing lies above. */
        if (address > 0xFFFFFFFFu || address + size - 1 > 0xFFFFFFFFu)
            return 0;
        ok = reader->read32(reader->process, (DWORD)address, buffer, size, &got);
    }
    if (got > size)
        got = ok ? size : 0; /* a claim we cannot trust */
    if (ok && got == 0)
        got = size; /* routines that never set the count on success */
    return got;
}

/* Asks for [address, address + size) and, after a short read, again for the
 * rest, until at least `want` bytes from the start have come. Returns how
 * many did. Asking for more than we need lets one callback serve later
 * reads; continuing only up to `want` keeps a routine that delivers a few
 * bytes per call from being asked for a whole block. */
static uint32_t read_run(struct memory_reader *reader, uint64_t address, uint8_t *buffer,
                         uint32_t size, uint32_t want)
{
    uint32_t done = 0;

    while (done < want) {
        uint32_t got = call_routine(reader, address + done, buffer + done, size - done);
        if (got == 0)
            break;
        done += got;
    }
    return done;
}

/* Reads block bytes from `from` until at least `need_end`: first up to
 * `limit`, then, if that was refused part-way, just what is needed (a
 * routine may refuse a request that crosses into unmapped memory). Returns
 * the end of what is now valid from `from`. */
static uint32_t fetch(struct memory_reader *reader, struct cache_block *block, uint32_t from,
                      uint32_t need_end, uint32_t limit)
{
    uint32_t end = from;

    if (!block->tail_refused)
        end += read_run(reader, block->base + from, block->bytes + from, limit - from,
                        need_end - from);
    if (end < need_end) {
        block->tail_refused = true;
        end += read_run(reader, block->base + end, block->bytes + end, need_end - end,
                        need_end - end);
    }
    return end;
}

/* The end of a request that starts at `from` and must reach `need_end`:
 * the window, at least the need, at most the block. */
static uint32_t request_end(const struct read_cache *cache, uint32_t from, uint32_t need_end)
{
    uint32_t end = from + cache->window;

    if (end < need_end)
        end = need_end;
    return end > BLOCK_SIZE ? BLOCK_SIZE : end;
}

/* A request that continues what the walk read: the walk is reading
 * sequentially, so the next requests ask for more. */
static void widen(struct read_cache *cache)
{
    if (cache->window < BLOCK_SIZE)
        cache->window *= 2;
}

/* Makes [offset, offset + size) of the block at `base` valid, keeping (and
 * joining) a valid range the need starts in, ends in or lies a window above. */
static bool fill_block(struct memory_reader *reader, struct read_cache *cache,
                       struct cache_block *block, uint64_t base, uint32_t offset, uint32_t size)
{
    uint32_t need_end = offset + size;
    uint32_t start, end, lo;

    if (block->base != base || block->hi <= block->lo) {
        block->base = base;
        block->lo = block->hi = 0;
        block->tail_refused = false;
    }

    if (block->hi > block->lo) {
        /* Above the valid range, at most a window past it: extend it (the
         * gap too), unless the gap turns out unreadable. */
        if (block->lo <= offset && offset <= block->hi + cache->window) {
            uint32_t hi = block->hi;
            widen(cache);
            end = fetch(reader, block, hi, need_end, request_end(cache, hi, need_end));
            if (end >= need_end) {
                block->hi = end;
                return true;
            }
            if (offset <= hi)
                return false; /* the bytes right after the valid ones are not there */
            /* bytes in the gap may have come: [lo, hi) is still intact */
            block->tail_refused = false;
        } else if (offset < block->lo && need_end <= block->hi) {
            /* Below it: read down to it, from a window lower where that is
             * readable, else just from the need. */
            uint32_t lo_now = block->lo;
            start = lo_now > cache->window ? lo_now - cache->window : 0;
            if (start > offset)
                start = offset;
            if (read_run(reader, base + start, block->bytes + start, lo_now - start,
                         lo_now - start) == lo_now - start) {
                block->lo = start;
                return true;
            }
            if (start < offset &&
                read_run(reader, base + offset, block->bytes + offset, lo_now - offset,
                         lo_now - offset) == lo_now - offset) {
                block->lo = offset;
                return true;
            }
            return false;
        }
        /* Elsewhere in the block: the valid range gives way. */
        block->lo = block->hi = 0;
        block->tail_refused = false;
    }

    /* One call for a window from the need (cache-line aligned down), so
     * that it serves later reads. The window start may be unreadable while
     * the bytes we need are fine, and a routine that delivers a few bytes
     * per call would need many calls to get from the start to the need:
     * unless what came reaches the need, carry on from the first needed
     * byte. */
    start = offset & ~63u;
    end = start + call_routine(reader, base + start, block->bytes + start,
                               request_end(cache, start, need_end) - start);
    if (end >= need_end) {
        block->lo = start;
        block->hi = end;
        return true;
    }
    lo = end >= offset ? start : offset; /* keep what came if it reaches the need */
    end = fetch(reader, block, lo == start ? end : offset, need_end,
                request_end(cache, start, need_end));
    if (end < need_end) {
        block->lo = block->hi = 0;
        return false;
    }
    block->lo = lo;
    block->hi = end;
    return true;
}

static bool block_valid(const struct read_cache *cache, const struct cache_block *b)
{
    return b->generation == cache->generation && b->hi > b->lo;
}

/* The block for `base`: one of the two ways of its set, or the older of
 * them emptied for it. */
static struct cache_block *find_block(struct read_cache *cache, uint64_t base)
{
    uint64_t page = base / BLOCK_SIZE;
    unsigned set = (unsigned)((page ^ (page >> 9)) & (MEMORY_BLOCK_SETS - 1));
    struct cache_block *way = &cache->blocks[set * MEMORY_BLOCK_WAYS], *victim = way;

    for (unsigned i = 0; i < MEMORY_BLOCK_WAYS; i++) {
        struct cache_block *b = &way[i];
        if (!block_valid(cache, b)) {
            if (block_valid(cache, victim))
                victim = b;
            continue;
        }
        if (b->base == base)
            return b;
        if (block_valid(cache, victim) && b->last_use < victim->last_use)
            victim = b;
    }
    victim->generation = cache->generation;
    victim->base = base;
    victim->lo = victim->hi = 0;
    victim->tail_refused = false;
    return victim;
}

static bool read_uncached(struct memory_reader *reader, uint64_t address, uint8_t *out,
                          size_t size)
{
    while (size > 0) {
        uint32_t chunk = size > MEMORY_MAX_REQUEST ? MEMORY_MAX_REQUEST : (uint32_t)size;
        if (read_run(reader, address, out, chunk, chunk) != chunk)
            return false;
        address += chunk;
        out += chunk;
        size -= chunk;
    }
    return true;
}

/* The reads the recent blocks (memory.h) do not serve. A block's last_use
 * is stamped when it becomes the newest recent one: reads served from the
 * recent blocks do not stamp them (the older of the two may then be taken
 * for another address: the recent checks compare base and range, so that
 * costs a callback, never a wrong byte). */
bool memory_read_slow(struct memory_reader *reader, uint64_t address, void *buffer, size_t size)
{
    uint8_t *out = buffer;
    struct read_cache *cache = reader->cache;
    struct cache_block *block;

    if (size == 0)
        return true;
    if (address + size - 1 < address)
        return false; /* wraps the address space */
    if (!cache)
        return read_uncached(reader, address, out, size);

    while (size > 0) {
        uint64_t base = address & ~(uint64_t)(BLOCK_SIZE - 1);
        uint32_t offset = (uint32_t)(address - base);
        uint32_t take = BLOCK_SIZE - offset;

        if (take > size)
            take = (uint32_t)size;
        block = cache->recent[0] && cache->recent[0]->base == base ? cache->recent[0]
                                                                    : find_block(cache, base);
        if (!(block->lo <= offset && offset + take <= block->hi) &&
            !fill_block(reader, cache, block, base, offset, take))
            return false;
        if (cache->recent[0] != block) {
            block->last_use = ++cache->clock;
            cache->recent[1] = cache->recent[0];
            cache->recent[0] = block;
        }
        memcpy(out, block->bytes + offset, take);
        out += take;
        address += take;
        size -= take;
    }
    return true;
}
