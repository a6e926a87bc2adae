/*
 * Answers address queries from a PDB with our reader alone (src/pdb/), in
 * llvm-symbolizer's --inlines output format, so that the test can compare
 * the two line by line: for each RVA, one "name\nfile:line:0" pair per frame,
 * innermost first, then a blank line; "??" where nothing is known.
 *
 *   pdb_query PDB IMAGE_BASE < addresses      (one hexadecimal VA per line)
 *   pdb_query --frame PDB RVA...              (frame data, for the x86 test)
 *   pdb_query --summary PDB
 */
#include "pdb/pdb.h"

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
    printf("%s\n", have_symbol ? symbol.name : "??");
    if (count)
        print_line(&frames[count - 1].call_site);
    else
        print_line(have_line ? &line : NULL);
    printf("\n");
}

int main(int argc, char **argv)
{
    struct debug_info *info;

    if (argc >= 3 && strcmp(argv[1], "--summary") == 0) {
        struct di_summary s;
        if (!(info = pdb_open_file(argv[2])))
            return 1;
        info->ops->summary(info, &s);
        printf("age %u signature %u guid %08x lines %d globals %d types %d\n", s.age,
               s.signature, (unsigned)s.guid.Data1, s.line_numbers, s.global_symbols,
               s.type_info);
        info->ops->close(info);
        return 0;
    }
    if (argc >= 3 && strcmp(argv[1], "--frame") == 0) {
        if (!(info = pdb_open_file(argv[2])))
            return 1;
        for (int i = 3; i < argc; i++) {
            struct di_frame_data f;
            uint32_t rva = (uint32_t)strtoul(argv[i], NULL, 16);
            if (!info->ops->frame_data_at(info, rva, &f)) {
                printf("%x: none\n", rva);
                continue;
            }
            printf("%x: start %x size %x locals %x params %x saved %x prolog %x program \"%s\"\n",
                   rva, f.rva_start, f.code_size, f.locals_size, f.params_size,
                   f.saved_regs_size, f.prolog_size, f.has_program ? f.program : "");
        }
        info->ops->close(info);
        return 0;
    }
    if (argc != 3) {
        fprintf(stderr, "usage: %s PDB IMAGE_BASE < addresses\n", argv[0]);
        return 2;
    }
    info = pdb_open_file(argv[1]);
    if (!info) {
        fprintf(stderr, "pdb_query: %s: not a readable PDB\n", argv[1]);
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
