/* x86 (i386) for the emulator proof.
 *
 * Calls are E8 and FF /2 (after legacy prefixes); a frame ends when ESP is
 * back at or above its caller's ESP before the call (the runner's rule), or
 * on a return (C3, C2 imm16) to its return address (x86_read_sp). x86 images have no unwind data: the function table is the
 * FPO_DATA records of the image's .emufpo section (the hand-written
 * functions of x86_special.S), and everything else is walked through the
 * EBP chain, or not at all.
 *
 * What each state's walk must get right (README.md, "x86"): frames are
 * classified from what the emulator knows, independently of the walker.
 *   established  frame 0 / a caller frame whose EBP is its return-address
 *                slot - 4 and [EBP] its caller's EBP (an EBP frame in place)
 *   FPO          a frame whose PC (PC - 1 for callers) lies in an FPO_DATA
 *                record
 *   walkable     established or FPO: the data says how to reach the caller
 * The required part of a walk is frame 0 up to and including the first
 * caller that is not walkable (all frames and the end of the walk when every
 * caller is walkable). Frames are compared on PC always; EBP always; ESP
 * exactly after a walkable frame (the return-address slot + 4 after an
 * EBP frame, + 4 * cdwParams more after an FPO frame) and within
 * [slot + 4, slot + 4 + 64] otherwise; EBX/ESI/EDI for frame 0 and for the
 * caller of an FPO frame; AddrReturn and AddrFrame (return-address slot - 4,
 * EBP for the last frame) for every frame whose caller is compared.
 * A state fails the test when frame 0 is walkable and its required part is
 * wrong; states whose frame 0 is neither (prologs, epilogs, frameless code)
 * are counted right/wrong but do not fail it. */
#include "emu.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The register snapshot kept per frame. */
struct x86_snap {
    uint32_t ebx, esi, edi, ebp, esp, eip;
};
_Static_assert(sizeof(struct x86_snap) <= EMU_REGS_MAX, "register snapshot too big");

/* WOW64_CONTEXT offsets (contract.md 7.6). */
enum {
    CTX_FLAGS = 0x00, CTX_EDI = 0x9C, CTX_ESI = 0xA0, CTX_EBX = 0xA4, CTX_EDX = 0xA8,
    CTX_ECX = 0xAC, CTX_EAX = 0xB0, CTX_EBP = 0xB4, CTX_EIP = 0xB8, CTX_CS = 0xBC,
    CTX_EFLAGS = 0xC0, CTX_ESP = 0xC4, CTX_SS = 0xC8, CTX_SIZE = 0x2CC,
};
#define WOW64_CONTEXT_FULL_FLAGS 0x10007u

/* Frame-0 categories. */
enum { CAT_ESTABLISHED, CAT_FPO, CAT_PROLOG, CAT_EPILOG, CAT_COUNT };
static const char *const cat_name[CAT_COUNT] = {
    "EBP frame established", "in an FPO_DATA function", "prolog / frameless", "epilog",
};

struct cat_stats {
    uint64_t states, full;          /* full: every caller walkable */
    uint64_t right, wrong;          /* on the required part */
    uint64_t whole_right;           /* the whole stack right */
};

/* Per-run state (one image, one read mode at a time). */
static struct {
    struct cat_stats cat[CAT_COUNT];
    bool returned;                  /* the last instruction was a return */
    uint64_t fpo_states[64], fpo_wrong[64]; /* frame 0 in the FPO function [i] */
    uint64_t fpo_frames_checked;    /* callers of FPO frames compared on EBX/ESI/EDI too */
    bool established_seen[EMU_SHADOW_MAX]; /* per activation: was its frame set up? */
    bool fpo[EMU_SHADOW_MAX + 1];   /* the current walk's frames: in an FPO_DATA function? */
    uint8_t known[EMU_SHADOW_MAX + 1]; /* EBX/ESI/EDI the frame data makes knowable */
    char sample[CAT_COUNT][3][512];
    unsigned samples[CAT_COUNT];
} st;

static uint32_t rd32(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }
static void wr32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static bool mem32(struct emu *e, uint32_t address, uint32_t *value)
{
    uint8_t b[4];
    if (uc_mem_read(e->uc, address, b, 4) != UC_ERR_OK)
        return false;
    *value = rd32(b);
    return true;
}

/* --framedata FILE: one line per function with FrameData, "RVA SIZE
 * PROLOG" (hex, decimal, decimal) from llvm-pdbutil's records that start a
 * function; kept as FPO_DATA-shaped records (no locals or parameters: the
 * programs give the caller's ESP as the slot + 4) for the classification. */
static bool x86_load_framedata(struct emu *e, char *err, size_t err_size)
{
    FILE *f = fopen(e->framedata, "r");
    unsigned n = 0, cap = 64, start, size, prolog;
    uint8_t *entries = calloc(cap, 16);

    if (!f || !entries) {
        snprintf(err, err_size, "%s: cannot read", e->framedata);
        free(entries);
        if (f)
            fclose(f);
        return false;
    }
    while (fscanf(f, "%x %u %u", &start, &size, &prolog) == 3) {
        uint8_t *r;
        if (n == cap) {
            uint8_t *more = realloc(entries, (size_t)cap * 2 * 16);
            if (!more)
                break;
            entries = more;
            cap *= 2;
        }
        r = entries + 16 * n++;
        memset(r, 0, 16);
        for (unsigned b = 0; b < 4; b++) {
            r[b] = (uint8_t)(start >> (8 * b));
            r[4 + b] = (uint8_t)(size >> (8 * b));
        }
        r[14] = (uint8_t)(prolog > 0xFF ? 0xFF : prolog);
    }
    fclose(f);
    e->functions = calloc(n ? n : 1, sizeof(*e->functions));
    if (!e->functions) {
        free(entries);
        snprintf(err, err_size, "out of memory");
        return false;
    }
    e->function_entries = entries;
    for (unsigned i = 0; i < n; i++) {
        const uint8_t *r = entries + 16 * i;
        e->functions[i].begin = rd32(r);
        e->functions[i].end = rd32(r) + rd32(r + 4);
        e->functions[i].entry = r;
    }
    e->function_count = n;
    if (n == 0) {
        snprintf(err, err_size, "%s: no FrameData functions", e->framedata);
        return false;
    }
    return true;
}

static bool x86_load_functions(struct emu *e, char *err, size_t err_size)
{
    unsigned n = e->img.fpo_size / 16;
    uint8_t *entries;

    if (e->framedata)
        return x86_load_framedata(e, err, err_size);

    /* No .emufpo is not an error: everything is then walked by EBP. */
    if (n == 0)
        return true;
    if (!emu_alloc_functions(e, e->img.fpo_rva, n, 16, err, err_size))
        return false;
    entries = e->function_entries;
    for (unsigned i = 0; i < n; i++) {
        const uint8_t *r = entries + 16 * i;
        if (rd32(r) == 0 && rd32(r + 4) == 0)
            continue; /* padding */
        e->functions[e->function_count].begin = rd32(r);
        e->functions[e->function_count].end = rd32(r) + rd32(r + 4);
        e->functions[e->function_count].entry = r;
        e->function_count++;
    }
    return true;
}

static uint64_t x86_read_sp(struct emu *e)
{
    uint32_t sp = 0, pc = 0;
    uc_reg_read(e->uc, UC_X86_REG_ESP, &sp);
    /* Called first for every instruction. The runner ends a frame once ESP
     * is back at or above its caller's; a return to the frame's return
     * address ends it too, even with ESP below (__chkstk returns with the
     * allocation made). */
    if (st.returned && e->depth > 1) {
        uc_reg_read(e->uc, UC_X86_REG_EIP, &pc);
        if (e->shadow[e->depth - 1].pc == pc && e->shadow[e->depth - 1].sp > sp)
            e->depth--;
    }
    st.returned = false;
    return sp;
}

static void x86_capture(struct emu *e, unsigned char *out)
{
    static const int ids[6] = {UC_X86_REG_EBX, UC_X86_REG_ESI, UC_X86_REG_EDI,
                               UC_X86_REG_EBP, UC_X86_REG_ESP, UC_X86_REG_EIP};
    struct x86_snap s;
    uint32_t *p = &s.ebx;

    memset(&s, 0, sizeof(s));
    for (int i = 0; i < 6; i++)
        uc_reg_read(e->uc, ids[i], &p[i]);
    memcpy(out, &s, sizeof(s));
    /* A call: the callee's activation starts with no frame set up. */
    if (e->shadow && e->depth < EMU_SHADOW_MAX && out == e->shadow[e->depth].regs)
        st.established_seen[e->depth] = false;
}

static bool x86_start(struct emu *e, uint64_t stack_top, uint64_t sentinel)
{
    /* The entry's return address is the last 4 bytes of the stack mapping.
     * EBP starts below the stack, so the EBP chain ends at the sentinel. */
    uint32_t sp = (uint32_t)stack_top - 4, value;
    uint8_t slot[4];
    static const int gpr[4] = {UC_X86_REG_EBX, UC_X86_REG_ESI, UC_X86_REG_EDI, UC_X86_REG_EBP};
    static const uint32_t gpr_value[4] = {0xC0DE0101u, 0xC0DE0202u, 0xC0DE0303u, 0x0BADEB00u};

    memset(&st, 0, sizeof(st));
    wr32(slot, (uint32_t)sentinel);
    if (uc_mem_write(e->uc, sp, slot, 4) != UC_ERR_OK)
        return false;
    uc_reg_write(e->uc, UC_X86_REG_ESP, &sp);
    for (int i = 0; i < 4; i++)
        uc_reg_write(e->uc, gpr[i], &gpr_value[i]);
    value = 0xAAAA0001u;
    uc_reg_write(e->uc, UC_X86_REG_EAX, &value);
    uc_reg_write(e->uc, UC_X86_REG_ECX, &value);
    uc_reg_write(e->uc, UC_X86_REG_EDX, &value);
    x86_capture(e, e->start_regs);
    e->shadow[0].sp = stack_top;
    e->shadow[0].hash = sentinel;
    return true;
}

/* E8 rel32, or FF with ModRM.reg = 2 (no REX in 32-bit code: 40-4F are
 * inc/dec). Called for every instruction executed: notes returns (C3, C2
 * imm16) for x86_read_sp. */
static bool x86_is_call(const uint8_t *code, size_t size)
{
    size_t i = emu_x86_prefixes(code, size);

    if (i >= size)
        return false;
    st.returned = code[i] == 0xC3 || code[i] == 0xC2;
    if (code[i] == 0xE8)
        return true;
    return code[i] == 0xFF && i + 1 < size && ((code[i + 1] >> 3) & 7) == 2;
}

static bool x86_machine_frame(struct emu *e, uint64_t sp, bool error_code, uint64_t *pc,
                              uint64_t *interrupted_sp)
{
    (void)e, (void)sp, (void)error_code, (void)pc, (void)interrupted_sp;
    return false; /* x86_special.S has no machine-frame marks */
}

/* The FPO_DATA record for an address (the true table, whatever the
 * negative control hides), or NULL. */
static const uint8_t *fpo_record(const struct emu *e, uint64_t address)
{
    const struct emu_function *f = emu_function_at(e, address);

    return f ? f->entry : NULL;
}

/* Bytes a function pops on return, from what the image says about it: a
 * stdcall name's @N decoration, and MSVC's _aullrem/_aulldiv (16). */
static uint32_t callee_pop(const struct emu *e, uint64_t pc)
{
    const struct emu_symbol *symbol;
    const char *name, *at;

    /* --framedata images have a PDB instead of COFF symbols: the function's
     * last instruction says it (`ret imm16` ends the FrameData range) */
    if (e->framedata) {
        const struct emu_function *f = emu_function_at(e, pc);
        if (f && f->end >= 3 && f->end <= e->img.size && e->img.bytes[f->end - 3] == 0xC2)
            return (uint32_t)e->img.bytes[f->end - 2] | (uint32_t)e->img.bytes[f->end - 1] << 8;
        return 0;
    }
    if (pc < e->img.base || !(symbol = pe_symbol_before(&e->img, pc - e->img.base)))
        return 0;
    name = symbol->name;
    if (strcmp(name, "__aullrem") == 0 || strcmp(name, "__aulldiv") == 0)
        return 16;
    at = strrchr(name, '@');
    return at && at[1] >= '0' && at[1] <= '9' ? (uint32_t)strtoul(at + 1, NULL, 10) : 0;
}

/* Registers (bit 0 EBX, 1 ESI, 2 EDI) an FPO function's prolog pushes:
 * its push r32 instructions, read here independently of the walker. */
static unsigned fpo_saved(const struct emu *e, const uint8_t *record)
{
    uint32_t start = rd32(record), prolog = record[14], at = 0;
    const uint8_t *c = e->img.bytes + start;
    unsigned mask = 0;

    if (start >= e->img.size || prolog > e->img.size - start)
        return 0;
    while (at < prolog) {
        if (c[at] >= 0x50 && c[at] <= 0x57) {
            int r = c[at] - 0x50;
            mask |= r == 3 ? 1u : r == 6 ? 2u : r == 7 ? 4u : 0u;
            at += 1;
        } else if (c[at] == 0x83 && c[at + 1] == 0xEC) {
            at += 3;
        } else if (c[at] == 0x81 && c[at + 1] == 0xEC) {
            at += 6;
        } else if ((c[at] == 0x8B && c[at + 1] == 0xEC) || (c[at] == 0x89 && c[at + 1] == 0xE5)) {
            at += 2;
        } else {
            break;
        }
    }
    return mask;
}

static const struct x86_snap *snap(const struct emu_frame *f)
{
    return (const struct x86_snap *)f->regs;
}

/* Is frame k's EBP frame in place: EBP = its return-address slot - 4 and
 * [EBP] = its caller's EBP, [EBP + 4] = its return address? */
static bool established(struct emu *e, const struct emu_frame *expected, unsigned k)
{
    const struct emu_frame *caller = &expected[k + 1];
    uint32_t ebp = snap(&expected[k])->ebp, saved, ret;

    return ebp == (uint32_t)caller->sp - 8 && mem32(e, ebp, &saved) &&
           saved == snap(caller)->ebp && mem32(e, ebp + 4, &ret) && ret == (uint32_t)caller->pc;
}

static void seed(struct emu *e, uint8_t *ctx)
{
    static const struct {
        int id;
        unsigned offset;
    } regs[] = {
        {UC_X86_REG_EDI, CTX_EDI}, {UC_X86_REG_ESI, CTX_ESI}, {UC_X86_REG_EBX, CTX_EBX},
        {UC_X86_REG_EDX, CTX_EDX}, {UC_X86_REG_ECX, CTX_ECX}, {UC_X86_REG_EAX, CTX_EAX},
        {UC_X86_REG_EBP, CTX_EBP}, {UC_X86_REG_EIP, CTX_EIP}, {UC_X86_REG_CS, CTX_CS},
        {UC_X86_REG_EFLAGS, CTX_EFLAGS}, {UC_X86_REG_ESP, CTX_ESP}, {UC_X86_REG_SS, CTX_SS},
    };

    memset(ctx, 0, CTX_SIZE);
    wr32(ctx + CTX_FLAGS, WOW64_CONTEXT_FULL_FLAGS);
    for (size_t i = 0; i < sizeof(regs) / sizeof(regs[0]); i++) {
        uint32_t v = 0;
        uc_reg_read(e->uc, regs[i].id, &v);
        wr32(ctx + regs[i].offset, v);
    }
}

/* Compares frame k of the walk; writes the first difference to `why`. */
static bool frame_differs(struct emu *e, const struct emu_frame *expected, unsigned k,
                          const STACKFRAME64 *frame, const uint8_t *ctx, char *why,
                          size_t why_size)
{
    const struct emu_frame *want = &expected[k];
    const struct x86_snap *w = snap(want);
    uint32_t pc = rd32(ctx + CTX_EIP), sp = rd32(ctx + CTX_ESP), ebp = rd32(ctx + CTX_EBP);

    if (frame->AddrPC.Offset != want->pc || pc != want->pc) {
        snprintf(why, why_size, "AddrPC %#llx / Eip %#x, expected %#llx",
                 (unsigned long long)frame->AddrPC.Offset, pc, (unsigned long long)want->pc);
        return true;
    }
    if (frame->AddrStack.Offset != sp) {
        snprintf(why, why_size, "AddrStack %#llx differs from Esp %#x",
                 (unsigned long long)frame->AddrStack.Offset, sp);
        return true;
    }
    if (k > 0) {
        /* The caller's ESP at its call (slot + 4), after the callee's
         * return (+ the bytes it pops), or as the callee's FPO_DATA has it
         * (+ 4 * cdwParams). */
        uint64_t callee_pc = k - 1 == 0 ? expected[0].pc : expected[k - 1].pc - 1;
        const uint8_t *r = st.fpo[k - 1] ? fpo_record(e, callee_pc) : NULL;
        uint32_t at_call = (uint32_t)want->sp, pop = callee_pop(e, callee_pc);
        uint32_t fpo_params = r ? 4u * (uint32_t)(r[12] | r[13] << 8) : 0;
        bool ok = sp == at_call + pop || (r ? sp == at_call + fpo_params : sp == at_call);

        if (!ok) {
            if (r)
                snprintf(why, why_size, "Esp %#x, expected %#x (+ %u popped) or %#x (FPO_DATA)",
                         sp, at_call + pop, pop, at_call + fpo_params);
            else
                snprintf(why, why_size, "Esp %#x, expected %#x (at the call) or %#x (+ %u popped)",
                         sp, at_call, at_call + pop, pop);
            return true;
        }
    } else if (sp != (uint32_t)want->sp) {
        snprintf(why, why_size, "Esp %#x, expected %#llx", sp, (unsigned long long)want->sp);
        return true;
    }
    if (ebp != w->ebp) {
        snprintf(why, why_size, "Ebp %#x, expected %#x", ebp, w->ebp);
        return true;
    }
    {
        const uint32_t got[3] = {rd32(ctx + CTX_EBX), rd32(ctx + CTX_ESI), rd32(ctx + CTX_EDI)};
        const uint32_t exp[3] = {w->ebx, w->esi, w->edi};
        static const char *const name[3] = {"Ebx", "Esi", "Edi"};
        for (int i = 0; i < 3; i++)
            if ((st.known[k] >> i & 1) && got[i] != exp[i]) {
                snprintf(why, why_size, "%s %#x, expected %#x (restored from an FPO frame)",
                         name[i], got[i], exp[i]);
                return true;
            }
        if (k > 0 && st.known[k])
            st.fpo_frames_checked++;
    }
    return false;
}

/* The step from frame k to k + 1: AddrReturn and AddrFrame of frame k. */
static bool step_differs(const struct emu_frame *expected, unsigned count, unsigned k,
                         const STACKFRAME64 *frame, const uint8_t *ctx, char *why, size_t why_size)
{
    uint64_t want_return = k + 1 < count ? expected[k + 1].pc : 0;
    uint64_t want_frame = k + 1 < count ? (uint32_t)expected[k + 1].sp - 8 : rd32(ctx + CTX_EBP);

    if (frame->AddrReturn.Offset != want_return) {
        snprintf(why, why_size, "AddrReturn %#llx, expected %#llx",
                 (unsigned long long)frame->AddrReturn.Offset, (unsigned long long)want_return);
        return true;
    }
    if (frame->AddrFrame.Offset != want_frame) {
        snprintf(why, why_size, "AddrFrame %#llx, expected %#llx%s",
                 (unsigned long long)frame->AddrFrame.Offset, (unsigned long long)want_frame,
                 k + 1 < count ? " (return-address slot - 4)" : " (EBP of the last frame)");
        return true;
    }
    return false;
}

static enum emu_frame_check x86_compare(struct emu *e, const struct emu_frame *expected,
                                        unsigned count, unsigned k, const STACKFRAME64 *frame,
                                        const void *ctx, char *detail, size_t detail_size)
{
    if (frame_differs(e, expected, k, frame, ctx, detail, detail_size))
        return EMU_FRAME_WRONG;
    if (step_differs(expected, count, k, frame, ctx, detail, detail_size))
        return EMU_STEP_WRONG;
    return EMU_FRAME_RIGHT;
}

static bool x86_walk_and_compare(struct emu *e, const struct emu_frame *expected, unsigned count,
                                 char *why, size_t why_size)
{
    _Alignas(16) uint8_t ctx[CTX_SIZE];
    bool *fpo = st.fpo, walkable[EMU_SHADOW_MAX + 1];
    uint8_t *known = st.known;
    unsigned required, bad, activation = e->depth - 1, cat;
    char detail[512] = "", where[160];
    struct cat_stats *cs;

    /* Classify the frames (the last one is the sentinel). */
    for (unsigned k = 0; k + 1 < count; k++) {
        fpo[k] = fpo_record(e, k == 0 ? expected[0].pc : expected[k].pc - 1) != NULL;
        walkable[k] = fpo[k] || established(e, expected, k);
    }
    fpo[count - 1] = walkable[count - 1] = false;
    /* Frame 0 has them all; an FPO frame gives its caller what it saved and
     * passes the rest through; nothing else says where they were saved. */
    known[0] = 7;
    for (unsigned k = 1; k < count; k++) {
        const uint8_t *r = fpo[k - 1] ? fpo_record(e, k == 1 ? expected[0].pc : expected[k - 1].pc - 1) : NULL;
        known[k] = r ? (uint8_t)(fpo_saved(e, r) | known[k - 1]) : 0;
    }
    if (fpo[0])
        cat = CAT_FPO;
    else if (walkable[0])
        cat = CAT_ESTABLISHED, st.established_seen[activation] = true;
    else
        cat = st.established_seen[activation] ? CAT_EPILOG : CAT_PROLOG;
    /* The required part: frames 0..required (and the end of the walk when
     * required is count). */
    required = count;
    for (unsigned k = 1; k + 1 < count; k++)
        if (!walkable[k]) {
            required = k;
            break;
        }

    /* Frame 0's own walkability is its category; for the comparisons of
     * frame 1 treat a frame 0 walked from code like any other frame. */
    seed(e, ctx);
    bad = emu_walk_compare(e, ctx, rd32(ctx + CTX_EIP), rd32(ctx + CTX_ESP), rd32(ctx + CTX_EBP),
                           expected, count, x86_compare, detail, sizeof(detail));

    if (cat == CAT_FPO) {
        const uint8_t *r = fpo_record(e, expected[0].pc);
        size_t i = r ? (size_t)(r - (const uint8_t *)e->function_entries) / 16 : 64;
        if (i < 64) {
            st.fpo_states[i]++;
            st.fpo_wrong[i] += bad <= required;
        }
    }
    cs = &st.cat[cat];
    cs->states++;
    if (required == count)
        cs->full++;
    if (bad == count + 1)
        cs->whole_right++;
    if (bad > required) {
        cs->right++;
        return true;
    }
    cs->wrong++;
    if (cat == CAT_ESTABLISHED || cat == CAT_FPO) {
        snprintf(why, why_size, "%s [frame 0 %s; required frames 0..%u%s]", detail, cat_name[cat],
                 required, required == count ? " and the end" : "");
        return false;
    }
    if (st.samples[cat] < 3) {
        emu_describe_pc(e, expected[0].pc, where, sizeof(where));
        snprintf(st.sample[cat][st.samples[cat]++], sizeof(st.sample[0][0]), "at %.150s: %.300s", where,
                 detail);
    }
    return true; /* reported, not failed */
}

static bool x86_finish(struct emu *e, char *why, size_t why_size)
{
    uint32_t eax = 0, edx = 0, esp = 0;
    const struct x86_snap *start = (const struct x86_snap *)e->start_regs;
    struct x86_snap now;
    uint64_t req_right = 0, req_wrong = 0;

    uc_reg_read(e->uc, UC_X86_REG_EAX, &eax);
    uc_reg_read(e->uc, UC_X86_REG_EDX, &edx);
    uc_reg_read(e->uc, UC_X86_REG_ESP, &esp);
    if ((eax & 0xFFFF) != 0x600D) {
        snprintf(why, why_size, "the program returned %#x:%08x, not EMU_OK (0x600D)", edx, eax);
        return false;
    }
    if (esp != e->shadow[0].sp) {
        snprintf(why, why_size, "ESP %#x at the end, expected %#llx", esp,
                 (unsigned long long)e->shadow[0].sp);
        return false;
    }
    x86_capture(e, (unsigned char *)&now);
    if (now.ebx != start->ebx || now.esi != start->esi || now.edi != start->edi ||
        now.ebp != start->ebp) {
        snprintf(why, why_size, "callee-saved registers not preserved by the program");
        return false;
    }
    printf("  program result %#x:%08x\n", edx, eax);
    printf("  x86 states by frame 0 (required part: frames 0..first caller not walkable, all + the "
           "end if every caller is):\n");
    for (int c = 0; c < CAT_COUNT; c++) {
        const struct cat_stats *cs = &st.cat[c];
        printf("    %-24s %7llu states (%llu with every caller walkable): required part right %llu, "
               "wrong %llu; whole stack right %llu%s\n",
               cat_name[c], (unsigned long long)cs->states, (unsigned long long)cs->full,
               (unsigned long long)cs->right, (unsigned long long)cs->wrong,
               (unsigned long long)cs->whole_right,
               c == CAT_ESTABLISHED || c == CAT_FPO ? "  [must be 0 wrong]" : "  [reported]");
        if (c == CAT_ESTABLISHED || c == CAT_FPO) {
            req_right += cs->right;
            req_wrong += cs->wrong;
        }
        for (unsigned i = 0; i < st.samples[c]; i++)
            printf("      e.g. %s\n", st.sample[c][i]);
    }
    printf("  frame 0 per FPO_DATA function (states/wrong):");
    for (unsigned i = 0; i < e->function_count && i < 64; i++) {
        char name[96] = "?";
        const uint8_t *r = (const uint8_t *)e->function_entries + 16 * i;
        pe_symbolize(&e->img, rd32(r), name, sizeof(name));
        if (strlen(name) > 2 && strcmp(name + strlen(name) - 2, "+0") == 0)
            name[strlen(name) - 2] = 0;
        printf("%s %s %llu/%llu", i ? "," : "", name, (unsigned long long)st.fpo_states[i],
               (unsigned long long)st.fpo_wrong[i]);
    }
    printf("\n");
    printf("  callers of FPO frames compared on EBX/ESI/EDI/EBP/ESP too: %llu\n",
           (unsigned long long)st.fpo_frames_checked);
    printf("  criteria: FAIL on any wrong state whose frame 0 is an established EBP frame or in an "
           "FPO_DATA function (%llu right, %llu wrong); prolog/epilog/frameless states and frames "
           "past the first caller without an EBP frame or FPO_DATA are counted only\n",
           (unsigned long long)req_right, (unsigned long long)req_wrong);
    return true;
}

static size_t x86_seed_context(struct emu *e, void *out)
{
    seed(e, out);
    return CTX_SIZE;
}

const struct emu_arch emu_arch_x86 = {
    .name = "x86",
    .machine = IMAGE_FILE_MACHINE_I386,
    .uc_arch = UC_ARCH_X86,
    .uc_mode = UC_MODE_32,
    .load_functions = x86_load_functions,
    .start = x86_start,
    .read_sp = x86_read_sp,
    .capture = x86_capture,
    .is_call = x86_is_call,
    .machine_frame = x86_machine_frame,
    .walk_and_compare = x86_walk_and_compare,
    .seed_context = x86_seed_context,
    .entry_size = 16,
    .finish = x86_finish,
};
