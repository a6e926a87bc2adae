/*
 * What every fuzz target shares: the knob prefix, the invariant check, and
 * the bounds the library promises. Each target is built two ways: with
 * libFuzzer (clang -fsanitize=fuzzer, the fuzz build) and with replay_main.c
 * (any compiler, the sanitizer build), which replays the seed corpus and the
 * regression inputs in the normal suite.
 */
#ifndef FUZZ_COMMON_H
#define FUZZ_COMMON_H

#include <dbgwalk.h>

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* Bytes at the start of an input that choose how it is used. */
#define FUZZ_KNOBS 8u

#include "memory.h" /* MEMORY_MAX_REQUEST: the largest request we make */

/* The walk's frame cap (stackwalk.md). */
#define FUZZ_FRAME_CAP 65536u

#define DW_FUZZ_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* An invariant the library broke: abort, so the fuzzer keeps the input. */
#define FUZZ_CHECK(cond)                                                                          \
    do {                                                                                          \
        if (!(cond)) {                                                                            \
            fprintf(stderr, "%s:%d: invariant broken: %s\n", __FILE__, __LINE__, #cond);          \
            abort();                                                                              \
        }                                                                                         \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
