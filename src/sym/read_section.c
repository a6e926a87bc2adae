/* syscall() and the membarrier commands (POSIX hosts) */
#define _GNU_SOURCE
#include "read_section.h"
#include "lock.h"

#include <stdint.h>
#include <stdlib.h>
#ifndef _WIN32
#include <pthread.h>
#ifdef __linux__
#include <linux/membarrier.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif
#endif

#ifdef _WIN32

struct sym_read_stripe sym_read_stripes[SYM_READ_STRIPES];
atomic_uint sym_read_epoch;
static dw_lock synchronize_lock = DW_LOCK_INIT;

void sym_read_synchronize(void)
{
    unsigned old;

    dw_lock_exclusive(&synchronize_lock);
    old = atomic_fetch_add(&sym_read_epoch, 1) & 1;
    for (unsigned i = 0; i < SYM_READ_STRIPES; i++)
        while (atomic_load(&sym_read_stripes[i].counters[old]) != 0)
            dw_yield();
    dw_unlock_exclusive(&synchronize_lock);
}

#else /* POSIX */

DW_THREAD_LOCAL struct sym_reader *sym_reader_self;
bool sym_read_asymmetric;
atomic_uint sym_read_unrecorded;

static struct sym_reader *_Atomic readers; /* the registry */
static pthread_key_t exit_key;
static bool exit_key_made;

#if SYM_READ_ASYMMETRIC && defined(__linux__)
static long membarrier(int command)
{
    return syscall(SYS_membarrier, command, 0, 0);
}
#endif

/* At thread exit: the record goes back to the registry for a later thread.
 * The thread is outside any section here (sections do not call out). */
static void release_reader(void *value)
{
    struct sym_reader *r = value;

    sym_reader_self = NULL; /* a later section on this thread claims again */
    r->hint_generation = 0;
    r->hint_sessions = 0;
    r->hint_session = NULL;
    atomic_store_explicit(&r->in_use, false, memory_order_release);
}

/* At load time, before any reader: whether readers may enter with plain
 * stores, fixed for the library's lifetime; and the thread-exit hook. */
__attribute__((constructor)) static void read_section_init(void)
{
#if SYM_READ_ASYMMETRIC && defined(__linux__)
    long commands = membarrier(MEMBARRIER_CMD_QUERY);
    if (commands > 0 && (commands & MEMBARRIER_CMD_PRIVATE_EXPEDITED) &&
        membarrier(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED) == 0)
        sym_read_asymmetric = true;
#endif
    exit_key_made = pthread_key_create(&exit_key, release_reader) == 0;
}

/* Unloaded (dlclose) while threads live: their exit must not call into
 * code that is gone. Their records stay claimed, harmlessly. */
__attribute__((destructor)) static void read_section_fini(void)
{
    if (exit_key_made)
        pthread_key_delete(exit_key);
}

struct sym_reader *sym_reader_claim(void)
{
    struct sym_reader *r, *head;

    /* A record a finished thread released (its seq even: it left). */
    for (r = atomic_load(&readers); r; r = r->next) {
        bool free_record = false;
        if (!atomic_load_explicit(&r->in_use, memory_order_relaxed))
            if (atomic_compare_exchange_strong(&r->in_use, &free_record, true))
                break;
    }
    if (!r) {
        r = aligned_alloc(64, sizeof(*r));
        if (!r)
            return NULL;
        atomic_init(&r->seq, 0);
        atomic_init(&r->in_use, true);
        head = atomic_load(&readers);
        do
            r->next = head;
        while (!atomic_compare_exchange_weak(&readers, &head, r));
    }
    r->hint_generation = 0;
    r->hint_sessions = 0;
    r->hint_session = NULL;
    /* Without the exit hook (no key, or no memory for the value) the record
     * stays claimed after the thread ends: a leak, not an error. */
    if (exit_key_made)
        (void)pthread_setspecific(exit_key, r);
    sym_reader_self = r;
    return r;
}

unsigned sym_read_record_count(void)
{
    unsigned n = 0;
    for (struct sym_reader *r = atomic_load(&readers); r; r = r->next)
        n++;
    return n;
}

void sym_read_synchronize(void)
{
#if SYM_READ_ASYMMETRIC && defined(__linux__)
    /* Every running thread of the process executes a full fence: a reader
     * whose entry store the loads below do not see entered after it, and
     * then sees only what is published now. (Registered at load time, the
     * command does not fail; a thread not running has passed a context
     * switch, which is a full fence.) */
    if (sym_read_asymmetric)
        (void)membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED);
#endif
    /* seq_cst loads: without membarrier, the readers' seq_cst entry stores
     * and this writer's seq_cst unpublishing order against them. */
    for (struct sym_reader *r = atomic_load(&readers); r; r = r->next) {
        unsigned seq = atomic_load(&r->seq);
        if (seq & 1)
            while (atomic_load(&r->seq) == seq)
                dw_yield();
    }
    while (atomic_load(&sym_read_unrecorded) != 0)
        dw_yield();
}

#endif
