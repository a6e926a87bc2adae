/*
 * ARM64 test model: a fake target with an ARM64 function table (8-byte
 * IMAGE_ARM64_RUNTIME_FUNCTION_ENTRY), unwind-code encoders written from the
 * documented encodings, and a tiny machine simulator that runs a described
 * prolog / epilog instruction by instruction so each position's expected
 * unwind comes from the simulator, never from the unwinder under test.
 */
#ifndef ARM64_MODEL_H
#define ARM64_MODEL_H

#include "fake_target.h"

/* cmocka needs these before its header. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "arch/arch.h"

#define A64_IMAGE_BASE 0x0000000180000000ull
#define A64_IMAGE_SIZE 0x40000u
#define A64_STACK_TOP 0x000000D000400000ull
#define A64_STACK_SIZE 0x100000u
/* SP at function entry in the simulated functions. */
#define A64_ENTRY_SP (A64_STACK_TOP - 0x40000)
/* The return address the simulated functions were called with. */
#define A64_RETURN (A64_IMAGE_BASE + 0x20004)
/* Bits pacibsp sets in the simulated LR (inside bits 48-63). */
#define A64_PAC_BITS 0x002B000000000000ull
#define A64_MAX_FUNCTIONS 64

struct a64_target {
    struct fake_target ft; /* first: the HANDLE is this object */
    IMAGE_ARM64_RUNTIME_FUNCTION_ENTRY fn[A64_MAX_FUNCTIONS];
    uint32_t fn_end[A64_MAX_FUNCTIONS]; /* end RVA of each entry */
    unsigned fn_count;
    /* TARGET_ATTRIBUTE_PACMASK answers */
    BOOL pac_ok;
    DWORD64 pac_mask;
    unsigned pac_calls;
    DWORD64 pac_last_address;
};

void a64_init(struct a64_target *t);
void a64_free(struct a64_target *t);

/* .pdata entries (RVAs). The end of an .xdata entry is begin + 4 * length. */
void a64_add_packed(struct a64_target *t, uint32_t begin, uint32_t unwind_data);
void a64_add_xdata(struct a64_target *t, uint32_t begin, uint32_t length_insns, uint32_t xdata_rva);
/* packed UnwindData from its fields */
uint32_t a64_packed(unsigned flag, unsigned length_insns, unsigned reg_f, unsigned reg_i,
                    unsigned h, unsigned cr, unsigned frame_size_16);

PVOID WINAPI a64_function_table(HANDLE process, DWORD64 address);
BOOL WINAPI a64_target_attribute(HANDLE process, DWORD attribute, DWORD64 data, DWORD64 *value);

/* One unwind step of `context` through arch_arm64.unwind. */
enum unwind_result a64_unwind(struct a64_target *t, ARM64_NT_CONTEXT *context, bool pc_exact,
                              struct unwind_step *step, bool with_attribute_callback);

/* ---- the simulated machine ---- */
struct a64_machine {
    uint64_t x[31];
    uint64_t sp, pc;
    uint64_t vlo[32], vhi[32];
};

/* The entry state every simulated function starts from. */
void a64_entry_state(struct a64_machine *m);
void a64_to_context(const struct a64_machine *m, ARM64_NT_CONTEXT *c);
void a64_from_context(struct a64_machine *m, const ARM64_NT_CONTEXT *c);

enum a64_kind { K_ALLOC, K_SAVE, K_SET_FP, K_ADD_FP, K_NOP, K_PAC, K_CUSTOM };
enum a64_class { R_X, R_D, R_Q };

/* One prolog instruction and its unwind code. */
struct a64_insn {
    enum a64_kind kind;
    enum a64_class cls;
    uint8_t reg[2];  /* registers stored (x numbers, 30 = lr; or v numbers) */
    uint8_t count;   /* 1 or 2 */
    bool pre;        /* pre-indexed: [sp, #-amount]! */
    uint32_t amount; /* bytes: allocation, pre-index size, offset, add_fp offset */
    uint8_t code[4];
    uint8_t code_length;
};

/* prolog instructions with their codes (documented encodings) */
struct a64_insn a64_alloc_s(unsigned bytes);
struct a64_insn a64_alloc_m(unsigned bytes);
struct a64_insn a64_alloc_l(unsigned bytes);
struct a64_insn a64_save_r19r20_x(unsigned bytes);
struct a64_insn a64_save_fplr(unsigned offset);
struct a64_insn a64_save_fplr_x(unsigned bytes);
struct a64_insn a64_save_regp(unsigned reg, unsigned offset);
struct a64_insn a64_save_regp_x(unsigned reg, unsigned bytes);
struct a64_insn a64_save_reg(unsigned reg, unsigned offset);
struct a64_insn a64_save_reg_x(unsigned reg, unsigned bytes);
struct a64_insn a64_save_lrpair(unsigned reg, unsigned offset);
struct a64_insn a64_save_fregp(unsigned d, unsigned offset);
struct a64_insn a64_save_fregp_x(unsigned d, unsigned bytes);
struct a64_insn a64_save_freg(unsigned d, unsigned offset);
struct a64_insn a64_save_freg_x(unsigned d, unsigned bytes);
struct a64_insn a64_set_fp(void);
struct a64_insn a64_add_fp(unsigned bytes);
struct a64_insn a64_nop(void);
struct a64_insn a64_pac(void);
/* save_next: stp of `cls` registers reg, reg+1 at [sp, #offset] */
struct a64_insn a64_save_next(enum a64_class cls, unsigned reg, unsigned offset);
/* save_any_reg (0xE7); `amount` is the offset or the pre-index size in bytes */
struct a64_insn a64_save_any(enum a64_class cls, unsigned reg, bool pair, bool writeback,
                             unsigned amount);

/* Runs a prolog instruction / the epilog instruction that undoes it. Saved
 * registers are clobbered after being stored, as a function body would. */
void a64_exec(struct a64_target *t, struct a64_machine *m, const struct a64_insn *insn);
void a64_unexec(struct a64_target *t, struct a64_machine *m, const struct a64_insn *insn);

/* A described function: prolog, body, epilog (undoing prolog
 * instructions, in execution order), ret. */
struct a64_fn {
    struct a64_insn prolog[40];
    unsigned prolog_count;
    struct a64_insn epilog[40];
    unsigned epilog_count;
    unsigned body;        /* body instructions (>= 1) */
    unsigned alloca_size; /* body lowers SP by this much (needs a frame pointer) */
};

void a64_fn_add(struct a64_fn *fn, struct a64_insn insn);
/* epilog = the prolog reversed, without nops (pacibsp becomes autibsp) */
void a64_fn_mirror(struct a64_fn *fn);
unsigned a64_fn_length(const struct a64_fn *fn);

/* The machine state at instruction `k` of `fn` starting at `address`. */
void a64_state_at(struct a64_target *t, const struct a64_fn *fn, uint64_t address, unsigned k,
                  struct a64_machine *m);

/* .xdata forms a function can be written in */
enum a64_xdata_form {
    XD_SCOPES,        /* E = 0, one epilog scope */
    XD_SINGLE,        /* E = 1, epilog index in the header */
    XD_EXTENDED,      /* E = 0 with the extended header word */
    XD_SCOPES_HANDLER /* E = 0, X = 1, handler RVA + data after the codes */
};

/* Writes the .xdata of `fn` at `rva`; returns its size. The epilog shares
 * the prolog's codes when they are the same, unless `separate_epilog`. */
size_t a64_write_xdata(struct a64_target *t, uint32_t rva, const struct a64_fn *fn,
                       enum a64_xdata_form form, bool separate_epilog);

/* Checks the unwind at every instruction of `fn` (at RVA `begin`, already in
 * the table) against the entry state. Fails the test with the position. */
void a64_check_every_position(struct a64_target *t, const struct a64_fn *fn, uint32_t begin,
                              const char *what);

/* Asserts the registers of `c` equal `m` (all of x0-x30, sp, pc, v0-v31). */
void a64_assert_state(const ARM64_NT_CONTEXT *c, const struct a64_machine *m, const char *what,
                      unsigned position);

/* Raw xdata writer: header word(s), scopes, code bytes (padded to words). */
size_t a64_write_raw_xdata(struct a64_target *t, uint32_t rva, uint32_t function_length, bool x,
                           bool e, uint32_t epilog_count, bool extended, const uint32_t *scopes,
                           unsigned scope_count, const uint8_t *codes, unsigned code_bytes,
                           unsigned code_words);

#endif
