#include "x64_model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void must(bool condition, const char *what)
{
    if (!condition) {
        fprintf(stderr, "x64_model: bad function description: %s\n", what);
        abort();
    }
}

/* ---- instruction bytes ---- */

struct code_buffer {
    uint8_t bytes[512];
    uint32_t size;
};

static void put8(struct code_buffer *b, uint8_t v)
{
    must(b->size < sizeof(b->bytes), "function too long");
    b->bytes[b->size++] = v;
}

static void put32(struct code_buffer *b, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        put8(b, (uint8_t)(v >> (8 * i)));
}

/* op [rsp + disp32], reg or reg, [rsp + disp32] */
static void rsp_memory(struct code_buffer *b, uint8_t reg, uint32_t disp)
{
    put8(b, (uint8_t)(0x80 | ((reg & 7) << 3) | 4));
    put8(b, 0x24);
    put32(b, disp);
}

static void encode(struct code_buffer *b, const struct x64_insn *in, uint8_t frame_reg)
{
    uint8_t r = in->reg;

    switch (in->op) {
    case OP_PUSH:
    case OP_POP:
        if (r >= 8)
            put8(b, 0x41);
        put8(b, (uint8_t)((in->op == OP_PUSH ? 0x50 : 0x58) + (r & 7)));
        break;
    case OP_ALLOC:
    case OP_ALLOCA:
    case OP_DEALLOC:
        if (in->op == OP_DEALLOC && frame_reg) { /* lea rsp, [frame_reg + disp] */
            bool small = in->imm >= -128 && in->imm <= 127;
            put8(b, (uint8_t)(0x48 | (frame_reg >= 8 ? 1 : 0)));
            put8(b, 0x8D);
            put8(b, (uint8_t)((small ? 0x40 : 0x80) | (4 << 3) | (frame_reg & 7)));
            if (small)
                put8(b, (uint8_t)in->imm);
            else
                put32(b, (uint32_t)in->imm);
            break;
        }
        put8(b, 0x48);
        put8(b, in->imm <= 0x7F ? 0x83 : 0x81);
        put8(b, in->op == OP_DEALLOC ? 0xC4 : 0xEC);
        if (in->imm <= 0x7F)
            put8(b, (uint8_t)in->imm);
        else
            put32(b, (uint32_t)in->imm);
        break;
    case OP_SETFP:
        put8(b, (uint8_t)(0x48 | (r >= 8 ? 4 : 0)));
        if (in->imm == 0) { /* mov reg, rsp */
            put8(b, 0x8B);
            put8(b, (uint8_t)(0xC0 | ((r & 7) << 3) | 4));
        } else {            /* lea reg, [rsp + disp] */
            put8(b, 0x8D);
            rsp_memory(b, r, (uint32_t)in->imm);
        }
        break;
    case OP_SAVE:
    case OP_RESTORE:
        put8(b, (uint8_t)(0x48 | (r >= 8 ? 4 : 0)));
        put8(b, in->op == OP_SAVE ? 0x89 : 0x8B);
        rsp_memory(b, r, (uint32_t)in->imm);
        break;
    case OP_SAVEXMM:
    case OP_RESTOREXMM:
        if (r >= 8)
            put8(b, 0x44);
        put8(b, 0x0F);
        put8(b, in->op == OP_SAVEXMM ? 0x29 : 0x28);
        rsp_memory(b, r, (uint32_t)in->imm);
        break;
    case OP_CALL:
        put8(b, 0xE8);
        put32(b, (uint32_t)-(int32_t)(in->offset + 5)); /* to the function start */
        break;
    case OP_CLOBBER:
    case OP_NOP:
        put8(b, 0x90);
        break;
    case OP_RET:
        put8(b, 0xC3);
        break;
    }
}

/* ---- unwind info ---- */

void x64_write_unwind(struct fake_target *t, uint32_t rva, uint8_t version, uint8_t flags,
                      uint8_t prolog, uint8_t frame_reg, uint8_t frame_off, const uint16_t *codes,
                      unsigned count, const IMAGE_RUNTIME_FUNCTION_ENTRY *chained)
{
    uint8_t raw[4 + 2 * 256 + 12] = {0};
    unsigned slots = (count + 1) & ~1u, size;

    raw[0] = (uint8_t)(version | (flags << 3));
    raw[1] = prolog;
    raw[2] = (uint8_t)count;
    raw[3] = (uint8_t)(frame_reg | (frame_off << 4));
    for (unsigned i = 0; i < count; i++) {
        raw[4 + 2 * i] = (uint8_t)codes[i];
        raw[5 + 2 * i] = (uint8_t)(codes[i] >> 8);
    }
    /* the padding slot only matters when a chained entry follows it */
    size = 4 + 2 * count;
    if (chained) {
        size = 4 + 2 * slots;
        memcpy(raw + size, chained, 12);
        size += 12;
    }
    ft_write(t, t->image_base + rva, raw, size);
}

static unsigned add_codes(uint16_t *codes, unsigned n, const struct x64_insn *in,
                          uint32_t save_offset)
{
    uint8_t end = (uint8_t)(in->offset + in->length);
    uint32_t v;

    switch (in->op) {
    case OP_PUSH:
        codes[n++] = UC(end, 0, in->reg);
        break;
    case OP_ALLOC:
        v = (uint32_t)in->imm;
        if (v <= 128) {
            codes[n++] = UC(end, 2, v / 8 - 1);
        } else if (v <= 0x7FFF8) {
            codes[n++] = UC(end, 1, 0);
            codes[n++] = (uint16_t)(v / 8);
        } else {
            codes[n++] = UC(end, 1, 1);
            codes[n++] = (uint16_t)v;
            codes[n++] = (uint16_t)(v >> 16);
        }
        break;
    case OP_SETFP:
        codes[n++] = UC(end, 3, 0);
        break;
    case OP_SAVE:
        if (save_offset / 8 <= 0xFFFF) {
            codes[n++] = UC(end, 4, in->reg);
            codes[n++] = (uint16_t)(save_offset / 8);
        } else {
            codes[n++] = UC(end, 5, in->reg);
            codes[n++] = (uint16_t)save_offset;
            codes[n++] = (uint16_t)(save_offset >> 16);
        }
        break;
    case OP_SAVEXMM:
        if (save_offset / 16 <= 0xFFFF) {
            codes[n++] = UC(end, 8, in->reg);
            codes[n++] = (uint16_t)(save_offset / 16);
        } else {
            codes[n++] = UC(end, 9, in->reg);
            codes[n++] = (uint16_t)save_offset;
            codes[n++] = (uint16_t)(save_offset >> 16);
        }
        break;
    default:
        must(false, "not a prolog operation");
    }
    return n;
}

static void add_insn(struct x64_function *f, struct code_buffer *b, enum x64_op op, uint8_t reg,
                     int64_t imm)
{
    struct x64_insn *in;

    must(f->insn_count < 64, "too many instructions");
    in = &f->insns[f->insn_count++];
    in->op = op;
    in->reg = reg;
    in->imm = imm;
    in->offset = b->size;
    encode(b, in, f->frame_reg);
    in->length = (uint8_t)(b->size - in->offset);
}

uint32_t x64_emit(struct fake_target *t, struct x64_function *f, const struct x64_spec *spec,
                  uint32_t code_rva, uint32_t unwind_rva)
{
    struct code_buffer b = {0};
    uint32_t depth = 0, push_depth = 0, final_depth, setfp_depth = 0, frame_depth;
    uint32_t save_offset[16];
    uint16_t codes[64];
    unsigned n = 0, epilog_start;
    bool allocated = false;

    memset(f, 0, sizeof(*f));
    f->spec = *spec;
    f->begin = code_rva;
    f->unwind_rva = unwind_rva;

    /* Depths first: they decide SAVE offsets and the epilog. */
    for (unsigned i = 0; i < spec->prolog_count; i++) {
        const struct x64_prolog_op *p = &spec->prolog[i];
        if (p->op == OP_PUSH) {
            must(!allocated, "pushes come before allocations");
            depth += 8;
            push_depth = depth;
        } else if (p->op == OP_ALLOC) {
            allocated = true;
            depth += p->imm;
        } else if (p->op == OP_SETFP) {
            must(p->imm % 16 == 0 && p->imm <= 240, "frame offset");
            must((p->reg & 7) != 4, "frame register with a SIB encoding");
            allocated = true;
            f->frame_reg = p->reg;
            f->frame_offset = (uint8_t)(p->imm / 16);
            setfp_depth = depth;
        }
    }
    final_depth = depth;
    frame_depth = f->frame_reg ? setfp_depth : final_depth;
    must(!spec->alloca_size || f->frame_reg, "alloca needs a frame register");

    depth = 0;
    for (unsigned i = 0; i < spec->prolog_count; i++) {
        const struct x64_prolog_op *p = &spec->prolog[i];
        save_offset[i] = 0;
        if (p->op == OP_SAVE || p->op == OP_SAVEXMM) {
            must(depth == final_depth && !spec->alloca_size, "saves follow the allocation");
            must(p->imm + (p->op == OP_SAVE ? 8 : 16) <= final_depth - push_depth,
                 "save slot inside the allocation");
            must(frame_depth >= depth || p->imm >= depth - frame_depth, "save below the frame");
            save_offset[i] = frame_depth - depth + p->imm;
        }
        if (p->op == OP_PUSH)
            depth += 8;
        if (p->op == OP_ALLOC)
            depth += p->imm;
        add_insn(f, &b, p->op, p->reg, p->imm);
    }
    f->prolog_size = (uint8_t)b.size;

    /* Body: clobber, then the calls (a nop after each but the last, so that
     * the last call returns straight into the epilog). */
    add_insn(f, &b, OP_CLOBBER, 0, 0);
    if (spec->alloca_size)
        add_insn(f, &b, OP_ALLOCA, 0, spec->alloca_size);
    must(spec->calls <= 8, "too many calls");
    for (unsigned c = 0; c < spec->calls; c++) {
        f->call_insn[c] = f->insn_count;
        add_insn(f, &b, OP_CALL, 0, 0);
        if (c + 1 < spec->calls)
            add_insn(f, &b, OP_NOP, 0, 0);
    }
    if (spec->calls == 0)
        add_insn(f, &b, OP_NOP, 0, 0);

    /* Epilog: restores (not part of what the unwinder calls the epilog), the
     * deallocation, the pops, ret. */
    for (unsigned i = spec->prolog_count; i-- > 0;) {
        const struct x64_prolog_op *p = &spec->prolog[i];
        if (p->op == OP_SAVE)
            add_insn(f, &b, OP_RESTORE, p->reg, p->imm);
        else if (p->op == OP_SAVEXMM)
            add_insn(f, &b, OP_RESTOREXMM, p->reg, p->imm);
    }
    epilog_start = b.size;
    if (f->frame_reg)
        add_insn(f, &b, OP_DEALLOC, 0, /* back to the depth after the pushes */
                 (int64_t)setfp_depth - 16 * (int64_t)f->frame_offset - (int64_t)push_depth);
    else if (final_depth > push_depth)
        add_insn(f, &b, OP_DEALLOC, 0, final_depth - push_depth);
    for (unsigned i = spec->prolog_count; i-- > 0;)
        if (spec->prolog[i].op == OP_PUSH)
            add_insn(f, &b, OP_POP, spec->prolog[i].reg, 0);
    add_insn(f, &b, OP_RET, 0, 0);
    f->end = code_rva + b.size;

    /* Codes: newest operation first; version 2 puts its epilog entries
     * before them, as compilers do. */
    if (spec->version == 2) {
        uint32_t back = b.size - epilog_start;
        codes[n++] = UC(b.size - epilog_start, 6, 1);
        codes[n++] = UC(back & 0xFF, 6, (back >> 8) & 0xF);
    }
    for (unsigned i = spec->prolog_count; i-- > 0;)
        n = add_codes(codes, n, &f->insns[i], save_offset[i]);

    ft_write(t, t->image_base + code_rva, b.bytes, b.size);
    x64_write_unwind(t, unwind_rva, spec->version ? spec->version : 1, 0, f->prolog_size,
                     f->frame_reg, f->frame_offset, codes, n, NULL);
    ft_add_function(t, f->begin, f->end, unwind_rva);
    return b.size;
}

/* ---- the simulator ---- */

uint64_t x64_value(uint64_t salt, unsigned reg)
{
    return 0x5A00000000000000ull ^ (salt << 20) ^ ((uint64_t)reg << 8) ^ 0x11;
}

void x64_xmm_value(uint64_t salt, unsigned reg, uint8_t out[16])
{
    for (unsigned i = 0; i < 16; i++)
        out[i] = (uint8_t)(salt * 31 + reg * 7 + i * 13 + 1);
}

void x64_state_init(struct x64_state *s, uint64_t salt, uint64_t rsp, uint64_t rip)
{
    for (unsigned r = 0; r < 16; r++) {
        s->gpr[r] = x64_value(salt, r);
        x64_xmm_value(salt, r, s->xmm[r]);
    }
    s->gpr[RSP] = rsp;
    s->rip = rip;
}

static void write_bytes(struct fake_target *t, uint64_t address, const uint8_t *v, size_t n)
{
    ft_write(t, address, v, n);
}

void x64_run(struct fake_target *t, const struct x64_function *f, struct x64_state *s,
             unsigned count, uint64_t salt)
{
    uint64_t *g = s->gpr;

    for (unsigned i = 0; i < count && i < f->insn_count; i++) {
        const struct x64_insn *in = &f->insns[i];
        switch (in->op) {
        case OP_PUSH:
            g[RSP] -= 8;
            ft_write64(t, g[RSP], g[in->reg]);
            break;
        case OP_ALLOC:
        case OP_ALLOCA:
            g[RSP] -= (uint64_t)in->imm;
            break;
        case OP_SETFP:
            g[in->reg] = g[RSP] + (uint64_t)in->imm;
            break;
        case OP_SAVE:
            ft_write64(t, g[RSP] + (uint64_t)in->imm, g[in->reg]);
            break;
        case OP_SAVEXMM:
            write_bytes(t, g[RSP] + (uint64_t)in->imm, s->xmm[in->reg], 16);
            break;
        case OP_CLOBBER:
            for (unsigned p = 0; p < f->spec.prolog_count; p++) {
                const struct x64_prolog_op *op = &f->spec.prolog[p];
                if ((op->op == OP_PUSH || op->op == OP_SAVE) && op->reg != f->frame_reg)
                    g[op->reg] = x64_value(salt ^ 0xC10BB, op->reg);
                if (op->op == OP_SAVEXMM)
                    x64_xmm_value(salt ^ 0xC10BB, op->reg, s->xmm[op->reg]);
            }
            break;
        case OP_CALL:
        case OP_NOP:
            break;
        case OP_RESTORE:
            g[in->reg] = ft_read64(t, g[RSP] + (uint64_t)in->imm);
            break;
        case OP_RESTOREXMM:
            memcpy(s->xmm[in->reg], ft_at(t, g[RSP] + (uint64_t)in->imm, 16), 16);
            break;
        case OP_DEALLOC:
            if (f->frame_reg)
                g[RSP] = g[f->frame_reg] + (uint64_t)in->imm;
            else
                g[RSP] += (uint64_t)in->imm;
            break;
        case OP_POP:
            g[in->reg] = ft_read64(t, g[RSP]);
            g[RSP] += 8;
            break;
        case OP_RET:
            s->rip = ft_read64(t, g[RSP]);
            g[RSP] += 8;
            return;
        }
    }
    if (count < f->insn_count)
        s->rip = t->image_base + f->begin + f->insns[count].offset;
}

void x64_state_to_context(const struct x64_state *s, CONTEXT *c)
{
    memset(c, 0, sizeof(*c));
    c->ContextFlags = CONTEXT_FULL;
    memcpy(&c->Rax, s->gpr, sizeof(s->gpr));
    c->Rip = s->rip;
    memcpy(&c->Xmm0, s->xmm, sizeof(s->xmm));
}

void x64_context_to_state(const CONTEXT *c, struct x64_state *s)
{
    memcpy(s->gpr, &c->Rax, sizeof(s->gpr));
    s->rip = c->Rip;
    memcpy(s->xmm, &c->Xmm0, sizeof(s->xmm));
}

bool x64_nonvolatile_equal(const struct x64_state *e, const CONTEXT *got, char *why,
                           size_t why_size)
{
    static const unsigned nonvolatile[] = {RSP, RBX, RBP, RSI, RDI, R12, R13, R14, R15};
    static const char *const names[] = {"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
                                        "r8",  "r9",  "r10", "r11", "r12", "r13", "r14", "r15"};
    struct x64_state g;

    x64_context_to_state(got, &g);
    if (g.rip != e->rip) {
        snprintf(why, why_size, "rip %#llx, expected %#llx", (unsigned long long)g.rip,
                 (unsigned long long)e->rip);
        return false;
    }
    for (unsigned i = 0; i < sizeof(nonvolatile) / sizeof(nonvolatile[0]); i++) {
        unsigned r = nonvolatile[i];
        if (g.gpr[r] != e->gpr[r]) {
            snprintf(why, why_size, "%s %#llx, expected %#llx", names[r],
                     (unsigned long long)g.gpr[r], (unsigned long long)e->gpr[r]);
            return false;
        }
    }
    for (unsigned r = 6; r < 16; r++) {
        if (memcmp(g.xmm[r], e->xmm[r], 16) != 0) {
            snprintf(why, why_size, "xmm%u differs", r);
            return false;
        }
    }
    return true;
}

void x64_chain_build(struct fake_target *t, struct x64_chain *chain, uint64_t stack_top)
{
    struct x64_state s;
    unsigned outer = chain->depth - 1;

    must(chain->depth >= 1 && chain->depth <= 256, "chain depth");
    x64_state_init(&s, outer + 1, stack_top - 0x48, 0);
    ft_write64(t, s.gpr[RSP], 0); /* the outermost frame returns to 0 */
    for (unsigned i = outer; i > 0; i--) {
        const struct x64_function *f = chain->functions[i];
        unsigned call = f->call_insn[chain->call_site[i]];
        s.rip = t->image_base + f->begin;
        x64_run(t, f, &s, call, i + 1);
        chain->expected[i] = s;
        chain->expected[i].rip = t->image_base + f->begin + f->insns[call + 1].offset;
        s = chain->expected[i];
        s.gpr[RSP] -= 8;
        ft_write64(t, s.gpr[RSP], chain->expected[i].rip);
    }
    s.rip = t->image_base + chain->functions[0]->begin;
    x64_run(t, chain->functions[0], &s, chain->position, 1);
    chain->expected[0] = s;
}
