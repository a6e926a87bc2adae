/*
 * snapwalk: walks the stacks frozen in .dwsnap files (snapshot.md) with
 * StackWalk64, through its own callbacks over the snapshot's memory and
 * function tables, and compares every frame with the snapshot's oracle.
 *
 * Built natively against libdbghelp.so and, with mingw-w64, as a Windows
 * program linked with mingw-w64's own import library, so that under Wine
 * the same snapshot is walked by our dbghelp.dll (or by Wine's).
 *
 *   snapwalk [-q] [-b N] file.dwsnap...
 *
 * Exit status 0 when every walk matches. -b N then walks each snapshot N
 * more times and prints ns and read callbacks per frame (a benchmark over
 * recorded stacks: figures, not a test).
 */
#include "snapshot.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifndef _WIN32
#include <time.h> /* clock_gettime: _POSIX_C_SOURCE from CMake */
#endif

static const char *machine_name(uint32_t machine)
{
    return machine == IMAGE_FILE_MACHINE_AMD64   ? "x64"
           : machine == IMAGE_FILE_MACHINE_ARM64 ? "ARM64"
           : machine == IMAGE_FILE_MACHINE_I386  ? "x86"
                                                 : "?";
}

static void seed(const struct snapshot *s, STACKFRAME64 *frame)
{
    memset(frame, 0, sizeof(*frame));
    frame->AddrPC.Offset = snapshot_context_register(s, 0);
    frame->AddrStack.Offset = snapshot_context_register(s, 1);
    frame->AddrPC.Mode = frame->AddrStack.Mode = frame->AddrFrame.Mode = AddrModeFlat;
}

static double now_ns(void)
{
#ifdef _WIN32
    LARGE_INTEGER counter, frequency;
    QueryPerformanceCounter(&counter);
    QueryPerformanceFrequency(&frequency);
    return (double)counter.QuadPart * 1e9 / (double)frequency.QuadPart;
#else
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
#endif
}

/* Walks the snapshot `repeat` times from a fresh copy of its context. */
static void benchmark(const char *path, struct snapshot *s, const uint8_t *context,
                      unsigned repeat)
{
    static uint8_t scratch[0x1000] __attribute__((aligned(16)));
    unsigned long long frames = 0, reads_before = s->reads;
    double start, elapsed;

    memcpy(s->context, context, s->context_size); /* the checked walk unwound it */
    start = now_ns();

    for (unsigned r = 0; r < repeat; r++) {
        STACKFRAME64 frame;
        memcpy(scratch, context, s->context_size);
        seed(s, &frame);
        while (StackWalk64(s->machine, s, NULL, &frame, scratch, snapshot_read_memory,
                           snapshot_function_table, snapshot_module_base, NULL))
            frames++;
    }
    elapsed = now_ns() - start;
    printf("%s: %u walks, %.1f ns/frame, %.3f read callbacks/frame\n", path, repeat,
           frames ? elapsed / (double)frames : 0.0,
           frames ? (double)(s->reads - reads_before) / (double)frames : 0.0);
}

static int walk(const char *path, struct snapshot *s, int quiet)
{
    STACKFRAME64 frame;
    uint32_t n = 0, wrong = 0;

    seed(s, &frame);
    if (!quiet)
        printf("%s: %s stack, %u frames expected\n", path, machine_name(s->machine),
               s->frame_count);
    while (StackWalk64(s->machine, s, NULL, &frame, s->context, snapshot_read_memory,
                       snapshot_function_table, snapshot_module_base, NULL)) {
        const struct snapshot_module *m = snapshot_module_at(s, frame.AddrPC.Offset);
        int ok = n < s->frame_count && frame.AddrPC.Offset == s->frames[n][0] &&
                 (s->frames[n][1] == 0 || frame.AddrStack.Offset == s->frames[n][1]);
        if (!ok)
            wrong++;
        if (!quiet || !ok)
            printf("  #%-3u %016llx sp %016llx  %s+0x%llx%s\n", n,
                   (unsigned long long)frame.AddrPC.Offset,
                   (unsigned long long)frame.AddrStack.Offset, m ? m->name : "?",
                   (unsigned long long)(m ? frame.AddrPC.Offset - m->base : 0),
                   ok ? "" : "   <- differs from the snapshot's oracle");
        n++;
        if (n > s->frame_count + 64)
            break;
    }
    if (n != s->frame_count)
        wrong++;
    printf("%s: %u of %u frames, %s, %llu read callbacks\n", path, n, s->frame_count,
           wrong ? "WRONG" : "all as expected", s->reads);
    return wrong == 0;
}

int main(int argc, char **argv)
{
    int quiet = 0, failures = 0, files = 0;
    unsigned repeat = 0;

    for (int i = 1; i < argc; i++) {
        struct snapshot s;
        uint8_t *data;
        long size;
        FILE *f;

        if (strcmp(argv[i], "-q") == 0) {
            quiet = 1;
            continue;
        }
        if (strcmp(argv[i], "-b") == 0 && i + 1 < argc) {
            repeat = (unsigned)strtoul(argv[++i], NULL, 0);
            continue;
        }
        files++;
        f = fopen(argv[i], "rb");
        if (!f || fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 ||
            fseek(f, 0, SEEK_SET) != 0 || !(data = malloc((size_t)size + 1)) ||
            fread(data, 1, (size_t)size, f) != (size_t)size) {
            fprintf(stderr, "%s: cannot read\n", argv[i]);
            failures++;
            if (f)
                fclose(f);
            continue;
        }
        fclose(f);
        if (!snapshot_parse(data, (size_t)size, &s)) {
            fprintf(stderr, "%s: not a well-formed snapshot\n", argv[i]);
            failures++;
        } else {
            uint8_t seed_context[0x1000];
            memcpy(seed_context, s.context, s.context_size);
            if (!walk(argv[i], &s, quiet))
                failures++;
            else if (repeat)
                benchmark(argv[i], &s, seed_context, repeat);
        }
        snapshot_free(&s);
        free(data);
    }
    if (files == 0) {
        fprintf(stderr, "usage: %s [-q] [-b N] file.dwsnap...\n", argv[0]);
        return 2;
    }
    return failures ? 1 : 0;
}
