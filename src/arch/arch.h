/*
 * The per-architecture unwinder interface.
 *
 * An unwinder knows its target's CONTEXT layout, its unwind data and its
 * function-table entries; the generic walk (src/api/walk.c) knows STACKFRAME
 * bookkeeping, seeding, termination and the look-ahead, and the symbol layer
 * (src/sym/) reads and searches modules' tables without knowing any layout.
 * No function-table (.pdata) layout is known outside src/arch/.
 *
 * Adding an architecture takes, all in src/arch/ (x64, arm64 and x86 show
 * each piece):
 *   - <arch>.c: the `const struct arch_unwinder arch_<arch>` below (machine,
 *     context size and state ranges, seed, pc, sp, unwind, describe,
 *     table_format), with its CONTEXT view; the context at most
 *     ARCH_MAX_CONTEXT_SIZE bytes;
 *   - <arch>.h: what that architecture's files share (register set, CONTEXT
 *     offsets, decoded unwind records), included only by them (and their
 *     unit tests);
 *   - its unwind-data decoders, one file per format or role (x64_unwind.c,
 *     x64_epilog.c; arm64_xdata.c, arm64_packed.c, arm64_codes.c;
 *     x86_unwind.c, x86_code.c, x86_framedata.c);
 *   - <arch>_table.c: its `struct function_table_format` (declared in
 *     <arch>.h, named by the unwinder's table_format), when its images carry
 *     a function table (x64_table.c, arm64_table.c; x86 has none);
 *   - one line in arch_registry.c and one `extern` line at the end of this
 *     header;
 *   - its files in CMakeLists.txt's DBGWALK_SOURCES, and its unit tests in
 *     tests/unit.
 * An architecture whose images carry no function table and need other debug
 * data to unwind (x86's FPO_DATA and FrameData from the PDB) also takes that
 * lookup in the symbol layer (sym_x86_fpo_entry, sym_frame_data_for_walk),
 * reached through function_table.h.
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
    uint64_t restored;    /* bit i: restorable register i was written */
};

/* Reads `size` bytes of an image at `rva` (the module's file or its memory
 * in the target); false when they are not all there. */
struct image_rva_reader {
    bool (*read)(void *context, uint32_t rva, void *out, uint32_t size);
    void *context;
};

/* An architecture's function-table entry (its IMAGE_*_RUNTIME_FUNCTION_ENTRY
 * in the exception directory, .pdata). The architecture owns the layout so
 * that the symbol layer, which reads, sorts and searches a module's table
 * (src/sym/module.c, api_lookup.c), knows none: it asks the module's
 * machine's unwinder for this and treats entries as opaque records. */
struct function_table_format {
    uint32_t entry_size; /* bytes per entry */
    /* The RVAs [*begin, *end) the function `entry` describes, or false for
     * an entry a table must not keep: empty, ending beyond `image_size`,
     * misaligned for the machine, or with its end in unwind data `image`
     * cannot read. Every field is checked here: the entry comes from the
     * image (hostile input). */
    bool (*entry_range)(const uint8_t *entry, uint32_t image_size,
                        const struct image_rva_reader *image, uint32_t *begin, uint32_t *end);
};

/* Largest target context any unwinder handles (the x64 CONTEXT). */
#define ARCH_MAX_CONTEXT_SIZE 0x4D0

/* A byte range of a target CONTEXT. */
struct context_range {
    uint16_t offset, size; /* size 0: unused */
};
#define ARCH_STATE_RANGES 2

/* Registers of a target CONTEXT that an unwind writes only when it restores
 * them from the stack and otherwise passes through (x64's XMM registers):
 * `count` of `size` bytes each from `offset`. */
struct restorable_registers {
    uint16_t offset, size;
    uint8_t count; /* 0: none; at most 64 */
};

struct arch_unwinder {
    DWORD machine;          /* IMAGE_FILE_MACHINE_* */
    size_t context_size;    /* bytes of the caller's ContextRecord we own */
    bool context_required;  /* FALSE only where a NULL context can be seeded */
    bool first_unwind_may_keep_sp; /* ARM64 leaf: PC = LR with SP unchanged, from an
                                      exact PC (frame 0, machine frame) */
    /* The only bytes of the context that unwind, pc, sp and describe read,
     * and that unwind writes whole: everything else passes through a walk
     * untouched, so the walk copies and compares just these (the x64
     * CONTEXT is 1,232 bytes, its integer registers 136). An unwind that
     * leaves one of them alone leaves the value copied in. */
    struct context_range state[ARCH_STATE_RANGES];
    /* What an unwind may write besides `state`; which of them one did is
     * its step's `restored`. The walk copies those, and never compares
     * them: an unwind does not read them. */
    struct restorable_registers restorable;
    /* The format of the machine's function-table entries; NULL where images
     * carry no table (x86: FPO data comes from the PDB). */
    const struct function_table_format *table_format;

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
