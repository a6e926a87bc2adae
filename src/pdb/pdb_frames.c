/*
 * x86 frame data: the old FPO stream (FPO_DATA records, winnt.h) and the new
 * FPO stream (FrameData records whose programs live in /names; LLVM's "DBI
 * Stream" optional debug header, cvinfo.h FRAMEDATA). Both indexed by start
 * RVA on first use. Where records nest, the innermost one covering an
 * address answers: the one with the largest start at or below it that
 * still contains it.
 */
#include "pdb_internal.h"

#include <stdlib.h>

#define FPO_RECORD 16u
#define FRAME_DATA_RECORD 32u
#define FRAME_DATA_FLAG_SEH 1u
#define FRAME_DATA_FLAG_CPP_EH 2u
#define FRAME_DATA_FLAG_START 4u

/* How many records at or below an address are tried for one that holds it:
 * nesting is shallow in practice; the bound keeps a hostile table cheap. */
#define NESTING_TRIES 64u

static int compare_frame(const void *a, const void *b)
{
    const struct di_frame_data *x = a, *y = b;
    return x->rva_start < y->rva_start ? -1 : x->rva_start > y->rva_start;
}

static struct di_frame_data *read_fpo(struct pdb_reader *r, uint32_t *count)
{
    uint32_t size;
    uint8_t *raw = msf_read_stream(&r->msf, r->fpo_stream, PDB_MAX_STREAM, &size);
    struct di_frame_data *out;

    *count = 0;
    if (!raw)
        return NULL;
    out = calloc(size / FPO_RECORD + 1, sizeof(*out));
    if (out) {
        for (uint32_t i = 0; i < size / FPO_RECORD; i++) {
            const uint8_t *e = raw + (size_t)i * FPO_RECORD;
            uint16_t bits = dw_le16(e + 14);
            struct di_frame_data *f = &out[(*count)++];
            f->rva_start = dw_le32(e);
            f->code_size = dw_le32(e + 4);
            f->locals_size = dw_le32(e + 8) * 4;
            f->params_size = (uint32_t)dw_le16(e + 12) * 4;
            f->prolog_size = bits & 0xFF;
            f->fpo_regs = (bits >> 8) & 7;
            f->saved_regs_size = f->fpo_regs * 4u;
            f->has_seh = (bits >> 11) & 1;
            f->uses_bp = (bits >> 12) & 1;
            f->fpo_frame_type = (bits >> 14) & 3;
        }
        qsort(out, *count, sizeof(*out), compare_frame);
    }
    free(raw);
    return out;
}

static bool read_frame_data(struct pdb_reader *r)
{
    uint32_t size, skip;
    const uint8_t *records;

    r->frame_data = msf_read_stream(&r->msf, r->new_fpo_stream, PDB_MAX_STREAM, &size);
    if (!r->frame_data)
        return false;
    /* a 4-byte relocation word may precede the records */
    skip = size % FRAME_DATA_RECORD == 4 ? 4 : 0;
    records = r->frame_data + skip;
    r->frames = calloc((size - skip) / FRAME_DATA_RECORD + 1, sizeof(*r->frames));
    if (!r->frames)
        return false;
    for (uint32_t i = 0; i < (size - skip) / FRAME_DATA_RECORD; i++) {
        const uint8_t *e = records + (size_t)i * FRAME_DATA_RECORD;
        struct di_frame_data *f = &r->frames[r->frame_count++];
        uint32_t flags = dw_le32(e + 28);
        f->has_program = true;
        f->rva_start = dw_le32(e);
        f->code_size = dw_le32(e + 4);
        f->locals_size = dw_le32(e + 8);
        f->params_size = dw_le32(e + 12);
        f->max_stack_size = dw_le32(e + 16);
        f->program = pdb_name(r, dw_le32(e + 20));
        f->prolog_size = dw_le16(e + 24);
        f->saved_regs_size = dw_le16(e + 26);
        f->has_seh = (flags & FRAME_DATA_FLAG_SEH) != 0;
        f->has_cpp_eh = (flags & FRAME_DATA_FLAG_CPP_EH) != 0;
        f->function_start = (flags & FRAME_DATA_FLAG_START) != 0;
    }
    qsort(r->frames, r->frame_count, sizeof(*r->frames), compare_frame);
    return true;
}

bool pdb_frames_load(struct pdb_reader *r)
{
    bool any = false;

    if (r->new_fpo_stream != 0xFFFF)
        any |= read_frame_data(r);
    if (r->fpo_stream != 0xFFFF) {
        r->fpo = read_fpo(r, &r->fpo_count);
        any |= r->fpo != NULL;
    }
    return any;
}

static const struct di_frame_data *innermost(const struct di_frame_data *table, uint32_t count,
                                             uint32_t rva)
{
    uint32_t lo = 0, hi = count;

    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (table[mid].rva_start <= rva)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (unsigned tries = 0; lo > 0 && tries < NESTING_TRIES; tries++) {
        const struct di_frame_data *f = &table[--lo];
        if (rva - f->rva_start < f->code_size)
            return f;
    }
    return NULL;
}

bool pdb_frame_data_at(struct pdb_reader *r, uint32_t rva, struct di_frame_data *out)
{
    const struct di_frame_data *f = innermost(r->frames, r->frame_count, rva);

    if (!f)
        f = innermost(r->fpo, r->fpo_count, rva);
    if (!f)
        return false;
    *out = *f;
    return true;
}
