/*
 * ARM64 .xdata records: the header (and its extended form), epilog scopes,
 * and which codes to run for the instruction the PC is at (prolog, epilog or
 * body), per spec/unwind-rules.md.
 */
#include "arm64.h"

struct xdata_header {
    uint32_t function_length; /* in instructions */
    bool has_handler;         /* X: exception data follows the codes (skipped) */
    bool single_epilog;       /* E: epilog_count is the code index of the only epilog */
    uint32_t epilog_count;
    uint32_t code_words;
    unsigned header_size;
};

/* `size` bytes at `address` where the read cache already holds them, else
 * read into `buffer`; NULL when they are unreadable. The pointer is good
 * until the next read. */
static const uint8_t *bytes_at(struct memory_reader *memory, uint64_t address, size_t size,
                               uint8_t *buffer)
{
    const uint8_t *bytes = memory_recent_bytes(memory, address, size);

    if (bytes)
        return bytes;
    return memory_read_slow(memory, address, buffer, size) ? buffer : NULL;
}

static enum unwind_result read_header(struct memory_reader *memory, uint64_t address,
                                      struct xdata_header *h)
{
    uint8_t raw[4];
    const uint8_t *bytes = bytes_at(memory, address, 4, raw);
    uint32_t word, extended;

    if (!bytes)
        return UNWIND_DATA_UNREADABLE;
    word = dw_le32(bytes);
    h->function_length = word & 0x3FFFF;
    if (((word >> 18) & 3) != 0)
        return UNWIND_BAD_DATA; /* unknown version */
    h->has_handler = (word >> 20) & 1;
    h->single_epilog = (word >> 21) & 1;
    h->epilog_count = (word >> 22) & 0x1F;
    h->code_words = word >> 27;
    h->header_size = 4;
    if (h->epilog_count == 0 && h->code_words == 0) {
        if (!memory_read_u32(memory, address + 4, &extended))
            return UNWIND_DATA_UNREADABLE;
        h->epilog_count = extended & 0xFFFF;
        h->code_words = (extended >> 16) & 0xFF;
        h->header_size = 8;
    }
    return UNWIND_OK;
}

/* Epilog scope `i`, from `scopes` (the whole array, in the cache) when it
 * is there, else read on its own. */
static bool scope_at(struct memory_reader *memory, const uint8_t *scopes, uint64_t address,
                     uint32_t i, uint32_t *scope)
{
    if (scopes) {
        *scope = dw_le32(scopes + 4u * i);
        return true;
    }
    return memory_read_u32(memory, address + 4u * i, scope);
}

/* Where a run of `all` starts (`start`, skipping `skip` codes): `plan` and
 * `codes` get just the bytes it reads. */
static enum unwind_result take_run(const uint8_t *all, unsigned start, unsigned run_end,
                                   unsigned skip, struct arm64_codes *codes,
                                   struct arm64_plan *plan)
{
    codes->size = run_end - start;
    memmove(codes->bytes, all + start, codes->size); /* `all` may be codes->bytes */
    plan->start = 0;
    plan->skip = skip;
    return UNWIND_OK;
}

enum unwind_result arm64_xdata_plan(struct memory_reader *memory, uint64_t address, uint64_t k,
                                    struct arm64_codes *codes, struct arm64_plan *plan)
{
    struct xdata_header h;
    uint64_t scopes_at, codes_at, prolog_length;
    const uint8_t *all, *scopes;
    unsigned size, scope_bytes, run_end;

    enum unwind_result header = read_header(memory, address, &h);

    if (header != UNWIND_OK)
        return header;
    scopes_at = address + h.header_size;
    scope_bytes = h.single_epilog ? 0 : 4u * h.epilog_count;
    codes_at = scopes_at + scope_bytes;
    size = h.code_words * 4u;
    /* Scopes and codes in one look when the cache has them (it usually
     * does: the header just came from there). */
    scopes = memory_recent_bytes(memory, scopes_at, (size_t)scope_bytes + size);
    if (scopes) {
        all = scopes + scope_bytes;
    } else {
        all = bytes_at(memory, codes_at, size, codes->bytes);
        if (!all)
            return UNWIND_DATA_UNREADABLE;
        /* A read of a scope may reuse the block `all` is in. */
        if (all != codes->bytes) {
            memcpy(codes->bytes, all, size);
            all = codes->bytes;
        }
    }

    prolog_length = arm64_sequence_scan(all, size, 0, &run_end);
    if (k < prolog_length)
        return take_run(all, 0, run_end, (unsigned)(prolog_length - k), codes, plan);

    if (h.single_epilog) {
        uint32_t index = h.epilog_count;
        uint64_t length, first;
        unsigned epilog_end;
        if (index >= size)
            return UNWIND_BAD_DATA;
        length = arm64_sequence_scan(all, size, index, &epilog_end) + 1; /* + the ret */
        first = h.function_length >= length ? h.function_length - length : 0;
        if (k >= first)
            return take_run(all, index, epilog_end, (unsigned)(k - first), codes, plan);
        return take_run(all, 0, run_end, 0, codes, plan);
    }

    for (uint32_t i = 0; i < h.epilog_count; i++) {
        uint32_t scope, start, index;
        uint64_t length;
        unsigned epilog_end;
        if (!scope_at(memory, scopes, scopes_at, i, &scope))
            return UNWIND_BAD_DATA;
        start = scope & 0x3FFFF;
        index = scope >> 22;
        if (start > k)
            break; /* scopes are sorted by offset */
        if (index >= size)
            return UNWIND_BAD_DATA;
        length = arm64_sequence_scan(all, size, index, &epilog_end);
        /* `<=`: at the final ret everything is undone but PC = LR. */
        if (k <= start + length)
            return take_run(all, index, epilog_end, (unsigned)(k - start), codes, plan);
    }
    return take_run(all, 0, run_end, 0, codes, plan);
}
