/*
 * The per-architecture unwinder interface.
 *
 * An unwinder knows its target's CONTEXT layout and its unwind data; the
 * generic walk (src/api/stackwalk.c) knows STACKFRAME bookkeeping, seeding,
 * termination and the look-ahead. Adding an architecture is one file that
 * fills a `struct arch_unwinder` and one line in arch_registry.c.
 */
#ifndef DBGWALK_ARCH_H
#define DBGWALK_ARCH_H

#include "../function_table.h"
#include "../memory.h"

/* What a walk gets from its environment. */
struct walk_services {
    HANDLE process;
    struct memory_reader *memory;
    struct function_table table;
    PGET_TARGET_ATTRIBUTE_VALUE64 target_attribute; /* StackWalk2 only, else NULL */
    DWORD flags;                                    /* SYM_STKWALK_* */
};

/* What one unwind step says: the caller's registers, or why there are none
 * (a typed reason the walk carries to walk_last_end_reason()). */
enum unwind_result {
    UNWIND_OK,               /* the context now holds the caller's registers */
    UNWIND_NO_CALLER,        /* a clean end by the rules: nothing above this frame */
    UNWIND_BAD_DATA,         /* unwind data malformed: end the walk at this frame */
    UNWIND_STACK_UNREADABLE, /* a saved register or return address could not be read */
    UNWIND_DATA_UNREADABLE,  /* the unwind data (or the code it needs) could not be read */
    UNWIND_LEAF_REFUSED,     /* no function entry, and the leaf rule gives no caller */
    UNWIND_NO_MODULE_BASE,   /* an entry, but no module base to read its data at */
};

/* Why a walk ended, as walk_last_end_reason() (src/walk_state.h) gives it:
 * the unwinder's reason, or one of the walk's own end conditions. */
enum walk_end_reason {
    WALK_END_NONE,                  /* the walk has not ended */
    WALK_END_NO_CALLER,             /* UNWIND_NO_CALLER */
    WALK_END_LEAF_REFUSED,          /* UNWIND_LEAF_REFUSED */
    WALK_END_UNWIND_DATA_UNREADABLE, /* UNWIND_DATA_UNREADABLE */
    WALK_END_UNWIND_DATA_MALFORMED, /* UNWIND_BAD_DATA */
    WALK_END_STACK_UNREADABLE,      /* UNWIND_STACK_UNREADABLE */
    WALK_END_NO_MODULE_BASE,        /* UNWIND_NO_MODULE_BASE */
    WALK_END_PC_ZERO,               /* the caller's PC is 0 */
    WALK_END_NO_PROGRESS,           /* the stack pointer did not rise */
    WALK_END_FRAME_CAP,             /* the walk reached its frame cap */
    WALK_END_BAD_ARGUMENT,          /* the call's arguments could not start a walk */
};

/* What one unwind step learned besides the registers. */
struct unwind_step {
    PVOID function_entry; /* the table routine's answer for the unwound frame */
    bool caller_pc_exact; /* the caller's PC is not a return address (machine
                             frame, context record): look it up as it is */
    uint64_t return_slot; /* where the return address was read; 0 if not
                             from the stack (x86 frame bases need it) */
};

/* Largest target context any unwinder handles (the x64 CONTEXT). */
#define ARCH_MAX_CONTEXT_SIZE 0x4D0

/* A byte range of a target CONTEXT. */
struct context_range {
    uint16_t offset, size; /* size 0: unused */
};
#define ARCH_STATE_RANGES 2

struct arch_unwinder {
    DWORD machine;          /* IMAGE_FILE_MACHINE_* */
    size_t context_size;    /* bytes of the caller's ContextRecord we own */
    bool context_required;  /* FALSE only where a NULL context can be seeded */
    bool first_unwind_may_keep_sp; /* ARM64 leaf: PC = LR with SP unchanged, from an
                                      exact PC (frame 0, machine frame) */
    /* The only bytes of the context that unwind, pc, sp and describe read
     * or write; everything else passes through a walk untouched, so the
     * walk copies and compares just these (the x64 CONTEXT is 1,232 bytes,
     * its registers 392). */
    struct context_range state[ARCH_STATE_RANGES];

    /* Applies the caller's STACKFRAME seed (AddrPC/AddrStack/AddrFrame,
     * already flat) to the context, per stackwalk.md "Seeding". */
    void (*seed)(void *context, const STACKFRAME64 *frame);

    uint64_t (*pc)(const void *context);
    uint64_t (*sp)(const void *context);

    /* One unwind step of `context` in place. `pc_exact` says the PC is not a
     * return address (frame 0, or restored from a machine frame). */
    enum unwind_result (*unwind)(const struct walk_services *services, void *context,
                                 bool pc_exact, struct unwind_step *step);

    /* Fills AddrFrame and Params of `frame` for the frame in `context`;
     * `caller` is the unwound caller context, or NULL when there is none, and
     * `step` what that unwind learned. */
    void (*describe)(const struct walk_services *services, const void *context,
                     const void *caller, const struct unwind_step *step, STACKFRAME64 *frame);
};

/* The unwinder for a machine type, or NULL when it is not supported. */
const struct arch_unwinder *arch_for_machine(DWORD machine);

extern const struct arch_unwinder arch_x64;
extern const struct arch_unwinder arch_arm64;
extern const struct arch_unwinder arch_x86;

#endif
