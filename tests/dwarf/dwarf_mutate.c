/*
 * Malformed DWARF: mutates a real mingw-w64 image in memory, aiming at its
 * DWARF sections (flipped bytes in .debug_info, .debug_abbrev, .debug_line,
 * .debug_str_offsets, .debug_addr, .debug_rnglists, .debug_aranges; 32-bit
 * words overwritten with values that are offsets out of range, lengths, or
 * abbreviation codes; truncation), opens each mutant with dwarf_open through
 * a memory source and asks it everything. Under ASan/UBSan any read outside
 * the buffer fails the run; every mutant must open or be refused cleanly.
 *
 *   dwarf_mutate IMAGE COUNT
 */
#include "dwarf/dwarf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct buffer {
    const uint8_t *bytes;
    size_t size;
};

static bool buffer_read(void *context, uint64_t offset, void *out, size_t size)
{
    const struct buffer *b = context;
    if (offset > b->size || size > b->size - offset)
        return false;
    memcpy(out, b->bytes + offset, size);
    return true;
}

static bool count_symbol(void *context, const struct di_symbol *symbol)
{
    (void)symbol;
    return ++*(unsigned *)context < 100000;
}

static bool count_line(void *context, const struct di_line *line)
{
    (void)line;
    return ++*(unsigned *)context < 100000;
}

static uint32_t lcg(uint32_t *state) { return *state = *state * 1103515245u + 12345u; }

static void exercise(const uint8_t *bytes, size_t size, uint32_t *seed, unsigned *opened)
{
    struct buffer b = {bytes, size};
    struct image_source source = {buffer_read, &b, false};
    struct debug_info *info = dwarf_open(&source, size);
    unsigned n = 0;

    if (!info)
        return;
    ++*opened;
    for (unsigned i = 0; i < 64; i++) {
        uint32_t rva = i < 32 ? 0x1000 + i * 0x23 : lcg(seed) % 0x8000;
        struct di_symbol s;
        struct di_line l, next;
        struct di_inline_frame frames[8];
        info->ops->symbol_at(info, rva, &s);
        if (info->ops->line_at(info, rva, &l)) {
            info->ops->line_step(info, &l, 1, &next);
            info->ops->line_step(info, &l, -1, &next);
        }
        info->ops->inlines_at(info, rva, frames, 8);
    }
    info->ops->enum_symbols(info, count_symbol, &n);
    info->ops->enum_lines(info, count_line, &n);
    {
        struct di_summary summary;
        info->ops->summary(info, &summary);
    }
    info->ops->close(info);
}

/* The file ranges of the image's .debug_* sections (long names through the
 * COFF string table). */
struct span {
    size_t at, size;
};

static unsigned debug_sections(const uint8_t *p, size_t size, struct span *out, unsigned max)
{
    uint32_t pe, count, symbols, nsyms, optional;
    size_t strings, headers;
    unsigned n = 0;

    if (size < 64)
        return 0;
    pe = p[60] | p[61] << 8 | p[62] << 16 | (uint32_t)p[63] << 24;
    if (pe + 24 > size)
        return 0;
    count = p[pe + 6] | p[pe + 7] << 8;
    symbols = p[pe + 12] | p[pe + 13] << 8 | p[pe + 14] << 16 | (uint32_t)p[pe + 15] << 24;
    nsyms = p[pe + 16] | p[pe + 17] << 8 | p[pe + 18] << 16 | (uint32_t)p[pe + 19] << 24;
    optional = p[pe + 20] | p[pe + 21] << 8;
    strings = (size_t)symbols + (size_t)nsyms * 18;
    headers = (size_t)pe + 24 + optional;
    for (unsigned i = 0; i < count && n < max && headers + 40 * (i + 1) <= size; i++) {
        const uint8_t *h = p + headers + 40 * i;
        char name[64] = {0};
        if (h[0] == '/') {
            size_t at = strings + strtoul((const char *)h + 1, NULL, 10);
            if (at < size)
                snprintf(name, sizeof(name), "%.*s", (int)(size - at < 63 ? size - at : 63),
                         (const char *)p + at);
        } else {
            memcpy(name, h, 8);
        }
        if (strncmp(name, ".debug_", 7) == 0) {
            size_t at = h[20] | h[21] << 8 | h[22] << 16 | (size_t)h[23] << 24;
            size_t length = h[8] | h[9] << 8 | h[10] << 16 | (size_t)h[11] << 24;
            if (at < size && length && length <= size - at)
                out[n++] = (struct span){at, length};
        }
    }
    return n;
}

int main(int argc, char **argv)
{
    FILE *f;
    uint8_t *original, *mutant;
    long size;
    unsigned count, opened = 0, spans;
    uint32_t seed = 4242;
    struct span debug[32];

    if (argc != 3 || !(f = fopen(argv[1], "rb"))) {
        fprintf(stderr, "usage: %s IMAGE COUNT\n", argv[0]);
        return 2;
    }
    fseek(f, 0, SEEK_END);
    size = ftell(f);
    fseek(f, 0, SEEK_SET);
    original = malloc((size_t)size);
    mutant = malloc((size_t)size);
    if (!original || !mutant || fread(original, 1, (size_t)size, f) != (size_t)size)
        return 2;
    fclose(f);
    count = (unsigned)strtoul(argv[2], NULL, 10);
    spans = debug_sections(original, (size_t)size, debug, 32);
    if (!spans) {
        fprintf(stderr, "dwarf_mutate: %s has no .debug_ sections\n", argv[1]);
        return 1;
    }

    exercise(original, (size_t)size, &seed, &opened);
    if (opened != 1) {
        fprintf(stderr, "dwarf_mutate: the original does not open\n");
        return 1;
    }
    for (unsigned i = 0; i < count; i++) {
        size_t length = (size_t)size;
        const struct span *s = &debug[lcg(&seed) % spans];
        memcpy(mutant, original, length);
        switch (i % 5) {
        case 0: /* truncated inside the DWARF */
            length = s->at + lcg(&seed) % s->size;
            break;
        case 1: /* flipped bits in one section */
            for (unsigned k = 0; k < 1 + i % 8; k++)
                mutant[s->at + lcg(&seed) % s->size] ^= (uint8_t)(1u << (lcg(&seed) % 8));
            break;
        case 2: /* a word rewritten: offsets, lengths, indexes out of range */ {
            size_t at = s->at + lcg(&seed) % s->size;
            uint32_t v = lcg(&seed);
            static const uint32_t specials[] = {0, 1, 0x7F, 0x80, 0xFFFF, 0xFFFFFFF0u,
                                                0xFFFFFFFFu, 0x7FFFFFFFu};
            if (i % 3 == 0)
                v = specials[v % 8];
            for (unsigned k = 0; k < 4 && at + k < s->at + s->size; k++)
                mutant[at + k] = (uint8_t)(v >> (8 * k));
            break;
        }
        case 3: /* a run of one byte: abbreviation codes, LEB128s that never end */ {
            size_t at = s->at + lcg(&seed) % s->size;
            uint8_t v = (uint8_t)(i & 8 ? 0x80 : lcg(&seed));
            for (unsigned k = 0; k < 16 && at + k < s->at + s->size; k++)
                mutant[at + k] = v;
            break;
        }
        default: /* bytes flipped across every section */
            for (unsigned k = 0; k < spans; k++)
                mutant[debug[k].at + lcg(&seed) % debug[k].size] ^= (uint8_t)lcg(&seed);
            break;
        }
        exercise(mutant, length, &seed, &opened);
    }
    printf("dwarf_mutate: %u mutants, %u opened, every one handled cleanly\n", count, opened - 1);
    free(original);
    free(mutant);
    return 0;
}
