/*
 * Walks on several threads at once give the answers they give one at a time:
 * per-walk state lives in the caller's STACKFRAME64 and in thread-local
 * caches, never in shared globals. Threads walk their own targets and, at
 * the same time, one shared target.
 *
 * The symbol services' lock-free lookups (SymFunctionTableAccess64,
 * SymGetModuleBase64, and the walk's own with NULL routines) give the right
 * answers while another thread loads and unloads modules and sessions come
 * and go; under TSan (the CI's tsan build) no race and no use after free.
 */
#define _POSIX_C_SOURCE 200809L
#include "walk_helpers.h"
#include "pe_builder.h"

#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>

#define THREADS 4
#define ROUNDS 300

struct job {
    struct fake_target *target;
    struct x64_chain *chain;
    unsigned wrong;
};

static struct fake_target shared_target;
static struct x64_function shared_functions[2];
static struct x64_chain shared_chain;

static void build(struct fake_target *t, struct x64_function *f, struct x64_chain *c,
                  unsigned variant)
{
    const struct x64_spec callee = {
        .prolog = {{OP_PUSH, RSI, 0}, {OP_PUSH, RDI, 0}, {OP_ALLOC, 0, 0x28 + 0x10 * variant}},
        .prolog_count = 3,
        .calls = 1,
    };
    test_target_init(t);
    x64_emit(t, &f[0], &spec_caller, 0x1000 + 0x100 * variant, 0x8000);
    x64_emit(t, &f[1], &callee, 0x2000, 0x8100);
    memset(c, 0, sizeof(*c));
    c->depth = 40;
    for (unsigned i = 0; i < c->depth; i++)
        c->functions[i] = &f[(i + variant) % 2];
    c->position = c->functions[0]->call_insn[0];
    x64_chain_build(t, c, TEST_STACK_TOP - 0x100 * variant);
}

static void *walker(void *arg)
{
    struct job *job = arg;
    for (unsigned r = 0; r < ROUNDS; r++) {
        char why[200];
        struct job *which = r % 2 ? job : &(struct job){&shared_target, &shared_chain, 0};
        if (!check_chain_walk(which->target, which->chain, why, sizeof(why)))
            job->wrong++;
    }
    return NULL;
}

static void concurrent_walks(void **state)
{
    (void)state;
    struct fake_target targets[THREADS];
    struct x64_function functions[THREADS][2];
    static struct x64_chain chains[THREADS];
    struct job jobs[THREADS];
    pthread_t threads[THREADS];

    build(&shared_target, shared_functions, &shared_chain, 0);
    for (unsigned i = 0; i < THREADS; i++) {
        build(&targets[i], functions[i], &chains[i], i + 1);
        jobs[i] = (struct job){&targets[i], &chains[i], 0};
    }
    for (unsigned i = 0; i < THREADS; i++)
        assert_int_equal(pthread_create(&threads[i], NULL, walker, &jobs[i]), 0);
    for (unsigned i = 0; i < THREADS; i++) {
        pthread_join(threads[i], NULL);
        assert_int_equal(jobs[i].wrong, 0);
        ft_free(&targets[i]);
    }
    ft_free(&shared_target);
}

/* Two walks interleaved on one thread, frame by frame: each keeps its own
 * state in its own STACKFRAME64. */
static void interleaved_walks_on_one_thread(void **state)
{
    (void)state;
    struct fake_target a, b;
    struct x64_function fa[2], fb[2];
    static struct x64_chain ca, cb;
    STACKFRAME64 sa, sb;
    CONTEXT xa, xb;
    unsigned na = 0, nb = 0;
    bool more_a = true, more_b = true;

    build(&a, fa, &ca, 1);
    build(&b, fb, &cb, 2);
    x64_state_to_context(&ca.expected[0], &xa);
    x64_state_to_context(&cb.expected[0], &xb);
    seed_frame(&sa, &xa);
    seed_frame(&sb, &xb);
    while (more_a || more_b) {
        char why[200];
        if (more_a && (more_a = StackWalk64(IMAGE_FILE_MACHINE_AMD64, &a, NULL, &sa, &xa,
                                            ft_read_memory, ft_function_table, ft_module_base,
                                            NULL))) {
            if (!x64_nonvolatile_equal(&ca.expected[na], &xa, why, sizeof(why)))
                fail_msg("walk a frame %u: %s", na, why);
            na++;
        }
        if (more_b && (more_b = StackWalk64(IMAGE_FILE_MACHINE_AMD64, &b, NULL, &sb, &xb,
                                            ft_read_memory, ft_function_table, ft_module_base,
                                            NULL))) {
            if (!x64_nonvolatile_equal(&cb.expected[nb], &xb, why, sizeof(why)))
                fail_msg("walk b frame %u: %s", nb, why);
            nb++;
        }
    }
    assert_int_equal(na, ca.depth);
    assert_int_equal(nb, cb.depth);
    ft_free(&a);
    ft_free(&b);
}

/* ---- lookups while modules come and go ----
 * One synthetic x64 image (FUNCS functions "push rbx; sub rsp, 0x20; call;
 * nop; ...", one UNWIND_INFO, a .pdata table) served by the read routine at
 * every base of MODS_LO + k * MODS_STRIDE. STABLE modules stay loaded; the
 * churning thread loads, reads and unloads the others. */
#define MODS_IMAGE_SIZE 0x4000u
#define MODS_TEXT 0x1000u
#define MODS_FUNC 0x20u
#define MODS_FUNCS 64u
#define MODS_XDATA 0x2000u
#define MODS_PDATA 0x3000u
#define MODS_RETURN 10u
#define MODS_LO 0x20000000ull
#define MODS_STRIDE 0x10000ull
#define MODS_STABLE 4u
#define MODS_CHURN 12u
#define MODS_STACK 0x30000000ull
#define MODS_DEPTH 12u
#define MODS_FRAME 0x30u
#define MODS_READERS 3
#define MODS_ROUNDS 400

static uint8_t mods_image[MODS_IMAGE_SIZE];
static uint8_t mods_stack[MODS_DEPTH * MODS_FRAME + 0x40];
static HANDLE const mods_process = (HANDLE)(uintptr_t)0x7A11;
static atomic_bool mods_done;

static uint64_t mods_base(unsigned k) { return MODS_LO + k * MODS_STRIDE; }

static BOOL WINAPI mods_read(HANDLE process, DWORD64 address, PVOID buffer, DWORD size,
                             LPDWORD read)
{
    DWORD n = 0;

    (void)process;
    if (address >= MODS_LO && address < mods_base(MODS_STABLE + MODS_CHURN)) {
        uint64_t offset = (address - MODS_LO) % MODS_STRIDE;
        if (offset < MODS_IMAGE_SIZE) {
            n = MODS_IMAGE_SIZE - offset < size ? (DWORD)(MODS_IMAGE_SIZE - offset) : size;
            memcpy(buffer, mods_image + offset, n);
        }
    } else if (address >= MODS_STACK && address < MODS_STACK + sizeof(mods_stack)) {
        uint64_t avail = MODS_STACK + sizeof(mods_stack) - address;
        n = avail < size ? (DWORD)avail : size;
        memcpy(buffer, mods_stack + (address - MODS_STACK), n);
    }
    if (read)
        *read = n;
    return n == size;
}

static uint64_t mods_frame_pc(unsigned k)
{
    return mods_base(k % MODS_STABLE) + MODS_TEXT + ((k * 7u) % MODS_FUNCS) * MODS_FUNC +
           MODS_RETURN;
}

static void mods_build(void)
{
    static const uint8_t code[] = {0x53, 0x48, 0x83, 0xEC, 0x20, 0xE8, 0, 0, 0, 0,
                                   0x90, 0x48, 0x83, 0xC4, 0x20, 0x5B, 0xC3};
    static const uint8_t unwind[] = {0x01, 0x05, 0x02, 0x00, 0x05, 0x32, 0x01, 0x30};
    uint32_t entries[MODS_FUNCS][3];

    memset(mods_image, 0xCC, sizeof(mods_image));
    pe_build_headers(mods_image, MODS_IMAGE_SIZE, 0x8664, MODS_LO, MODS_PDATA,
                     MODS_FUNCS * 12, 0, 0);
    memcpy(mods_image + MODS_XDATA, unwind, sizeof(unwind));
    for (uint32_t i = 0; i < MODS_FUNCS; i++) {
        uint32_t begin = MODS_TEXT + i * MODS_FUNC;
        memcpy(mods_image + begin, code, sizeof(code));
        entries[i][0] = begin;
        entries[i][1] = begin + (uint32_t)sizeof(code);
        entries[i][2] = MODS_XDATA;
    }
    pe_write_pdata(mods_image, MODS_PDATA, (const uint32_t(*)[3])entries, MODS_FUNCS);
    memset(mods_stack, 0, sizeof(mods_stack));
    for (unsigned k = 0; k < MODS_DEPTH; k++) {
        uint64_t ret = k + 1 < MODS_DEPTH ? mods_frame_pc(k + 1) : 0;
        memcpy(mods_stack + k * MODS_FRAME + 0x28, &ret, 8);
    }
}

/* Whether `entry` is the table entry of the function holding `address`. */
static bool mods_entry_right(const void *entry, uint64_t address)
{
    const IMAGE_RUNTIME_FUNCTION_ENTRY *e = entry;
    uint32_t rva = (uint32_t)((address - MODS_LO) % MODS_STRIDE);
    return e && e->BeginAddress == MODS_TEXT + (rva - MODS_TEXT) / MODS_FUNC * MODS_FUNC &&
           e->EndAddress > rva;
}

/* One walk of the stack in the stable modules; the frames it gave, or 0
 * when a frame is wrong. */
static unsigned mods_walk(bool sym_routines)
{
    STACKFRAME64 frame;
    CONTEXT context;
    unsigned k = 0;

    memset(&context, 0, sizeof(context));
    context.ContextFlags = CONTEXT_FULL;
    context.Rip = mods_frame_pc(0);
    context.Rsp = MODS_STACK;
    seed_frame(&frame, &context);
    while (StackWalk64(IMAGE_FILE_MACHINE_AMD64, mods_process, NULL, &frame, &context, mods_read,
                       sym_routines ? SymFunctionTableAccess64 : NULL,
                       sym_routines ? SymGetModuleBase64 : NULL, NULL)) {
        if (k >= MODS_DEPTH || frame.AddrPC.Offset != mods_frame_pc(k) ||
            frame.AddrStack.Offset != MODS_STACK + k * MODS_FRAME ||
            !mods_entry_right(frame.FuncTableEntry, frame.AddrPC.Offset))
            return 0;
        k++;
    }
    return k;
}

struct mods_reader {
    unsigned seed, wrong;
    atomic_uint rounds, seen_churn;
};

static void *mods_lookups(void *arg)
{
    struct mods_reader *r = arg;
    unsigned x = r->seed;

    while (!atomic_load(&mods_done)) {
        for (unsigned i = 0; i < 64; i++) {
            unsigned k;
            uint64_t address, base;
            const void *entry;
            x = x * 1103515245u + 12345u;
            k = (x >> 8) % (MODS_STABLE + MODS_CHURN);
            /* inside a function's 17 bytes of code (the rest has no entry) */
            address = mods_base(k) + MODS_TEXT + ((x >> 16) % MODS_FUNCS) * MODS_FUNC +
                      (x >> 26) % 17u;
            base = SymGetModuleBase64(mods_process, address);
            entry = SymFunctionTableAccess64(mods_process, address);
            if (k < MODS_STABLE) {
                /* always loaded: always answered, and right */
                if (base != mods_base(k) || !mods_entry_right(entry, address))
                    r->wrong++;
            } else {
                /* loaded or not at this moment: either answer, never a wrong
                 * one. (An entry points into the module's table, valid while
                 * it is loaded, as in DbgHelp: it may be gone already, so it
                 * is not read here; the writer checks its own.) */
                if (base != 0 && base != mods_base(k))
                    r->wrong++;
                if (base)
                    atomic_fetch_add(&r->seen_churn, 1);
            }
        }
        if (mods_walk(true) != MODS_DEPTH || mods_walk(false) != MODS_DEPTH)
            r->wrong++;
        atomic_fetch_add(&r->rounds, 1);
    }
    return NULL;
}

static bool mods_readers_busy(struct mods_reader *readers)
{
    unsigned seen = 0;

    for (int i = 0; i < MODS_READERS; i++) {
        if (atomic_load(&readers[i].rounds) < 20)
            return false;
        seen += atomic_load(&readers[i].seen_churn);
    }
    return seen > 0;
}

static void lookups_while_modules_come_and_go(void **state)
{
    (void)state;
    struct mods_reader readers[MODS_READERS];
    pthread_t threads[MODS_READERS];
    HANDLE other = (HANDLE)(uintptr_t)0x7A12;
    unsigned loads = 0;

    mods_build();
    SymSetOptions(SymGetOptions() | SYMOPT_DEFERRED_LOADS);
    assert_true(SymInitialize(mods_process, NULL, FALSE));
    for (unsigned k = 0; k < MODS_STABLE; k++) {
        assert_int_equal(SymLoadModuleEx(mods_process, NULL, NULL, NULL, mods_base(k),
                                         MODS_IMAGE_SIZE, NULL, 0),
                         mods_base(k));
        /* the table read once through the routine; lock-free after */
        assert_true(mods_entry_right(SymFunctionTableAccess64AccessRoutines(
                                         mods_process, mods_base(k) + MODS_TEXT, mods_read, NULL),
                                     mods_base(k) + MODS_TEXT));
    }
    atomic_store(&mods_done, false);
    for (int i = 0; i < MODS_READERS; i++) {
        readers[i].seed = (unsigned)i * 7919u + 1u;
        readers[i].wrong = 0;
        atomic_init(&readers[i].rounds, 0);
        atomic_init(&readers[i].seen_churn, 0);
        assert_int_equal(pthread_create(&threads[i], NULL, mods_lookups, &readers[i]), 0);
    }
    /* At least MODS_ROUNDS rounds, and on until every reader has run its
     * lookups and walks a few times and one has seen a churning module. */
    for (unsigned r = 0; r < MODS_ROUNDS || !mods_readers_busy(readers); r++) {
        unsigned k = MODS_STABLE + r % MODS_CHURN;
        if (r > 1000000)
            fail_msg("the readers made no progress");
        uint64_t base = mods_base(k);
        if (SymLoadModuleEx(mods_process, NULL, NULL, NULL, base, MODS_IMAGE_SIZE, NULL, 0) ==
            base) {
            loads++;
            /* its table read lazily while readers look it up */
            if (!mods_entry_right(SymFunctionTableAccess64AccessRoutines(
                                      mods_process, base + MODS_TEXT + 0x45, mods_read, NULL),
                                  base + MODS_TEXT + 0x45))
                fail_msg("round %u: no table entry in the module just loaded", r);
        }
        if (r % 3 == 2) /* keep a few loaded at a time */
            for (unsigned j = MODS_STABLE; j < MODS_STABLE + MODS_CHURN; j += 2)
                (void)SymUnloadModule64(mods_process, mods_base(j + r % 2));
        if (r % 50 == 0) { /* and a session coming and going beside this one */
            assert_true(SymInitialize(other, NULL, FALSE));
            assert_true(SymCleanup(other));
        }
    }
    atomic_store(&mods_done, true);
    for (int i = 0; i < MODS_READERS; i++) {
        pthread_join(threads[i], NULL);
        assert_int_equal(readers[i].wrong, 0);
    }
    assert_true(loads > MODS_ROUNDS / 2);
    /* the unloaded are gone for every lookup */
    for (unsigned j = MODS_STABLE; j < MODS_STABLE + MODS_CHURN; j++)
        (void)SymUnloadModule64(mods_process, mods_base(j));
    assert_int_equal(SymGetModuleBase64(mods_process, mods_base(MODS_STABLE) + MODS_TEXT), 0);
    assert_int_equal(GetLastError(), ERROR_MOD_NOT_FOUND);
    assert_null(SymFunctionTableAccess64(mods_process, mods_base(MODS_STABLE) + MODS_TEXT));
    assert_true(SymCleanup(mods_process));
    assert_int_equal(SymGetModuleBase64(mods_process, mods_base(0) + MODS_TEXT), 0);
    assert_int_equal(GetLastError(), ERROR_INVALID_HANDLE);
}

/* ---- SymCleanup while a lookup reads through the session's callback ----
 * A lookup that reads a module part lazily lets the session's lock go
 * while the CBA_READ_MEMORY callback runs. SymCleanup on another thread
 * then waits for it instead of freeing the session under it; SymCleanup
 * from inside that callback (the lookup's own thread) fails with
 * ERROR_BUSY instead of waiting for itself. */
static HANDLE const busy_process = (HANDLE)(uintptr_t)0x7A21;
static atomic_int busy_phase; /* 1: the next read blocks; 2: inside it; 3: it returned */
static atomic_bool busy_cleanup_inside;
static BOOL busy_inner_cleanup;
static DWORD busy_inner_error;

static BOOL CALLBACK busy_callback(HANDLE process, ULONG action, ULONG64 data, ULONG64 context)
{
    PIMAGEHLP_CBA_READ_MEMORY request = (PIMAGEHLP_CBA_READ_MEMORY)(uintptr_t)data;
    DWORD got = 0;

    (void)context;
    if (action != CBA_READ_MEMORY)
        return FALSE;
    if (atomic_load(&busy_phase) == 1) {
        atomic_store(&busy_phase, 2);
        if (atomic_load(&busy_cleanup_inside)) {
            busy_inner_cleanup = SymCleanup(process);
            busy_inner_error = GetLastError();
        } else {
            /* long enough for the other thread's SymCleanup to free the
             * session, were it not waiting */
            struct timespec pause = {0, 150 * 1000 * 1000};
            nanosleep(&pause, NULL);
        }
        atomic_store(&busy_phase, 3);
    }
    if (!mods_read(mods_process, request->addr, request->buf, request->bytes, &got))
        return FALSE;
    *request->bytesread = got;
    return TRUE;
}

static void *busy_lookup(void *arg)
{
    (void)arg;
    (void)SymFunctionTableAccess64(busy_process, mods_base(0) + MODS_TEXT);
    return NULL;
}

static void busy_session(void)
{
    mods_build();
    SymSetOptions(SymGetOptions() | SYMOPT_DEFERRED_LOADS);
    assert_true(SymInitialize(busy_process, NULL, FALSE));
    assert_true(SymRegisterCallback64(busy_process, busy_callback, 0));
    assert_int_equal(SymLoadModuleEx(busy_process, NULL, NULL, NULL, mods_base(0),
                                     MODS_IMAGE_SIZE, NULL, 0),
                     mods_base(0));
}

static void cleanup_waits_for_a_lookup_reading_through_the_callback(void **state)
{
    pthread_t lookup;
    struct timespec poll = {0, 1000 * 1000};

    (void)state;
    busy_session();
    atomic_store(&busy_cleanup_inside, false);
    atomic_store(&busy_phase, 1);
    assert_int_equal(pthread_create(&lookup, NULL, busy_lookup, NULL), 0);
    while (atomic_load(&busy_phase) < 2)
        nanosleep(&poll, NULL);
    assert_true(SymCleanup(busy_process));
    /* it returned only after the lookup's read had */
    assert_int_equal(atomic_load(&busy_phase), 3);
    pthread_join(lookup, NULL);
}

static void cleanup_from_the_lookups_own_callback_is_refused(void **state)
{
    const void *entry;

    (void)state;
    busy_session();
    atomic_store(&busy_cleanup_inside, true);
    atomic_store(&busy_phase, 1);
    entry = SymFunctionTableAccess64(busy_process, mods_base(0) + MODS_TEXT);
    assert_int_equal(atomic_load(&busy_phase), 3);
    assert_false(busy_inner_cleanup);
    assert_int_equal(busy_inner_error, ERROR_BUSY);
    /* the lookup went on in its session, and the session is still there */
    assert_true(mods_entry_right(entry, mods_base(0) + MODS_TEXT));
    assert_true(SymCleanup(busy_process));
    assert_false(SymCleanup(busy_process));
    assert_int_equal(GetLastError(), ERROR_INVALID_HANDLE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(concurrent_walks),
        cmocka_unit_test(interleaved_walks_on_one_thread),
        cmocka_unit_test(lookups_while_modules_come_and_go),
        cmocka_unit_test(cleanup_waits_for_a_lookup_reading_through_the_callback),
        cmocka_unit_test(cleanup_from_the_lookups_own_callback_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
