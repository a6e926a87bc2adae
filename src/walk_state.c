#include "walk_state.h"

static _Thread_local struct walk_thread_state thread_state;

struct walk_thread_state *walk_thread_state(void) { return &thread_state; }

enum walk_end_reason walk_last_end_reason(void) { return thread_state.last_end; }

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
    enum walk_end_reason reason = thread_state.last_end;

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
