/*
 * Type records, for what the symbol API reports of them: the size of a
 * global's type (SYMBOL_INFO.Size of a data symbol, as DbgHelp gives it).
 * The TPI stream is read and indexed on the first such question; record
 * layouts from microsoft-pdb's cvinfo.h (LF_* leaves, CV_* simple types)
 * and LLVM's "The PDB TPI and IPI Streams".
 */
#include "pdb_internal.h"

#include <stdlib.h>
#include <string.h>

enum {
    LF_MODIFIER = 0x1001,
    LF_POINTER = 0x1002,
    LF_ARRAY = 0x1503,
    LF_CLASS = 0x1504,
    LF_STRUCTURE = 0x1505,
    LF_UNION = 0x1506,
    LF_ENUM = 0x1507,
    LF_INTERFACE = 0x1519,
    LF_NUMERIC = 0x8000,
};

#define PROPERTY_FORWARD_REF 0x80u
#define TYPE_FIRST_RECORD 0x1000u
#define MAX_TYPE_DEPTH 16u /* modifiers, enums and forward references followed */

bool pdb_index_type_stream(struct pdb_reader *r, uint32_t stream, uint8_t **data,
                           uint32_t *size, uint32_t **offsets, uint32_t *first, uint32_t *count)
{
    uint32_t header, at, i = 0;

    *data = msf_read_stream(&r->msf, stream, PDB_MAX_STREAM, size);
    if (!*data || *size < 56)
        return false;
    header = dw_le32(*data + 4);
    *first = dw_le32(*data + 8);
    *count = dw_le32(*data + 12) - *first;
    if (header < 56 || header > *size || *count > *size / 4 || dw_le32(*data + 12) < *first)
        return false;
    *offsets = calloc(*count + 1, sizeof(uint32_t));
    if (!*offsets)
        return false;
    for (at = header; i < *count && *size - at >= 4; i++) {
        uint32_t length = dw_le16(*data + at);
        if (length < 2 || at + 2 + (uint64_t)length > *size)
            break;
        (*offsets)[i] = at;
        at += 2 + length;
    }
    *count = i;
    return true;
}

/* A numeric leaf at p (of `avail` bytes): its value and its length. */
static bool numeric_leaf(const uint8_t *p, uint32_t avail, uint64_t *value, uint32_t *length)
{
    uint16_t leaf;

    if (avail < 2)
        return false;
    leaf = dw_le16(p);
    if (leaf < LF_NUMERIC) {
        *value = leaf;
        *length = 2;
        return true;
    }
    switch (leaf) {
    case 0x8000: /* LF_CHAR */
        *length = 3;
        break;
    case 0x8001: /* LF_SHORT */
    case 0x8002: /* LF_USHORT */
        *length = 4;
        break;
    case 0x8003: /* LF_LONG */
    case 0x8004: /* LF_ULONG */
        *length = 6;
        break;
    case 0x8009: /* LF_QUADWORD */
    case 0x800a: /* LF_UQUADWORD */
        *length = 10;
        break;
    default:
        return false;
    }
    if (avail < *length)
        return false;
    *value = *length == 3 ? p[2] : *length == 4 ? dw_le16(p + 2) : *length == 6 ? dw_le32(p + 2)
                                                                               : dw_le64(p + 2);
    return true;
}

/* CV_* simple types (index < 0x1000): kind in the low byte, pointer mode
 * in bits 8-10. */
static uint32_t simple_type_size(uint32_t index)
{
    static const uint8_t pointer_sizes[8] = {0, 2, 4, 4, 4, 6, 8, 0};
    uint32_t mode = (index >> 8) & 7, kind = index & 0xFF;

    if (mode)
        return pointer_sizes[mode];
    switch (kind) {
    case 0x10: case 0x20: case 0x30: case 0x68: case 0x69: case 0x70: case 0x7c:
        return 1;
    case 0x11: case 0x21: case 0x31: case 0x46: case 0x71: case 0x72: case 0x73: case 0x7a:
        return 2;
    case 0x08: case 0x12: case 0x22: case 0x32: case 0x40: case 0x74: case 0x75: case 0x7b:
        return 4;
    case 0x13: case 0x23: case 0x33: case 0x41: case 0x76: case 0x77:
        return 8;
    case 0x42:
        return 10;
    case 0x14: case 0x24: case 0x43: case 0x78: case 0x79:
        return 16;
    default:
        return 0;
    }
}

/* The record of type `index`: its kind, payload and payload length. */
static bool type_record(const struct pdb_reader *r, uint32_t index, uint32_t *kind,
                        const uint8_t **payload, uint32_t *length)
{
    const uint8_t *rec;

    if (index < r->tpi_first || index - r->tpi_first >= r->tpi_count)
        return false;
    rec = r->tpi + r->tpi_offsets[index - r->tpi_first];
    *kind = dw_le16(rec + 2);
    *payload = rec + 4;
    *length = dw_le16(rec) - 2;
    return true;
}

/* Where a UDT record's size leaf and name begin (after the fixed fields). */
static uint32_t udt_fixed_length(uint32_t kind)
{
    return kind == LF_UNION ? 8 : 16; /* count, property, field[, derived, vshape] */
}

static const char *udt_name(const uint8_t *p, uint32_t length, uint32_t kind)
{
    uint64_t value;
    uint32_t n, fixed = udt_fixed_length(kind);

    if (length < fixed || !numeric_leaf(p + fixed, length - fixed, &value, &n))
        return NULL;
    return pdb_record_name(p, length, fixed + n);
}

static int compare_udt(const void *a, const void *b)
{
    return strcmp(((const struct pdb_udt_name *)a)->name, ((const struct pdb_udt_name *)b)->name);
}

static bool is_udt(uint32_t kind)
{
    return kind == LF_CLASS || kind == LF_STRUCTURE || kind == LF_UNION || kind == LF_INTERFACE;
}

static bool build_tpi(struct pdb_reader *r, void *arg)
{
    (void)arg;
    if (!pdb_index_type_stream(r, PDB_TPI_STREAM, &r->tpi, &r->tpi_size, &r->tpi_offsets,
                               &r->tpi_first, &r->tpi_count))
        return false;
    /* the complete definitions by name, for forward references */
    r->udt_by_name = malloc((size_t)(r->tpi_count + 1) * sizeof(*r->udt_by_name));
    if (!r->udt_by_name)
        return false;
    for (uint32_t i = 0; i < r->tpi_count; i++) {
        uint32_t kind, length;
        const uint8_t *p;
        const char *name;
        if (type_record(r, r->tpi_first + i, &kind, &p, &length) && is_udt(kind) &&
            length >= 4 && !(dw_le16(p + 2) & PROPERTY_FORWARD_REF) &&
            (name = udt_name(p, length, kind)) != NULL)
            r->udt_by_name[r->udt_count++] = (struct pdb_udt_name){name, r->tpi_first + i};
    }
    qsort(r->udt_by_name, r->udt_count, sizeof(*r->udt_by_name), compare_udt);
    return true;
}

/* The complete definition of the forward-referenced UDT `name`, or 0. */
static uint32_t udt_definition(const struct pdb_reader *r, const char *name)
{
    uint32_t lo = 0, hi = r->udt_count;

    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        int c = strcmp(r->udt_by_name[mid].name, name);
        if (c == 0)
            return r->udt_by_name[mid].index;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

uint32_t pdb_type_size(struct pdb_reader *r, uint32_t index)
{
    for (unsigned depth = 0; depth < MAX_TYPE_DEPTH; depth++) {
        uint32_t kind, length, n;
        const uint8_t *p;
        uint64_t value;

        if (index < TYPE_FIRST_RECORD)
            return simple_type_size(index);
        if (!pdb_lazy(r, &r->tpi_state, build_tpi, NULL) ||
            !type_record(r, index, &kind, &p, &length))
            return 0;
        switch (kind) {
        case LF_MODIFIER:
            if (length < 4)
                return 0;
            index = dw_le32(p);
            continue;
        case LF_POINTER:
            return length >= 8 ? (dw_le32(p + 4) >> 13) & 0x3F : 0;
        case LF_ARRAY:
            return length > 8 && numeric_leaf(p + 8, length - 8, &value, &n) &&
                           value <= UINT32_MAX
                       ? (uint32_t)value
                       : 0;
        case LF_ENUM:
            if (length < 8)
                return 0;
            index = dw_le32(p + 4);
            continue;
        case LF_CLASS:
        case LF_STRUCTURE:
        case LF_UNION:
        case LF_INTERFACE: {
            uint32_t fixed = udt_fixed_length(kind);
            if (length < fixed)
                return 0;
            if (dw_le16(p + 2) & PROPERTY_FORWARD_REF) {
                const char *name = udt_name(p, length, kind);
                index = name ? udt_definition(r, name) : 0;
                if (!index)
                    return 0;
                continue;
            }
            return numeric_leaf(p + fixed, length - fixed, &value, &n) && value <= UINT32_MAX
                       ? (uint32_t)value
                       : 0;
        }
        default:
            return 0;
        }
    }
    return 0;
}
