/*
 * Inline frames: the S_INLINESITE records nested in a procedure, their
 * binary annotations (which code ranges each inlined call covers, and which
 * lines), the inlinee's first line from DEBUG_S_INLINEELINES, and the
 * inlinee's name from the IPI stream (LF_FUNC_ID, LF_MFUNC_ID). Layouts and
 * opcodes: cvinfo.h (BinaryAnnotationOpcode) and LLVM's CodeView docs.
 */
#include "pdb_internal.h"

#include <stdlib.h>

enum {
    S_BLOCK32 = 0x1103,
    S_INLINESITE = 0x114D,
    S_INLINESITE_END = 0x114E,
    S_INLINESITE2 = 0x115D,
    LF_FUNC_ID = 0x1601,
    LF_MFUNC_ID = 0x1602,
};

enum {
    BA_END = 0,
    BA_CODE_OFFSET = 1,
    BA_CHANGE_CODE_OFFSET_BASE = 2,
    BA_CHANGE_CODE_OFFSET = 3,
    BA_CHANGE_CODE_LENGTH = 4,
    BA_CHANGE_FILE = 5,
    BA_CHANGE_LINE_OFFSET = 6,
    BA_CHANGE_LINE_END_DELTA = 7,
    BA_CHANGE_RANGE_KIND = 8,
    BA_CHANGE_COLUMN_START = 9,
    BA_CHANGE_COLUMN_END_DELTA = 10,
    BA_CHANGE_CODE_OFFSET_AND_LINE_OFFSET = 11,
    BA_CHANGE_CODE_LENGTH_AND_CODE_OFFSET = 12,
    BA_CHANGE_COLUMN_END = 13,
};

#define MAX_INLINE_DEPTH 64u

/* ---- IPI: inlinee names ---- */

static bool build_ipi(struct pdb_reader *r, void *arg)
{
    (void)arg;
    return pdb_index_type_stream(r, PDB_IPI_STREAM, &r->ipi, &r->ipi_size, &r->ipi_offsets,
                                 &r->ipi_first, &r->ipi_count);
}

static const char *inlinee_name(struct pdb_reader *r, uint32_t item)
{
    const uint8_t *rec;
    uint32_t length, kind;

    if (!pdb_lazy(r, &r->ipi_state, build_ipi, NULL) || item < r->ipi_first ||
        item - r->ipi_first >= r->ipi_count)
        return NULL;
    rec = r->ipi + r->ipi_offsets[item - r->ipi_first];
    length = dw_le16(rec);
    kind = dw_le16(rec + 2);
    if ((kind != LF_FUNC_ID && kind != LF_MFUNC_ID) || length < 2 + 8)
        return NULL;
    return pdb_record_name(rec + 4, length - 2, 8);
}

/* ---- the inlinee's first line ---- */

static bool inlinee_start(struct pdb_reader *r, const struct pdb_module *m, uint32_t item,
                          const char **file, uint32_t *line)
{
    const uint8_t *s = m->inlinee_lines;
    uint32_t size = m->inlinee_lines_size, at = 4;
    bool extra;

    if (!s || size < 4)
        return false;
    extra = dw_le32(s) == 1;
    while (size - at >= 12) {
        uint32_t files = 0;
        if (extra) {
            if (size - at < 16)
                return false;
            files = dw_le32(s + at + 12);
            if (files > (size - at - 16) / 4)
                return false;
        }
        if (dw_le32(s + at) == item) {
            uint32_t checksum = dw_le32(s + at + 4);
            *line = dw_le32(s + at + 8);
            *file = m->checksums && m->checksums_size >= 4 && checksum <= m->checksums_size - 4
                        ? pdb_name(r, dw_le32(m->checksums + checksum))
                        : "";
            return true;
        }
        at += 12 + (extra ? 4 + 4 * files : 0);
    }
    return false;
}

/* ---- binary annotations ---- */

struct annotations {
    const uint8_t *p, *end;
};

/* A CodeView compressed unsigned integer; false at the end or on bad data. */
static bool next_uint(struct annotations *a, uint32_t *value)
{
    uint8_t b;

    if (a->p >= a->end)
        return false;
    b = *a->p++;
    if ((b & 0x80) == 0) {
        *value = b;
        return true;
    }
    if ((b & 0xC0) == 0x80) {
        if (a->end - a->p < 1)
            return false;
        *value = ((uint32_t)(b & 0x3F) << 8) | a->p[0];
        a->p += 1;
        return true;
    }
    if ((b & 0xE0) == 0xC0) {
        if (a->end - a->p < 3)
            return false;
        *value = ((uint32_t)(b & 0x1F) << 24) | ((uint32_t)a->p[0] << 16) |
                 ((uint32_t)a->p[1] << 8) | a->p[2];
        a->p += 3;
        return true;
    }
    return false;
}

static int32_t decode_signed(uint32_t v)
{
    return (v & 1) ? -(int32_t)(v >> 1) : (int32_t)(v >> 1);
}

/* Runs a site's annotations; true when `offset` (from the procedure's
 * start) lies in one of its ranges, with the line and file there. A range
 * opens at each code-offset change, with the line and file in force then,
 * and closes at the next one or after the length an annotation gives. */
struct site_range {
    bool open;
    uint32_t start, line;
    const char *file;
};

static bool range_holds(struct site_range *range, uint32_t end, uint32_t offset,
                        const char **file, uint32_t *line)
{
    bool holds = range->open && offset >= range->start && offset < end;

    if (holds) {
        *file = range->file;
        *line = range->line;
    }
    range->open = false;
    return holds;
}

static bool site_covers(struct pdb_reader *r, const struct pdb_module *m, struct annotations a,
                        uint32_t offset, const char *file, uint32_t line, const char **line_file,
                        uint32_t *line_out)
{
    struct site_range range = {false, 0, 0, NULL};
    uint32_t code = 0, base = 0, op, v, v2;

    while (next_uint(&a, &op) && op != BA_END) {
        switch (op) {
        case BA_CODE_OFFSET:
            if (!next_uint(&a, &v))
                return false;
            code = v;
            break;
        case BA_CHANGE_CODE_OFFSET_BASE:
            if (!next_uint(&a, &v))
                return false;
            base = v;
            break;
        case BA_CHANGE_CODE_OFFSET:
            if (!next_uint(&a, &v))
                return false;
            code += v;
            if (range_holds(&range, base + code, offset, line_file, line_out))
                return true;
            range = (struct site_range){true, base + code, line, file};
            break;
        case BA_CHANGE_CODE_LENGTH:
            if (!next_uint(&a, &v))
                return false;
            if (range_holds(&range, range.start + v, offset, line_file, line_out))
                return true;
            code += v;
            break;
        case BA_CHANGE_FILE:
            if (!next_uint(&a, &v))
                return false;
            if (m->checksums && m->checksums_size >= 4 && v <= m->checksums_size - 4)
                file = pdb_name(r, dw_le32(m->checksums + v));
            break;
        case BA_CHANGE_LINE_OFFSET:
            if (!next_uint(&a, &v))
                return false;
            line = (uint32_t)((int32_t)line + decode_signed(v));
            break;
        case BA_CHANGE_CODE_OFFSET_AND_LINE_OFFSET:
            if (!next_uint(&a, &v))
                return false;
            code += v & 0xF;
            line = (uint32_t)((int32_t)line + decode_signed(v >> 4));
            if (range_holds(&range, base + code, offset, line_file, line_out))
                return true;
            range = (struct site_range){true, base + code, line, file};
            break;
        case BA_CHANGE_CODE_LENGTH_AND_CODE_OFFSET:
            if (!next_uint(&a, &v) || !next_uint(&a, &v2))
                return false;
            code += v2;
            if (range_holds(&range, base + code, offset, line_file, line_out))
                return true;
            range = (struct site_range){true, base + code, line, file};
            if (range_holds(&range, base + code + v, offset, line_file, line_out))
                return true;
            code += v;
            break;
        case BA_CHANGE_LINE_END_DELTA:
        case BA_CHANGE_RANGE_KIND:
        case BA_CHANGE_COLUMN_START:
        case BA_CHANGE_COLUMN_END_DELTA:
        case BA_CHANGE_COLUMN_END:
            if (!next_uint(&a, &v))
                return false;
            break;
        default:
            return false;
        }
    }
    return false;
}

/* ---- the chain ---- */

unsigned pdb_inlines_at(struct pdb_reader *r, struct pdb_module *m, const struct pdb_proc *proc,
                        uint32_t rva, struct di_inline_frame *out, unsigned max)
{
    struct di_inline_frame chain[MAX_INLINE_DEPTH];
    unsigned depth = 0;
    uint32_t offset = rva - proc->rva;
    uint32_t at, end = proc->end;

    if (end <= proc->record || end > m->size)
        return 0;
    /* the procedure record itself comes first: skip it */
    at = proc->record + 2 + dw_le16(m->data + proc->record);
    while (at + 4 <= end && depth < MAX_INLINE_DEPTH) {
        uint32_t length = dw_le16(m->data + at), kind = dw_le16(m->data + at + 2);
        const uint8_t *p = m->data + at + 4;
        uint32_t payload = length >= 2 ? length - 2 : 0, skip_to;

        if (length < 2 || at + 2 + (uint64_t)length > m->size)
            break;
        if ((kind == S_INLINESITE || kind == S_INLINESITE2) && payload >= 12) {
            uint32_t item = dw_le32(p + 8), first = kind == S_INLINESITE2 ? 16 : 12;
            struct annotations a = {p + (first < payload ? first : payload), p + payload};
            const char *name = inlinee_name(r, item), *file = "", *line_file;
            uint32_t line = 0, line_here;
            skip_to = dw_le32(p + 4); /* its S_INLINESITE_END */
            inlinee_start(r, m, item, &file, &line);
            if (name && site_covers(r, m, a, offset, file, line, &line_file, &line_here)) {
                struct di_inline_frame *f = &chain[depth++];
                memset(f, 0, sizeof(*f));
                f->function.rva = proc->rva;
                f->function.tag = DI_TAG_INLINE_SITE;
                f->function.name = name;
                f->function.name_length = strlen(name);
                f->line.rva = rva;
                f->line.file = line_file;
                f->line.line = line_here;
            } else if (skip_to > at && skip_to < end) {
                at = skip_to; /* not here: nor anything inlined inside it */
                continue;
            }
        }
        at += 2 + length;
    }
    /* each frame's call site is the line of the frame around it: the next
     * outer inline frame, or the procedure's own line table */
    for (unsigned i = 0; i < depth; i++) {
        struct di_inline_frame *f = &chain[i];
        if (i > 0) {
            f->call_site = chain[i - 1].line;
        } else {
            /* code inlined before the procedure's first line entry has no
             * line of its own: the procedure's first line stands for it */
            const struct pdb_line *l = pdb_module_line_at(m, rva);
            if (!l)
                l = pdb_module_first_line(m, proc->rva, proc->rva + proc->size);
            if (l) {
                f->call_site.rva = l->rva;
                f->call_site.line = l->line;
                f->call_site.file = l->file;
            }
        }
    }
    /* innermost first */
    for (unsigned i = 0; i < depth && i < max; i++)
        out[i] = chain[depth - 1 - i];
    return depth;
}
