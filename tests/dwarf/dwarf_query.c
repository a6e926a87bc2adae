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
 */
#include "demangle/demangle.h"
#include "dwarf/dwarf.h"

#include <inttypes.h>
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
