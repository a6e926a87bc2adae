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

struct sym_read_section {
    atomic_uint *counter; /* the one entered: left by sym_read_leave */
};

void sym_read_enter(struct sym_read_section *section);
void sym_read_leave(const struct sym_read_section *section);

/* Waits for readers inside before the call (no reader may call it). */
void sym_read_synchronize(void);

#endif
