/* Walking a fake target from a seed context, and the standard test target. */
#ifndef WALK_HELPERS_H
#define WALK_HELPERS_H

#include "x64_model.h"

/* cmocka needs these before its header. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#define TEST_IMAGE_BASE 0x0000000140000000ull
#define TEST_IMAGE_SIZE 0x40000u
#define TEST_STACK_TOP 0x000000E000400000ull
#define TEST_STACK_SIZE 0x300000u

struct walk_record {
    STACKFRAME64 frame;
    CONTEXT context;
};

/* Maps the standard image and stack regions. */
void test_target_init(struct fake_target *t);

/* A zeroed STACKFRAME64 seeded as callers do: AddrPC = RIP, AddrStack = RSP,
 * AddrFrame = RBP, all flat. */
void seed_frame(STACKFRAME64 *frame, const CONTEXT *context);

/* StackWalk64 until FALSE (or `max` frames); returns the frame count. */
unsigned walk_all(struct fake_target *t, const CONTEXT *seed, struct walk_record *out,
                  unsigned max);

/* Asserts that a walk of `chain` from frame 0 reports exactly its frames,
 * with exact registers, and then ends. Returns false (after printing why)
 * instead of failing, so callers can report the position. */
bool check_chain_walk(struct fake_target *t, const struct x64_chain *chain, char *why,
                      size_t why_size);

/* Registers of the standard functions used as callers in chains. */
extern const struct x64_spec spec_caller;



/* Walks from a register state; returns the frame count (at most `max`). */
unsigned walk_state(struct fake_target *t, const struct x64_state *s, struct walk_record *out,
                    unsigned max);
#endif
