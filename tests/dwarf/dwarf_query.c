/*
 * Answers address queries from a PE image's DWARF with our reader alone
 * (src/dwarf/), in llvm-symbolizer's --inlines output format, so the test can
 * compare the two line by line: for each VA, one "name\nfile:line:0" pair per
 * frame, innermost first, then a blank line; "??" where nothing is known.
 *
 *   dwarf_query IMAGE IMAGE_BASE < addresses      (one hexadecimal VA per line)
 *   dwarf_query --summary IMAGE
 *   dwarf_query --functions IMAGE                 (every function: rva size name)
 *   dwarf_query --demangle < names                (the demangler alone)
 *   dwarf_query --threads IMAGE IMAGE_BASE < addresses
 *        (8 threads ask every address of a fresh reader at once; exit 1 when
 *        any answer differs from a single thread's, which run under TSan shows
 *        the lazy indexes are built once and read safely)
 */
#include "demangle/demangle.h"
#include "dwarf/dwarf.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void print_line(const struct di_line *l)
{
    if (l && l->line)
        printf("%s:%u:0\n", l->file && l->file[0] ? l->file : "??", l->line);
    else
        printf("??:0:0\n");
}

static void query(struct debug_info *info, uint32_t rva)
{
    struct di_inline_frame frames[16];
    struct di_symbol symbol;
    struct di_line line;
    unsigned count = 0;
    bool have_symbol = info->ops->symbol_at(info, rva, &symbol);
    bool have_line = info->ops->line_at(info, rva, &line);

    if (have_symbol && symbol.tag == DI_TAG_FUNCTION && info->ops->inlines_at)
        count = info->ops->inlines_at(info, rva, frames, 16);
    if (count > 16)
        count = 16;
    for (unsigned i = 0; i < count; i++) {
        printf("%s\n", frames[i].function.name);
        print_line(&frames[i].line);
    }
    if (have_symbol && symbol.tag == DI_TAG_PUBLIC) {
        /* publics are as recorded; shown undecorated, as SYMOPT_UNDNAME and
         * llvm-symbolizer show them */
        char *plain = itanium_demangle(symbol.name);
        printf("%s\n", plain ? plain : symbol.name);
        free(plain);
    } else {
        printf("%s\n", have_symbol ? symbol.name : "??");
    }
    if (count)
        print_line(&frames[count - 1].call_site);
    else
        print_line(have_line ? &line : NULL);
    printf("\n");
}

struct race {
    struct debug_info *info;
    const uint32_t *rvas;
    size_t count;
    char (*names)[64];
    uint32_t *lines;
    size_t start; /* threads start at different places so they build different units */
};

static void *race_thread(void *arg)
{
    struct race *r = arg;
    for (size_t i = 0; i < r->count; i++) {
        size_t k = (i + r->start) % r->count;
        struct di_symbol s;
        struct di_line l;
        struct di_inline_frame frames[8];
        snprintf(r->names[k], 64, "%s",
                 r->info->ops->symbol_at(r->info, r->rvas[k], &s) ? s.name : "??");
        r->lines[k] = r->info->ops->line_at(r->info, r->rvas[k], &l) ? l.line : 0;
        r->lines[k] += 100000 * r->info->ops->inlines_at(r->info, r->rvas[k], frames, 8);
    }
    return NULL;
}

static int race(const char *image, uint64_t base)
{
    enum { THREADS = 8 };
    uint32_t *rvas = NULL;
    size_t count = 0, capacity = 0;
    char text[64];
    struct race runs[THREADS + 1];
    pthread_t threads[THREADS];
    struct debug_info *info;
    int status = 0;

    while (fgets(text, sizeof(text), stdin)) {
        if (count == capacity) {
            capacity = capacity ? 2 * capacity : 1024;
            if (!(rvas = realloc(rvas, capacity * sizeof(*rvas))))
                return 2;
        }
        rvas[count++] = (uint32_t)(strtoull(text, NULL, 16) - base);
    }
    for (unsigned t = 0; t <= THREADS; t++) {
        runs[t].rvas = rvas;
        runs[t].count = count;
        runs[t].start = count / (THREADS + 1) * t;
        runs[t].names = calloc(count + 1, 64);
        runs[t].lines = calloc(count + 1, sizeof(uint32_t));
        if (!runs[t].names || !runs[t].lines)
            return 2;
    }
    /* the reference: one thread, its own reader */
    if (!(runs[THREADS].info = dwarf_open_file(image)) || !(info = dwarf_open_file(image)))
        return 1;
    race_thread(&runs[THREADS]);
    for (unsigned t = 0; t < THREADS; t++) {
        runs[t].info = info;
        pthread_create(&threads[t], NULL, race_thread, &runs[t]);
    }
    for (unsigned t = 0; t < THREADS; t++) {
        pthread_join(threads[t], NULL);
        for (size_t i = 0; i < count; i++)
            if (strcmp(runs[t].names[i], runs[THREADS].names[i]) != 0 ||
                runs[t].lines[i] != runs[THREADS].lines[i])
                status = 1;
    }
    printf("%zu addresses, %d threads: %s\n", count, THREADS,
           status ? "answers differ" : "every answer as one thread's");
    info->ops->close(info);
    runs[THREADS].info->ops->close(runs[THREADS].info);
    for (unsigned t = 0; t <= THREADS; t++) {
        free(runs[t].names);
        free(runs[t].lines);
    }
    free(rvas);
    return status;
}

static bool print_function(void *context, const struct di_symbol *s)
{
    (void)context;
    if (s->tag == DI_TAG_FUNCTION)
        printf("%x %x %s\n", s->rva, s->size, s->name);
    return true;
}

int main(int argc, char **argv)
{
    struct debug_info *info;

    if (argc >= 3 && strcmp(argv[1], "--summary") == 0) {
        struct di_summary s;
        if (!(info = dwarf_open_file(argv[2])))
            return 1;
        info->ops->summary(info, &s);
        printf("format %s type %d lines %d path %s\n", info->ops->format, (int)s.sym_type,
               s.line_numbers, s.path);
        info->ops->close(info);
        return 0;
    }
    if (argc >= 3 && strcmp(argv[1], "--functions") == 0) {
        if (!(info = dwarf_open_file(argv[2])))
            return 1;
        info->ops->enum_symbols(info, print_function, NULL);
        info->ops->close(info);
        return 0;
    }
    if (argc == 4 && strcmp(argv[1], "--threads") == 0)
        return race(argv[2], strtoull(argv[3], NULL, 16));
    if (argc == 2 && strcmp(argv[1], "--demangle") == 0) {
        char text[4096];
        while (fgets(text, sizeof(text), stdin)) {
            char *plain;
            text[strcspn(text, "\n")] = 0;
            plain = itanium_demangle(text);
            printf("%s\n", plain ? plain : text);
            free(plain);
        }
        return 0;
    }
    if (argc != 3) {
        fprintf(stderr, "usage: %s IMAGE IMAGE_BASE < addresses\n", argv[0]);
        return 2;
    }
    info = dwarf_open_file(argv[1]);
    if (!info) {
        fprintf(stderr, "dwarf_query: %s: no readable DWARF\n", argv[1]);
        return 1;
    }
    {
        uint64_t base = strtoull(argv[2], NULL, 16);
        char text[64];
        while (fgets(text, sizeof(text), stdin)) {
            uint64_t va = strtoull(text, NULL, 16);
            query(info, (uint32_t)(va - base));
        }
    }
    info->ops->close(info);
    return 0;
}
