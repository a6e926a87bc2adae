/*
 * The read sections behind the lock-free lookups (src/sym/read_section.h)
 * and the per-thread hints (src/sym/published.h):
 *   - a module unloaded while a reader is inside a section is not freed
 *     (SymUnloadModule64 does not return) until the reader leaves; the
 *     reader reads the module throughout (ASan: no use after free);
 *   - a hint never outlives what it was found in: a module unloaded and
 *     another loaded at the same base with a smaller size, and a session
 *     cleaned up and created again, answer as the new state says;
 *   - threads that end give their reader records back.
 * Release and ASan builds run the membarrier scheme where the kernel has
 * it, TSan builds the seq_cst one.
 */
#define _POSIX_C_SOURCE 200809L
#include "walk_helpers.h"
#include "sym/published.h"

#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>

static HANDLE const process = (HANDLE)(uintptr_t)0x5EC7;
#define BASE 0x40000000ull
#define SIZE 0x8000u

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

struct inside {
    atomic_bool entered, unload_returned, saw_unload_return;
    uint64_t base_read;
    char name_read[32];
};

static void *reader_holding_module(void *arg)
{
    struct inside *in = arg;
    struct sym_read_section section;
    struct sym_session *session;
    struct sym_module *m = NULL;

    sym_read_enter(&section);
    session = published_session(process, sym_read_self(&section));
    if (session)
        m = published_module(session, BASE + 0x100, sym_read_self(&section));
    atomic_store(&in->entered, true);
    /* held inside while the main thread unloads it (a test may hold a
     * section; the library's readers never do) */
    sleep_ms(200);
    if (m) {
        in->base_read = m->base;
        memcpy(in->name_read, m->module_name, sizeof(in->name_read));
    }
    atomic_store(&in->saw_unload_return, atomic_load(&in->unload_returned));
    sym_read_leave(&section);
    return NULL;
}

static void *unloader(void *arg)
{
    struct inside *in = arg;
    (void)SymUnloadModule64(process, BASE);
    atomic_store(&in->unload_returned, true);
    return NULL;
}

static void unload_waits_for_the_reader_inside(void **state)
{
    (void)state;
    struct inside in;
    pthread_t reader, unload;

    memset(&in, 0, sizeof(in));
    assert_true(SymInitialize(process, NULL, FALSE));
    assert_int_equal(SymLoadModuleEx(process, NULL, NULL, "held", BASE, SIZE, NULL, 0), BASE);
    assert_int_equal(pthread_create(&reader, NULL, reader_holding_module, &in), 0);
    while (!atomic_load(&in.entered))
        sleep_ms(1);
    assert_int_equal(pthread_create(&unload, NULL, unloader, &in), 0);
    pthread_join(reader, NULL);
    pthread_join(unload, NULL);
    /* the unload came back only after the reader left, and the module was
     * intact for it meanwhile */
    assert_false(atomic_load(&in.saw_unload_return));
    assert_true(atomic_load(&in.unload_returned));
    assert_int_equal(in.base_read, BASE);
    assert_string_equal(in.name_read, "held");
    /* and it is gone for lookups now */
    assert_int_equal(SymGetModuleBase64(process, BASE + 0x100), 0);
    assert_true(SymCleanup(process));
}

static void hints_follow_what_is_published(void **state)
{
    (void)state;
    assert_true(SymInitialize(process, NULL, FALSE));
    assert_int_equal(SymLoadModuleEx(process, NULL, NULL, "big", BASE, SIZE, NULL, 0), BASE);
    /* the hint: this module, [BASE, BASE + SIZE) */
    assert_int_equal(SymGetModuleBase64(process, BASE + 0x6000), BASE);
    assert_int_equal(SymGetModuleBase64(process, BASE + 0x6000), BASE);
    assert_true(SymUnloadModule64(process, BASE));
    assert_int_equal(SymLoadModuleEx(process, NULL, NULL, "small", BASE, 0x1000, NULL, 0), BASE);
    SetLastError(0);
    assert_int_equal(SymGetModuleBase64(process, BASE + 0x6000), 0);
    assert_int_equal(GetLastError(), ERROR_MOD_NOT_FOUND);
    assert_int_equal(SymGetModuleBase64(process, BASE + 0x800), BASE);
    /* the session hint: gone with SymCleanup, a new session is a new one */
    assert_true(SymCleanup(process));
    SetLastError(0);
    assert_int_equal(SymGetModuleBase64(process, BASE + 0x800), 0);
    assert_int_equal(GetLastError(), ERROR_INVALID_HANDLE);
    assert_null(SymFunctionTableAccess64(process, BASE + 0x800));
    assert_true(SymInitialize(process, NULL, FALSE));
    SetLastError(0);
    assert_int_equal(SymGetModuleBase64(process, BASE + 0x800), 0);
    assert_int_equal(GetLastError(), ERROR_MOD_NOT_FOUND);
    assert_int_equal(SymLoadModuleEx(process, NULL, NULL, "again", BASE, SIZE, NULL, 0), BASE);
    assert_int_equal(SymGetModuleBase64(process, BASE + 0x6000), BASE);
    assert_true(SymCleanup(process));
}

static void *one_lookup(void *arg)
{
    (void)arg;
    (void)SymGetModuleBase64(process, BASE + 0x10);
    return NULL;
}

static void ended_threads_give_their_records_back(void **state)
{
    (void)state;
#if SYM_READ_HINTS
    unsigned before;

    assert_true(SymInitialize(process, NULL, FALSE));
    assert_int_equal(SymLoadModuleEx(process, NULL, NULL, "m", BASE, SIZE, NULL, 0), BASE);
    one_lookup(NULL);
    for (int i = 0; i < 4; i++) { /* the registry at its size for two threads */
        pthread_t t;
        assert_int_equal(pthread_create(&t, NULL, one_lookup, NULL), 0);
        pthread_join(t, NULL);
    }
    before = sym_read_record_count();
    for (int i = 0; i < 64; i++) {
        pthread_t t;
        assert_int_equal(pthread_create(&t, NULL, one_lookup, NULL), 0);
        pthread_join(t, NULL);
    }
    assert_int_equal(sym_read_record_count(), before);
    assert_true(SymCleanup(process));
#else
    skip();
#endif
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(unload_waits_for_the_reader_inside),
        cmocka_unit_test(hints_follow_what_is_published),
        cmocka_unit_test(ended_threads_give_their_records_back),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
