/*
 * Reading x86 instructions where the unwind data says nothing: the prolog of
 * an FPO function (in which order it saved registers), the instruction at a
 * frame-0 PC (a prolog start or an epilog), and whether a return address
 * follows a call. Only the handful of forms compilers emit there are known;
 * anything else is "not recognised", never guessed.
 */
#include "x86.h"

#define MAX_CODE 32

/* Up to `size` code bytes at `address`; returns how many could be read. */
static unsigned read_code(struct memory_reader *memory, uint64_t address, uint8_t *out,
                          unsigned size)
{
    while (size > 0 && !memory_read(memory, address, out, size))
        size = size > 8 ? size / 2 : size - 1; /* the code may end at a mapping's end */
    return size;
}

void x86_fpo_decode(const uint8_t raw[16], struct x86_fpo *fpo)
{
    uint16_t attributes = dw_le16(raw + 14);

    fpo->start = dw_le32(raw);
    fpo->size = dw_le32(raw + 4);
    fpo->locals = dw_le32(raw + 8);
    fpo->params = dw_le16(raw + 12);
    fpo->prolog = (uint8_t)(attributes & 0xFF);
    fpo->regs = (attributes >> 8) & 7;
    fpo->uses_bp = (attributes >> 12) & 1;
    fpo->frame = (uint8_t)(attributes >> 14);
}

static bool is_mov_ebp_esp(const uint8_t *b, unsigned n)
{
    return n >= 2 && ((b[0] == 0x8B && b[1] == 0xEC) || (b[0] == 0x89 && b[1] == 0xE5));
}

static bool is_mov_esp_ebp(const uint8_t *b, unsigned n)
{
    return n >= 2 && ((b[0] == 0x8B && b[1] == 0xE5) || (b[0] == 0x89 && b[1] == 0xEC));
}

void x86_decode_prolog(struct memory_reader *memory, uint64_t start, unsigned size,
                       struct x86_prolog *prolog)
{
    uint8_t code[256];
    unsigned have = read_code(memory, start, code, size > 255 ? 255 : size);
    unsigned at = 0;
    uint32_t depth = 0;

    prolog->count = 0;
    prolog->frame_set = -1;
    while (at < have && prolog->count < 32) {
        const uint8_t *b = code + at;
        unsigned left = have - at, length = 0;
        int8_t saved = -1;

        if (b[0] >= 0x50 && b[0] <= 0x57) {
            length = 1;
            saved = (int8_t)(b[0] - 0x50);
            depth += 4;
        } else if (b[0] == 0x6A && left >= 2) { /* push imm8 (SEH frames) */
            length = 2;
            depth += 4;
        } else if (b[0] == 0x68 && left >= 5) { /* push imm32 */
            length = 5;
            depth += 4;
        } else if (is_mov_ebp_esp(b, left)) {
            length = 2;
            prolog->frame_set = (int8_t)prolog->count;
        } else if (b[0] == 0x83 && left >= 3 && b[1] == 0xEC && b[2] < 0x80) {
            length = 3;
            depth += b[2];
        } else if (b[0] == 0x81 && left >= 6 && b[1] == 0xEC && dw_le32(b + 2) < 0x1000000) {
            length = 6;
            depth += dw_le32(b + 2);
        } else if ((b[0] == 0x8B || b[0] == 0x89 || b[0] == 0x31 || b[0] == 0x33) && left >= 2 &&
                   (b[1] & 0xC0) == 0xC0 && (b[1] & 7) != 4 && ((b[1] >> 3) & 7) != 4) {
            length = 2; /* register moves and zeroing that leave ESP alone */
        } else if (b[0] == 0x64 && left >= 6 && b[1] == 0xA1 && dw_le32(b + 2) == 0) {
            length = 6; /* mov eax, fs:[0] */
        } else if (b[0] == 0x64 && left >= 7 && b[1] == 0x89 && b[2] == 0x25 &&
                   dw_le32(b + 3) == 0) {
            length = 7; /* mov fs:[0], esp */
        } else if (b[0] == 0x90) {
            length = 1;
        } else {
            break;
        }
        at += length;
        prolog->end[prolog->count] = (uint8_t)at;
        prolog->depth[prolog->count] = depth;
        prolog->saved[prolog->count] = saved;
        prolog->count++;
    }
    prolog->complete = at >= (size > 255 ? 255 : size);
}

/* The length of an instruction that changes nothing a walk restores: no
 * write to ESP, EBP or memory, no control flow (register-only moves and
 * arithmetic, mov r32, imm32, nop), or 0. Compilers schedule such
 * instructions into prologs (between push ebp and mov ebp, esp) and
 * epilogs (after leave); stepping over them keeps the rest exact. */
static unsigned harmless_length(const uint8_t *b, unsigned n)
{
    uint8_t modrm;
    unsigned dest;

    if (n >= 1 && b[0] == 0x90)
        return 1;
    if (n >= 5 && b[0] >= 0xB8 && b[0] <= 0xBF)
        return b[0] - 0xB8 == X86_ESP || b[0] - 0xB8 == X86_EBP ? 0 : 5;
    if (n < 2 || (b[1] & 0xC0) != 0xC0)
        return 0;
    modrm = b[1];
    switch (b[0]) {
    case 0x01: case 0x09: case 0x11: case 0x19: case 0x21: case 0x29: case 0x31: case 0x89:
        dest = modrm & 7; /* op r/m32, r32 */
        break;
    case 0x03: case 0x0B: case 0x13: case 0x1B: case 0x23: case 0x2B: case 0x33: case 0x8B:
        dest = (modrm >> 3) & 7; /* op r32, r/m32 */
        break;
    case 0x39: case 0x3B: case 0x85: /* cmp, test */
        return 2;
    case 0x83: /* add/or/adc/sbb/and/sub/xor/cmp r/m32, imm8 */
        dest = modrm & 7;
        return n >= 3 && dest != X86_ESP && dest != X86_EBP ? 3 : 0;
    case 0xC1: /* shifts by imm8 */
        dest = modrm & 7;
        return n >= 3 && ((modrm >> 3) & 7) != 6 && dest != X86_ESP && dest != X86_EBP ? 3 : 0;
    default:
        return 0;
    }
    return dest != X86_ESP && dest != X86_EBP ? 2 : 0;
}

/* The steps of an epilog, decoded from the PC up to its ret. */
enum epilog_op { EP_POP, EP_ADD_ESP, EP_LEA_ESP_EBP, EP_MOV_ESP_EBP, EP_LEAVE };

struct epilog {
    unsigned count;
    uint8_t op[16];
    uint8_t reg[16];
    int32_t amount[16];
    uint16_t ret_pop;
};

static bool decode_epilog(const uint8_t *b, unsigned n, struct epilog *e)
{
    unsigned at = 0;

    e->count = 0;
    while (at < n && e->count < 16) {
        const uint8_t *p = b + at;
        unsigned left = n - at;
        unsigned i = e->count;

        if (p[0] == 0xC3) {
            e->ret_pop = 0;
            return true;
        }
        if (p[0] == 0xF3 && left >= 2 && p[1] == 0xC3) {
            e->ret_pop = 0;
            return true;
        }
        if (p[0] == 0xC2 && left >= 3) {
            e->ret_pop = dw_le16(p + 1);
            return true;
        }
        if (p[0] >= 0x58 && p[0] <= 0x5F && p[0] != 0x5C) {
            e->op[i] = EP_POP;
            e->reg[i] = p[0] - 0x58;
            at += 1;
        } else if (p[0] == 0x83 && left >= 3 && p[1] == 0xC4) {
            e->op[i] = EP_ADD_ESP;
            e->amount[i] = (int8_t)p[2];
            at += 3;
        } else if (p[0] == 0x81 && left >= 6 && p[1] == 0xC4) {
            e->op[i] = EP_ADD_ESP;
            e->amount[i] = (int32_t)dw_le32(p + 2);
            at += 6;
        } else if (p[0] == 0x8D && left >= 3 && p[1] == 0x65) {
            e->op[i] = EP_LEA_ESP_EBP;
            e->amount[i] = (int8_t)p[2];
            at += 3;
        } else if (p[0] == 0x8D && left >= 6 && p[1] == 0xA5) {
            e->op[i] = EP_LEA_ESP_EBP;
            e->amount[i] = (int32_t)dw_le32(p + 2);
            at += 6;
        } else if (is_mov_esp_ebp(p, left)) {
            e->op[i] = EP_MOV_ESP_EBP;
            at += 2;
        } else if (p[0] == 0xC9) {
            e->op[i] = EP_LEAVE;
            at += 1;
        } else {
            unsigned skip = harmless_length(p, left);
            if (skip == 0)
                return false;
            at += skip;
            continue;
        }
        e->count++;
    }
    return false;
}

static bool simulate_epilog(struct memory_reader *memory, struct x86_regs *regs,
                            const struct epilog *e, uint32_t *return_slot)
{
    uint32_t *g = regs->gpr;
    uint32_t value;

    for (unsigned i = 0; i < e->count; i++) {
        switch (e->op[i]) {
        case EP_POP:
            if (!memory_read_u32(memory, g[X86_ESP], &value))
                return false;
            g[e->reg[i]] = value;
            g[X86_ESP] += 4;
            break;
        case EP_ADD_ESP:
            g[X86_ESP] += (uint32_t)e->amount[i];
            break;
        case EP_LEA_ESP_EBP:
            g[X86_ESP] = g[X86_EBP] + (uint32_t)e->amount[i];
            break;
        case EP_MOV_ESP_EBP:
            g[X86_ESP] = g[X86_EBP];
            break;
        case EP_LEAVE:
            g[X86_ESP] = g[X86_EBP];
            if (!memory_read_u32(memory, g[X86_ESP], &value))
                return false;
            g[X86_EBP] = value;
            g[X86_ESP] += 4;
            break;
        }
    }
    if (!memory_read_u32(memory, g[X86_ESP], &value))
        return false;
    *return_slot = g[X86_ESP];
    regs->eip = value;
    g[X86_ESP] += 4 + e->ret_pop;
    return true;
}

enum x86_code_outcome x86_unwind_by_code(struct memory_reader *memory, struct x86_regs *regs,
                                         uint32_t *return_slot)
{
    uint8_t code[MAX_CODE], before;
    unsigned n = read_code(memory, regs->eip, code, sizeof(code));
    struct x86_regs next = *regs;
    uint32_t *g = next.gpr, value;
    struct epilog e;
    unsigned at, skip = 0;
    bool prolog;

    if (n == 0)
        return X86_CODE_NONE;
    /* The prolog's mov ebp, esp, after instructions that change nothing. */
    at = code[0] == 0x55 ? 1 : 0;
    while (at < n && !is_mov_ebp_esp(code + at, n - at) &&
           (skip = harmless_length(code + at, n - at)) != 0)
        at += skip;
    prolog = at < n && is_mov_ebp_esp(code + at, n - at);
    if (prolog && code[0] == 0x55) {
        /* push ebp at a function's start: nothing pushed yet */
        if (!memory_read_u32(memory, g[X86_ESP], &value))
            return X86_CODE_UNREADABLE;
        *return_slot = g[X86_ESP];
        next.eip = value;
        g[X86_ESP] += 4;
    } else if (prolog && regs->eip > 0 &&
               ((at == 0 && memory_read(memory, regs->eip - 1, &before, 1) && before == 0x55) ||
                (memory_read_u32(memory, g[X86_ESP], &value) && value == g[X86_EBP]))) {
        /* between push ebp and mov ebp, esp: EBP is still the caller's (and
         * the value on top of the stack when instructions were scheduled
         * in between) */
        if (!memory_read_u32(memory, g[X86_ESP] + 4, &value))
            return X86_CODE_UNREADABLE;
        *return_slot = g[X86_ESP] + 4;
        next.eip = value;
        g[X86_ESP] += 8;
    } else if (decode_epilog(code, n, &e)) {
        if (!simulate_epilog(memory, &next, &e, return_slot))
            return X86_CODE_UNREADABLE;
    } else {
        return X86_CODE_NONE;
    }
    *regs = next;
    return X86_CODE_UNWOUND;
}

/* The ModRM forms of call r/m32 (FF /2), by total instruction length. */
static bool call_indirect_of_length(const uint8_t *b, unsigned length)
{
    uint8_t modrm = b[1], mod = modrm >> 6, rm = modrm & 7;

    if (b[0] != 0xFF || ((modrm >> 3) & 7) != 2)
        return false;
    switch (length) {
    case 2:
        return mod == 3 || (mod == 0 && rm != 4 && rm != 5);
    case 3:
        return (mod == 1 && rm != 4) || (mod == 0 && rm == 4 && (b[2] & 7) != 5);
    case 4:
        return mod == 1 && rm == 4;
    case 6:
        return (mod == 0 && rm == 5) || (mod == 2 && rm != 4);
    case 7:
        return (mod == 2 && rm == 4) || (mod == 0 && rm == 4 && (b[2] & 7) == 5);
    default:
        return false;
    }
}

bool x86_follows_call(struct memory_reader *memory, uint32_t address)
{
    uint8_t b[7];

    if (address < 7 || !memory_read(memory, address - 7, b, 7))
        return false;
    if (b[2] == 0xE8)
        return true;
    for (unsigned length = 2; length <= 7; length++)
        if (call_indirect_of_length(b + 7 - length, length))
            return true;
    return false;
}
