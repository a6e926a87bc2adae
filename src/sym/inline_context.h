/*
 * Inline frame contexts: the 32-bit value StackWalkEx puts in
 * STACKFRAME_EX.InlineFrameContext and the Sym*InlineContext functions take.
 *
 * Layout, as dbghelp.h's INLINE_FRAME_CONTEXT union publishes it: byte 0 the
 * frame id (here the inline depth index, 0 = innermost inlinee), byte 1 the
 * frame type (STACK_FRAME_TYPE_INLINE 2 for a virtual frame,
 * STACK_FRAME_TYPE_STACK 1 for the physical frame), bytes 2-3 a signature
 * (0 here). INLINE_FRAME_CONTEXT_INIT (0) and _IGNORE (0xFFFFFFFF) mean
 * "no inline frame: the physical function at the address".
 */
#ifndef DBGWALK_INLINE_CONTEXT_H
#define DBGWALK_INLINE_CONTEXT_H

#include <stdbool.h>
#include <stdint.h>

#define DW_STACK_FRAME_TYPE_STACK 1u
#define DW_STACK_FRAME_TYPE_INLINE 2u
/* At most this many inline levels are reported for one address (the frame
 * id is one byte). */
#define DW_INLINE_MAX_DEPTH 255u

/* The context of inline level `depth` (0 = innermost). */
uint32_t inline_context_virtual(unsigned depth);
/* The context of the physical frame under `inline_count` virtual ones. */
uint32_t inline_context_physical(unsigned inline_count);

/* Whether `context` names a virtual frame; *depth gets its level. False for
 * INIT, IGNORE, physical frames and malformed values. */
bool inline_context_is_virtual(uint32_t context, unsigned *depth);
/* Whether `context` is one this library hands out or accepts at all. */
bool inline_context_valid(uint32_t context);

#endif
