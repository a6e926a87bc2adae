#include "read_section.h"
#include "lock.h"

#include <stdint.h>
#ifndef _WIN32
#include <sched.h>
#endif

#define STRIPES 16

/* counters[epoch] of one stripe, on a cache line of its own so that walks
 * on different threads do not write one shared line. */
struct stripe {
    _Alignas(64) atomic_uint counters[2];
};

static struct stripe stripes[STRIPES];
static atomic_uint epoch;
static dw_lock synchronize_lock = DW_LOCK_INIT;

/* Threads' stacks lie megabytes apart: the address of a local, hashed,
 * spreads threads over the stripes without a thread-local. */
static unsigned stripe_of(const void *local)
{
    uint32_t page = (uint32_t)((uintptr_t)local >> 16);
    return (page * 0x9E3779B9u) >> (32 - 4);
}

void sym_read_enter(struct sym_read_section *section)
{
    struct stripe *s = &stripes[stripe_of(section)];

    /* seq_cst throughout: the increment is ordered before the epoch check
     * and both before any load of published state, against the writer's
     * publish, flip and counter read. A reader that saw the epoch change
     * under it may have been missed by the writer's wait: it leaves and
     * enters the new epoch. */
    for (;;) {
        unsigned e = atomic_load(&epoch) & 1;
        atomic_fetch_add(&s->counters[e], 1);
        if ((atomic_load(&epoch) & 1) == e) {
            section->counter = &s->counters[e];
            return;
        }
        atomic_fetch_sub(&s->counters[e], 1);
    }
}

void sym_read_leave(const struct sym_read_section *section)
{
    atomic_fetch_sub_explicit(section->counter, 1, memory_order_release);
}

static void yield_processor(void)
{
#ifdef _WIN32
    SwitchToThread();
#else
    sched_yield();
#endif
}

void sym_read_synchronize(void)
{
    unsigned old;

    dw_lock_exclusive(&synchronize_lock);
    old = atomic_fetch_add(&epoch, 1) & 1;
    for (unsigned i = 0; i < STRIPES; i++)
        while (atomic_load(&stripes[i].counters[old]) != 0)
            yield_processor();
    dw_unlock_exclusive(&synchronize_lock);
}
