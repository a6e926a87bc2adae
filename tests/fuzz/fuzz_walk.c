/*
 * Fuzz target: a whole stack walk on x64, ARM64 or x86, everything derived
 * from the input.
 *
 * Input: 8 knob bytes, then a stack snapshot (.dwsnap, tools/snapwalk/
 * snapshot.md) giving the context, target memory, modules and function-table
 * entries. The knobs choose the machine the walk is asked for (the
 * snapshot's, or another one: an x86 walk over x64 modules is what a WOW64
 * debugger does), the API (StackWalk64, StackWalkEx, StackWalk2), the table
 * routines (the snapshot's, ours passed in, or NULL so that our own symbol
 * services load the modules from target memory), and how the read routine
 * behaves (exact, ReadProcessMemory-like, capped, short with TRUE,
 * page-bounded, failing after N calls, lying about the count).
 *
 * Besides "no crash, no out-of-bounds access, no leak", every walk must keep
 * these invariants, or the target aborts:
 *   - it ends within the frame cap;
 *   - SP never goes down from one frame to the next;
 *   - it does not climb on through unreadable memory: at most
 *     FUZZ_FRAMES_OFF_STACK frames in a row with an SP that no readable
 *     byte backs (a frame there has nothing to unwind from);
 *   - after a FALSE, the next call with the same frame is FALSE too;
 *   - the read routine is never asked for 0 bytes, nor for more than the
 *     memory layer's stated largest request (MEMORY_MAX_REQUEST).
 */

#include "fuzz_common.h"

#include "../../tools/snapwalk/snapshot.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define FUZZ_FRAMES_OFF_STACK 2u

enum read_behaviour {
    READ_EXACT,       /* all or FALSE with 0 */
    READ_PARTIAL,     /* the readable prefix, FALSE if short (ReadProcessMemory) */
    READ_CAPPED16,    /* at most 16 bytes, TRUE */
    READ_SHORT_TRUE,  /* about half, TRUE */
    READ_PAGE_BOUND,  /* a request crossing a 4 KB page fails outright */
    READ_FAIL_AFTER,  /* ReadProcessMemory-like for N calls, then FALSE */
    READ_LIE_HIGH,    /* delivers the prefix, claims more than was asked */
    READ_LIE_LOW,     /* delivers everything, claims 0 with TRUE */
    READ_BEHAVIOUR_COUNT
};

enum table_routines {
    TABLES_SNAPSHOT, /* the snapshot's entries, each copied to an exact-size heap block */
    TABLES_OURS,     /* SymFunctionTableAccess64 + SymGetModuleBase64 passed in */
    TABLES_NULL,     /* NULL: our symbol services, as DbgHelp documents */
    TABLES_COUNT
};

struct fuzz_target {
    struct snapshot snap;
    enum read_behaviour behaviour;
    unsigned fail_after, calls;
    uint8_t *entry;         /* the last entry handed out */
    size_t walk_entry_size; /* the size of an entry of the walk's machine */
};

static BOOL WINAPI read_memory(HANDLE process, DWORD64 address, PVOID buffer, DWORD size,
                               LPDWORD got)
{
    struct fuzz_target *t = process;
    DWORD n;

    /* the library asks for what it needs, within its stated bound */
    FUZZ_CHECK(size > 0 && size <= MEMORY_MAX_REQUEST);
    t->calls++;
    *got = 0;
    switch (t->behaviour) {
    case READ_EXACT:
        n = snapshot_copy_memory(&t->snap, address, buffer, size);
        if (n != size)
            return FALSE;
        *got = n;
        return TRUE;
    case READ_CAPPED16:
        *got = snapshot_copy_memory(&t->snap, address, buffer, size < 16 ? size : 16);
        return *got > 0;
    case READ_SHORT_TRUE:
        *got = snapshot_copy_memory(&t->snap, address, buffer, size > 1 ? size / 2 : size);
        return *got > 0;
    case READ_PAGE_BOUND:
        if ((address & 0xFFF) + size > 0x1000)
            return FALSE;
        break;
    case READ_FAIL_AFTER:
        if (t->calls > t->fail_after)
            return FALSE;
        break;
    case READ_LIE_HIGH:
        snapshot_copy_memory(&t->snap, address, buffer, size);
        *got = size + 4096;
        return TRUE;
    case READ_LIE_LOW:
        snapshot_copy_memory(&t->snap, address, buffer, size);
        *got = 0;
        return TRUE;
    default:
        break;
    }
    *got = snapshot_copy_memory(&t->snap, address, buffer, size);
    return *got == size;
}

/* The snapshot's entry, copied into a heap block of exactly the size of an
 * entry of the walk's machine (a caller's routine answers with entries of the
 * machine it walks; when the snapshot's are another machine's, the rest is
 * zero), so that any read past it is an out-of-bounds read the sanitizer
 * sees. (Our own symbol services, TABLES_OURS and TABLES_NULL, hold each
 * module's table in its own machine's format: there, taking another
 * machine's entry for the walk's is the library's bug, and ASan sees it.) */
static PVOID WINAPI function_table(HANDLE process, DWORD64 address)
{
    struct fuzz_target *t = process;
    const uint8_t *e = snapshot_entry_at(&t->snap, address);

    size_t copied = t->snap.entry_size < t->walk_entry_size ? t->snap.entry_size
                                                              : t->walk_entry_size;

    if (!e || t->snap.entry_size == 0)
        return NULL;
    free(t->entry);
    t->entry = calloc(1, t->walk_entry_size);
    if (!t->entry)
        return NULL;
    memcpy(t->entry, e, copied);
    return t->entry;
}

static DWORD64 WINAPI module_base(HANDLE process, DWORD64 address)
{
    struct fuzz_target *t = process;
    return snapshot_module_base(&t->snap, address);
}

static size_t entry_size_for(DWORD machine)
{
    switch (machine) {
    case IMAGE_FILE_MACHINE_AMD64:
        return 12; /* IMAGE_RUNTIME_FUNCTION_ENTRY */
    case IMAGE_FILE_MACHINE_ARM64:
        return 8; /* IMAGE_ARM64_RUNTIME_FUNCTION_ENTRY */
    default:
        return 16; /* FPO_DATA */
    }
}

static size_t context_size_for(DWORD machine)
{
    switch (machine) {
    case IMAGE_FILE_MACHINE_AMD64:
        return sizeof(CONTEXT);
    case IMAGE_FILE_MACHINE_ARM64:
        return sizeof(ARM64_NT_CONTEXT);
    default:
        return sizeof(WOW64_CONTEXT);
    }
}

static void seed_frame(const struct fuzz_target *t, STACKFRAME64 *frame)
{
    memset(frame, 0, sizeof(*frame));
    frame->AddrPC.Offset = snapshot_context_register(&t->snap, 0);
    frame->AddrStack.Offset = snapshot_context_register(&t->snap, 1);
    frame->AddrPC.Mode = frame->AddrStack.Mode = frame->AddrFrame.Mode = AddrModeFlat;
}

/* Registers every module of the snapshot with our symbol services; their
 * images are read lazily from target memory through the walk's routine. */
static void load_modules(struct fuzz_target *t)
{
    SymInitialize(t, NULL, FALSE);
    for (uint32_t i = 0; i < t->snap.module_count && i < 16; i++)
        SymLoadModuleEx(t, NULL, NULL, t->snap.modules[i].name, t->snap.modules[i].base,
                        t->snap.modules[i].size, NULL, 0);
}

/* FUZZ_SLOWEST=1 (replaying a corpus through replay_main in an optimised
 * build): the slowest single StackWalk* call seen, printed at exit, so the
 * worst-case cost of one call is a measured figure (README). */
static double slowest_ns, slowest_frames;
static bool timing;

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static void print_slowest(void)
{
    fprintf(stderr, "slowest single StackWalk call: %.0f ns (at frame %.0f)\n", slowest_ns,
            slowest_frames);
}

/* One StackWalk* call, as the knobs choose the API. */
static BOOL walk_once_untimed(struct fuzz_target *t, unsigned api, DWORD machine,
                             STACKFRAME64 *frame,
                      STACKFRAME_EX *frame_ex, void *context, PFUNCTION_TABLE_ACCESS_ROUTINE64 table,
                      PGET_MODULE_BASE_ROUTINE64 base)
{
    BOOL ok;

    switch (api) {
    case 1:
        ok = StackWalkEx(machine, t, NULL, frame_ex, context, read_memory, table, base, NULL,
                         SYM_STKWALK_DEFAULT);
        break;
    case 2:
        ok = StackWalk2(machine, t, NULL, frame_ex, context, read_memory, table, base, NULL,
                        NULL, SYM_STKWALK_DEFAULT);
        break;
    default:
        return StackWalk64(machine, t, NULL, frame, context, read_memory, table, base, NULL);
    }
    /* keep the common fields in `frame` for the invariant checks */
    memcpy(frame, frame_ex, offsetof(STACKFRAME64, Reserved));
    return ok;
}

static BOOL walk_once(struct fuzz_target *t, unsigned api, DWORD machine, STACKFRAME64 *frame,
                      STACKFRAME_EX *frame_ex, void *context, PFUNCTION_TABLE_ACCESS_ROUTINE64 table,
                      PGET_MODULE_BASE_ROUTINE64 base, unsigned frames)
{
    double start;
    BOOL ok;

    if (!timing)
        return walk_once_untimed(t, api, machine, frame, frame_ex, context, table, base);
    start = now_ns();
    ok = walk_once_untimed(t, api, machine, frame, frame_ex, context, table, base);
    if (now_ns() - start > slowest_ns) {
        slowest_ns = now_ns() - start;
        slowest_frames = frames;
    }
    return ok;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const DWORD machines[] = {0, IMAGE_FILE_MACHINE_AMD64, IMAGE_FILE_MACHINE_ARM64,
                                     IMAGE_FILE_MACHINE_I386};
    struct fuzz_target t;
    STACKFRAME64 frame;
    STACKFRAME_EX frame_ex;
    PFUNCTION_TABLE_ACCESS_ROUTINE64 table = function_table;
    PGET_MODULE_BASE_ROUTINE64 base = module_base;
    enum table_routines tables;
    unsigned api, frames = 0;
    uint64_t last_sp = 0;
    unsigned off_stack = 0;
    const bool verbose = getenv("FUZZ_VERBOSE") != NULL; /* triage: print the frames */
    DWORD machine;
    void *context;

    if (size < FUZZ_KNOBS)
        return 0;
    if (!timing && getenv("FUZZ_SLOWEST")) {
        timing = true;
        atexit(print_slowest);
    }
    memset(&t, 0, sizeof(t));
    if (!snapshot_parse(data + FUZZ_KNOBS, size - FUZZ_KNOBS, &t.snap)) {
        snapshot_free(&t.snap);
        return 0;
    }
    t.behaviour = (enum read_behaviour)(data[0] % READ_BEHAVIOUR_COUNT);
    t.fail_after = data[1];
    api = data[2] % 3;
    tables = (enum table_routines)(data[3] % TABLES_COUNT);
    machine = machines[data[4] % DW_FUZZ_ARRAY_SIZE(machines)];
    if (machine == 0)
        machine = t.snap.machine;

    t.walk_entry_size = entry_size_for(machine);
    context = calloc(1, context_size_for(machine));
    if (!context) {
        snapshot_free(&t.snap);
        return 0;
    }
    memcpy(context, t.snap.context,
           context_size_for(machine) < SNAPSHOT_CONTEXT_BYTES ? context_size_for(machine)
                                                             : SNAPSHOT_CONTEXT_BYTES);
    if (tables != TABLES_SNAPSHOT) {
        load_modules(&t);
        table = tables == TABLES_OURS ? SymFunctionTableAccess64 : NULL;
        base = tables == TABLES_OURS ? SymGetModuleBase64 : NULL;
    }

    seed_frame(&t, &frame);
    memset(&frame_ex, 0, sizeof(frame_ex));
    memcpy(&frame_ex, &frame, offsetof(STACKFRAME64, Reserved));
    frame_ex.StackFrameSize = sizeof(frame_ex);

    while (walk_once(&t, api, machine, &frame, &frame_ex, context, table, base, frames)) {
        frames++;
        if (verbose)
            fprintf(stderr, "#%u pc %llx sp %llx\n", frames - 1,
                    (unsigned long long)frame.AddrPC.Offset,
                    (unsigned long long)frame.AddrStack.Offset);
        FUZZ_CHECK(frames <= FUZZ_FRAME_CAP);
        if (frames > 1)
            FUZZ_CHECK(frame.AddrStack.Offset >= last_sp);
        last_sp = frame.AddrStack.Offset;
        {
            uint8_t byte;
            off_stack = snapshot_copy_memory(&t.snap, last_sp, &byte, 1) ? 0 : off_stack + 1;
            FUZZ_CHECK(off_stack <= FUZZ_FRAMES_OFF_STACK);
        }
    }
    /* a walk that ended stays ended */
    FUZZ_CHECK(!walk_once(&t, api, machine, &frame, &frame_ex, context, table, base, frames));

    if (tables != TABLES_SNAPSHOT)
        SymCleanup(&t);
    free(t.entry);
    free(context);
    snapshot_free(&t.snap);
    return 0;
}
