/* arm64_pack: writes a copy of an ARM64 image in which every .pdata entry
 * whose .xdata has an exactly equivalent packed form (flag 1) is packed, so
 * that the emulator proof runs the packed-unwind rules on real code.
 *
 *   arm64_pack <in.exe> <out.exe>
 *
 * An .xdata record is packable when: version 0, no exception handler, no
 * custom or chained codes, a function of at most 2047 instructions, exactly
 * one epilog and it ends the function (E = 1, or one scope ending right
 * before the last instruction), and some RegI/RegF/H/CR/FrameSize gives the
 * canonical packed prolog and epilog of spec/unwind-rules.md "Packed .pdata"
 * instruction for instruction: the same operation, registers, offsets and
 * writeback, in the same order. The canonical form is generated here on its
 * own (not with the library's builder); codes are compared by what the
 * instruction does, so alloc_s/alloc_m/alloc_l or save_r19r20_x/save_regp_x
 * encodings of the same instruction match.
 *
 * Prints one line per packed entry and a summary; exit status 0 unless the
 * input cannot be read or written. */
#include "pe_image.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum op { ALLOC, PAIR_X, SINGLE_X, LR_PAIR, PAIR_D, SINGLE_D, SET_FP, ADD_FP, NOP, PAC, OTHER };

/* One prolog/epilog instruction by its effect. `pre`: pre-indexed by `off`
 * (writeback), else stored at [sp + off]. */
struct insn {
    enum op op;
    unsigned reg, off;
    int pre;
};

#define MAX_INSNS 64

struct seq {
    struct insn i[MAX_INSNS];
    unsigned n;
};

static void put(struct seq *s, enum op op, unsigned reg, unsigned off, int pre)
{
    if (s->n < MAX_INSNS)
        s->i[s->n++] = (struct insn){op, reg, off, pre};
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static unsigned code_length(uint8_t c)
{
    return c < 0xC0 ? 1 : c < 0xE0 ? 2 : c == 0xE0 ? 4 : c == 0xE2 ? 2 : c == 0xE7 ? 3 : 1;
}

/* Decodes codes from `start` to the first end into `s` (code order); false
 * when a code has no packed equivalent. */
static bool decode(const uint8_t *codes, unsigned size, unsigned start, struct seq *s)
{
    s->n = 0;
    for (unsigned p = start; p < size;) {
        uint8_t c = codes[p];
        unsigned len = code_length(c), w = 0, x4, x3, z6;

        if (c == 0xE4)
            return true;
        if (p + len > size)
            return false;
        if (len >= 2)
            w = (unsigned)c << 8 | codes[p + 1];
        x4 = (w >> 6) & 15;
        x3 = (w >> 6) & 7;
        z6 = w & 63;
        if (c < 0x20)
            put(s, ALLOC, 0, 16u * c, 0);
        else if (c < 0x40)
            put(s, PAIR_X, 19, 8u * (c & 31), 1);
        else if (c < 0x80)
            put(s, PAIR_X, 29, 8u * (c & 63), 0);
        else if (c < 0xC0)
            put(s, PAIR_X, 29, 8u * ((c & 63) + 1), 1);
        else if (c < 0xC8)
            put(s, ALLOC, 0, 16u * (w & 0x7FF), 0);
        else if (c < 0xCC)
            put(s, PAIR_X, 19 + x4, 8 * z6, 0);
        else if (c < 0xD0)
            put(s, PAIR_X, 19 + x4, 8 * (z6 + 1), 1);
        else if (c < 0xD4)
            put(s, SINGLE_X, 19 + x4, 8 * z6, 0);
        else if (c < 0xD6)
            put(s, SINGLE_X, 19 + ((w >> 5) & 15), 8 * ((w & 31) + 1), 1);
        else if (c < 0xD8)
            put(s, LR_PAIR, 19 + 2 * x3, 8 * z6, 0);
        else if (c < 0xDA)
            put(s, PAIR_D, 8 + x3, 8 * z6, 0);
        else if (c < 0xDC)
            put(s, PAIR_D, 8 + x3, 8 * (z6 + 1), 1);
        else if (c < 0xDE)
            put(s, SINGLE_D, 8 + x3, 8 * z6, 0);
        else if (c == 0xDE)
            put(s, SINGLE_D, 8 + (codes[p + 1] >> 5), 8 * ((codes[p + 1] & 31) + 1), 1);
        else if (c == 0xE0)
            put(s, ALLOC, 0,
                16u * ((unsigned)codes[p + 1] << 16 | (unsigned)codes[p + 2] << 8 | codes[p + 3]), 0);
        else if (c == 0xE1)
            put(s, SET_FP, 0, 0, 0);
        else if (c == 0xE2)
            put(s, ADD_FP, 0, 8u * codes[p + 1], 0);
        else if (c == 0xE3)
            put(s, NOP, 0, 0, 0);
        else if (c == 0xFC)
            put(s, PAC, 0, 0, 0);
        else
            return false; /* end_c, save_next, save_any_reg, custom codes, reserved */
        p += len;
    }
    return true;
}

/* The canonical packed prolog (execution order) for the fields, per
 * spec/unwind-rules.md; false when the fields describe no valid frame. */
static bool canonical(unsigned reg_i, unsigned reg_f, unsigned h, unsigned cr, unsigned frame,
                      struct seq *p)
{
    unsigned intsz = 8 * reg_i + (cr == 1 ? 8 : 0);
    unsigned fpsz = reg_f ? 8 * (reg_f + 1) : 0;
    unsigned regsave = (intsz + fpsz + 64 * h + 15) & ~15u;
    bool saves = reg_i > 0 || reg_f > 0 || cr == 1;
    unsigned local;

    p->n = 0;
    if (saves && regsave > frame)
        return false;
    local = saves ? frame - regsave : frame;
    if (cr == 2)
        put(p, PAC, 0, 0, 0);
    if (saves) {
        if (reg_i == 1 && cr == 1) {
            put(p, ALLOC, 0, regsave, 0);
            put(p, LR_PAIR, 19, 0, 0);
        } else {
            for (unsigned k = 0; k + 1 < reg_i; k += 2)
                put(p, PAIR_X, 19 + k, k == 0 ? regsave : 8 * k, k == 0);
            if (reg_i % 2) {
                if (reg_i == 1)
                    put(p, SINGLE_X, 19, regsave, 1);
                else if (cr == 1)
                    put(p, LR_PAIR, 18 + reg_i, 8 * (reg_i - 1), 0);
                else
                    put(p, SINGLE_X, 18 + reg_i, 8 * (reg_i - 1), 0);
            } else if (cr == 1) {
                if (reg_i == 0)
                    put(p, SINGLE_X, 30, regsave, 1);
                else
                    put(p, SINGLE_X, 30, intsz - 8, 0);
            }
        }
        if (reg_f) {
            unsigned count = reg_f + 1;
            for (unsigned k = 0; k + 1 < count; k += 2) {
                if (k == 0 && intsz == 0)
                    put(p, PAIR_D, 8, regsave, 1);
                else
                    put(p, PAIR_D, 8 + k, intsz + 8 * k, 0);
            }
            if (count % 2)
                put(p, SINGLE_D, 8 + reg_f, intsz + fpsz - 8, 0);
        }
        if (h)
            for (int k = 0; k < 4; k++)
                put(p, NOP, 0, 0, 0);
    }
    if (cr == 2 || cr == 3) {
        if (local < 16)
            return false;
        if (local <= 512) {
            put(p, PAIR_X, 29, local, 1);
        } else {
            if (local > 4080) {
                put(p, ALLOC, 0, 4080, 0);
                put(p, ALLOC, 0, local - 4080, 0);
            } else {
                put(p, ALLOC, 0, local, 0);
            }
            put(p, PAIR_X, 29, 0, 0);
        }
        put(p, SET_FP, 0, 0, 0);
    } else if (local > 4080) {
        put(p, ALLOC, 0, 4080, 0);
        put(p, ALLOC, 0, local - 4080, 0);
    } else if (local) {
        put(p, ALLOC, 0, local, 0);
    }
    if (!saves && h)
        for (int k = 0; k < 4; k++)
            put(p, NOP, 0, 0, 0);
    return true;
}

static bool same(const struct insn *a, const struct insn *b)
{
    return a->op == b->op && a->reg == b->reg && a->off == b->off && a->pre == b->pre;
}

/* The packed UnwindData equivalent to the .xdata at `rva`, or 0. */
static uint32_t packable(const struct pe_image *img, uint32_t rva, const char **why)
{
    uint32_t header, length, epilog_count, code_words, scopes, start = 0, index;
    bool single;
    const uint8_t *codes;
    struct seq prolog, epilog, want, want_epilog;
    unsigned total = 0;

    *why = "";
    if (rva > img->size - 8)
        return *why = ".xdata outside the image", 0;
    header = le32(img->bytes + rva);
    length = header & 0x3FFFF;
    if ((header >> 18) & 3)
        return *why = "version", 0;
    if ((header >> 20) & 1)
        return *why = "has an exception handler", 0;
    single = (header >> 21) & 1;
    epilog_count = (header >> 22) & 31;
    code_words = header >> 27;
    scopes = rva + 4;
    if (epilog_count == 0 && code_words == 0) {
        epilog_count = le32(img->bytes + rva + 4) & 0xFFFF;
        code_words = (le32(img->bytes + rva + 4) >> 16) & 0xFF;
        scopes += 4;
    }
    if (length > 2047)
        return *why = "function too long for packed data", 0;
    codes = img->bytes + scopes + (single ? 0 : 4 * epilog_count);
    if ((size_t)(codes - img->bytes) + 4 * code_words > img->size)
        return *why = "codes outside the image", 0;
    if (!decode(codes, 4 * code_words, 0, &prolog))
        return *why = "a prolog code with no packed form", 0;
    if (single) {
        index = epilog_count;
    } else {
        uint32_t scope;
        if (epilog_count != 1)
            return *why = epilog_count ? "several epilogs" : "no epilog", 0;
        scope = le32(img->bytes + scopes);
        start = scope & 0x3FFFF;
        index = scope >> 22;
    }
    if (index >= 4 * code_words || !decode(codes, 4 * code_words, index, &epilog))
        return *why = "an epilog code with no packed form", 0;
    if (!single && start + epilog.n + 1 != length)
        return *why = "the epilog does not end the function", 0;

    for (unsigned k = 0; k < prolog.n; k++)
        if (prolog.i[k].op == ALLOC || prolog.i[k].pre)
            total += prolog.i[k].off;
    if (total % 16 || total / 16 > 511)
        return *why = "frame size", 0;
    for (unsigned cr = 0; cr < 4; cr++)
        for (unsigned reg_i = 0; reg_i <= 10; reg_i++)
            for (unsigned reg_f = 0; reg_f < 8; reg_f++)
                for (unsigned h = 0; h < 2; h++) {
                    bool match = true;
                    if (!canonical(reg_i, reg_f, h, cr, total, &want) || want.n != prolog.n)
                        continue;
                    /* the codes list the prolog backwards */
                    for (unsigned k = 0; k < want.n && match; k++)
                        match = same(&want.i[k], &prolog.i[prolog.n - 1 - k]);
                    if (!match)
                        continue;
                    /* the epilog: the prolog reversed, without homing stores
                     * and pacibsp, then ret */
                    want_epilog.n = 0;
                    for (unsigned k = want.n; k-- > 0;)
                        if (want.i[k].op != NOP && want.i[k].op != PAC)
                            want_epilog.i[want_epilog.n++] = want.i[k];
                    if (want_epilog.n != epilog.n)
                        continue;
                    for (unsigned k = 0; k < epilog.n && match; k++)
                        match = same(&want_epilog.i[k], &epilog.i[k]);
                    if (match)
                        return 1u | length << 2 | reg_f << 13 | reg_i << 16 | h << 20 |
                               cr << 21 | (total / 16) << 23;
                }
    return *why = "not a canonical packed prolog/epilog", 0;
}

int main(int argc, char **argv)
{
    struct pe_image img;
    char err[256], name[96];
    FILE *f;
    uint8_t *file;
    long file_size;
    uint32_t pe, section_table, pdata_file = 0;
    unsigned sections, entries, xdata = 0, already = 0, packed = 0;

    if (argc != 3) {
        fprintf(stderr, "usage: %s <in.exe> <out.exe>\n", argv[0]);
        return 2;
    }
    if (!pe_load(argv[1], &img, err, sizeof(err))) {
        fprintf(stderr, "%s: %s\n", argv[1], err);
        return 1;
    }
    if (img.machine != 0xAA64) {
        fprintf(stderr, "%s: not an ARM64 image\n", argv[1]);
        return 1;
    }
    f = fopen(argv[1], "rb");
    if (!f || fseek(f, 0, SEEK_END) || (file_size = ftell(f)) <= 0 || fseek(f, 0, SEEK_SET) ||
        !(file = malloc((size_t)file_size)) || fread(file, 1, (size_t)file_size, f) != (size_t)file_size) {
        fprintf(stderr, "%s: cannot read\n", argv[1]);
        return 1;
    }
    fclose(f);
    /* the .pdata entries' file offset */
    pe = le32(file + 0x3C);
    sections = file[pe + 6] | file[pe + 7] << 8;
    section_table = pe + 24 + (file[pe + 20] | file[pe + 21] << 8);
    for (unsigned i = 0; i < sections; i++) {
        const uint8_t *s = file + section_table + 40 * i;
        uint32_t va = le32(s + 12), raw_size = le32(s + 16), raw = le32(s + 20);
        if (img.exception_rva >= va && img.exception_rva + img.exception_size <= va + raw_size)
            pdata_file = raw + (img.exception_rva - va);
    }
    if (!pdata_file) {
        fprintf(stderr, "%s: .pdata not found in the file\n", argv[1]);
        return 1;
    }
    entries = img.exception_size / 8;
    for (unsigned i = 0; i < entries; i++) {
        uint8_t *e = file + pdata_file + 8 * i;
        uint32_t begin = le32(e), data = le32(e + 4), word;
        const char *why;

        if (data & 3) {
            already++;
            continue;
        }
        xdata++;
        word = packable(&img, data, &why);
        if (!pe_symbolize(&img, begin, name, sizeof(name)))
            snprintf(name, sizeof(name), "%#x", begin);
        if (!word) {
            printf("  kept %s: %s\n", name, why);
            continue;
        }
        packed++;
        printf("  packed %s: RegI=%u RegF=%u H=%u CR=%u FrameSize=%u (%u bytes) length=%u\n", name,
               (word >> 16) & 15, (word >> 13) & 7, (word >> 20) & 1, (word >> 21) & 3,
               word >> 23, (word >> 23) * 16, (word >> 2) & 0x7FF);
        for (int k = 0; k < 4; k++)
            e[4 + k] = (uint8_t)(word >> (8 * k));
    }
    printf("%s: %u .pdata entries: %u packed by the compiler, %u with .xdata, %u of those "
           "packable and packed in %s\n",
           argv[1], entries, already, xdata, packed, argv[2]);
    f = fopen(argv[2], "wb");
    if (!f || fwrite(file, 1, (size_t)file_size, f) != (size_t)file_size || fclose(f)) {
        fprintf(stderr, "%s: cannot write\n", argv[2]);
        return 1;
    }
    free(file);
    pe_free(&img);
    return 0;
}
