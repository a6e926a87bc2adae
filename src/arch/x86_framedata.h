/*
 * The FrameData ("new FPO") program evaluator: a postfix program from a PDB's
 * FrameData record that computes a caller's registers from the callee's.
 * It knows nothing about PDBs or Sym services: the unwinder hands it the
 * program text, the record's sizes, the callee's registers and a routine
 * that reads one 32-bit stack word through the walk's memory layer.
 */
#ifndef DBGWALK_X86_FRAMEDATA_H
#define DBGWALK_X86_FRAMEDATA_H

#include <stdbool.h>
#include <stdint.h>

/* Longest program evaluated; a longer one is refused (bounded cost). */
#define X86_FD_MAX_PROGRAM 1024
/* Deepest operand stack a program may build. */
#define X86_FD_MAX_STACK 32

/* The registers a program reads and assigns. */
struct x86_fd_regs {
    uint32_t eip, esp, ebp, ebx, esi, edi;
};

/* The FrameData record's sizes, visible to the program as .cb* variables. */
struct x86_fd_sizes {
    uint32_t params, saved_regs, locals, callee_params;
};

/* Reads the 32-bit word at `address`; false if it cannot be read. */
typedef bool (*x86_fd_read32)(void *ctx, uint32_t address, uint32_t *out);

/* Where `.raSearch` finds the return address, searching up from `start`
 * (the stack slot the record's sizes or .raSearchStart give) as Windows
 * does; returns the slot found, or `start` when the search finds none. */
typedef uint32_t (*x86_fd_ra_search)(void *ctx, uint32_t start);

enum x86_fd_status {
    X86_FD_OK = 0,
    X86_FD_SYNTAX,          /* an unknown token or variable, a misplaced `=` */
    X86_FD_UNDERFLOW,       /* an operator with too few operands */
    X86_FD_OVERFLOW,        /* the operand stack too deep */
    X86_FD_UNASSIGNED,      /* a $T variable read before it was assigned */
    X86_FD_DIVIDE_BY_ZERO,
    X86_FD_READ_FAILED,     /* `^` on a word the memory layer cannot read */
    X86_FD_TOO_LONG,
    X86_FD_NO_RESULT,       /* the program did not assign both $eip and $esp */
};

/*
 * Runs `program` on the callee's registers `callee`; on X86_FD_OK, `caller`
 * holds the caller's registers (those the program did not assign keep the
 * callee's values: the function did not change them).
 */
enum x86_fd_status x86_framedata_eval(const char *program, const struct x86_fd_regs *callee,
                                      const struct x86_fd_sizes *sizes, x86_fd_read32 read,
                                      void *ctx, struct x86_fd_regs *caller);

/* The same, with `.raSearch` found by `search` (NULL: the start itself, as
 * x86_framedata_eval takes it). */
enum x86_fd_status x86_framedata_eval_search(const char *program, const struct x86_fd_regs *callee,
                                             const struct x86_fd_sizes *sizes, x86_fd_read32 read,
                                             x86_fd_ra_search search, void *ctx,
                                             struct x86_fd_regs *caller);

#endif
