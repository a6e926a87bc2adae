/*
 * Lock-free reading of published symbol-service state (the sessions, each
 * session's module snapshot) with safe reclamation.
 *
 * A reader brackets its use of published pointers with sym_read_enter /
 * sym_read_leave; no lock, never a wait. A writer that has unpublished
 * something (under its own lock) calls sym_read_synchronize before freeing
 * it: that waits until every reader that was inside when it was unpublished
 * has left. Readers that enter later see only what is published now, so the
 * wait is bounded by the readers already inside, which never block or call
 * out while inside (no caller routine, no lock). Sections do not nest.
 *
 * POSIX hosts: each thread has a reader record of its own (claimed at its
 * first section, released at its exit), holding a sequence number that is
 * odd while the thread is inside. Only its thread writes it, so entering is
 * a load and a store, no read-modify-write. Where the kernel offers
 * membarrier(PRIVATE_EXPEDITED) (asymmetric fences), that store is plain
 * (relaxed, with a compiler barrier) and the writer, the rare side, makes
 * every running thread of the process execute a full fence before it reads
 * the records: a reader's entry store is then either visible to the writer
 * or was made after that fence, in which case the reader's loads see the
 * unpublished state. Without membarrier, and under ThreadSanitizer (which
 * does not model it), the store is seq_cst instead (one fenced store; the
 * writer's unpublishing exchange and its loads of the records are seq_cst).
 *
 * Windows: counters striped over cache lines chosen by the reader's stack
 * address, two atomic read-modify-writes per section and a global epoch
 * (no thread-exit hook is available to a DLL without DllMain to release a
 * per-thread record).
 */
#ifndef DBGWALK_READ_SECTION_H
#define DBGWALK_READ_SECTION_H

#include "../platform.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef _WIN32

struct sym_read_section {
    atomic_uint *counter; /* the one entered: left by sym_read_leave */
};

/* counters[epoch] of one stripe, on a cache line of its own so that walks
 * on different threads do not write one shared line. (The definitions are
 * in read_section.c; they are here only so that entering and leaving
 * inline into the lookups.) */
#define SYM_READ_STRIPES 16
struct sym_read_stripe {
    _Alignas(64) atomic_uint counters[2];
};
extern struct sym_read_stripe sym_read_stripes[SYM_READ_STRIPES];
extern atomic_uint sym_read_epoch;

/* Threads' stacks lie megabytes apart: the address of a local, hashed,
 * spreads threads over the stripes without a thread-local. */
static inline unsigned sym_read_stripe_of(const void *local)
{
    uint32_t page = (uint32_t)((uintptr_t)local >> 16);
    return (page * 0x9E3779B9u) >> (32 - 4);
}

static inline void sym_read_enter(struct sym_read_section *section)
{
    struct sym_read_stripe *s = &sym_read_stripes[sym_read_stripe_of(section)];

    /* seq_cst throughout: the increment is ordered before the epoch check
     * and both before any load of published state, against the writer's
     * publish, flip and counter read. A reader that saw the epoch change
     * under it may have been missed by the writer's wait: it leaves and
     * enters the new epoch. */
    for (;;) {
        unsigned e = atomic_load(&sym_read_epoch) & 1;
        atomic_fetch_add(&s->counters[e], 1);
        if ((atomic_load(&sym_read_epoch) & 1) == e) {
            section->counter = &s->counters[e];
            return;
        }
        atomic_fetch_sub(&s->counters[e], 1);
    }
}

static inline void sym_read_leave(const struct sym_read_section *section)
{
    atomic_fetch_sub_explicit(section->counter, 1, memory_order_release);
}

/* No per-thread record: no lookup hints (session.c). */
#define SYM_READ_HINTS 0

#else /* POSIX */

#if defined(__SANITIZE_THREAD__)
#define SYM_READ_ASYMMETRIC 0
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define SYM_READ_ASYMMETRIC 0
#endif
#endif
#ifndef SYM_READ_ASYMMETRIC
#define SYM_READ_ASYMMETRIC 1
#endif

/* One thread's record, on a cache line of its own (walks on different
 * threads write only their own). Records are never freed: a thread's is
 * released at its exit and claimed again by a later thread. */
struct sym_reader {
    _Alignas(64) atomic_uint seq; /* odd: inside a section */
    atomic_bool in_use;           /* claimed by a live thread */
    struct sym_reader *next;      /* the registry: pushed at the head, never removed */
    /* What the last lookup on this thread found (session.c), written and
     * read only by the owner, inside sections, and trusted only while what
     * it was found in is still the published state: the session while the
     * session set's generation is unchanged, the module while the
     * snapshot's generation is. */
    uint64_t hint_sessions;   /* the session set's generation */
    const void *hint_process; /* the hProcess looked up ... */
    void *hint_session;       /* ... and its session (NULL: none) */
    uint64_t hint_generation; /* the module snapshot's generation (0: no hint) */
    uint64_t hint_base, hint_end;
    void *hint_module;
};

/* The calling thread's record, NULL until its first section; an
 * initial-exec thread-local (platform.h: the library's thread-locals are
 * small, the walk caches live on the heap). The fast paths read it once
 * per call. */
extern DW_THREAD_LOCAL struct sym_reader *sym_reader_self;
/* Whether readers may enter with a plain store (membarrier registered at
 * load time, before any reader; never changes afterwards). */
extern bool sym_read_asymmetric;

/* The thread's first section: claims a record (NULL when out of memory:
 * the section then counts in a shared atomic counter). */
struct sym_reader *sym_reader_claim(void);
extern atomic_uint sym_read_unrecorded;

/* How many records the registry holds (for tests: threads that ended
 * gave theirs back, so it stays at the most threads alive at once). */
unsigned sym_read_record_count(void);

struct sym_read_section {
    struct sym_reader *reader; /* NULL: counted in sym_read_unrecorded */
    unsigned seq;              /* the odd value entered with */
};

/* Enters with the thread's record; false (not entered) when the thread
 * has none yet. */
static inline bool sym_read_try_enter(struct sym_read_section *section)
{
    struct sym_reader *r = sym_reader_self;
    unsigned seq;

    if (__builtin_expect(r == NULL, 0))
        return false;
    seq = atomic_load_explicit(&r->seq, memory_order_relaxed) + 1;
    if (SYM_READ_ASYMMETRIC && sym_read_asymmetric) {
        atomic_store_explicit(&r->seq, seq, memory_order_relaxed);
        /* The compiler must not move the published loads above the store;
         * the processor's reordering is the writer's membarrier's job. */
        atomic_signal_fence(memory_order_seq_cst);
    } else {
        atomic_store(&r->seq, seq);
    }
    section->reader = r;
    section->seq = seq;
    return true;
}

static inline void sym_read_enter(struct sym_read_section *section)
{
    if (__builtin_expect(sym_read_try_enter(section), 1))
        return;
    if (sym_reader_claim()) {
        sym_read_try_enter(section);
        return;
    }
    atomic_fetch_add(&sym_read_unrecorded, 1);
    section->reader = NULL;
}

static inline void sym_read_leave(const struct sym_read_section *section)
{
    /* release: every load of the section is done before the writer, which
     * reads this with acquire, may free what they read */
    if (__builtin_expect(section->reader != NULL, 1))
        atomic_store_explicit(&section->reader->seq, section->seq + 1, memory_order_release);
    else
        atomic_fetch_sub_explicit(&sym_read_unrecorded, 1, memory_order_release);
}

#define SYM_READ_HINTS 1

#endif

/* Waits for readers inside before the call (no reader may call it). */
void sym_read_synchronize(void);

#endif
