/*
 * The memory layer: every byte of the target comes through the caller's read
 * routine, and only through here.
 *
 * The routine may deliver less than asked (with TRUE or FALSE) and may refuse a
 * large request that crosses into unmapped memory while a smaller one would
 * succeed. memory_read() hides all of that: it succeeds exactly when the bytes
 * asked for are readable. A per-walk cache coalesces the walk's many small
 * reads into a few block-sized callbacks.
 */
#ifndef DBGWALK_MEMORY_H
#define DBGWALK_MEMORY_H

#include "platform.h"

/* The per-walk block cache. Its storage belongs to the walk layer's
 * per-thread state (src/walk_state.h); only memory.c (and the inline fast
 * path below) looks inside. Blocks are found by a two-way set-associative
 * index on the block address, and a new walk empties the cache by moving to
 * the next generation instead of clearing it.
 *
 * A block is filled a window at a time, not whole: a walk's first request
 * is MEMORY_FIRST_WINDOW bytes, and each request that continues a range the
 * walk is reading sequentially (a stack being climbed) doubles the window up
 * to the block. A routine that copies, and our zeroing of each request, then
 * cost what the walk reads, while a slow routine (1 us per call) still
 * serves a whole walk with a few calls. */
#define MEMORY_BLOCK_SIZE 4096u
#define MEMORY_FIRST_WINDOW 2048u
#define MEMORY_BLOCK_SETS 8u
#define MEMORY_BLOCK_WAYS 2u

struct cache_block {
    uint64_t base;       /* aligned block address */
    uint32_t generation; /* valid only in the cache's current generation */
    uint32_t lo, hi;     /* valid bytes are [base + lo, base + hi) */
    uint32_t last_use;
    bool tail_refused; /* a read to the block end was refused: ask exactly */
    uint8_t bytes[MEMORY_BLOCK_SIZE];
};

struct read_cache {
    uint64_t walk_id;
    HANDLE process;
    PREAD_PROCESS_MEMORY_ROUTINE64 read;
    PREAD_PROCESS_MEMORY_ROUTINE32 read32;
    uint32_t generation;
    uint32_t clock;
    uint32_t window; /* bytes the next request asks for (MEMORY_FIRST_WINDOW..block) */
    bool busy; /* a read routine that walks another stack re-enters us */
    /* the blocks the last reads ended in, newest first: a walk alternates
     * between a stack block and an unwind-data block */
    struct cache_block *recent[2];
    struct cache_block blocks[MEMORY_BLOCK_SETS * MEMORY_BLOCK_WAYS];
};

/* The largest request the memory layer ever makes of a read routine: a walk
 * asks for cache blocks, smaller still; reading a module's tables uncached
 * goes in chunks of this size. */
#define MEMORY_MAX_REQUEST 0x100000u

struct memory_reader {
    HANDLE process;
    PREAD_PROCESS_MEMORY_ROUTINE64 read;
    PREAD_PROCESS_MEMORY_ROUTINE32 read32; /* StackWalk's 32-bit routine, if read is NULL */
    struct read_cache *cache; /* NULL: every read goes to the routine */
    uint64_t callbacks;       /* how many times the routine was called */
};

/* Binds a reader to the calling thread's cache for the walk `walk_id` (a
 * process-unique number). The cache is emptied whenever the walk, process or
 * routine differs from the one it last served, so nothing read for one walk is
 * ever seen by another. */
void memory_reader_open(struct memory_reader *reader, HANDLE process,
                        PREAD_PROCESS_MEMORY_ROUTINE64 read, PREAD_PROCESS_MEMORY_ROUTINE32 read32,
                        uint64_t walk_id);
/* The same with the cache given (NULL: none): the walk passes its thread's own. */
void memory_reader_open_cache(struct memory_reader *reader, struct read_cache *cache,
                              HANDLE process, PREAD_PROCESS_MEMORY_ROUTINE64 read,
                              PREAD_PROCESS_MEMORY_ROUTINE32 read32, uint64_t walk_id);
void memory_reader_close(struct memory_reader *reader);

/* A fresh process-unique walk id (never 0). */
uint64_t memory_new_walk_id(void);

/* All `size` bytes at `address`, or false. Never writes outside `buffer`. */
bool memory_read_slow(struct memory_reader *reader, uint64_t address, void *buffer, size_t size);

static inline const uint8_t *memory_block_bytes(const struct cache_block *block,
                                                uint64_t address, size_t size)
{
    uint64_t offset;

    if (!block)
        return NULL;
    offset = address - block->base;
    if (offset < block->lo || offset >= block->hi || size > block->hi - offset)
        return NULL;
    return block->bytes + offset;
}

/* [address, address + size) in one of the blocks the last reads ended in,
 * or NULL: most of a walk's reads (the same stack page, the same unwind
 * info) are served from them without a lookup or a call. */
static inline const uint8_t *memory_recent_bytes(const struct memory_reader *reader,
                                                 uint64_t address, size_t size)
{
    const uint8_t *bytes;

    if (!reader->cache)
        return NULL;
    bytes = memory_block_bytes(reader->cache->recent[0], address, size);
    return bytes ? bytes : memory_block_bytes(reader->cache->recent[1], address, size);
}

static inline bool memory_read(struct memory_reader *reader, uint64_t address, void *buffer,
                               size_t size)
{
    const uint8_t *bytes = memory_recent_bytes(reader, address, size);

    if (bytes) {
        memcpy(buffer, bytes, size);
        return true;
    }
    return memory_read_slow(reader, address, buffer, size);
}

static inline bool memory_read_u64(struct memory_reader *reader, uint64_t address,
                                   uint64_t *value)
{
    uint8_t raw[8];
    const uint8_t *bytes = memory_recent_bytes(reader, address, 8);

    if (!bytes) {
        if (!memory_read_slow(reader, address, raw, 8))
            return false;
        bytes = raw;
    }
    *value = dw_le64(bytes);
    return true;
}

static inline bool memory_read_u32(struct memory_reader *reader, uint64_t address,
                                   uint32_t *value)
{
    uint8_t raw[4];
    const uint8_t *bytes = memory_recent_bytes(reader, address, 4);

    if (!bytes) {
        if (!memory_read_slow(reader, address, raw, 4))
            return false;
        bytes = raw;
    }
    *value = dw_le32(bytes);
    return true;
}

#endif
