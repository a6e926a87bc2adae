/*
 * The walk layer's per-thread state, in one struct reached through one
 * thread-local access per StackWalk* call and passed down explicitly from
 * there: the read cache, the table routines' answers, the look-ahead of the
 * frame last reported, the read routine our own symbol services use while a
 * walk runs, and why the last walk on this thread ended.
 *
 * Nothing here is shared between threads; a walk on one thread never sees
 * another's state.
 */
#ifndef DBGWALK_WALK_STATE_H
#define DBGWALK_WALK_STATE_H

#include "arch/arch.h"

/* The look-ahead of the frame last reported on this thread. The next call
 * of the same walk, given back the context exactly as we reported it, takes
 * its caller from here instead of unwinding the same frame again. */
struct lookahead {
    uint64_t walk_id; /* 0: nothing kept */
    uint32_t frames;  /* frames reported when it was made */
    bool has_caller;
    enum walk_end_reason end; /* why there is no caller, when there is none */
    struct unwind_step info;
    /* The registers reported and their caller's, in buffers[reported] and
     * buffers[reported ^ 1]. When the next call takes the caller, that
     * caller is what it reports: the two swap roles instead of copying. */
    uint8_t reported;
    uint32_t epoch; /* counts reports, so a nested walk's is noticed */
    _Alignas(16) uint8_t buffers[2][ARCH_MAX_CONTEXT_SIZE];
};

/* The routine a Sym lookup without one of its own reads target memory with
 * while a walk of `process` runs on this thread. Walks may nest (a read
 * routine that walks another stack), so the walk keeps the previous one. */
struct walk_reader_state {
    HANDLE process;
    PREAD_PROCESS_MEMORY_ROUTINE64 read;
};

/* A thread's walk caches: 70 KB, on the heap from its first walk (freed
 * at its exit), so that the library's thread-locals stay a few dozen
 * bytes. */
struct walk_caches {
    struct read_cache cache;
    struct entry_cache entries; /* the table routines' answers for the walk */
    struct lookahead lookahead;
};

struct walk_thread_state {
    struct walk_caches *caches; /* NULL until walk_thread_caches */
    struct walk_reader_state sym_reader;
    enum walk_end_reason last_end; /* WALK_END_NONE while the walk goes on */
    /* The symbol sessions this thread let go of for slow work
     * (session_pause), innermost last: a SymCleanup of one of them from a
     * callback of that work must not wait for itself. Past the array only
     * counted. */
    const void *paused_sessions[4];
    unsigned paused_depth;
    DWORD last_error; /* GetLastError's value on non-Windows hosts (src/last_error.c) */
};

extern DW_THREAD_LOCAL struct walk_thread_state dw_thread_state;
_Static_assert(sizeof(struct walk_thread_state) <= 128, "thread-locals must stay small");

/* The calling thread's state: the one thread-local access. */
static inline struct walk_thread_state *walk_thread_state(void) { return &dw_thread_state; }

/* The thread's walk caches, allocated on first use; NULL when out of
 * memory. */
struct walk_caches *walk_thread_caches_create(struct walk_thread_state *thread);
static inline struct walk_caches *walk_thread_caches(struct walk_thread_state *thread)
{
    return thread->caches ? thread->caches : walk_thread_caches_create(thread);
}

/* Why the last walk on this thread ended (WALK_END_NONE: it has not, or
 * there was none). For tools such as dumpwalk; StackWalk64's last error
 * stays DbgHelp's. */
enum walk_end_reason walk_last_end_reason(void);

/* A short English name for a reason ("pc zero", "frame cap", ...). */
const char *walk_end_reason_name(enum walk_end_reason reason);

#endif
