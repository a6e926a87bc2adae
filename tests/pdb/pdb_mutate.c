/*
 * Malformed PDBs: mutates a real PDB in memory (truncation, flipped bytes,
 * rewritten superblock and directory fields, block maps pointing anywhere,
 * symbol record lengths) and opens each mutant with pdb_open through a
 * memory source, then asks it everything. Under ASan/UBSan any read outside
 * the buffer fails the run; a mutant that cannot be opened must fail
 * cleanly (NULL), never crash.
 *
 *   pdb_mutate PDB COUNT
 */
#include "pdb/pdb.h"

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
    struct debug_info *info = pdb_open(&source, size);
    unsigned n = 0;

    if (!info)
        return;
    ++*opened;
    for (unsigned i = 0; i < 64; i++) {
        uint32_t rva = i < 32 ? 0x1000 + i * 0x10 : lcg(seed) % 0x20000;
        struct di_symbol s;
        struct di_line l, next;
        struct di_frame_data f;
        struct di_inline_frame frames[8];
        info->ops->symbol_at(info, rva, &s);
        if (info->ops->line_at(info, rva, &l))
            info->ops->line_step(info, &l, 1, &next);
        info->ops->frame_data_at(info, rva, &f);
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

int main(int argc, char **argv)
{
    FILE *f;
    uint8_t *original, *mutant;
    long size;
    unsigned count, opened = 0;
    uint32_t seed = 12345;

    if (argc != 3 || !(f = fopen(argv[1], "rb"))) {
        fprintf(stderr, "usage: %s PDB COUNT\n", argv[0]);
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

    exercise(original, (size_t)size, &seed, &opened);
    if (opened != 1) {
        fprintf(stderr, "pdb_mutate: the original does not open\n");
        return 1;
    }
    for (unsigned i = 0; i < count; i++) {
        size_t length = (size_t)size;
        memcpy(mutant, original, length);
        switch (i % 6) {
        case 0: /* truncated */
            length = lcg(&seed) % length;
            break;
        case 1: /* superblock fields: block size, counts, directory size, map */
            for (unsigned k = 0; k < 2; k++)
                mutant[32 + lcg(&seed) % 24] = (uint8_t)lcg(&seed);
            break;
        case 2: /* the directory's block (stream sizes, block indices) */ {
            uint32_t block_size = 4096, map = mutant[52] | mutant[53] << 8;
            size_t at = (size_t)map * block_size;
            if (at < length) {
                uint32_t dir = mutant[at] | mutant[at + 1] << 8 | mutant[at + 2] << 16;
                size_t d = (size_t)dir * block_size;
                if (d + 64 < length)
                    mutant[d + lcg(&seed) % 64] = (uint8_t)lcg(&seed);
            }
            break;
        }
        default: /* flipped bytes anywhere: records, lines, tables */
            for (unsigned k = 0; k < 1 + i % 16; k++)
                mutant[lcg(&seed) % length] ^= (uint8_t)(1u << (lcg(&seed) % 8));
            break;
        }
        exercise(mutant, length, &seed, &opened);
    }
    printf("pdb_mutate: %u mutants, %u opened, every one handled cleanly\n", count, opened - 1);
    free(original);
    free(mutant);
    return 0;
}
