/*
 * x86 frame data from a module's debug information (the PDB's FrameData and
 * old FPO streams): the innermost record covering an address for the walk's
 * program evaluation, and the FPO_DATA that SymFunctionTableAccess64 answers
 * on x86 (the old FPO record as it is, or one synthesized from a FrameData
 * record as DbgHelp does), kept with the module so that the pointer stays
 * valid while the module is loaded.
 */
#include "frame_data.h"

#include <stdlib.h>

/* The module's FPO_DATA built from `f`, created once per record start and
 * kept until the module is freed. Entries are pushed lock-free (the
 * session is held shared here); two threads racing may both push one for
 * the same record, which wastes 24 bytes and is otherwise harmless. */
static PVOID fpo_entry(struct sym_module *m, const struct di_frame_data *f)
{
    struct sym_fpo_entry *e, *head;
    uint8_t raw[SIZEOF_RFPO_DATA], frame;
    uint16_t attributes;
    bool uses_bp;

    for (e = atomic_load_explicit(&m->fpo_entries, memory_order_acquire); e; e = e->next)
        if (e->rva_start == f->rva_start && e->code_size == f->code_size)
            return &e->fpo;
    e = calloc(1, sizeof(*e));
    if (!e)
        return NULL;
    e->rva_start = f->rva_start;
    e->code_size = f->code_size;
    if (f->has_program) {
        /* A program that takes its frame base from EBP describes an EBP
         * frame: DbgHelp's FPO_DATA then says FRAME_NONFPO with fUseBP. */
        uses_bp = f->program && strncmp(f->program, "$T0 $ebp", 8) == 0;
        frame = uses_bp ? 3 : 0;
    } else {
        uses_bp = f->uses_bp;
        frame = f->fpo_frame_type & 3;
    }
    attributes = (uint16_t)((f->prolog_size > 0xFF ? 0xFF : f->prolog_size) |
                            (((f->saved_regs_size / 4) & 7) << 8) | ((f->has_seh ? 1 : 0) << 11) |
                            ((uses_bp ? 1 : 0) << 12) | ((unsigned)frame << 14));
    /* FPO_DATA as winnt.h lays it out (little-endian, bit fields from the
     * low bit), the bytes the x86 unwinder decodes */
    dw_put_le32(raw, f->rva_start);
    dw_put_le32(raw + 4, f->code_size);
    dw_put_le32(raw + 8, f->locals_size / 4);
    raw[12] = (uint8_t)((f->params_size / 4) & 0xFF);
    raw[13] = (uint8_t)(((f->params_size / 4) >> 8) & 0xFF);
    raw[14] = (uint8_t)(attributes & 0xFF);
    raw[15] = (uint8_t)(attributes >> 8);
    memcpy(&e->fpo, raw, sizeof(raw));
    head = atomic_load_explicit(&m->fpo_entries, memory_order_relaxed);
    do
        e->next = head;
    while (!atomic_compare_exchange_weak_explicit(&m->fpo_entries, &head, e,
                                                  memory_order_release, memory_order_relaxed));
    return &e->fpo;
}

/* The frame record of *m's debug information covering `address`. */
static bool record_at(struct sym_session *session, struct sym_module **m,
                      const struct target_reader *reader, uint64_t address,
                      struct di_frame_data *out)
{
    struct debug_info *info = module_debug_info(session, m, reader);

    if (!info || !*m || !info->ops->frame_data_at || address < (*m)->base ||
        address - (*m)->base > 0xFFFFFFFFu)
        return false;
    return info->ops->frame_data_at(info, (uint32_t)(address - (*m)->base), out);
}

PVOID sym_x86_fpo_entry(struct sym_session *session, struct sym_module **m,
                        const struct target_reader *reader, uint64_t address)
{
    struct di_frame_data f;

    if (!record_at(session, m, reader, address, &f))
        return NULL;
    return fpo_entry(*m, &f);
}

void sym_fpo_entries_free(struct sym_module *m)
{
    struct sym_fpo_entry *e = atomic_load_explicit(&m->fpo_entries, memory_order_relaxed);

    while (e) {
        struct sym_fpo_entry *next = e->next;
        free(e);
        e = next;
    }
}

bool sym_frame_data_for_walk(HANDLE process, DWORD64 address, PREAD_PROCESS_MEMORY_ROUTINE64 read,
                             DWORD machine, struct sym_walk_frame_data *out)
{
    struct sym_session *session = session_acquire(process);
    struct target_reader reader = {process, read, NULL};
    struct di_frame_data f;
    struct sym_module *m;
    bool found = false;

    if (!session)
        return false;
    reader.session = session;
    m = session_module_at(session, address);
    /* A module whose headers could not be read (a dump without its image)
     * has no machine yet; its PDB still describes it. */
    if (m && (m->pe.machine == machine || m->pe.machine == 0) &&
        record_at(session, &m, &reader, address, &f) && f.has_program && f.program) {
        struct debug_info *info = m->debug; /* opened by record_at */
        struct di_symbol symbol;
        size_t length = strlen(f.program);
        if (length < sizeof(out->program)) {
            memcpy(out->program, f.program, length + 1);
            out->record = f;
            out->record.program = out->program;
            out->module_base = m->base;
            out->function_start = 0;
            /* the procedure (not a public: its start may be another's) */
            if (info && info->ops->symbol_at &&
                info->ops->symbol_at(info, (uint32_t)(address - m->base), &symbol) &&
                symbol.tag != DI_TAG_PUBLIC)
                out->function_start = m->base + symbol.rva;
            found = true;
        }
    }
    session_release(session);
    return found;
}
