/*
 * Lock-free reading of published symbol-service state (the sessions, each
 * session's module snapshot) with safe reclamation.
 *
 * A reader brackets its use of published pointers with sym_read_enter /
 * sym_read_leave: two atomic increments of a counter on a cache line chosen
 * from the reader's stack address (threads rarely share one), no lock, no
 * thread-local storage, never a wait. A writer that has unpublished
 * something (under its own lock) calls sym_read_synchronize before freeing
 * it: that flips the global epoch and waits until every reader that began
 * before the flip has left. Readers that begin after the flip see only what
 * is published now, so the wait is bounded by the readers already inside,
 * which never block or call out while inside (no caller routine, no lock).
 */
#ifndef DBGWALK_READ_SECTION_H
#define DBGWALK_READ_SECTION_H

#include <stdatomic.h>
#include <stdint.h>

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

/* Waits for readers inside before the call (no reader may call it). */
void sym_read_synchronize(void);

#endif
