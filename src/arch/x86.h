/*
 * x86 internals shared by the x86 files: the register set, the x86 CONTEXT
 * (WOW64_CONTEXT) offsets, and FPO_DATA decoded.
 */
#ifndef DBGWALK_X86_H
#define DBGWALK_X86_H

#include "arch.h"

/* Register numbers as instruction encodings use them. */
enum { X86_EAX, X86_ECX, X86_EDX, X86_EBX, X86_ESP, X86_EBP, X86_ESI, X86_EDI };

struct x86_regs {
    uint32_t gpr[8];
    uint32_t eip;
};

#define X86_CTX_EIP 0xB8u
#define X86_CTX_SIZE 0x2CCu
/* The CONTEXT keeps the integer registers out of encoding order. */
extern const uint16_t x86_ctx_gpr_offset[8];

void x86_regs_load(struct x86_regs *regs, const void *context);
void x86_regs_store(const struct x86_regs *regs, void *context);

enum { X86_FRAME_FPO = 0, X86_FRAME_TRAP = 1, X86_FRAME_TSS = 2, X86_FRAME_NONFPO = 3 };

struct x86_fpo {
    uint32_t start, size, locals;
    uint16_t params;
    uint8_t prolog, regs, frame;
    bool uses_bp;
};

void x86_fpo_decode(const uint8_t raw[16], struct x86_fpo *fpo);

/* What a prolog's instructions did, decoded from its bytes: the depth below
 * the entry ESP after each instruction and where each register was saved. */
struct x86_prolog {
    unsigned count;          /* instructions decoded */
    bool complete;           /* decoding reached the end of the prolog */
    uint8_t end[32];         /* end offset of each instruction */
    uint32_t depth[32];      /* bytes below the entry ESP after it */
    int8_t saved[32];        /* register pushed by it, or -1 */
    int8_t frame_set;        /* index of mov ebp, esp, or -1 */
};

/* Decodes up to `size` bytes of prolog at `start`. */
void x86_decode_prolog(struct memory_reader *memory, uint64_t start, unsigned size,
                       struct x86_prolog *prolog);

/* Frame 0 only: recognises the instruction at the PC as the first of a
 * `push ebp; mov ebp, esp` prolog, the `mov ebp, esp` after it, or an
 * epilog (pops, add esp, leave, pop ebp, ret), and unwinds from it. */
enum x86_code_outcome { X86_CODE_NONE, X86_CODE_UNWOUND, X86_CODE_UNREADABLE };
enum x86_code_outcome x86_unwind_by_code(struct memory_reader *memory, struct x86_regs *regs,
                                         uint32_t *return_slot);

/* Whether the bytes before `address` end with a call instruction. */
bool x86_follows_call(struct memory_reader *memory, uint32_t address);

enum unwind_result x86_virtual_unwind(const struct walk_services *services, struct x86_regs *regs,
                                      bool pc_exact, struct unwind_step *step);

#endif
