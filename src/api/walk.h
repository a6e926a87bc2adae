/*
 * The generic walk behind StackWalk64, StackWalkEx, StackWalk2 and StackWalk:
 * each entry point converts its arguments into a walk_request and calls
 * walk_next_frame() (stackwalk.md, "The first call and the calls after it").
 */
#ifndef DBGWALK_WALK_H
#define DBGWALK_WALK_H

#include "../function_table.h"

struct walk_request {
    DWORD machine;
    HANDLE process;
    HANDLE thread;
    STACKFRAME64 *frame;
    void *context;
    PREAD_PROCESS_MEMORY_ROUTINE64 read;
    PREAD_PROCESS_MEMORY_ROUTINE32 read32; /* StackWalk only */
    struct function_table table;
    PTRANSLATE_ADDRESS_ROUTINE64 translate;
    PTRANSLATE_ADDRESS_ROUTINE32 translate32; /* StackWalk only */
    PGET_TARGET_ATTRIBUTE_VALUE64 target_attribute;
    DWORD flags;
    /* StackWalkEx / StackWalk2: the caller's STACKFRAME_EX.InlineFrameContext,
     * where the walk keeps its position among a frame's inline frames
     * (stackwalk.md, "Inline frames"). NULL: physical frames only. */
    DWORD *inline_context;
};

/* Reports the next frame into request->frame (and request->context). */
BOOL walk_next_frame(const struct walk_request *request);

#endif
