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

static enum unwind_result read_header(struct memory_reader *memory, uint64_t address,
                                      struct xdata_header *h)
{
    uint32_t word, extended;

    if (!memory_read_u32(memory, address, &word))
        return UNWIND_DATA_UNREADABLE;
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

enum unwind_result arm64_xdata_plan(struct memory_reader *memory, uint64_t address, uint64_t k,
                                    struct arm64_codes *codes, struct arm64_plan *plan)
{
    struct xdata_header h;
    uint64_t scopes, prolog_length;

    enum unwind_result header = read_header(memory, address, &h);

    if (header != UNWIND_OK)
        return header;
    scopes = address + h.header_size;
    codes->size = h.code_words * 4u;
    if (!memory_read(memory, scopes + (h.single_epilog ? 0 : 4u * (uint64_t)h.epilog_count),
                     codes->bytes, codes->size))
        return UNWIND_DATA_UNREADABLE;

    plan->start = 0;
    plan->skip = 0;

    prolog_length = arm64_sequence_length(codes, 0);
    if (k < prolog_length) {
        plan->skip = (unsigned)(prolog_length - k);
        return UNWIND_OK;
    }

    if (h.single_epilog) {
        uint32_t index = h.epilog_count;
        uint64_t length, first;
        if (index >= codes->size)
            return UNWIND_BAD_DATA;
        length = arm64_sequence_length(codes, index) + 1; /* + the ret */
        first = h.function_length >= length ? h.function_length - length : 0;
        if (k >= first) {
            plan->start = index;
            plan->skip = (unsigned)(k - first);
        }
        return UNWIND_OK;
    }

    for (uint32_t i = 0; i < h.epilog_count; i++) {
        uint32_t scope, start, index;
        uint64_t length;
        if (!memory_read_u32(memory, scopes + 4u * i, &scope))
            return UNWIND_BAD_DATA;
        start = scope & 0x3FFFF;
        index = scope >> 22;
        if (start > k)
            break; /* scopes are sorted by offset */
        if (index >= codes->size)
            return UNWIND_BAD_DATA;
        length = arm64_sequence_length(codes, index);
        /* `<=`: at the final ret everything is undone but PC = LR. */
        if (k <= start + length) {
            plan->start = index;
            plan->skip = (unsigned)(k - start);
            return UNWIND_OK;
        }
    }
    return UNWIND_OK;
}
