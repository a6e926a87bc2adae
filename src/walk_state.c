#include "walk_state.h"

#include <stdlib.h>

DW_THREAD_LOCAL struct walk_thread_state dw_thread_state;

#ifdef _WIN32
/* Emulated thread-locals are allocated per thread on first use and freed
 * at its exit by the runtime: the caches can be one. */
struct walk_caches *walk_thread_caches_create(struct walk_thread_state *thread)
{
    static _Thread_local struct walk_caches caches;

    thread->caches = &caches;
    return thread->caches;
}
#else
#include <pthread.h>

static pthread_key_t caches_key;
static bool caches_key_made;

static void free_caches(void *caches)
{
    dw_thread_state.caches = NULL;
    free(caches);
}

__attribute__((constructor)) static void walk_state_init(void)
{
    caches_key_made = pthread_key_create(&caches_key, free_caches) == 0;
}

/* Unloaded (dlclose) while threads live: their exit must not call code
 * that is gone (their caches are then not freed). */
__attribute__((destructor)) static void walk_state_fini(void)
{
    if (caches_key_made)
        pthread_key_delete(caches_key);
}

struct walk_caches *walk_thread_caches_create(struct walk_thread_state *thread)
{
    struct walk_caches *caches;

    /* without the exit hook a thread's caches would leak: walk uncached */
    if (!caches_key_made || !(caches = calloc(1, sizeof(*caches))))
        return NULL;
    if (pthread_setspecific(caches_key, caches) != 0) {
        free(caches);
        return NULL;
    }
    thread->caches = caches;
    return caches;
}
#endif

enum walk_end_reason walk_last_end_reason(void) { return dw_thread_state.last_end; }

#ifndef _WIN32
/* The public numbering is the enum's (include/dbgwalk.h). */
_Static_assert(WALK_END_NONE == DBGWALK_END_NONE && WALK_END_NO_CALLER == DBGWALK_END_NO_CALLER &&
                   WALK_END_LEAF_REFUSED == DBGWALK_END_LEAF_REFUSED &&
                   WALK_END_UNWIND_DATA_UNREADABLE == DBGWALK_END_UNWIND_DATA_UNREADABLE &&
                   WALK_END_UNWIND_DATA_MALFORMED == DBGWALK_END_UNWIND_DATA_MALFORMED &&
                   WALK_END_STACK_UNREADABLE == DBGWALK_END_STACK_UNREADABLE &&
                   WALK_END_NO_MODULE_BASE == DBGWALK_END_NO_MODULE_BASE &&
                   WALK_END_PC_ZERO == DBGWALK_END_PC_ZERO &&
                   WALK_END_NO_PROGRESS == DBGWALK_END_NO_PROGRESS &&
                   WALK_END_FRAME_CAP == DBGWALK_END_FRAME_CAP &&
                   WALK_END_BAD_ARGUMENT == DBGWALK_END_BAD_ARGUMENT,
               "DBGWALK_END_* follow enum walk_end_reason");

DW_EXPORT DWORD DbgWalkLastEndReason(const char **Name)
{
    enum walk_end_reason reason = dw_thread_state.last_end;

    if (Name)
        *Name = walk_end_reason_name(reason);
    return (DWORD)reason;
}
#endif

const char *walk_end_reason_name(enum walk_end_reason reason)
{
    switch (reason) {
    case WALK_END_NONE:
        return "not ended";
    case WALK_END_NO_CALLER:
        return "no caller (the unwind rules end the walk here)";
    case WALK_END_LEAF_REFUSED:
        return "no function entry and the leaf rule refused";
    case WALK_END_UNWIND_DATA_UNREADABLE:
        return "unwind data unreadable";
    case WALK_END_UNWIND_DATA_MALFORMED:
        return "unwind data malformed";
    case WALK_END_STACK_UNREADABLE:
        return "stack unreadable";
    case WALK_END_NO_MODULE_BASE:
        return "function entry without a module base";
    case WALK_END_PC_ZERO:
        return "pc zero";
    case WALK_END_NO_PROGRESS:
        return "no progress (stack pointer did not rise)";
    case WALK_END_FRAME_CAP:
        return "frame cap";
    case WALK_END_BAD_ARGUMENT:
        return "invalid arguments";
    }
    return "unknown";
}
