/*
 * One x64 unwind step from UNWIND_INFO: the answers RtlVirtualUnwind gives
 * (spec/unwind-rules.md "x64 — one unwind step").
 */
#include "x64.h"

enum {
    UWOP_PUSH_NONVOL = 0,
    UWOP_ALLOC_LARGE = 1,
    UWOP_ALLOC_SMALL = 2,
    UWOP_SET_FPREG = 3,
    UWOP_SAVE_NONVOL = 4,
    UWOP_SAVE_NONVOL_FAR = 5,
    UWOP_EPILOG = 6,       /* version 2; UWOP_SAVE_XMM in version 1 */
    UWOP_SPARE_CODE = 7,   /* UWOP_SAVE_XMM_FAR in version 1 */
    UWOP_SAVE_XMM128 = 8,
    UWOP_SAVE_XMM128_FAR = 9,
    UWOP_PUSH_MACHFRAME = 10,
};

#define INDIRECT_ENTRY_BIT 0x1u

enum unwind_result x64_read_unwind_info(struct memory_reader *memory, uint64_t base,
                                        uint32_t rva, struct x64_unwind_info *info)
{
    uint8_t header[4];
    uint8_t copy[2 * 256 + 12];
    const uint8_t *rest;
    unsigned slots, size;

    if (!memory_read(memory, base + rva, header, sizeof(header)))
        return UNWIND_DATA_UNREADABLE;
    info->version = header[0] & 7;
    info->flags = header[0] >> 3;
    info->prolog_size = header[1];
    info->code_count = header[2];
    info->frame_register = header[3] & 0x0F;
    info->frame_offset = header[3] >> 4;
    if (info->version != 1 && info->version != 2)
        return UNWIND_BAD_DATA;

    /* Codes are padded to an even slot count and the chained entry follows;
     * without one, the padding slot need not be readable (dumps and
     * debuggers may hold exactly the codes). Decoded straight from the
     * cache block where it holds them all. */
    slots = (info->code_count + 1u) & ~1u;
    size = (info->flags & UNW_FLAG_CHAININFO_BIT) ? 2 * slots + 12 : 2u * info->code_count;
    rest = memory_recent_bytes(memory, base + rva + 4, size);
    if (!rest) {
        if (!memory_read_slow(memory, base + rva + 4, copy, size))
            return UNWIND_DATA_UNREADABLE;
        rest = copy;
    }
    dw_le16_array(info->codes, rest, info->code_count);
    if (info->flags & UNW_FLAG_CHAININFO_BIT) {
        info->chained.begin = dw_le32(rest + 2 * slots);
        info->chained.end = dw_le32(rest + 2 * slots + 4);
        info->chained.unwind_data = dw_le32(rest + 2 * slots + 8);
    }
    return UNWIND_OK;
}

bool x64_resolve_indirect(struct memory_reader *memory, uint64_t base,
                          struct x64_runtime_function *function)
{
    for (unsigned hops = 0; function->unwind_data & INDIRECT_ENTRY_BIT; hops++) {
        uint8_t raw[12];
        if (hops >= X64_CHAIN_LIMIT ||
            !memory_read(memory, base + (function->unwind_data & ~INDIRECT_ENTRY_BIT),
                         raw, sizeof(raw)))
            return false;
        function->begin = dw_le32(raw);
        function->end = dw_le32(raw + 4);
        function->unwind_data = dw_le32(raw + 8);
    }
    return true;
}

/* How many 16-bit slots a code occupies, or 0 for a code that cannot be
 * unwound (which ends the walk at this frame). */
static unsigned code_slots(uint8_t version, uint8_t op, uint8_t op_info)
{
    switch (op) {
    case UWOP_PUSH_NONVOL:
    case UWOP_ALLOC_SMALL:
    case UWOP_SET_FPREG:
    case UWOP_PUSH_MACHFRAME:
        return 1;
    case UWOP_ALLOC_LARGE:
        return op_info == 0 ? 2 : op_info == 1 ? 3 : 0;
    case UWOP_SAVE_NONVOL:
    case UWOP_SAVE_XMM128:
        return 2;
    case UWOP_SAVE_NONVOL_FAR:
    case UWOP_SAVE_XMM128_FAR:
        return 3;
    case UWOP_EPILOG:
        return version == 1 ? 2 : 1;
    case UWOP_SPARE_CODE:
        return version == 1 ? 3 : 0;
    default:
        return 0;
    }
}

static uint32_t slot_pair(const struct x64_unwind_info *info, unsigned i)
{
    return (uint32_t)info->codes[i + 1] | ((uint32_t)info->codes[i + 2] << 16);
}

struct code_walk {
    struct memory_reader *memory;
    struct x64_regs *regs;
    uint64_t frame; /* base for SAVE_* offsets */
    bool machine_frame;
};

static bool restore_xmm(struct code_walk *w, unsigned reg, uint64_t address, bool low_half_only)
{
    uint8_t value[16] = {0};

    if (!memory_read(w->memory, address, value, low_half_only ? 8 : 16))
        return false;
    memcpy(w->regs->xmm[reg], value, sizeof(value));
    w->regs->xmm_restored |= (uint16_t)(1u << reg);
    return true;
}

/* Undoes one code. Returns UNWIND_OK, or why the frame cannot be unwound. */
static enum unwind_result apply_code(struct code_walk *w, const struct x64_unwind_info *info,
                                     unsigned i, uint8_t op, uint8_t op_info)
{
    uint64_t *gpr = w->regs->gpr;
    uint64_t value;

    switch (op) {
    case UWOP_PUSH_NONVOL:
        if (!memory_read_u64(w->memory, gpr[X64_RSP], &value))
            return UNWIND_STACK_UNREADABLE;
        gpr[op_info] = value;
        gpr[X64_RSP] += 8;
        return UNWIND_OK;
    case UWOP_ALLOC_LARGE:
        gpr[X64_RSP] += op_info == 0 ? 8u * info->codes[i + 1] : slot_pair(info, i);
        return UNWIND_OK;
    case UWOP_ALLOC_SMALL:
        gpr[X64_RSP] += 8u * (op_info + 1u);
        return UNWIND_OK;
    case UWOP_SET_FPREG:
        if (info->frame_register == 0)
            return UNWIND_BAD_DATA;
        gpr[X64_RSP] = w->frame;
        return UNWIND_OK;
    case UWOP_SAVE_NONVOL:
    case UWOP_SAVE_NONVOL_FAR: {
        uint64_t offset = op == UWOP_SAVE_NONVOL ? 8u * info->codes[i + 1] : slot_pair(info, i);
        if (!memory_read_u64(w->memory, w->frame + offset, &value))
            return UNWIND_STACK_UNREADABLE;
        gpr[op_info] = value;
        return UNWIND_OK;
    }
    case UWOP_EPILOG: /* version 2: an epilog location, nothing to undo */
        if (info->version != 1)
            return UNWIND_OK;
        /* version 1 UWOP_SAVE_XMM: the low half, scaled by 8 */
        return restore_xmm(w, op_info, w->frame + 8u * info->codes[i + 1], true)
                   ? UNWIND_OK
                   : UNWIND_STACK_UNREADABLE;
    case UWOP_SPARE_CODE: /* version 1 UWOP_SAVE_XMM_FAR */
        return restore_xmm(w, op_info, w->frame + slot_pair(info, i), true) ? UNWIND_OK
                                                                            : UNWIND_STACK_UNREADABLE;
    case UWOP_SAVE_XMM128:
    case UWOP_SAVE_XMM128_FAR: {
        uint64_t offset = op == UWOP_SAVE_XMM128 ? 16u * info->codes[i + 1] : slot_pair(info, i);
        return restore_xmm(w, op_info, w->frame + offset, false) ? UNWIND_OK : UNWIND_STACK_UNREADABLE;
    }
    case UWOP_PUSH_MACHFRAME: {
        uint64_t rsp = gpr[X64_RSP] + (op_info ? 8u : 0u);
        uint64_t rip, old_rsp;
        if (!memory_read_u64(w->memory, rsp, &rip) ||
            !memory_read_u64(w->memory, rsp + 24, &old_rsp))
            return UNWIND_STACK_UNREADABLE;
        w->regs->rip = rip;
        gpr[X64_RSP] = old_rsp;
        w->machine_frame = true;
        return UNWIND_OK;
    }
    default:
        return UNWIND_BAD_DATA;
    }
}

/* The base of every SAVE_* offset, in the primary info and all its chained
 * ones, computed once from the primary before any code runs: the frame
 * register counts past the prolog, always when the primary is itself chained,
 * and inside an unchained prolog only once its SET_FPREG has executed
 * (spec/unwind-rules.md, x64 step 2). */
static uint64_t establisher_frame(const struct x64_regs *regs, const struct x64_unwind_info *info,
                                  uint64_t pc_offset)
{
    uint64_t with_fp = regs->gpr[info->frame_register] - 16u * info->frame_offset;

    if (info->frame_register == 0)
        return regs->gpr[X64_RSP];
    if (pc_offset >= info->prolog_size || (info->flags & UNW_FLAG_CHAININFO_BIT))
        return with_fp;
    for (unsigned i = 0; i < info->code_count;) {
        uint8_t op = (info->codes[i] >> 8) & 0x0F;
        unsigned slots = code_slots(info->version, op, info->codes[i] >> 12);
        if (slots == 0)
            break; /* malformed: apply_codes reports it */
        if (op == UWOP_SET_FPREG && (info->codes[i] & 0xFFu) <= pc_offset)
            return with_fp;
        i += slots;
    }
    return regs->gpr[X64_RSP];
}

/* Undoes the codes of one UNWIND_INFO; in its prolog only those whose
 * instruction has executed. */
static enum unwind_result apply_codes(struct code_walk *w, const struct x64_unwind_info *info,
                                      uint64_t pc_offset)
{
    bool in_prolog = pc_offset < info->prolog_size;

    for (unsigned i = 0; i < info->code_count;) {
        uint8_t code_offset = info->codes[i] & 0xFF;
        uint8_t op = (info->codes[i] >> 8) & 0x0F;
        uint8_t op_info = info->codes[i] >> 12;
        unsigned slots = code_slots(info->version, op, op_info);
        enum unwind_result r;

        if (slots == 0 || i + slots > info->code_count)
            return UNWIND_BAD_DATA;
        if (op == UWOP_PUSH_MACHFRAME &&
            (i + slots != info->code_count || (info->flags & UNW_FLAG_CHAININFO_BIT)))
            return UNWIND_BAD_DATA; /* only as the last code of an unchained info */
        if (!(in_prolog && code_offset > pc_offset)) {
            r = apply_code(w, info, i, op, op_info);
            if (r != UNWIND_OK)
                return r;
        }
        i += slots;
    }
    return UNWIND_OK;
}

/* SYM_STKWALK_FORCE_FRAMEPTR where there is no unwind data: a plausible
 * RBP-chain link ([RBP] = caller RBP, [RBP + 8] = return address) is taken;
 * anything else falls back to the leaf rule. */
static bool frame_pointer_unwind(struct memory_reader *memory, struct x64_regs *regs)
{
    uint64_t rbp = regs->gpr[X64_RBP], saved_rbp, rip;

    if (rbp < regs->gpr[X64_RSP] || (rbp & 7) != 0 || rbp + 16 < rbp ||
        !memory_read_u64(memory, rbp, &saved_rbp) || !memory_read_u64(memory, rbp + 8, &rip))
        return false;
    regs->rip = rip;
    regs->gpr[X64_RSP] = rbp + 16;
    regs->gpr[X64_RBP] = saved_rbp;
    return true;
}

static enum unwind_result leaf_unwind(struct memory_reader *memory, struct x64_regs *regs,
                                      enum unwind_result unreadable)
{
    uint64_t rip;

    if (!memory_read_u64(memory, regs->gpr[X64_RSP], &rip))
        return unreadable;
    regs->rip = rip;
    regs->gpr[X64_RSP] += 8;
    return UNWIND_OK;
}

enum unwind_result x64_virtual_unwind(const struct walk_services *services, struct x64_regs *regs,
                                      bool pc_exact, struct unwind_step *step)
{
    struct memory_reader *memory = services->memory;
    uint8_t raw[12];
    uint64_t pc = regs->rip;
    /* A return address may sit just past a call that ends its function. */
    uint64_t lookup = pc_exact ? pc : pc - 1;
    struct x64_runtime_function function;
    struct x64_unwind_info info;
    struct code_walk walk = {.memory = memory, .regs = regs};
    uint64_t base;
    enum unwind_result r;

    step->caller_pc_exact = false;
    step->function_entry = function_table_lookup(&services->table, lookup, raw, sizeof(raw));
    if (!step->function_entry) {
        if ((services->flags & SYM_STKWALK_FORCE_FRAMEPTR) && frame_pointer_unwind(memory, regs))
            return UNWIND_OK;
        return leaf_unwind(memory, regs, UNWIND_LEAF_REFUSED);
    }

    base = function_table_module_base(&services->table, lookup);
    if (base == 0)
        return UNWIND_NO_MODULE_BASE; /* never read unwind data at 0 + RVA */
    function.begin = dw_le32(raw);
    function.end = dw_le32(raw + 4);
    function.unwind_data = dw_le32(raw + 8);
    if (!x64_resolve_indirect(memory, base, &function))
        return UNWIND_DATA_UNREADABLE;
    r = x64_read_unwind_info(memory, base, function.unwind_data, &info);
    if (r != UNWIND_OK)
        return r;

    /* Epilogs are recognised from the code, against the entry found for the
     * PC only, and never with zero codes (Windows 10 1809 and later).
     *
     * Only where the PC is exact: a return address follows a call, and no
     * call sits inside an epilog, so there it is at most the first epilog
     * instruction, from which simulating the epilog and undoing the codes
     * give the same registers. Skipping the check there saves reading the
     * code of every caller frame. */
    if (pc_exact && info.code_count != 0 && pc >= base + function.begin &&
        pc < base + function.end &&
        (pc - (base + function.begin) >= info.prolog_size ||
         (info.flags & UNW_FLAG_CHAININFO_BIT))) {
        switch (x64_unwind_epilog(services, regs, base, &function, &info)) {
        case EPILOG_UNWOUND:
            return UNWIND_OK;
        case EPILOG_UNREADABLE:
            return UNWIND_STACK_UNREADABLE;
        case EPILOG_NONE:
            break;
        }
    }

    walk.frame = establisher_frame(regs, &info, pc - (base + function.begin));
    for (unsigned depth = 0;; depth++) {
        r = apply_codes(&walk, &info, pc - (base + function.begin));
        if (r != UNWIND_OK)
            return r;
        if (walk.machine_frame) {
            step->caller_pc_exact = true;
            return UNWIND_OK;
        }
        if (!(info.flags & UNW_FLAG_CHAININFO_BIT))
            break;
        if (depth + 1 >= X64_CHAIN_LIMIT)
            return UNWIND_BAD_DATA; /* too long, or a cycle */
        function = info.chained;
        if (!x64_resolve_indirect(memory, base, &function))
            return UNWIND_DATA_UNREADABLE;
        r = x64_read_unwind_info(memory, base, function.unwind_data, &info);
        if (r != UNWIND_OK)
            return r;
    }
    return leaf_unwind(memory, regs, UNWIND_STACK_UNREADABLE);
}
