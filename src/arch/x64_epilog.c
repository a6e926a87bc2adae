/*
 * x64 epilog recognition: is the PC inside an epilog, and if so, what does
 * executing the rest of it do? (spec/unwind-rules.md "Epilog recognition at
 * the PC".) Only the shapes Windows accepts count:
 *
 *   [add rsp, imm | lea rsp, [fp + disp]]  pop*  (ret | ret imm16 | rep ret | tail jmp)
 */
#include "x64.h"

#define MAX_POPS 64 /* far more than 16 registers: a bound, not a limit */

struct code_cursor {
    struct memory_reader *memory;
    uint64_t address;
};

static bool peek(struct code_cursor *c, unsigned at, uint8_t *byte)
{
    return memory_read(c->memory, c->address + at, byte, 1);
}

static bool peek_bytes(struct code_cursor *c, unsigned at, uint8_t *bytes, unsigned n)
{
    return memory_read(c->memory, c->address + at, bytes, n);
}

static bool is_rex(uint8_t b) { return (b & 0xF0) == 0x40; }
static bool is_rex_w(uint8_t b) { return (b & 0xF8) == 0x48; }

enum epilog_start { START_NONE, START_ADD, START_LEA };
enum epilog_end { END_RET, END_RET_IMM, END_JUMP };

struct epilog_plan {
    enum epilog_start start;
    int64_t amount;    /* add: immediate; lea: displacement */
    unsigned lea_base; /* lea: the frame register */
    unsigned pop_count;
    uint8_t pops[MAX_POPS];
    enum epilog_end end;
    uint16_t ret_imm;
};

/* The optional first instruction; returns its length (0 when absent). */
static unsigned match_start(struct code_cursor *c, const struct x64_unwind_info *info,
                            struct epilog_plan *plan)
{
    uint8_t b[7];

    plan->start = START_NONE;
    if (!peek_bytes(c, 0, b, 3))
        return 0;
    if (b[0] == 0x48 && b[1] == 0x83 && b[2] == 0xC4 && peek_bytes(c, 0, b, 4)) {
        plan->start = START_ADD;
        plan->amount = (int8_t)b[3];
        return 4;
    }
    if (b[0] == 0x48 && b[1] == 0x81 && b[2] == 0xC4 && peek_bytes(c, 0, b, 7)) {
        plan->start = START_ADD;
        plan->amount = (int32_t)dw_le32(b + 3);
        return 7;
    }
    /* lea rsp, [fp + disp8/disp32]: REX.W (B selects r8-r15), ModRM.reg =
     * rsp, no SIB; accepted only with the function's own frame register. */
    if ((b[0] & 0xFE) == 0x48 && b[1] == 0x8D && (b[2] & 0x38) == 0x20 && (b[2] & 7) != 4) {
        unsigned mod = b[2] >> 6;
        unsigned base = ((b[0] & 1u) << 3) | (b[2] & 7u);
        if (base == 0 || base != info->frame_register)
            return 0;
        if (mod == 1 && peek_bytes(c, 0, b, 4)) {
            plan->start = START_LEA;
            plan->lea_base = base;
            plan->amount = (int8_t)b[3];
            return 4;
        }
        if (mod == 2 && peek_bytes(c, 0, b, 7)) {
            plan->start = START_LEA;
            plan->lea_base = base;
            plan->amount = (int32_t)dw_le32(b + 3);
            return 7;
        }
    }
    return 0;
}

/* Whether a direct jmp to `target` leaves the function (a tail call): a
 * target outside [Begin, End) does (End itself is outside), unless the
 * normal lookup of the target finds an entry with the same Begin. A jump
 * from a chained fragment into its parent lands in an entry with another
 * Begin, so it is a tail call too (spec/unwind-rules.md, epilog
 * recognition). */
static bool jump_leaves_function(const struct walk_services *services, uint64_t base,
                                 const struct x64_runtime_function *function,
                                 const struct x64_unwind_info *info, uint64_t target)
{
    uint64_t begin = base + function->begin;
    uint8_t raw[12];
    struct x64_runtime_function other;

    if (target >= begin && target < base + function->end)
        /* Inside: a loop, unless it restarts the function (a tail call to
         * itself). */
        return target == begin && !(info->flags & UNW_FLAG_CHAININFO_BIT);

    if (!function_table_lookup(&services->table, target, raw, sizeof(raw)))
        return true;
    if (function_table_module_base(&services->table, target) != base)
        return true;
    other.begin = dw_le32(raw);
    other.end = dw_le32(raw + 4);
    other.unwind_data = dw_le32(raw + 8);
    if (!x64_resolve_indirect(services->memory, base, &other))
        return true;
    return other.begin != function->begin;
}

/* The final instruction; returns false when it does not end an epilog. */
static bool match_end(const struct walk_services *services, struct code_cursor *c, unsigned at,
                      uint64_t base, const struct x64_runtime_function *function,
                      const struct x64_unwind_info *info, struct epilog_plan *plan)
{
    uint8_t b[5];

    if (!peek(c, at, &b[0]))
        return false;
    switch (b[0]) {
    case 0xC3:
        plan->end = END_RET;
        return true;
    case 0xC2:
        if (!peek_bytes(c, at, b, 3))
            return false;
        plan->end = END_RET_IMM;
        plan->ret_imm = dw_le16(b + 1);
        return true;
    case 0xF3:
        plan->end = END_RET;
        return peek(c, at + 1, &b[1]) && b[1] == 0xC3;
    case 0xEB:
    case 0xE9: {
        unsigned length = b[0] == 0xEB ? 2 : 5;
        int64_t rel;
        if (!peek_bytes(c, at, b, length))
            return false;
        rel = b[0] == 0xEB ? (int8_t)b[1] : (int32_t)dw_le32(b + 1);
        plan->end = END_JUMP;
        return jump_leaves_function(services, base, function, info,
                                    c->address + at + length + (uint64_t)rel);
    }
    case 0xFF: /* jmp [rip + disp32]: an import thunk's tail call */
        plan->end = END_JUMP;
        return peek(c, at + 1, &b[1]) && b[1] == 0x25;
    default:
        /* REX.W FF /4: the redundant REX.W marks a jump out of the function. */
        plan->end = END_JUMP;
        return is_rex_w(b[0]) && peek_bytes(c, at, b, 3) && b[1] == 0xFF &&
               (b[2] & 0x38) == 0x20;
    }
}

static bool recognise(const struct walk_services *services, struct code_cursor *c,
                      uint64_t base, const struct x64_runtime_function *function,
                      const struct x64_unwind_info *info, struct epilog_plan *plan)
{
    unsigned at = match_start(c, info, plan);
    uint8_t b[2];

    plan->pop_count = 0;
    while (plan->pop_count < MAX_POPS && peek(c, at, &b[0])) {
        if ((b[0] & 0xF8) == 0x58) {
            plan->pops[plan->pop_count++] = b[0] & 7;
            at += 1;
        } else if (is_rex(b[0]) && peek(c, at + 1, &b[1]) && (b[1] & 0xF8) == 0x58) {
            plan->pops[plan->pop_count++] = (uint8_t)(((b[0] & 1u) << 3) | (b[1] & 7u));
            at += 2;
        } else {
            break;
        }
    }
    return match_end(services, c, at, base, function, info, plan);
}

static bool simulate(struct memory_reader *memory, struct x64_regs *regs,
                     const struct epilog_plan *plan)
{
    uint64_t *gpr = regs->gpr;
    uint64_t value;

    if (plan->start == START_ADD)
        gpr[X64_RSP] += (uint64_t)plan->amount;
    else if (plan->start == START_LEA)
        gpr[X64_RSP] = gpr[plan->lea_base] + (uint64_t)plan->amount;
    for (unsigned i = 0; i < plan->pop_count; i++) {
        if (!memory_read_u64(memory, gpr[X64_RSP], &value))
            return false;
        gpr[X64_RSP] += 8;
        gpr[plan->pops[i]] = value;
    }
    if (!memory_read_u64(memory, gpr[X64_RSP], &value))
        return false;
    regs->rip = value;
    gpr[X64_RSP] += 8;
    if (plan->end == END_RET_IMM)
        gpr[X64_RSP] += plan->ret_imm;
    return true;
}

enum epilog_outcome x64_unwind_epilog(const struct walk_services *services, struct x64_regs *regs,
                                      uint64_t base, const struct x64_runtime_function *function,
                                      const struct x64_unwind_info *info)
{
    struct code_cursor cursor = {services->memory, regs->rip};
    struct epilog_plan plan = {0};

    if (!recognise(services, &cursor, base, function, info, &plan))
        return EPILOG_NONE;
    return simulate(services->memory, regs, &plan) ? EPILOG_UNWOUND : EPILOG_UNREADABLE;
}
