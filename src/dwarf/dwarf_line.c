/*
 * Line programs (DWARF 2-5, section 6.2): the header (v5's directory and
 * file entry formats, with paths as strings, strp or line_strp, and MD5s
 * skipped by form), then the state machine, turned into entries [rva, end)
 * sorted by address. Where several rows share an address the last one is
 * the answer, as llvm-symbolizer reads it. Sequences whose addresses fall
 * outside the image (code the linker discarded) are dropped. The program is
 * read only within its unit_length, which must lie inside the section.
 */
#include "dwarf_internal.h"

#include <stdlib.h>

#define MAX_FILES 65536u
#define MAX_DIRECTORIES 65536u
#define MAX_FORMATS 16u

static bool is_absolute(const char *path)
{
    return path[0] == '/' || path[0] == '\\' ||
           (((path[0] | 0x20) >= 'a' && (path[0] | 0x20) <= 'z') && path[1] == ':');
}

/* dir/file, with a relative dir under the compilation directory. */
static char *join_path(const char *comp_dir, const char *dir, const char *file)
{
    const char *parts[3];
    size_t length = 0, n = 0;
    char *out, *at;

    if (!file)
        return NULL;
    if (!is_absolute(file)) {
        if (dir && dir[0] && !is_absolute(dir) && comp_dir && comp_dir[0])
            parts[n++] = comp_dir;
        if (dir && dir[0])
            parts[n++] = dir;
        else if (comp_dir && comp_dir[0])
            parts[n++] = comp_dir;
    }
    parts[n++] = file;
    for (size_t i = 0; i < n; i++)
        length += strlen(parts[i]) + 1;
    if (!(out = malloc(length + 1)))
        return NULL;
    at = out;
    for (size_t i = 0; i < n; i++) {
        size_t k = strlen(parts[i]);
        memcpy(at, parts[i], k);
        at += k;
        if (i + 1 < n && k && parts[i][k - 1] != '/' && parts[i][k - 1] != '\\')
            *at++ = '/';
    }
    *at = 0;
    return out;
}

/* A v5 entry list: `count` entries of `format_count` (content, form) pairs. */
struct entry {
    const char *path;
    uint64_t directory;
};

static bool read_v5_entries(struct dwarf_reader *r, const struct dwarf_unit *line_unit,
                            struct dwarf_cursor *c, struct entry **out, uint64_t *count_out,
                            uint64_t limit)
{
    uint8_t format_count = dwarf_u8(c);
    struct dwarf_attr_spec formats[MAX_FORMATS];
    uint64_t count;

    if (format_count > MAX_FORMATS)
        return false;
    for (unsigned i = 0; i < format_count; i++) {
        formats[i].name = (uint16_t)dwarf_uleb(c); /* the content type */
        formats[i].form = (uint16_t)dwarf_uleb(c);
        formats[i].implicit_const = 0;
    }
    count = dwarf_uleb(c);
    if (c->bad || count > limit || (count && !format_count))
        return false;
    *out = calloc(count ? count : 1, sizeof(**out));
    if (!*out)
        return false;
    for (uint64_t e = 0; e < count; e++) {
        for (unsigned i = 0; i < format_count; i++) {
            struct dwarf_value v;
            if (!dwarf_read_form(c, line_unit, &formats[i], &v))
                return false;
            if (formats[i].name == DW_LNCT_path)
                (*out)[e].path = dwarf_string(r, line_unit, &v);
            else if (formats[i].name == DW_LNCT_directory_index)
                (*out)[e].directory = v.u;
        }
    }
    *count_out = count;
    return true;
}

struct row_list {
    struct dwarf_line_entry *items;
    uint32_t count, capacity;
};

static bool push_row(struct row_list *l, uint32_t rva, uint32_t line, const char *file)
{
    if (l->count >= l->capacity) {
        uint32_t n = l->capacity ? l->capacity * 2 : 256;
        struct dwarf_line_entry *grown;
        if (n > (1u << 27))
            return false;
        grown = realloc(l->items, n * sizeof(*grown));
        if (!grown)
            return false;
        l->items = grown;
        l->capacity = n;
    }
    l->items[l->count++] = (struct dwarf_line_entry){rva, rva, line, file};
    return true;
}

static int compare_line(const void *a, const void *b)
{
    const struct dwarf_line_entry *x = a, *y = b;
    if (x->rva != y->rva)
        return x->rva < y->rva ? -1 : 1;
    return x->end < y->end ? -1 : x->end > y->end;
}

const char *dwarf_line_file(const struct dwarf_unit *u, uint64_t index)
{
    return index < u->file_count ? u->files[index] : NULL;
}

/* The header's tables: u->files, indexed as the program's file register. */
static bool read_tables(struct dwarf_reader *r, struct dwarf_unit *u, struct dwarf_cursor *c,
                        uint16_t version, const struct dwarf_unit *line_unit)
{
    struct entry *dirs = NULL, *files = NULL;
    uint64_t dir_count = 0, file_count = 0;
    bool ok = false;

    if (version >= 5) {
        if (!read_v5_entries(r, line_unit, c, &dirs, &dir_count, MAX_DIRECTORIES) ||
            !read_v5_entries(r, line_unit, c, &files, &file_count, MAX_FILES))
            goto out;
    } else {
        /* v2-4: strings up to an empty one; directory 0 is the comp dir,
         * file 0 does not exist (files count from 1) */
        uint64_t capacity = 16;
        dirs = calloc(capacity, sizeof(*dirs));
        if (!dirs)
            goto out;
        dirs[dir_count++].path = u->comp_dir;
        for (;;) {
            const char *s = dwarf_cstr(c);
            if (!s || !s[0] || dir_count >= MAX_DIRECTORIES)
                break;
            if (dir_count >= capacity) {
                struct entry *grown = realloc(dirs, 2 * capacity * sizeof(*grown));
                if (!grown)
                    goto out;
                dirs = grown;
                capacity *= 2;
            }
            dirs[dir_count++] = (struct entry){s, 0};
        }
        capacity = 16;
        files = calloc(capacity, sizeof(*files));
        if (!files)
            goto out;
        files[file_count++] = (struct entry){u->name, 0};
        for (;;) {
            const char *s = dwarf_cstr(c);
            uint64_t d;
            if (!s || !s[0] || file_count >= MAX_FILES)
                break;
            d = dwarf_uleb(c);
            dwarf_uleb(c); /* modification time */
            dwarf_uleb(c); /* length */
            if (file_count >= capacity) {
                struct entry *grown = realloc(files, 2 * capacity * sizeof(*grown));
                if (!grown)
                    goto out;
                files = grown;
                capacity *= 2;
            }
            files[file_count++] = (struct entry){s, d};
        }
        if (c->bad)
            goto out;
    }
    u->files = calloc(file_count ? file_count : 1, sizeof(*u->files));
    if (!u->files)
        goto out;
    u->file_count = (uint32_t)file_count;
    for (uint64_t i = 0; i < file_count; i++) {
        const char *dir = files[i].directory < dir_count ? dirs[files[i].directory].path : NULL;
        /* v5 directory 0 is the compilation directory itself */
        u->files[i] = join_path(u->comp_dir, dir, files[i].path);
    }
    ok = true;
out:
    free(dirs);
    free(files);
    return ok;
}

bool dwarf_lines_load(struct dwarf_reader *r, struct dwarf_unit *u)
{
    struct dwarf_cursor c;
    struct dwarf_unit line_unit;
    struct row_list rows = {0};
    uint64_t length;
    uint16_t version;
    uint8_t min_inst, default_is_stmt, line_range, opcode_base;
    int8_t line_base;
    uint8_t standard_lengths[256];
    const uint8_t *program;

    if (!u->has_stmt_list || !r->sections[SEC_LINE].data)
        return false;
    c = dwarf_cursor_at(&r->sections[SEC_LINE], u->stmt_list);
    line_unit = *u;
    line_unit.offset_size = 4;
    length = dwarf_u32(&c);
    if (length == 0xFFFFFFFFu) {
        length = dwarf_u64(&c);
        line_unit.offset_size = 8;
    }
    if (c.bad || length > (uint64_t)(c.end - c.p))
        return false;
    c.end = c.p + length;
    version = dwarf_u16(&c);
    if (version < 2 || version > 5)
        return false;
    if (version >= 5) {
        uint8_t address_size = dwarf_u8(&c);
        dwarf_u8(&c); /* segment selector size */
        if (address_size == 4 || address_size == 8)
            line_unit.address_size = address_size;
    }
    {
        uint64_t header_length = dwarf_uint(&c, line_unit.offset_size);
        if (c.bad || header_length > (uint64_t)(c.end - c.p))
            return false;
        program = c.p + header_length;
    }
    min_inst = dwarf_u8(&c);
    if (version >= 4)
        dwarf_u8(&c); /* maximum operations per instruction: 1 on our targets */
    default_is_stmt = dwarf_u8(&c);
    line_base = (int8_t)dwarf_u8(&c);
    line_range = dwarf_u8(&c);
    opcode_base = dwarf_u8(&c);
    (void)default_is_stmt;
    if (c.bad || line_range == 0 || opcode_base == 0)
        return false;
    memset(standard_lengths, 0, sizeof(standard_lengths));
    for (unsigned i = 1; i < opcode_base; i++)
        standard_lengths[i] = dwarf_u8(&c);
    if (!read_tables(r, u, &c, version, &line_unit))
        return false;

    /* the program */
    c.p = program;
    {
        uint64_t address = 0, file = 1, line = 1;
        bool in_image = true;
        uint32_t sequence_start = 0;
        while (!c.bad && c.p < c.end) {
            uint8_t op = dwarf_u8(&c);
            bool emit = false;
            if (op >= opcode_base) {
                unsigned adjusted = op - opcode_base;
                address += (uint64_t)(adjusted / line_range) * min_inst;
                line += (uint64_t)(int64_t)(line_base + (int)(adjusted % line_range));
                emit = true;
            } else if (op == 0) {
                uint64_t size = dwarf_uleb(&c);
                const uint8_t *next = c.p + (size <= (uint64_t)(c.end - c.p) ? size : 0);
                uint8_t sub;
                if (c.bad || size == 0 || size > (uint64_t)(c.end - c.p))
                    break;
                sub = dwarf_u8(&c);
                if (sub == DW_LNE_end_sequence) {
                    uint32_t rva;
                    /* the end closes the sequence's last row */
                    if (in_image && address && dwarf_rva(r, address - 1, &rva)) {
                        if (!push_row(&rows, rva + 1, 0, NULL))
                            break;
                    } else {
                        rows.count = sequence_start;
                    }
                    /* end rows have line 0 and no file: they only close */
                    address = 0;
                    file = 1;
                    line = 1;
                    in_image = true;
                    sequence_start = rows.count;
                } else if (sub == DW_LNE_set_address) {
                    address = dwarf_uint(&c, (unsigned)(size - 1) <= 8 ? (unsigned)(size - 1) : 0);
                }
                c.p = next;
                continue;
            } else {
                switch (op) {
                case DW_LNS_copy: emit = true; break;
                case DW_LNS_advance_pc: address += dwarf_uleb(&c) * min_inst; break;
                case DW_LNS_advance_line: line += (uint64_t)dwarf_sleb(&c); break;
                case DW_LNS_set_file: file = dwarf_uleb(&c); break;
                case DW_LNS_const_add_pc:
                    address += (uint64_t)((255u - opcode_base) / line_range) * min_inst;
                    break;
                case DW_LNS_fixed_advance_pc: address += dwarf_u16(&c); break;
                default:
                    /* unknown standard opcodes: skip their ULEB operands */
                    for (unsigned i = 0; i < standard_lengths[op]; i++)
                        dwarf_uleb(&c);
                    break;
                }
            }
            if (emit && in_image) {
                uint32_t rva;
                if (!dwarf_rva(r, address, &rva)) {
                    in_image = false;
                    rows.count = sequence_start;
                } else if (!push_row(&rows, rva, (uint32_t)line, dwarf_line_file(u, file))) {
                    break;
                }
            }
        }
        rows.count = sequence_start; /* an unterminated sequence is not trusted */
    }

    /* rows -> entries: each row covers up to the next row's address, within
     * its sequence; a row followed by one at the same address is hidden */
    {
        uint32_t kept = 0;
        for (uint32_t i = 0; i + 1 < rows.count; i++) {
            struct dwarf_line_entry *row = &rows.items[i], *next = &rows.items[i + 1];
            if (row->file == NULL && row->line == 0)
                continue; /* a sequence end */
            if (next->rva <= row->rva)
                continue;
            row->end = next->rva;
            if (row->line)
                rows.items[kept++] = *row;
        }
        rows.count = kept;
    }
    if (rows.count > 1)
        qsort(rows.items, rows.count, sizeof(*rows.items), compare_line);
    u->lines = rows.items;
    u->line_count = rows.count;
    return true;
}
