/*
 * One module's stream: its symbol records (procedures and thunks, for names)
 * and its C13 line subsections (for lines), indexed on first use as arrays
 * sorted by RVA. Layouts: microsoft-pdb's cvinfo.h (PROCSYM32, THUNKSYM32)
 * and LLVM's "The Module Information Stream" / "CodeView Debug Subsections".
 */
#include "pdb_internal.h"

#include <stdlib.h>

enum {
    S_THUNK32 = 0x1102,
    S_LPROC32 = 0x110F,
    S_GPROC32 = 0x1110,
    S_LPROC32_ID = 0x1146,
    S_GPROC32_ID = 0x1147,
    S_LPROC32_DPC = 0x1155,
    S_LPROC32_DPC_ID = 0x1156,
};

enum { DEBUG_S_LINES = 0xF2, DEBUG_S_FILECHKSMS = 0xF4, DEBUG_S_INLINEELINES = 0xF6 };

/* cvinfo.h: line numbers the compiler writes for code no source line owns */
#define LINE_HIDDEN_A 0xFEEFEEu
#define LINE_HIDDEN_B 0xF00F00u

/* A growing array: `*items` of `*count` elements of `size` bytes. */
static bool grow(void **items, uint32_t *capacity, uint32_t count, size_t size)
{
    void *more;
    uint32_t want;

    if (count < *capacity)
        return true;
    want = *capacity ? *capacity * 2 : 64;
    if (want < *capacity || (uint64_t)want * size > (1ull << 31))
        return false;
    more = realloc(*items, (size_t)want * size);
    if (!more)
        return false;
    *items = more;
    *capacity = want;
    return true;
}

static bool is_procedure(uint16_t kind)
{
    return kind == S_GPROC32 || kind == S_LPROC32 || kind == S_GPROC32_ID ||
           kind == S_LPROC32_ID || kind == S_LPROC32_DPC || kind == S_LPROC32_DPC_ID;
}

static int compare_proc(const void *a, const void *b)
{
    const struct pdb_proc *x = a, *y = b;
    return x->rva < y->rva ? -1 : x->rva > y->rva;
}

static int compare_line(const void *a, const void *b)
{
    const struct pdb_line *x = a, *y = b;
    if (x->rva != y->rva)
        return x->rva < y->rva ? -1 : 1;
    return x->order < y->order ? -1 : x->order > y->order;
}

/* The procedures and thunks among the module's symbol records. */
static bool index_symbols(struct pdb_reader *r, struct pdb_module *m, uint32_t end)
{
    uint32_t capacity = 0;

    for (uint32_t at = 4; at + 4 <= end;) {
        uint32_t length = dw_le16(m->data + at), kind = dw_le16(m->data + at + 2);
        const uint8_t *p = m->data + at + 4;
        uint32_t payload = length >= 2 ? length - 2 : 0;
        struct pdb_proc proc;
        const char *name = NULL;

        if (length < 2 || at + 2 + (uint64_t)length > end)
            break; /* a record running past the symbols: stop there */
        memset(&proc, 0, sizeof(proc));
        if (is_procedure((uint16_t)kind) && payload >= 35) {
            proc.size = dw_le32(p + 12);
            proc.rva = pdb_rva(r, dw_le16(p + 32), dw_le32(p + 28));
            proc.end = dw_le32(p + 4);
            proc.tag = DI_TAG_FUNCTION;
            name = pdb_record_name(p, payload, 35);
        } else if (kind == S_THUNK32 && payload >= 21) {
            proc.size = dw_le16(p + 18);
            proc.rva = pdb_rva(r, dw_le16(p + 16), dw_le32(p + 12));
            proc.tag = DI_TAG_THUNK;
            name = pdb_record_name(p, payload, 21);
        }
        if (name && proc.rva) {
            if (!grow((void **)&m->procs, &capacity, m->proc_count, sizeof(*m->procs)))
                return false;
            proc.name = name;
            proc.record = at;
            if (proc.end <= at || proc.end > end)
                proc.end = at;
            m->procs[m->proc_count++] = proc;
        }
        at += 2 + length;
    }
    if (m->proc_count)
        qsort(m->procs, m->proc_count, sizeof(*m->procs), compare_proc);
    return true;
}

/* One DEBUG_S_LINES subsection's blocks. */
static bool index_lines(struct pdb_reader *r, struct pdb_module *m, const uint8_t *s,
                        uint32_t size, uint32_t *capacity)
{
    uint32_t base, code_size, at = 12;
    bool columns;

    if (size < 12)
        return true;
    base = pdb_rva(r, dw_le16(s + 4), dw_le32(s));
    columns = (dw_le16(s + 6) & 1) != 0;
    code_size = dw_le32(s + 8);
    if (base == 0)
        return true;
    while (size - at >= 12) {
        uint32_t name_index = dw_le32(s + at), count = dw_le32(s + at + 4);
        uint32_t block = dw_le32(s + at + 8);
        const char *file = "";
        if (block < 12 || block > size - at || count > (block - 12) / (columns ? 12 : 8))
            return true; /* a block running past its subsection */
        if (m->checksums && name_index <= m->checksums_size - 4 && m->checksums_size >= 4)
            file = pdb_name(r, dw_le32(m->checksums + name_index));
        for (uint32_t i = 0; i < count; i++) {
            const uint8_t *e = s + at + 12 + 8 * (size_t)i;
            uint32_t offset = dw_le32(e), line = dw_le32(e + 4) & 0xFFFFFF;
            uint32_t next = code_size;
            /* the code runs to the next entry at a higher offset: entries
             * sharing an offset (a line that emitted no code before the
             * next) cover the same code, and the first one answers */
            for (uint32_t j = i + 1; j < count && j - i <= 64; j++) {
                uint32_t later = dw_le32(s + at + 12 + 8 * (size_t)j);
                if (later > offset) {
                    next = later;
                    break;
                }
            }
            if (line == 0 || line == LINE_HIDDEN_A || line == LINE_HIDDEN_B || next <= offset)
                continue;
            if (!grow((void **)&m->lines, capacity, m->line_count, sizeof(*m->lines)))
                return false;
            m->lines[m->line_count] =
                (struct pdb_line){base + offset, base + next, line, m->line_count, file};
            m->line_count++;
        }
        at += block;
    }
    return true;
}

/* The C13 subsections: checksums and inlinee lines first (lines refer to
 * them), then the lines. */
static bool index_c13(struct pdb_reader *r, struct pdb_module *m, uint32_t start, uint32_t end)
{
    uint32_t capacity = 0;

    for (int pass = 0; pass < 2; pass++) {
        for (uint32_t at = start; end - at >= 8 && at < end;) {
            uint32_t kind = dw_le32(m->data + at) & 0x7FFFFFFFu, size = dw_le32(m->data + at + 4);
            const uint8_t *s = m->data + at + 8;
            if (size > end - at - 8)
                break;
            if (pass == 0 && kind == DEBUG_S_FILECHKSMS) {
                m->checksums = s;
                m->checksums_size = size;
            } else if (pass == 0 && kind == DEBUG_S_INLINEELINES) {
                m->inlinee_lines = s;
                m->inlinee_lines_size = size;
            } else if (pass == 1 && kind == DEBUG_S_LINES &&
                       !index_lines(r, m, s, size, &capacity)) {
                return false;
            }
            at += 8 + ((size + 3) & ~3u);
        }
    }
    if (m->line_count)
        qsort(m->lines, m->line_count, sizeof(*m->lines), compare_line);
    return true;
}

bool pdb_module_load(struct pdb_reader *r, struct pdb_module *m)
{
    uint64_t symbols_end, c13_start, c13_end;

    if (m->stream == 0xFFFF)
        return false;
    m->data = msf_read_stream(&r->msf, m->stream, PDB_MAX_STREAM, &m->size);
    if (!m->data || m->size < 4)
        return false;
    symbols_end = m->symbol_bytes < m->size ? m->symbol_bytes : m->size;
    c13_start = (uint64_t)m->symbol_bytes + m->c11_bytes;
    c13_end = c13_start + m->c13_bytes;
    if (c13_end > m->size)
        c13_end = m->size;
    if (!index_symbols(r, m, (uint32_t)symbols_end))
        return false;
    if (c13_start < c13_end && !index_c13(r, m, (uint32_t)c13_start, (uint32_t)c13_end))
        return false;
    return true;
}

const struct pdb_proc *pdb_module_proc_at(const struct pdb_module *m, uint32_t rva)
{
    uint32_t lo = 0, hi = m->proc_count;

    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (m->procs[mid].rva <= rva)
            lo = mid + 1;
        else
            hi = mid;
    }
    /* the last procedure starting at or below rva that holds it (a thunk
     * or a zero-sized record may sit between it and rva) */
    for (unsigned tries = 0; lo > 0 && tries < 4; tries++) {
        const struct pdb_proc *p = &m->procs[--lo];
        if (rva - p->rva < p->size)
            return p;
    }
    return NULL;
}

const struct pdb_line *pdb_module_line_at(const struct pdb_module *m, uint32_t rva)
{
    uint32_t lo = 0, hi = m->line_count;

    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (m->lines[mid].rva <= rva)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0 || rva >= m->lines[lo - 1].end)
        return NULL;
    /* Several entries at one address (a line that emitted no code before
     * the next): the address itself is the first one's, the code after it
     * the last one's, which is what it compiles (as llvm-symbolizer reads
     * them too). */
    lo--;
    while (m->lines[lo].rva == rva && lo > 0 && m->lines[lo - 1].rva == rva)
        lo--;
    return &m->lines[lo];
}

const struct pdb_line *pdb_module_first_line(const struct pdb_module *m, uint32_t from,
                                             uint32_t to)
{
    uint32_t lo = 0, hi = m->line_count;

    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (m->lines[mid].rva < from)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < m->line_count && m->lines[lo].rva < to ? &m->lines[lo] : NULL;
}

void pdb_module_free(struct pdb_module *m)
{
    free(m->data);
    free(m->procs);
    free(m->lines);
    m->data = NULL;
    m->procs = NULL;
    m->lines = NULL;
}
