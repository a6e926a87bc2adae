/* The emulator proof's runner: shared state and the per-architecture
 * interface. An architecture supplies how to recognise a call, which
 * registers a caller keeps across one (its non-volatile set), how to seed
 * and run a walk and how to compare each frame; the runner supplies the
 * emulator, the shadow call stack, the memory/function-table callbacks and
 * the bookkeeping. Adding ARM64 or x86 is one file and one table entry. */
#ifndef EMU_H
#define EMU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <unicorn/unicorn.h>

#include <dbgwalk.h>

#include "pe_image.h"

#define EMU_REGS_MAX 512      /* bytes of one architecture's register snapshot */
#define EMU_SHADOW_MAX 8192
#define EMU_WRONG_KEEP 10

enum emu_read_mode {
    EMU_READ_PARTIAL, /* ReadProcessMemory-like: FALSE + the readable prefix's count */
    EMU_READ_CAPPED16, /* at most 16 bytes per call (TRUE with 16) */
    EMU_READ_EXACT    /* all or nothing: TRUE with every byte, else FALSE with 0 */
};

enum emu_frame_kind {
    EMU_FRAME_CURRENT,  /* frame 0: the registers as they are */
    EMU_FRAME_CALL,     /* reached by returning from a call: pc is a return address */
    EMU_FRAME_MACHINE,  /* restored from a machine frame: pc is exact */
    EMU_FRAME_SENTINEL  /* the runner's own "caller" of the entry point */
};

/* One frame the walk must produce: what the caller had when it made the call
 * (or the interrupted state), i.e. what unwinding must restore. */
struct emu_frame {
    enum emu_frame_kind kind;
    uint64_t pc, sp;
    uint64_t hash; /* of this frame and every frame under it (shadow entries) */
    unsigned char regs[EMU_REGS_MAX];
};

struct emu;

struct emu_arch {
    const char *name;         /* x64, arm64, x86 */
    uint16_t machine;         /* IMAGE_FILE_MACHINE_* */
    uc_arch uc_arch;
    uc_mode uc_mode;
    /* Parse the exception directory into the runner's sorted table. */
    bool (*load_functions)(struct emu *e, char *err, size_t err_size);
    /* Registers, SP and sentinel return address at the entry point. */
    bool (*start)(struct emu *e, uint64_t stack_top, uint64_t sentinel);
    uint64_t (*read_sp)(struct emu *e);
    /* Non-volatile registers (and anything else frames are compared on). */
    void (*capture)(struct emu *e, unsigned char *regs);
    /* Does the instruction at pc call (pushing or setting a return address)? */
    bool (*is_call)(const uint8_t *code, size_t size);
    /* Optional, for calls that leave SP alone (ARM64): does the instruction
     * return? Without it a frame is gone as soon as SP is back at its
     * caller's SP; with it, SP back at that value ends a frame only right
     * after a return (SP above it always does). */
    bool (*is_return)(const uint8_t *code, size_t size);
    /* The interrupted pc/sp of a machine frame at sp. */
    bool (*machine_frame)(struct emu *e, uint64_t sp, bool error_code, uint64_t *pc,
                          uint64_t *interrupted_sp);
    /* Walk from the current registers; false with `why` on any difference. */
    bool (*walk_and_compare)(struct emu *e, const struct emu_frame *expected, unsigned count,
                             char *why, size_t why_size);
    /* The context a walk of the current registers starts from; its size. */
    size_t (*seed_context)(struct emu *e, void *out);
    unsigned entry_size; /* bytes of one function-table entry */
    /* After the run: is the result the program's EMU_OK, and were the
     * non-volatile registers preserved? */
    bool (*finish)(struct emu *e, char *why, size_t why_size);
};

struct emu_function {
    uint32_t begin, end;
    const void *entry; /* the architecture's RUNTIME_FUNCTION, as handed to StackWalk */
};

struct emu {
    const struct emu_arch *arch;
    struct pe_image img;
    uc_engine *uc;
    enum emu_read_mode read_mode;
    bool negative;              /* the control run: hide every other function entry */
    /* --framedata FILE (x86): the functions the image's PDB has FrameData
     * for, as llvm-pdbutil lists them; the walk then uses our own symbol
     * services (NULL table routines) with the PDB loaded, and these
     * functions are the "FPO" ones instead of .emufpo's */
    const char *framedata;
    uint64_t map_size;          /* the image as mapped (page-rounded) */
    uint64_t stack_lo, stack_hi;
    uint64_t sentinel;
    unsigned char start_regs[EMU_REGS_MAX];

    struct emu_function *functions; /* sorted by begin */
    unsigned function_count;
    void *function_entries;         /* storage the entries point into */

    struct emu_frame *shadow;       /* [0] is the sentinel */
    unsigned depth;                 /* entries in shadow */
    bool returned;                  /* the last instruction was a return (is_return) */
    struct emu_frame *expected;     /* scratch: frame 0 + the shadow, top first */

    uint64_t *seen;                 /* open-addressing set of state keys */
    size_t seen_cap, seen_count;

    /* statistics */
    uint64_t instructions, checked, wrong, unchecked, machine_frames, max_depth;
    uint64_t frames, walks, read_calls, table_calls, base_calls;
    uint64_t walk_read_calls;       /* during the current walk */
    bool failed;                    /* emulation error, limit reached */
    char failure[256];
    char wrong_text[EMU_WRONG_KEEP][1024];
};

/* Callbacks handed to StackWalk64 (hProcess is the struct emu). */
BOOL WINAPI emu_read_memory(HANDLE process, DWORD64 address, PVOID buffer, DWORD size,
                            LPDWORD bytes_read);
PVOID WINAPI emu_function_table(HANDLE process, DWORD64 address);
DWORD64 WINAPI emu_module_base(HANDLE process, DWORD64 address);

/* How one frame of a walk compares with the frame it must be. */
enum emu_frame_check {
    EMU_FRAME_RIGHT,
    EMU_FRAME_WRONG, /* the frame itself */
    EMU_STEP_WRONG   /* the frame, but not the step to its caller (AddrReturn, AddrFrame) */
};

/* Compares frame i of a walk (`frame`, and `ctx` as StackWalk64 left it)
 * with expected[i]; the first difference goes to `detail`. */
typedef enum emu_frame_check (*emu_frame_compare)(struct emu *e, const struct emu_frame *expected,
                                                  unsigned count, unsigned i,
                                                  const STACKFRAME64 *frame, const void *ctx,
                                                  char *detail, size_t detail_size);

/* Walks from `ctx` (whose PC, SP and frame pointer are pc, sp and fp) with
 * StackWalk64 and compares every frame. Returns count + 1 when the walk is
 * right to its end, else the first frame it gets wrong (count for a frame
 * too many), with `why`. */
unsigned emu_walk_compare(struct emu *e, void *ctx, uint64_t pc, uint64_t sp, uint64_t fp,
                          const struct emu_frame *expected, unsigned count,
                          emu_frame_compare compare, char *why, size_t why_size);

/* The function whose [begin, end) holds address (the true table, whatever
 * the negative control hides), or NULL. */
const struct emu_function *emu_function_at(const struct emu *e, uint64_t address);
/* The function table's storage: n entries of entry_size bytes copied from
 * the image at rva, and room for n functions; false with `err` when out of
 * memory. */
bool emu_alloc_functions(struct emu *e, uint32_t rva, unsigned n, size_t entry_size, char *err,
                         size_t err_size);
/* Legacy prefix bytes at the start of an x86 or x64 instruction. */
size_t emu_x86_prefixes(const uint8_t *code, size_t size);

/* "name+0x12 (.pdata 0x1230+0x12)" for a report. */
void emu_describe_pc(const struct emu *e, uint64_t pc, char *out, size_t out_size);
bool emu_read_u64(struct emu *e, uint64_t address, uint64_t *value);

/* Writes the state whose frames are `expected` as a .dwsnap file. */
bool emu_write_snapshot(struct emu *e, const char *path, const struct emu_frame *expected,
                        unsigned count);

extern const struct emu_arch emu_arch_x64;
extern const struct emu_arch emu_arch_x86;
extern const struct emu_arch emu_arch_arm64;

#endif
