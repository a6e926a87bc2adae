/*
 * ARM64 internals shared by the ARM64 files: the register set, the unwind
 * code interpreter, and the two sources of codes (.xdata and packed .pdata).
 */
#ifndef DBGWALK_ARM64_H
#define DBGWALK_ARM64_H

#include "arch.h"

enum { ARM64_FP = 29, ARM64_LR = 30 };

struct arm64_regs {
    /* A step reads and writes few registers of the context (`source`):
     * x[n] is valid when bit n of x_valid is set, v[n] when bit n of
     * v_valid is, else the register is still the context's; only valid
     * ones are stored back. SP and PC are always loaded; CPSR, FPCR and
     * FPSR only come from a context record (status_valid). */
    uint64_t x[31]; /* x0-x28, fp (x29), lr (x30) */
    uint64_t sp;
    uint64_t pc;
    uint32_t x_valid;
    uint32_t v_valid;
    /* the V halves the step wrote (bit 2n: v[n]'s low 8 bytes, 2n + 1: its
     * high 8): what the walk copies back, since the rest of a valid
     * register is only the source's */
    uint64_t v_written;
    bool status_valid;
    const uint8_t *source;
    uint8_t v[32][16];
    uint32_t cpsr, fpcr, fpsr;
};

/* Offsets in ARM64_NT_CONTEXT (contract.md §7.4). */
#define ARM64_CTX_CPSR 0x004u
#define ARM64_CTX_X(n) (0x008u + 8u * (n))
#define ARM64_CTX_SP 0x100u
#define ARM64_CTX_PC 0x108u
#define ARM64_CTX_V(n) (0x110u + 16u * (n))
#define ARM64_CTX_FPCR 0x310u
#define ARM64_CTX_FPSR 0x314u
#define ARM64_CTX_SIZE 0x390u

/* The IMAGE_ARM64_RUNTIME_FUNCTION_ENTRY layout (arm64_table.c). */
extern const struct function_table_format arm64_table_format;

/* X register n (0-30) as the step has it now. */
static inline uint64_t arm64_x(const struct arm64_regs *regs, unsigned n)
{
    return regs->x_valid >> n & 1 ? regs->x[n] : dw_le64(regs->source + ARM64_CTX_X(n));
}

static inline void arm64_set_x(struct arm64_regs *regs, unsigned n, uint64_t value)
{
    regs->x[n] = value;
    regs->x_valid |= 1u << n;
}

/* V register n, made valid (its context value) so that it can be written. */
static inline uint8_t *arm64_v(struct arm64_regs *regs, unsigned n)
{
    if (!(regs->v_valid >> n & 1)) {
        memcpy(regs->v[n], regs->source + ARM64_CTX_V(n), 16);
        regs->v_valid |= 1u << n;
    }
    return regs->v[n];
}

/* A view of `context` (which must outlive it) for one step. */
void arm64_regs_load(struct arm64_regs *regs, const uint8_t *context);
/* Every register of `context`, copied: the context need not outlive it. */
void arm64_regs_load_all(struct arm64_regs *regs, const uint8_t *context);
/* The registers the step changed (its valid ones), written to `context`. */
void arm64_regs_store(const struct arm64_regs *regs, uint8_t *context);

/* The most code bytes one function can have: 255 words of .xdata codes. */
#define ARM64_MAX_CODE_BYTES (255u * 4u)

struct arm64_codes {
    uint8_t bytes[ARM64_MAX_CODE_BYTES];
    unsigned size;
};

/* What the scans need of a code, by its first byte, in one table look:
 * its length (ARM64_INFO_LENGTH bits) and whether it is custom
 * (0xE8-0xEF), end or end_c. */
enum {
    ARM64_INFO_LENGTH = 7,
    ARM64_INFO_CUSTOM = 8,
    ARM64_INFO_END = 16,
    ARM64_INFO_END_C = 32,
};
extern const uint8_t arm64_code_info[256];

/* Length in bytes of the code starting with `first`. */
static inline unsigned arm64_code_length(uint8_t first)
{
    return arm64_code_info[first] & ARM64_INFO_LENGTH;
}

/* The number of codes in bytes[start, size) up to the first end/end_c, not
 * counting the custom codes 0xE8-0xEF: the instruction count of a prolog or
 * epilog described by them. `*run_end` gets where arm64_run_codes from
 * `start` stops reading: just past the first end (end_c runs on), or
 * `size`. */
static inline unsigned arm64_sequence_scan(const uint8_t *bytes, unsigned size, unsigned start,
                                           unsigned *run_end)
{
    unsigned count = 0, i = start;

    while (i < size) {
        unsigned info = arm64_code_info[bytes[i]];
        if (info & (ARM64_INFO_END | ARM64_INFO_END_C))
            break;
        count += !(info & ARM64_INFO_CUSTOM);
        i += info & ARM64_INFO_LENGTH;
    }
    /* Past end_c the run goes on to the next end. */
    while (i < size && !(arm64_code_info[bytes[i]] & ARM64_INFO_END))
        i += arm64_code_length(bytes[i]);
    *run_end = i < size ? i + 1 : size;
    return count;
}

/* The outcome of running codes, beyond the registers. */
struct arm64_code_effect {
    bool pc_set;   /* a special frame set PC: do not take it from LR */
    bool pc_exact; /* that PC is not a return address */
    bool lr_signed; /* pac_sign_lr ran: strip LR's authentication bits */
    bool lr_restored; /* a code loaded LR (x30) from the stack */
};

/* Runs codes from byte `start`, skipping the first `skip` codes, until
 * end. */
enum unwind_result arm64_run_codes(const struct walk_services *services, struct arm64_regs *regs,
                                   const struct arm64_codes *codes, unsigned start, unsigned skip,
                                   struct arm64_code_effect *effect);

/* Where the PC is, relative to the function's unwind description. */
struct arm64_plan {
    unsigned start; /* first code byte to run */
    unsigned skip;  /* codes to skip there */
};

/* Reads the .xdata record at `address` and decides which codes to run for
 * instruction `k` of the function. `codes` gets only the codes that run
 * (plan->start 0): the record is decoded where the read cache holds it,
 * and just those bytes leave it, since the stack reads of the run may reuse
 * the cache block. */
enum unwind_result arm64_xdata_plan(struct memory_reader *memory, uint64_t address, uint64_t k,
                                    struct arm64_codes *codes, struct arm64_plan *plan);

/* Builds the codes of a packed .pdata entry (`unwind_data`, flag 1 or 2)
 * and decides which to run for instruction `k`. */
enum unwind_result arm64_packed_plan(uint32_t unwind_data, uint64_t k, struct arm64_codes *codes,
                                     struct arm64_plan *plan, bool *signs_lr);

/* Clears a return address's pointer-authentication bits. */
uint64_t arm64_strip_pac(const struct walk_services *services, uint64_t address);

#endif
