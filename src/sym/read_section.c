#include "read_section.h"
#include "lock.h"

#include <stdint.h>
#ifndef _WIN32
#include <sched.h>
#endif

struct sym_read_stripe sym_read_stripes[SYM_READ_STRIPES];
atomic_uint sym_read_epoch;
static dw_lock synchronize_lock = DW_LOCK_INIT;

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
    old = atomic_fetch_add(&sym_read_epoch, 1) & 1;
    for (unsigned i = 0; i < SYM_READ_STRIPES; i++)
        while (atomic_load(&sym_read_stripes[i].counters[old]) != 0)
            yield_processor();
    dw_unlock_exclusive(&synchronize_lock);
}
