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

struct read_cache;

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
void memory_reader_close(struct memory_reader *reader);

/* A fresh process-unique walk id (never 0). */
uint64_t memory_new_walk_id(void);

/* All `size` bytes at `address`, or false. Never writes outside `buffer`. */
bool memory_read(struct memory_reader *reader, uint64_t address, void *buffer, size_t size);

bool memory_read_u64(struct memory_reader *reader, uint64_t address, uint64_t *value);
bool memory_read_u32(struct memory_reader *reader, uint64_t address, uint32_t *value);

#endif
