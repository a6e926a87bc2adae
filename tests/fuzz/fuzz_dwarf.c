/*
 * Fuzz target: the DWARF reader (src/dwarf/) over a hostile PE image with
 * DWARF sections, through a memory source: the section table and COFF string
 * table, unit headers, abbreviation tables, every form, range lists, line
 * programs, aranges, references between DIEs, and the demangler over the
 * linkage names found (and over the input's first bytes as a name). Everything it answers is asked, at the knobs'
 * addresses and a spread of others; enumeration runs to the end.
 *
 * Input: 8 knob bytes (a base RVA to look around), then the image's bytes.
 */
#include "fuzz_common.h"

#include "demangle/demangle.h"
#include "dwarf/dwarf.h"

#include <stdlib.h>

#include <string.h>

struct buffer {
    const uint8_t *bytes;
    size_t size;
};

static bool buffer_read(void *context, uint64_t offset, void *out, size_t size)
{
    const struct buffer *b = context;
    if (offset > b->size || size > b->size - offset)
        return false;
    memcpy(out, b->bytes + offset, size);
    return true;
}

static bool each_symbol(void *context, const struct di_symbol *symbol)
{
    FUZZ_CHECK(symbol->name != NULL && strlen(symbol->name) == symbol->name_length);
    return ++*(unsigned *)context < 200000;
}

static bool each_line(void *context, const struct di_line *line)
{
    FUZZ_CHECK(line->file != NULL && line->line != 0);
    return ++*(unsigned *)context < 200000;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct buffer b;
    struct image_source source = {buffer_read, &b, false};
    struct debug_info *info;
    uint32_t around;
    unsigned n = 0;

    if (size < FUZZ_KNOBS)
        return 0;
    around = (uint32_t)data[0] << 4 | (uint32_t)data[1] << 12 | (uint32_t)data[2] << 20;
    b.bytes = data + FUZZ_KNOBS;
    b.size = size - FUZZ_KNOBS;
    {
        /* the demangler alone, over the input's first bytes taken as a name */
        char name[512] = "_Z";
        size_t n = b.size < sizeof(name) - 3 ? b.size : sizeof(name) - 3;
        char *plain;
        memcpy(name + 2, b.bytes, n);
        name[2 + n] = 0;
        plain = itanium_demangle(name);
        FUZZ_CHECK(!plain || strlen(plain) <= 4096);
        free(plain);
    }
    info = dwarf_open(&source, b.size);
    if (!info)
        return 0;
    for (uint32_t i = 0; i < 48; i++) {
        uint32_t rva = i < 16 ? around + i * 3 : i < 32 ? 0x1000 + (i - 16) * 0x21 : i * 0x1111;
        struct di_symbol s;
        struct di_line l, step;
        struct di_inline_frame frames[4];
        unsigned count;
        if (info->ops->symbol_at(info, rva, &s))
            FUZZ_CHECK(s.name && s.rva <= rva && (s.size == 0 || rva - s.rva < s.size));
        if (info->ops->line_at(info, rva, &l)) {
            FUZZ_CHECK(l.file && l.rva <= rva && l.line != 0);
            info->ops->line_step(info, &l, 1, &step);
            info->ops->line_step(info, &l, -1, &step);
        }
        count = info->ops->inlines_at(info, rva, frames, 4);
        for (unsigned k = 0; k < count && k < 4; k++)
            FUZZ_CHECK(frames[k].function.name != NULL && frames[k].call_site.file != NULL &&
                       rva - frames[k].function.rva < frames[k].function.size);
    }
    info->ops->enum_symbols(info, each_symbol, &n);
    info->ops->enum_lines(info, each_line, &n);
    {
        struct di_summary summary;
        info->ops->summary(info, &summary);
    }
    info->ops->close(info);
    return 0;
}
