/*
 * dwarf_bench: the DWARF reader (src/dwarf/) over a large mingw-w64 image
 * (run-dwarf-bench.sh builds one with more than 50 MB of DWARF).
 *
 * It prints, each measured once on a fresh reader:
 *   - open: the PE headers only;
 *   - first answer: the unit index (unit headers, top DIEs, aranges) plus
 *     the one unit that holds the address, which is all a first lookup reads;
 *   - full index: every unit's functions and lines (enumerating symbols);
 * and then ns per lookup (symbol_at + line_at + inlines_at) at random
 * addresses inside the image's functions, once indexed. Nothing is asserted
 * about time; it exits 1 only when the image cannot be read.
 *
 *   dwarf_bench IMAGE [SECONDS]
 */
#define _POSIX_C_SOURCE 200809L
#include "dwarf/dwarf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

struct functions {
    uint32_t *rva, *size;
    size_t count, capacity;
};

static bool collect(void *context, const struct di_symbol *s)
{
    struct functions *f = context;
    if (s->tag != DI_TAG_FUNCTION || !s->size)
        return true;
    if (f->count == f->capacity) {
        size_t n = f->capacity ? f->capacity * 2 : 4096;
        uint32_t *r = realloc(f->rva, n * sizeof(*r)), *z;
        if (!r)
            return false;
        f->rva = r;
        if (!(z = realloc(f->size, n * sizeof(*z))))
            return false;
        f->size = z;
        f->capacity = n;
    }
    f->rva[f->count] = s->rva;
    f->size[f->count++] = s->size;
    return true;
}

static bool count_line(void *context, const struct di_line *l)
{
    (void)l;
    ++*(size_t *)context;
    return true;
}

int main(int argc, char **argv)
{
    struct debug_info *info;
    struct functions f = {0};
    double t0, t1, t2, t3, seconds = argc > 2 ? atof(argv[2]) : 1.0;
    struct di_symbol s;
    size_t lines = 0, lookups = 0, found = 0;
    uint32_t seed = 1;

    if (argc < 2) {
        fprintf(stderr, "usage: %s IMAGE [SECONDS]\n", argv[0]);
        return 2;
    }
    /* the first answer: an address from a first pass (a reader of its own) */
    info = dwarf_open_file(argv[1]);
    if (!info) {
        fprintf(stderr, "dwarf_bench: %s: no readable DWARF\n", argv[1]);
        return 1;
    }
    info->ops->enum_symbols(info, collect, &f);
    info->ops->close(info);
    if (!f.count) {
        fprintf(stderr, "dwarf_bench: %s: no functions\n", argv[1]);
        return 1;
    }

    t0 = now();
    info = dwarf_open_file(argv[1]);
    t1 = now();
    info->ops->symbol_at(info, f.rva[f.count / 2], &s);
    t2 = now();
    {
        struct functions all = {0}; /* every unit indexed: the functions again */
        info->ops->enum_symbols(info, collect, &all);
        free(all.rva);
        free(all.size);
    }
    info->ops->enum_lines(info, count_line, &lines);
    t3 = now();
    printf("image %s: %zu functions, %zu line entries\n", argv[1], f.count, lines);
    printf("open (PE headers): %.3f ms\n", (t1 - t0) * 1e3);
    printf("first answer (unit index + one unit): %.1f ms\n", (t2 - t1) * 1e3);
    printf("full index (every unit's functions and lines): %.1f ms\n", (t3 - t2) * 1e3);

    t0 = now();
    do {
        for (unsigned k = 0; k < 1024; k++) {
            struct di_line l;
            struct di_inline_frame frames[8];
            size_t i;
            seed = seed * 1103515245u + 12345u;
            i = (seed >> 8) % f.count;
            seed = seed * 1103515245u + 12345u;
            {
                uint32_t rva = f.rva[i] + (seed >> 8) % f.size[i];
                found += info->ops->symbol_at(info, rva, &s);
                found += info->ops->line_at(info, rva, &l);
                info->ops->inlines_at(info, rva, frames, 8);
            }
            lookups++;
        }
        t1 = now();
    } while (t1 - t0 < seconds);
    printf("lookup (symbol_at + line_at + inlines_at): %.0f ns, %zu lookups, %.1f%% answered\n",
           (t1 - t0) * 1e9 / (double)lookups, lookups, 50.0 * (double)found / (double)lookups);
    info->ops->close(info);
    free(f.rva);
    free(f.size);
    return 0;
}
