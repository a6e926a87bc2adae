/*
 * Synthetic x64 functions for the unit tests, described once and turned into
 * all three things a walk needs to agree on: real instruction bytes, the
 * UNWIND_INFO a compiler would emit for them, and the machine state at every
 * instruction (a small simulator of exactly the instructions emitted here).
 *
 * Because the expected answer comes from the simulator and the unwind data
 * from the description, a test can check the unwinder at every instruction
 * of a function without writing any expectation by hand.
 */
#ifndef X64_MODEL_H
#define X64_MODEL_H

#include "fake_target.h"

enum x64_reg { RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8, R9, R10, R11, R12, R13, R14, R15 };

enum x64_op {
    /* prolog (described) */
    OP_PUSH,     /* push reg */
    OP_ALLOC,    /* sub rsp, imm */
    OP_SETFP,    /* lea reg, [rsp + imm] (mov when imm = 0); imm a multiple of 16 */
    OP_SAVE,     /* mov [rsp + imm], reg */
    OP_SAVEXMM,  /* movaps [rsp + imm], xmm(reg) */
    /* body and epilog (generated) */
    OP_CLOBBER,  /* gives every saved register a new value (a nop in bytes) */
    OP_ALLOCA,   /* sub rsp, imm in the body (frame-register functions only) */
    OP_CALL,     /* call rel32 */
    OP_NOP,
    OP_RESTORE,
    OP_RESTOREXMM,
    OP_DEALLOC,  /* add rsp, imm  or  lea rsp, [frame reg + imm] */
    OP_POP,
    OP_RET,
};

struct x64_prolog_op {
    enum x64_op op;
    uint8_t reg;
    uint32_t imm;
};

struct x64_spec {
    struct x64_prolog_op prolog[16];
    unsigned prolog_count;
    unsigned calls;          /* call sites in the body (at least 1 for a caller frame) */
    uint32_t alloca_size;    /* body allocation (needs OP_SETFP) */
    uint8_t version;         /* UNWIND_INFO version: 1, or 2 with UWOP_EPILOG entries */
};

struct x64_insn {
    enum x64_op op;
    uint8_t reg;
    int64_t imm;
    uint32_t offset; /* from the function start */
    uint8_t length;
};

struct x64_function {
    struct x64_spec spec;
    uint32_t begin, end, unwind_rva; /* RVAs */
    uint8_t prolog_size, frame_reg, frame_offset;
    struct x64_insn insns[64];
    unsigned insn_count;
    unsigned call_insn[8]; /* index of each call site's instruction */
};

/* Register numbers the unwind codes use, by value. */
struct x64_state {
    uint64_t gpr[16];
    uint64_t rip;
    uint8_t xmm[16][16];
};

/* Emits code at `code_rva` and unwind info at `unwind_rva` into the image and
 * adds the .pdata entry. Returns the bytes of code used. */
uint32_t x64_emit(struct fake_target *t, struct x64_function *f, const struct x64_spec *spec,
                  uint32_t code_rva, uint32_t unwind_rva);

/* Runs instructions [0, count) of `f` from `state` (RSP at the return
 * address, RIP = function start), writing the stack; `salt` makes the values
 * a clobber gives unique. Calls return at once. */
void x64_run(struct fake_target *t, const struct x64_function *f, struct x64_state *state,
             unsigned count, uint64_t salt);

/* A distinctive value for register `reg` of frame `salt`. */
uint64_t x64_value(uint64_t salt, unsigned reg);
void x64_xmm_value(uint64_t salt, unsigned reg, uint8_t out[16]);

/* An initial register set: every register distinctive. */
void x64_state_init(struct x64_state *s, uint64_t salt, uint64_t rsp, uint64_t rip);

void x64_state_to_context(const struct x64_state *s, CONTEXT *c);
void x64_context_to_state(const CONTEXT *c, struct x64_state *s);

/* Whether RIP, RSP and every non-volatile register agree; describes the
 * first difference in `why`. */
bool x64_nonvolatile_equal(const struct x64_state *expected, const CONTEXT *got, char *why,
                           size_t why_size);

/* A call chain: frames[0] innermost. Each frame i > 0 is stopped in its call
 * site call_site[i]; frame 0 at instruction `position`. Builds the stack
 * below `stack_top` and fills expected[i] with each frame's registers. The
 * outermost frame returns to 0. */
struct x64_chain {
    const struct x64_function *functions[256];
    unsigned call_site[256];
    unsigned depth;
    unsigned position;
    struct x64_state expected[256];
};
void x64_chain_build(struct fake_target *t, struct x64_chain *chain, uint64_t stack_top);

#define UC(offset, op, info) ((uint16_t)((offset) | ((op) << 8) | ((info) << 12)))

/* Writes a raw UNWIND_INFO; `chained` (may be NULL) follows the codes. */
void x64_write_unwind(struct fake_target *t, uint32_t rva, uint8_t version, uint8_t flags,
                      uint8_t prolog, uint8_t frame_reg, uint8_t frame_off, const uint16_t *codes,
                      unsigned count, const IMAGE_RUNTIME_FUNCTION_ENTRY *chained);

#endif
