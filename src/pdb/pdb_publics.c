/*
 * The symbol record stream: publics (S_PUB32) and global data (S_GDATA32,
 * S_LDATA32), indexed by RVA on first use. Procedures come from the modules
 * (pdb_module.c); publics answer where no procedure does.
 */
#include "pdb_internal.h"

#include <stdlib.h>

enum { S_LDATA32 = 0x110C, S_GDATA32 = 0x110D, S_PUB32 = 0x110E };

#define PUB_FLAG_CODE 2u
#define PUB_FLAG_FUNCTION 4u

static int compare_public(const void *a, const void *b)
{
    const struct pdb_public *x = a, *y = b;
    return x->rva < y->rva ? -1 : x->rva > y->rva;
}

bool pdb_publics_load(struct pdb_reader *r)
{
    uint32_t count = 0, at;

    if (r->symbol_records_stream == 0xFFFF)
        return false;
    r->records = msf_read_stream(&r->msf, r->symbol_records_stream, PDB_MAX_STREAM,
                                 &r->records_size);
    if (!r->records)
        return false;
    /* every record is at least 4 bytes: an upper bound for the array */
    r->publics = malloc((size_t)(r->records_size / 4 + 1) * sizeof(*r->publics));
    if (!r->publics)
        return false;
    for (at = 0; r->records_size - at >= 4;) {
        uint32_t length = dw_le16(r->records + at), kind = dw_le16(r->records + at + 2);
        const uint8_t *p = r->records + at + 4;
        uint32_t payload = length >= 2 ? length - 2 : 0;

        if (length < 2 || at + 2 + (uint64_t)length > r->records_size)
            break;
        if ((kind == S_PUB32 || kind == S_GDATA32 || kind == S_LDATA32) && payload >= 10) {
            const char *name = pdb_record_name(p, payload, 10);
            uint32_t rva = pdb_rva(r, dw_le16(p + 8), dw_le32(p + 4));
            if (name && rva) {
                struct pdb_public *pub = &r->publics[count++];
                pub->rva = rva;
                pub->name = name;
                pub->flags = kind == S_PUB32 ? dw_le32(p) : 0;
                pub->tag = kind == S_PUB32 ? DI_TAG_PUBLIC : DI_TAG_DATA;
                pub->type = kind == S_PUB32 ? 0 : dw_le32(p);
            }
        }
        at += 2 + length;
    }
    r->public_count = count;
    qsort(r->publics, count, sizeof(*r->publics), compare_public);
    return true;
}

const struct pdb_public *pdb_public_at(const struct pdb_reader *r, uint32_t rva)
{
    uint32_t lo = 0, hi = r->public_count;

    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (r->publics[mid].rva <= rva)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo ? &r->publics[lo - 1] : NULL;
}
