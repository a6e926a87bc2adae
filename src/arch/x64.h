/*
 * x64 internals shared by the x64 files: the register set the unwinder works
 * on, and the decoded forms of RUNTIME_FUNCTION and UNWIND_INFO.
 */
#ifndef DBGWALK_X64_H
#define DBGWALK_X64_H

#include "arch.h"

/* Register numbers as UNWIND_CODE and the CONTEXT's GPR array use them. */
enum { X64_RAX, X64_RCX, X64_RDX, X64_RBX, X64_RSP, X64_RBP, X64_RSI, X64_RDI };

struct x64_regs {
    uint64_t gpr[16];
    uint64_t rip;
    /* XMM registers are only ever restored, never read, by an unwind: the
     * loaded registers leave them out, and only those restored (a bit each
     * in xmm_restored) are stored back. */
    uint16_t xmm_restored;
    uint8_t xmm[16][16];
};

/* Offsets in the x64 CONTEXT (contract.md §7.3). */
#define X64_CTX_GPR(n) (0x78u + 8u * (n))
#define X64_CTX_RIP 0xF8u
#define X64_CTX_XMM(n) (0x1A0u + 16u * (n))
#define X64_CTX_SIZE 0x4D0u

/* The IMAGE_RUNTIME_FUNCTION_ENTRY layout (x64_table.c). */
extern const struct function_table_format x64_table_format;

void x64_regs_load(struct x64_regs *regs, const void *context);
void x64_regs_store(const struct x64_regs *regs, void *context);

struct x64_runtime_function {
    uint32_t begin, end, unwind_data;
};

#define UNW_FLAG_CHAININFO_BIT 0x4
#define X64_CHAIN_LIMIT 32

struct x64_unwind_info {
    uint8_t version;
    uint8_t flags;
    uint8_t prolog_size;
    uint8_t code_count;
    uint8_t frame_register;
    uint8_t frame_offset;
    uint16_t codes[256];
    struct x64_runtime_function chained; /* valid with UNW_FLAG_CHAININFO */
};

/* Reads the UNWIND_INFO at base + rva: UNWIND_DATA_UNREADABLE, or
 * UNWIND_BAD_DATA for a version this unwinder does not know. */
enum unwind_result x64_read_unwind_info(struct memory_reader *memory, uint64_t base,
                                        uint32_t rva, struct x64_unwind_info *info);

/* Follows RUNTIME_FUNCTION_INDIRECT links (bit 0 of UnwindData). */
bool x64_resolve_indirect(struct memory_reader *memory, uint64_t base,
                          struct x64_runtime_function *function);

enum epilog_outcome {
    EPILOG_NONE,   /* the PC is not in an epilog */
    EPILOG_UNWOUND, /* simulated to its end: regs hold the caller's state */
    EPILOG_UNREADABLE, /* an epilog, but the stack could not be read */
};

/* Recognises an epilog at regs->rip and, if there is one, simulates the rest
 * of it. `function` is the entry found for the PC, `info` its unwind info. */
enum epilog_outcome x64_unwind_epilog(const struct walk_services *services, struct x64_regs *regs,
                                      uint64_t base, const struct x64_runtime_function *function,
                                      const struct x64_unwind_info *info);

enum unwind_result x64_virtual_unwind(const struct walk_services *services, struct x64_regs *regs,
                                      bool pc_exact, struct unwind_step *step);

#endif
