/*
 * native_bench: StackWalk64 over a synthetic x64 target, through libdbghelp.so.
 *
 * The target lives in this process's buffers, at addresses of its own:
 *   - an "image" at IMAGE_BASE: NFUNC functions' code (real prolog, a call
 *     whose return address lands mid-function, an epilog), their UNWIND_INFO,
 *     and a sorted IMAGE_RUNTIME_FUNCTION_ENTRY table; plus one leaf function
 *     with no table entry;
 *   - a stack at STACK_LO, built by simulating the prologs from the outermost
 *     frame inwards, so every saved register and return address is where that
 *     function's unwind info says.
 * The functions come in eight shapes (pushes, an RBP frame set by SET_FPREG
 * with SAVE_NONVOL/SAVE_XMM128, MSVC-style saves into the caller's home area,
 * large allocations in both ALLOC_LARGE forms with the _FAR saves, a
 * gcc-style frame, chained unwind info, a bare allocation).
 *
 * First one walk is checked frame by frame (PC, RSP, AddrReturn, AddrFrame,
 * FuncTableEntry, the non-volatile GPRs and XMM6-XMM15): OK, or FAIL and exit
 * status 1. Then the walk is repeated for about half a second and the figures
 * printed. Nothing is asserted about time.
 */
#define _POSIX_C_SOURCE 200809L
#include <dbgwalk.h>

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define IMAGE_BASE 0x140000000ull
#define IMAGE_SIZE 0x14000u
#define TEXT_RVA 0x1000u
#define LEAF_RVA 0x11000u
#define XDATA_RVA 0x12000u
#define PDATA_RVA 0x13000u
#define NFUNC 64
#define MAX_ENTRIES (2 * NFUNC)

#define STACK_LO 0x7FF000000000ull
#define STACK_SIZE 0x100000u
#define STACK_HI (STACK_LO + STACK_SIZE)

#define MAX_DEPTH 256
#define TIME_PER_CONFIG_NS 500000000ull

enum { RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8, R9, R10, R11, R12, R13, R14, R15 };
static const char *const reg_names[16] = {"RAX", "RCX", "RDX", "RBX", "RSP", "RBP",
                                          "RSI", "RDI", "R8",  "R9",  "R10", "R11",
                                          "R12", "R13", "R14", "R15"};
#define NONVOL_MASK                                                                               \
    ((1u << RBX) | (1u << RBP) | (1u << RSI) | (1u << RDI) | (1u << R12) | (1u << R13) |          \
     (1u << R14) | (1u << R15))

enum {
    UWOP_PUSH_NONVOL = 0,
    UWOP_ALLOC_LARGE = 1,
    UWOP_ALLOC_SMALL = 2,
    UWOP_SET_FPREG = 3,
    UWOP_SAVE_NONVOL = 4,
    UWOP_SAVE_NONVOL_FAR = 5,
    UWOP_SAVE_XMM128 = 8,
    UWOP_SAVE_XMM128_FAR = 9,
};
#define UNW_FLAG_CHAININFO 0x4

/* ---------------------------------------------------------------- target */

static uint8_t *image; /* IMAGE_SIZE bytes, "mapped" at IMAGE_BASE */
static uint8_t *stack; /* STACK_SIZE bytes, "mapped" at STACK_LO */

/* What a prolog does, for the stack simulation. */
enum sim_kind { SIM_PUSH, SIM_ALLOC, SIM_SETFP, SIM_SAVE, SIM_SAVEXMM };
struct sim_op {
    enum sim_kind kind;
    int reg;
    uint32_t value; /* allocation size or offset from RSP */
};

struct func {
    const char *shape;
    uint32_t begin, end;  /* RVA range of the whole function */
    uint32_t call_return; /* RVA of the instruction after the call */
    uint32_t entry_index; /* table index of the entry covering call_return - 1 */
    struct sim_op ops[16];
    int nops;
    int frame_reg; /* 0 or RBP */
    uint32_t gpr_saved, xmm_saved;
};

static struct func funcs[NFUNC];
static IMAGE_RUNTIME_FUNCTION_ENTRY table[MAX_ENTRIES]; /* built here, copied into the image */
static IMAGE_RUNTIME_FUNCTION_ENTRY *image_table;       /* the copy the routine returns */
static unsigned table_count;

/* The emitter: code at `pc`, unwind codes for the info being built. */
struct ucode {
    uint8_t offset, op, info;
    int nextra;
    uint16_t extra[2];
};
static uint32_t pc, prolog_base, xdata_cursor;
static struct ucode codes[16];
static int ncodes;
static int info_frame_reg, info_frame_offset;
static uint32_t depth; /* entry RSP - current RSP while emitting a prolog */
static uint32_t push_depth, fp_depth;

static void emit(const uint8_t *bytes, size_t n)
{
    memcpy(image + pc, bytes, n);
    pc += (uint32_t)n;
}
static void emit1(uint8_t b) { emit(&b, 1); }
static void emit32(uint32_t v)
{
    uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    emit(b, 4);
}

static void add_code(uint8_t op, uint8_t info, int nextra, uint32_t extra)
{
    struct ucode *c = &codes[ncodes++];
    c->offset = (uint8_t)(pc - prolog_base);
    c->op = op;
    c->info = info;
    c->nextra = nextra;
    c->extra[0] = (uint16_t)extra;
    c->extra[1] = (uint16_t)(extra >> 16);
}

static void add_sim(struct func *f, enum sim_kind kind, int reg, uint32_t value)
{
    f->ops[f->nops].kind = kind;
    f->ops[f->nops].reg = reg;
    f->ops[f->nops].value = value;
    f->nops++;
}

/* [rsp + off] addressing: ModRM with rm = 100 (SIB 0x24), disp8 or disp32. */
static void emit_rsp_operand(int reg, uint32_t off)
{
    if (off < 0x80) {
        emit1((uint8_t)(0x44 | ((reg & 7) << 3)));
        emit1(0x24);
        emit1((uint8_t)off);
    } else {
        emit1((uint8_t)(0x84 | ((reg & 7) << 3)));
        emit1(0x24);
        emit32(off);
    }
}

static void p_push(struct func *f, int r)
{
    if (r >= 8)
        emit1(0x41);
    emit1((uint8_t)(0x50 + (r & 7)));
    add_code(UWOP_PUSH_NONVOL, (uint8_t)r, 0, 0);
    add_sim(f, SIM_PUSH, r, 0);
    f->gpr_saved |= 1u << r;
    depth += 8;
    push_depth = depth;
}

/* sub rsp, n. `large32` forces ALLOC_LARGE with the unscaled 32-bit size. */
static void p_alloc(struct func *f, uint32_t n, int large32)
{
    if (n < 0x80) {
        uint8_t b[] = {0x48, 0x83, 0xEC, (uint8_t)n};
        emit(b, sizeof(b));
    } else {
        uint8_t b[] = {0x48, 0x81, 0xEC};
        emit(b, sizeof(b));
        emit32(n);
    }
    if (large32)
        add_code(UWOP_ALLOC_LARGE, 1, 2, n);
    else if (n <= 128)
        add_code(UWOP_ALLOC_SMALL, (uint8_t)(n / 8 - 1), 0, 0);
    else
        add_code(UWOP_ALLOC_LARGE, 0, 1, n / 8);
    add_sim(f, SIM_ALLOC, 0, n);
    depth += n;
}

/* RBP = RSP + off (mov rbp, rsp when off is 0). */
static void p_setfp(struct func *f, uint32_t off)
{
    if (off == 0) {
        uint8_t b[] = {0x48, 0x89, 0xE5};
        emit(b, sizeof(b));
    } else {
        emit1(0x48);
        emit1(0x8D);
        emit_rsp_operand(RBP, off);
    }
    add_code(UWOP_SET_FPREG, 0, 0, 0);
    add_sim(f, SIM_SETFP, RBP, off);
    f->frame_reg = RBP;
    info_frame_reg = RBP;
    info_frame_offset = (int)(off / 16);
    fp_depth = depth - off;
}

/* mov [rsp + off], r */
static void p_save(struct func *f, int r, uint32_t off, int far)
{
    emit1((uint8_t)(0x48 | (r >= 8 ? 0x04 : 0)));
    emit1(0x89);
    emit_rsp_operand(r, off);
    if (far)
        add_code(UWOP_SAVE_NONVOL_FAR, (uint8_t)r, 2, off);
    else
        add_code(UWOP_SAVE_NONVOL, (uint8_t)r, 1, off / 8);
    add_sim(f, SIM_SAVE, r, off);
    f->gpr_saved |= 1u << r;
}

/* movaps [rsp + off], xmm */
static void p_savexmm(struct func *f, int x, uint32_t off, int far)
{
    if (x >= 8)
        emit1(0x44);
    emit1(0x0F);
    emit1(0x29);
    emit_rsp_operand(x, off);
    if (far)
        add_code(UWOP_SAVE_XMM128_FAR, (uint8_t)x, 2, off);
    else
        add_code(UWOP_SAVE_XMM128, (uint8_t)x, 1, off / 16);
    add_sim(f, SIM_SAVEXMM, x, off);
    f->xmm_saved |= 1u << x;
}

static void begin_info(void)
{
    prolog_base = pc;
    ncodes = 0;
    info_frame_reg = info_frame_offset = 0;
}

static void put16(uint32_t rva, uint16_t v)
{
    image[rva] = (uint8_t)v;
    image[rva + 1] = (uint8_t)(v >> 8);
}

/* Writes the UNWIND_INFO for the codes gathered since begin_info(); its
 * prolog ends at `pc`. Returns its RVA. */
static uint32_t end_info(uint8_t flags, const IMAGE_RUNTIME_FUNCTION_ENTRY *chained)
{
    uint32_t rva = xdata_cursor, at = rva + 4;
    int slots = 0;

    for (int i = ncodes - 1; i >= 0; i--) { /* descending CodeOffset */
        const struct ucode *c = &codes[i];
        put16(at, (uint16_t)(c->offset | ((c->op | (c->info << 4)) << 8)));
        at += 2;
        for (int k = 0; k < c->nextra; k++, at += 2)
            put16(at, c->extra[k]);
        slots += 1 + c->nextra;
    }
    if (slots & 1) {
        put16(at, 0);
        at += 2;
    }
    image[rva] = (uint8_t)(1 | (flags << 3));
    image[rva + 1] = (uint8_t)(pc - prolog_base);
    image[rva + 2] = (uint8_t)slots;
    image[rva + 3] = (uint8_t)(info_frame_reg | (info_frame_offset << 4));
    if (chained) {
        memcpy(image + at, chained, sizeof(*chained));
        at += sizeof(*chained);
    }
    xdata_cursor = (at + 3) & ~3u;
    return rva;
}

static void add_entry(uint32_t begin, uint32_t end, uint32_t info)
{
    table[table_count].BeginAddress = begin;
    table[table_count].EndAddress = end;
    table[table_count].UnwindInfoAddress = info;
    table_count++;
}

/* The body: a call whose return address lands mid-function, followed by an
 * instruction that is not an epilog, then the epilog. */
static void emit_body_and_epilog(struct func *f)
{
    uint8_t body[] = {0x31, 0xC0}; /* xor eax, eax */
    uint8_t after[] = {0x89, 0xC1, 0x90}; /* mov ecx, eax; nop */

    emit(body, sizeof(body));
    emit1(0xE8); /* call f itself (recursion): the target does not matter */
    emit32((uint32_t)(f->begin - (pc + 4)));
    f->call_return = pc;
    emit(after, sizeof(after));

    /* restore the saved registers (mov/movaps from [rsp + off]) */
    for (int i = 0; i < f->nops; i++) {
        const struct sim_op *o = &f->ops[i];
        if (o->kind == SIM_SAVE) {
            emit1((uint8_t)(0x48 | (o->reg >= 8 ? 0x04 : 0)));
            emit1(0x8B);
            emit_rsp_operand(o->reg, o->value);
        } else if (o->kind == SIM_SAVEXMM) {
            if (o->reg >= 8)
                emit1(0x44);
            emit1(0x0F);
            emit1(0x28);
            emit_rsp_operand(o->reg, o->value);
        }
    }
    if (f->frame_reg) { /* lea rsp, [rbp + d] */
        uint32_t d = fp_depth - push_depth;
        emit1(0x48);
        emit1(0x8D);
        if (d < 0x80) {
            emit1(0x65);
            emit1((uint8_t)d);
        } else {
            emit1(0xA5);
            emit32(d);
        }
    } else if (depth > push_depth) { /* add rsp, n */
        uint32_t n = depth - push_depth;
        if (n < 0x80) {
            uint8_t b[] = {0x48, 0x83, 0xC4, (uint8_t)n};
            emit(b, sizeof(b));
        } else {
            uint8_t b[] = {0x48, 0x81, 0xC4};
            emit(b, sizeof(b));
            emit32(n);
        }
    }
    for (int i = f->nops - 1; i >= 0; i--) {
        if (f->ops[i].kind != SIM_PUSH)
            continue;
        if (f->ops[i].reg >= 8)
            emit1(0x41);
        emit1((uint8_t)(0x58 + (f->ops[i].reg & 7)));
    }
    emit1(0xC3);
}

/* One function of shape i % 8 at `pc`. */
static void build_function(struct func *f, int i)
{
    uint32_t extra = 16u * (uint32_t)((i / 8) % 4); /* vary the frame sizes */
    uint32_t primary_info;

    memset(f, 0, sizeof(*f));
    f->begin = pc;
    depth = 0; /* at entry, RSP points at the return address */
    push_depth = fp_depth = 0;
    begin_info();

    switch (i % 8) {
    case 0: /* pushes + small allocation */
        f->shape = "pushes";
        p_push(f, RBP);
        p_push(f, RBX);
        p_push(f, RSI);
        p_push(f, RDI);
        if ((i / 8) % 4 >= 2) {
            p_push(f, R12);
            p_push(f, R13);
        }
        p_alloc(f, 0x38 + extra, 0);
        break;
    case 1: /* RBP frame (SET_FPREG, FrameOffset 2) + SAVE_NONVOL + SAVE_XMM128 */
        f->shape = "rbp-frame";
        p_push(f, RBP);
        p_push(f, RDI);
        p_alloc(f, 0x68 + extra, 0);
        p_setfp(f, 0x20);
        p_save(f, RSI, 0x50, 0);
        p_savexmm(f, 6, 0x30, 0);
        break;
    case 2: /* MSVC style: saves into the caller's home area + one in the frame */
        f->shape = "home-saves";
        p_push(f, RDI);
        p_alloc(f, 0x50 + extra, 0);
        p_save(f, RBX, depth + 8, 0);  /* home slot 0 (above the return address) */
        p_save(f, R12, depth + 16, 0); /* home slot 1 */
        p_save(f, R13, 0x40, 0);
        break;
    case 3: /* ALLOC_LARGE (scaled) + XMM saves + SAVE_NONVOL_FAR */
        f->shape = "large-alloc";
        p_push(f, RBX);
        p_push(f, R12);
        p_push(f, R13);
        p_alloc(f, 0x1100 + extra, 0);
        p_savexmm(f, 7, 0x1000, 0);
        p_savexmm(f, 8, 0x20, 0);
        p_save(f, R14, 0x10F0, 1);
        break;
    case 4: /* gcc style: push rbp; mov rbp, rsp; sub rsp (SET_FPREG before the allocation) */
        f->shape = "gcc-frame";
        p_push(f, RBP);
        p_setfp(f, 0);
        p_alloc(f, 0x30 + extra, 0);
        break;
    case 5: /* chained: the call lies in a second range whose info chains to the first */
        f->shape = "chained";
        p_push(f, RBX);
        p_push(f, RSI);
        p_alloc(f, 0x28 + extra, 0);
        break;
    case 6: /* ALLOC_LARGE unscaled 32-bit + SAVE_XMM128_FAR */
        f->shape = "huge-alloc";
        p_push(f, R14);
        p_push(f, R15);
        p_alloc(f, 0x2008 + extra, 1);
        p_savexmm(f, 10, 0x1000, 1);
        p_savexmm(f, 15, 0x1FE0, 0);
        p_save(f, RDI, 0x2000, 0);
        break;
    default: /* a bare allocation */
        f->shape = "alloc-only";
        p_alloc(f, 0x28 + extra, 0);
        break;
    }
    primary_info = end_info(0, NULL);

    if (i % 8 == 5) {
        uint32_t split;
        IMAGE_RUNTIME_FUNCTION_ENTRY primary;
        uint8_t hot[] = {0x85, 0xC9, 0x90}; /* test ecx, ecx; nop */

        emit(hot, sizeof(hot));
        split = pc;
        primary.BeginAddress = f->begin;
        primary.EndAddress = split;
        primary.UnwindInfoAddress = primary_info;
        add_entry(f->begin, split, primary_info);

        begin_info(); /* the second range's own prolog, then the chain */
        p_save(f, RDI, depth + 8, 0);
        f->entry_index = table_count;
        emit_body_and_epilog(f);
        f->end = pc;
        add_entry(split, f->end, end_info(UNW_FLAG_CHAININFO, &primary));
    } else {
        f->entry_index = table_count;
        emit_body_and_epilog(f);
        f->end = pc;
        add_entry(f->begin, f->end, primary_info);
    }
}

/* spacing 0: functions packed 16-byte aligned; else each at TEXT_RVA + i * spacing. */
static void build_image(uint32_t spacing)
{
    memset(image, 0xCC, IMAGE_SIZE);
    table_count = 0;
    xdata_cursor = XDATA_RVA;
    pc = TEXT_RVA;
    for (int i = 0; i < NFUNC; i++) {
        if (spacing)
            pc = TEXT_RVA + (uint32_t)i * spacing;
        build_function(&funcs[i], i);
        pc = (pc + 15) & ~15u;
        if (pc > LEAF_RVA || (spacing && pc > TEXT_RVA + (uint32_t)(i + 1) * spacing)) {
            fprintf(stderr, "native_bench: function %d does not fit\n", i);
            exit(2);
        }
    }
    pc = LEAF_RVA; /* the leaf: mov rax, [rcx]; ret — no table entry */
    {
        uint8_t leaf[] = {0x48, 0x8B, 0x01, 0xC3};
        emit(leaf, sizeof(leaf));
    }
    if (xdata_cursor > PDATA_RVA || PDATA_RVA + table_count * sizeof(table[0]) > IMAGE_SIZE) {
        fprintf(stderr, "native_bench: image layout overflow\n");
        exit(2);
    }
    memcpy(image + PDATA_RVA, table, table_count * sizeof(table[0]));
    image_table = (IMAGE_RUNTIME_FUNCTION_ENTRY *)(image + PDATA_RVA);
}

/* ---------------------------------------------------------------- stack */

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static uint64_t next_random(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

struct regs {
    uint64_t gpr[16];
    uint8_t xmm[16][16];
};

struct expected_frame {
    uint64_t pc, rsp, ret, frame;
    int func; /* -1: the leaf */
    struct regs regs;
};

static struct expected_frame expected[MAX_DEPTH];
static CONTEXT seed_context;

static uint8_t *stack_at(uint64_t address, size_t n)
{
    if (address < STACK_LO + 0x1000 || address + n > STACK_HI) {
        fprintf(stderr, "native_bench: synthetic stack overflow\n");
        exit(2);
    }
    return stack + (address - STACK_LO);
}

static int func_for_level(int level) { return (level * 29 + 11) % NFUNC; }

static void set_context_regs(CONTEXT *c, const struct regs *r)
{
    memcpy((uint8_t *)c + offsetof(CONTEXT, Rax), r->gpr, sizeof(r->gpr));
    memcpy((uint8_t *)c + offsetof(CONTEXT, Xmm0), r->xmm, sizeof(r->xmm));
}

/* Runs the prologs of `depth_frames - 1` functions from the outermost inwards,
 * then enters the leaf; records what each frame must look like. */
static void build_stack(int depth_frames)
{
    struct regs st;
    uint64_t rsp = STACK_HI - 0x108; /* at entry, RSP = 8 mod 16 */
    uint64_t entry_rsp[MAX_DEPTH];
    int levels = depth_frames - 1;

    for (size_t i = 0; i < STACK_SIZE; i += 8) { /* junk everywhere else */
        uint64_t v = next_random();
        memcpy(stack + i, &v, 8);
    }
    for (int r = 0; r < 16; r++)
        st.gpr[r] = next_random();
    for (int x = 0; x < 16; x++)
        for (int b = 0; b < 16; b += 8) {
            uint64_t v = next_random();
            memcpy(&st.xmm[x][b], &v, 8);
        }

    memset(stack_at(rsp, 8), 0, 8); /* the outermost return address: 0 ends the walk */
    for (int level = 0; level < levels; level++) {
        const struct func *f = &funcs[func_for_level(level)];
        struct expected_frame *e = &expected[depth_frames - 1 - level];

        entry_rsp[level] = rsp;
        for (int k = 0; k < f->nops; k++) {
            const struct sim_op *o = &f->ops[k];
            switch (o->kind) {
            case SIM_PUSH:
                rsp -= 8;
                memcpy(stack_at(rsp, 8), &st.gpr[o->reg], 8);
                break;
            case SIM_ALLOC:
                rsp -= o->value;
                break;
            case SIM_SETFP:
                st.gpr[RBP] = rsp + o->value;
                break;
            case SIM_SAVE:
                memcpy(stack_at(rsp + o->value, 8), &st.gpr[o->reg], 8);
                break;
            case SIM_SAVEXMM:
                memcpy(stack_at(rsp + o->value, 16), st.xmm[o->reg], 16);
                break;
            }
        }
        /* The body may change every register it saved (not the frame register). */
        for (int r = 0; r < 16; r++)
            if ((f->gpr_saved >> r & 1) && !(f->frame_reg == r))
                st.gpr[r] = next_random();
        for (int x = 0; x < 16; x++)
            if (f->xmm_saved >> x & 1)
                for (int b = 0; b < 16; b += 8) {
                    uint64_t v = next_random();
                    memcpy(&st.xmm[x][b], &v, 8);
                }
        e->func = func_for_level(level);
        e->pc = IMAGE_BASE + f->call_return;
        e->rsp = rsp;
        e->regs = st;
        e->regs.gpr[RSP] = rsp;
        /* the call */
        rsp -= 8;
        memcpy(stack_at(rsp, 8), &e->pc, 8);
    }
    entry_rsp[levels] = rsp;
    expected[0].func = -1;
    expected[0].pc = IMAGE_BASE + LEAF_RVA;
    expected[0].rsp = rsp;
    expected[0].regs = st;
    expected[0].regs.gpr[RSP] = rsp;

    for (int k = 0; k < depth_frames; k++) {
        int level = depth_frames - 1 - k;
        expected[k].ret = k + 1 < depth_frames ? expected[k + 1].pc : 0;
        expected[k].frame = entry_rsp[level] - 8; /* return-address slot - 8 */
    }

    memset(&seed_context, 0, sizeof(seed_context));
    seed_context.ContextFlags = CONTEXT_FULL;
    set_context_regs(&seed_context, &expected[0].regs);
    seed_context.Rip = expected[0].pc;
    seed_context.Rsp = expected[0].rsp;
}

/* ---------------------------------------------------------------- callbacks */

static uint64_t read_calls, read_bytes, table_calls, base_calls;

/* Like ReadProcessMemory: FALSE (with what was copied) past the end of a mapping. */
static BOOL WINAPI read_memory(HANDLE process, DWORD64 address, PVOID buffer, DWORD size,
                               LPDWORD read)
{
    DWORD n = 0;
    (void)process;
    read_calls++;
    if (address >= IMAGE_BASE && address < IMAGE_BASE + IMAGE_SIZE) {
        uint64_t avail = IMAGE_BASE + IMAGE_SIZE - address;
        n = avail < size ? (DWORD)avail : size;
        memcpy(buffer, image + (address - IMAGE_BASE), n);
    } else if (address >= STACK_LO && address < STACK_HI) {
        uint64_t avail = STACK_HI - address;
        n = avail < size ? (DWORD)avail : size;
        memcpy(buffer, stack + (address - STACK_LO), n);
    }
    read_bytes += n;
    if (read)
        *read = n;
    return n == size;
}

static PVOID WINAPI function_table_access(HANDLE process, DWORD64 address)
{
    uint32_t rva, lo = 0, hi;
    (void)process;
    table_calls++;
    if (address < IMAGE_BASE || address >= IMAGE_BASE + IMAGE_SIZE)
        return NULL;
    rva = (uint32_t)(address - IMAGE_BASE);
    hi = table_count;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (rva < image_table[mid].BeginAddress)
            hi = mid;
        else if (rva >= image_table[mid].EndAddress)
            lo = mid + 1;
        else
            return &image_table[mid];
    }
    return NULL;
}

static DWORD64 WINAPI module_base(HANDLE process, DWORD64 address)
{
    (void)process;
    base_calls++;
    return address >= IMAGE_BASE && address < IMAGE_BASE + IMAGE_SIZE ? IMAGE_BASE : 0;
}

/* ---------------------------------------------------------------- walks */

static HANDLE const target_process = (HANDLE)(uintptr_t)0x1234;

static void seed(STACKFRAME64 *frame, CONTEXT *context)
{
    *context = seed_context;
    memset(frame, 0, sizeof(*frame));
    frame->AddrPC.Offset = context->Rip;
    frame->AddrPC.Mode = AddrModeFlat;
    frame->AddrStack.Offset = context->Rsp;
    frame->AddrStack.Mode = AddrModeFlat;
    frame->AddrFrame.Offset = context->Rbp;
    frame->AddrFrame.Mode = AddrModeFlat;
}

static int walk_once(void)
{
    STACKFRAME64 frame;
    CONTEXT context;
    int frames = 0;

    seed(&frame, &context);
    while (StackWalk64(IMAGE_FILE_MACHINE_AMD64, target_process, NULL, &frame, &context,
                       read_memory, function_table_access, module_base, NULL))
        frames++;
    return frames;
}

static int failures;
static void fail(int depth_frames, int k, const char *what, uint64_t got, uint64_t want)
{
    const struct expected_frame *e = &expected[k];
    if (failures++ < 20)
        printf("FAIL: depth %d frame %d (%s %d, %s): %s = 0x%llx, expected 0x%llx\n",
               depth_frames, k, e->func < 0 ? "leaf" : "function", e->func,
               e->func < 0 ? "no unwind data" : funcs[e->func].shape, what,
               (unsigned long long)got, (unsigned long long)want);
}

/* One walk checked frame by frame. Returns the number of failures. */
static int verify(int depth_frames)
{
    STACKFRAME64 frame;
    CONTEXT context;
    int k = 0;

    failures = 0;
    seed(&frame, &context);
    while (StackWalk64(IMAGE_FILE_MACHINE_AMD64, target_process, NULL, &frame, &context,
                       read_memory, function_table_access, module_base, NULL)) {
        const struct expected_frame *e;
        const void *want_entry;
        uint64_t gpr[16];
        uint8_t xmm[16][16];

        if (k >= depth_frames) {
            fail(depth_frames, depth_frames - 1, "extra frame at PC", frame.AddrPC.Offset, 0);
            break;
        }
        e = &expected[k];
        if (frame.AddrPC.Offset != e->pc)
            fail(depth_frames, k, "AddrPC", frame.AddrPC.Offset, e->pc);
        if (context.Rip != e->pc)
            fail(depth_frames, k, "context RIP", context.Rip, e->pc);
        if (frame.AddrStack.Offset != e->rsp)
            fail(depth_frames, k, "AddrStack", frame.AddrStack.Offset, e->rsp);
        if (frame.AddrReturn.Offset != e->ret)
            fail(depth_frames, k, "AddrReturn", frame.AddrReturn.Offset, e->ret);
        /* The outermost frame (return address 0) has no caller to place
         * AddrFrame from; the library then reports RBP. Not checked. */
        if (e->ret != 0 && frame.AddrFrame.Offset != e->frame)
            fail(depth_frames, k, "AddrFrame", frame.AddrFrame.Offset, e->frame);
        want_entry = e->func < 0 ? NULL : (const void *)&image_table[funcs[e->func].entry_index];
        if (frame.FuncTableEntry != want_entry)
            fail(depth_frames, k, "FuncTableEntry", (uint64_t)(uintptr_t)frame.FuncTableEntry,
                 (uint64_t)(uintptr_t)want_entry);
        memcpy(gpr, (uint8_t *)&context + offsetof(CONTEXT, Rax), sizeof(gpr));
        memcpy(xmm, (uint8_t *)&context + offsetof(CONTEXT, Xmm0), sizeof(xmm));
        for (int r = 0; r < 16; r++)
            if (((NONVOL_MASK | (1u << RSP)) >> r & 1) && gpr[r] != e->regs.gpr[r])
                fail(depth_frames, k, reg_names[r], gpr[r], e->regs.gpr[r]);
        for (int x = 6; x < 16; x++)
            if (memcmp(xmm[x], e->regs.xmm[x], 16) != 0) {
                uint64_t got, want;
                char name[24];
                memcpy(&got, xmm[x], 8);
                memcpy(&want, e->regs.xmm[x], 8);
                snprintf(name, sizeof(name), "XMM%d (low half)", x);
                fail(depth_frames, k, name, got, want);
            }
        k++;
    }
    if (k != depth_frames && failures == 0) {
        printf("FAIL: depth %d: the walk ended after %d frames, expected %d (last error %u)\n",
               depth_frames, k, depth_frames, (unsigned)GetLastError());
        failures++;
    }
    return failures;
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int run(const char *layout, uint32_t spacing, int depth_frames)
{
    uint64_t start, elapsed, walks = 0, frames = 0;

    build_image(spacing);
    build_stack(depth_frames);
    if (verify(depth_frames) != 0)
        return 1;

    read_calls = read_bytes = table_calls = base_calls = 0;
    start = now_ns();
    do {
        for (int i = 0; i < 16; i++) {
            int n = walk_once();
            if (n != depth_frames) {
                printf("FAIL: a timed walk gave %d frames, expected %d\n", n, depth_frames);
                return 1;
            }
            frames += (uint64_t)n;
        }
        walks += 16;
        elapsed = now_ns() - start;
    } while (elapsed < TIME_PER_CONFIG_NS);

    printf("%-6s depth %3d: verify OK | %7llu walks, %3d frames/walk, %7.1f ns/frame, "
           "%.3f read callbacks/frame, %7.1f bytes read/frame, %.2f table + %.2f module-base "
           "calls/frame\n",
           layout, depth_frames, (unsigned long long)walks, depth_frames,
           (double)elapsed / (double)frames, (double)read_calls / (double)frames,
           (double)read_bytes / (double)frames, (double)table_calls / (double)frames,
           (double)base_calls / (double)frames);
    return 0;
}

int main(void)
{
    static const int depths[] = {37, 200};
    int status = 0;

    image = malloc(IMAGE_SIZE);
    stack = malloc(STACK_SIZE);
    if (!image || !stack)
        return 2;

    printf("native_bench: StackWalk64 (libdbghelp.so) over a synthetic x64 target\n");
    printf("  image 0x%llx (%d functions in 8 shapes + 1 leaf without unwind data), "
           "stack 0x%llx-0x%llx\n",
           (unsigned long long)IMAGE_BASE, NFUNC, (unsigned long long)STACK_LO,
           (unsigned long long)STACK_HI);
    printf("  build type: %s\n", DBGWALK_BENCH_BUILD_TYPE);
    build_image(0);
    printf("  layouts: packed = code back to back (RVA 0x%x-0x%x), spread = one function per "
           "0x400 bytes (RVA 0x%x-0x%x); unwind info at 0x%x, table at 0x%x (%u entries)\n",
           TEXT_RVA, funcs[NFUNC - 1].end, TEXT_RVA, TEXT_RVA + NFUNC * 0x400, XDATA_RVA,
           PDATA_RVA, table_count);

    for (size_t d = 0; d < sizeof(depths) / sizeof(depths[0]); d++) {
        if (run("packed", 0, depths[d]) || run("spread", 0x400, depths[d]))
            status = 1;
        if (status)
            break;
    }
    if (status == 0)
        printf("OK\n");
    free(image);
    free(stack);
    return status;
}
