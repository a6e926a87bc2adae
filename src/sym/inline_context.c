/* Encoding and decoding of inline frame contexts (see inline_context.h). */
#include "inline_context.h"

#define INIT_CONTEXT 0u
#define IGNORE_CONTEXT 0xFFFFFFFFu

uint32_t inline_context_virtual(unsigned depth)
{
    if (depth > DW_INLINE_MAX_DEPTH)
        depth = DW_INLINE_MAX_DEPTH;
    return (DW_STACK_FRAME_TYPE_INLINE << 8) | depth;
}

uint32_t inline_context_physical(unsigned inline_count)
{
    if (inline_count > DW_INLINE_MAX_DEPTH)
        inline_count = DW_INLINE_MAX_DEPTH;
    return (DW_STACK_FRAME_TYPE_STACK << 8) | inline_count;
}

bool inline_context_is_virtual(uint32_t context, unsigned *depth)
{
    /* the signature half is always 0 in contexts we hand out */
    if ((context >> 16) != 0 || ((context >> 8) & 0xFF) != DW_STACK_FRAME_TYPE_INLINE)
        return false;
    if (depth)
        *depth = context & 0xFF;
    return true;
}

bool inline_context_valid(uint32_t context)
{
    uint32_t type = (context >> 8) & 0xFF;

    if (context == INIT_CONTEXT || context == IGNORE_CONTEXT)
        return true;
    return (context >> 16) == 0 &&
           (type == DW_STACK_FRAME_TYPE_INLINE || type == DW_STACK_FRAME_TYPE_STACK);
}
