/*
 * dumpwalk: walks every thread of a Windows minidump with StackWalk64.
 *
 *   dumpwalk [-i IMAGE_DIR] file.dmp...
 *
 * The dump is the target: its SystemInfo stream gives the machine, its
 * thread list the contexts, its Memory and Memory64 lists the memory (served
 * by a ReadProcessMemory-like routine), its module list the modules, which
 * are registered with SymLoadModuleEx so that SymFunctionTableAccess64 and
 * SymGetModuleBase64 can serve the walk. Minidumps carry no images: with
 * -i DIR, DIR/<module file name> is loaded where it exists, and its .pdata
 * (x64, ARM64) drives the unwind; without it only what the dump's memory
 * holds is available.
 *
 * Every offset and size the dump gives is checked against the file before it
 * is used: a malformed dump is reported and skipped (exit status 1).
 *
 * Layouts: minidumpapiset.h (MINIDUMP_HEADER, MINIDUMP_DIRECTORY,
 * MINIDUMP_THREAD_LIST, MINIDUMP_MODULE_LIST, MINIDUMP_MEMORY_LIST,
 * MINIDUMP_MEMORY64_LIST, MINIDUMP_SYSTEM_INFO, MINIDUMP_EXCEPTION_STREAM,
 * MINIDUMP_THREAD_NAME_LIST), all packed to 4 bytes, little-endian.
 */
#include <dbgwalk.h>

#include <dirent.h> /* _POSIX_C_SOURCE from CMake */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define FRAME_LIMIT 1024u

enum {
    MINIDUMP_SIGNATURE = 0x504D444D, /* "MDMP" */
    MINIDUMP_VERSION = 0xA793,       /* the low word of Version */
    HEADER_SIZE = 32,
    DIRECTORY_ENTRY_SIZE = 12,
    THREAD_SIZE = 48,
    MODULE_SIZE = 108,
    MEMORY_DESCRIPTOR_SIZE = 16,
    MEMORY_DESCRIPTOR64_SIZE = 16,
    THREAD_NAME_SIZE = 12,
    SYSTEM_INFO_MIN_SIZE = 24,
    EXCEPTION_STREAM_SIZE = 168,

    THREAD_LIST_STREAM = 3,
    MODULE_LIST_STREAM = 4,
    MEMORY_LIST_STREAM = 5,
    EXCEPTION_STREAM = 6,
    SYSTEM_INFO_STREAM = 7,
    MEMORY64_LIST_STREAM = 9,
    THREAD_NAMES_STREAM = 24,

    PROCESSOR_ARCHITECTURE_INTEL = 0,
    PROCESSOR_ARCHITECTURE_AMD64 = 9,
    PROCESSOR_ARCHITECTURE_ARM64 = 12,
};

struct region {
    uint64_t base, size;
    const uint8_t *bytes;
    uint64_t max_end; /* the highest end among this region and those sorted before it */
};

struct module {
    uint64_t base;
    uint32_t size;
    char path[512];     /* as the dump names it */
    const char *file;   /* its last component, inside path */
    char name[64];      /* the file name without its extension, as DbgHelp names modules */
    char image[1024];   /* the image loaded for it, or "" */
    uint8_t *file_bytes; /* that image's file, which serves the reads the dump cannot */
    size_t file_size;
    uint32_t headers_size;
    const uint8_t *sections; /* IMAGE_SECTION_HEADERs, inside file_bytes */
    uint32_t section_count;
};

struct thread {
    uint32_t id;
    uint64_t context_rva;
    uint32_t context_size;
    char name[64];
};

struct dump {
    const char *path;
    const uint8_t *data;
    size_t size;

    uint16_t architecture;
    DWORD machine;
    const char *machine_name;
    size_t context_size; /* what StackWalk64 takes for this machine */
    unsigned pointer_digits;

    struct region *regions;
    size_t region_count;
    struct module *modules;
    size_t module_count;
    struct thread *threads;
    size_t thread_count;

    int has_exception;
    uint32_t exception_thread, exception_code;
    uint64_t exception_address;
    struct thread exception_context;

    unsigned long long reads;       /* read callbacks of the walk in progress */
    unsigned long long image_bytes; /* bytes of those reads served from images */
};

/* The context StackWalk64 unwinds in place: the largest of the three
 * layouts, with the alignment CONTEXT asks for. */
union context {
    CONTEXT x64;
    WOW64_CONTEXT x86;
    ARM64_NT_CONTEXT arm64;
};

/* ---- reading the file ---- */

static int malformed(const struct dump *d, const char *format, ...)
{
    va_list args;

    fprintf(stderr, "dumpwalk: %s: malformed minidump: ", d->path);
    va_start(args, format);
    vfprintf(stderr, format, args);
    va_end(args);
    fputc('\n', stderr);
    return 0;
}

/* [rva, rva + size) of the file, or NULL when it does not lie inside it. */
static const uint8_t *span(const struct dump *d, uint64_t rva, uint64_t size)
{
    if (rva > d->size || size > d->size - rva)
        return NULL;
    return d->data + rva;
}

static uint16_t le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
           ((uint32_t)p[3] << 24);
}

static uint64_t le64(const uint8_t *p)
{
    return (uint64_t)le32(p) | ((uint64_t)le32(p + 4) << 32);
}

/* A MINIDUMP_STRING (ULONG32 byte length, UTF-16LE) as UTF-8, truncated to
 * fit; 0 when it does not lie inside the file. */
static int read_string(const struct dump *d, uint64_t rva, char *out, size_t out_size)
{
    const uint8_t *p = span(d, rva, 4), *text;
    uint32_t length;
    size_t n = 0;

    out[0] = '\0';
    if (!p)
        return 0;
    length = le32(p) & ~1u;
    text = span(d, rva + 4, length);
    if (!text)
        return 0;
    for (uint32_t i = 0; i < length; i += 2) {
        uint32_t c = le16(text + i);
        char utf8[4];
        size_t bytes;
        if (c >= 0xD800 && c < 0xDC00 && i + 2 < length && le16(text + i + 2) >= 0xDC00 &&
            le16(text + i + 2) < 0xE000) {
            c = 0x10000 + ((c - 0xD800) << 10) + (le16(text + i + 2) - 0xDC00u);
            i += 2;
        } else if (c >= 0xD800 && c < 0xE000) {
            c = '?';
        }
        if (c < 0x80) {
            utf8[0] = (char)c;
            bytes = 1;
        } else if (c < 0x800) {
            utf8[0] = (char)(0xC0 | (c >> 6));
            utf8[1] = (char)(0x80 | (c & 0x3F));
            bytes = 2;
        } else if (c < 0x10000) {
            utf8[0] = (char)(0xE0 | (c >> 12));
            utf8[1] = (char)(0x80 | ((c >> 6) & 0x3F));
            utf8[2] = (char)(0x80 | (c & 0x3F));
            bytes = 3;
        } else {
            utf8[0] = (char)(0xF0 | (c >> 18));
            utf8[1] = (char)(0x80 | ((c >> 12) & 0x3F));
            utf8[2] = (char)(0x80 | ((c >> 6) & 0x3F));
            utf8[3] = (char)(0x80 | (c & 0x3F));
            bytes = 4;
        }
        if (c == 0 || n + bytes >= out_size)
            break;
        memcpy(out + n, utf8, bytes);
        n += bytes;
    }
    out[n] = '\0';
    return 1;
}

struct stream {
    uint32_t rva, size;
    int present;
};

/* Where a list stream's entries start: after its count, or after the count
 * and 4 bytes of padding, which some writers insert to align the entries. */
static const uint8_t *list_entries(const struct dump *d, const struct stream *s,
                                   unsigned count_bytes, uint64_t count, unsigned entry_size,
                                   const char *what)
{
    uint64_t need = (uint64_t)count * entry_size, skip = count_bytes;

    if (count > s->size / entry_size + 1 || need > (uint64_t)s->size - count_bytes) {
        malformed(d, "%s: %llu entries do not fit in its %u bytes", what,
                  (unsigned long long)count, s->size);
        return NULL;
    }
    if (count_bytes == 4 && (uint64_t)s->size == 8 + need)
        skip = 8;
    return d->data + s->rva + skip; /* the stream lies inside the file */
}

static int compare_regions(const void *a, const void *b)
{
    const struct region *x = a, *y = b;
    return x->base < y->base ? -1 : x->base > y->base;
}

static int add_region(struct dump *d, size_t *capacity, uint64_t base, uint64_t size,
                      const uint8_t *bytes)
{
    if (size == 0)
        return 1;
    if (base + size < base) {
        malformed(d, "memory range at 0x%llx wraps around the address space",
                  (unsigned long long)base);
        return 0;
    }
    if (d->region_count == *capacity) {
        size_t grown = *capacity ? *capacity * 2 : 16;
        struct region *r = realloc(d->regions, grown * sizeof(*r));
        if (!r) {
            fprintf(stderr, "dumpwalk: %s: out of memory\n", d->path);
            return 0;
        }
        d->regions = r;
        *capacity = grown;
    }
    d->regions[d->region_count].base = base;
    d->regions[d->region_count].size = size;
    d->regions[d->region_count].bytes = bytes;
    d->region_count++;
    return 1;
}

static int parse_system_info(struct dump *d, const struct stream *s)
{
    if (!s->present)
        return malformed(d, "no SystemInfo stream: the machine is unknown");
    if (s->size < SYSTEM_INFO_MIN_SIZE)
        return malformed(d, "SystemInfo stream of %u bytes", s->size);
    d->architecture = le16(d->data + s->rva);
    switch (d->architecture) {
    case PROCESSOR_ARCHITECTURE_INTEL:
        d->machine = IMAGE_FILE_MACHINE_I386;
        d->machine_name = "x86";
        d->context_size = sizeof(WOW64_CONTEXT);
        d->pointer_digits = 8;
        return 1;
    case PROCESSOR_ARCHITECTURE_AMD64:
        d->machine = IMAGE_FILE_MACHINE_AMD64;
        d->machine_name = "x64";
        d->context_size = sizeof(CONTEXT);
        d->pointer_digits = 16;
        return 1;
    case PROCESSOR_ARCHITECTURE_ARM64:
        d->machine = IMAGE_FILE_MACHINE_ARM64;
        d->machine_name = "ARM64";
        d->context_size = sizeof(ARM64_NT_CONTEXT);
        d->pointer_digits = 16;
        return 1;
    default:
        fprintf(stderr, "dumpwalk: %s: processor architecture %u is not supported\n", d->path,
                d->architecture);
        return 0;
    }
}

static int parse_threads(struct dump *d, const struct stream *s)
{
    const uint8_t *entries;
    uint32_t count;

    if (!s->present)
        return malformed(d, "no ThreadList stream");
    if (s->size < 4)
        return malformed(d, "ThreadList stream of %u bytes", s->size);
    count = le32(d->data + s->rva);
    entries = list_entries(d, s, 4, count, THREAD_SIZE, "ThreadList");
    if (!entries)
        return 0;
    d->threads = calloc(count ? count : 1, sizeof(*d->threads));
    if (!d->threads)
        return malformed(d, "out of memory for %u threads", count);
    d->thread_count = count;
    for (uint32_t i = 0; i < count; i++) {
        const uint8_t *t = entries + (size_t)i * THREAD_SIZE;
        struct thread *th = &d->threads[i];
        uint32_t stack_size = le32(t + 32), stack_rva = le32(t + 36);
        th->id = le32(t);
        th->context_size = le32(t + 40);
        th->context_rva = le32(t + 44);
        if (!span(d, th->context_rva, th->context_size))
            return malformed(d, "thread %u (id 0x%x): context (%u bytes at 0x%llx) outside the file",
                             i, th->id, th->context_size, (unsigned long long)th->context_rva);
        if (stack_size != 0 && !span(d, stack_rva, stack_size))
            return malformed(d, "thread %u (id 0x%x): stack (%u bytes at 0x%x) outside the file", i,
                             th->id, stack_size, stack_rva);
    }
    return 1;
}

/* The stacks as the thread list gives them: the same bytes as the memory
 * list's in dumps that have one, the only copy in some that have not. */
static int add_thread_stacks(struct dump *d, const struct stream *s, size_t *capacity)
{
    const uint8_t *entries = list_entries(d, s, 4, d->thread_count, THREAD_SIZE, "ThreadList");

    for (size_t i = 0; entries && i < d->thread_count; i++) {
        const uint8_t *t = entries + i * THREAD_SIZE;
        uint32_t size = le32(t + 32), rva = le32(t + 36);
        if (size != 0 && rva != 0 && !add_region(d, capacity, le64(t + 24), size, d->data + rva))
            return 0;
    }
    return entries != NULL;
}

static int parse_memory(struct dump *d, const struct stream *list, const struct stream *list64,
                        const struct stream *threads)
{
    size_t capacity = 0;

    if (list->present) {
        const uint8_t *entries;
        uint32_t count;
        if (list->size < 4)
            return malformed(d, "MemoryList stream of %u bytes", list->size);
        count = le32(d->data + list->rva);
        entries = list_entries(d, list, 4, count, MEMORY_DESCRIPTOR_SIZE, "MemoryList");
        if (!entries)
            return 0;
        for (uint32_t i = 0; i < count; i++) {
            const uint8_t *m = entries + (size_t)i * MEMORY_DESCRIPTOR_SIZE;
            uint64_t base = le64(m);
            uint32_t size = le32(m + 8), rva = le32(m + 12);
            const uint8_t *bytes = span(d, rva, size);
            if (!bytes)
                return malformed(d, "MemoryList range %u (0x%llx, %u bytes) lies outside the file",
                                 i, (unsigned long long)base, size);
            if (!add_region(d, &capacity, base, size, bytes))
                return 0;
        }
    }
    if (list64->present) {
        const uint8_t *entries;
        uint64_t count, rva;
        if (list64->size < 16)
            return malformed(d, "Memory64List stream of %u bytes", list64->size);
        count = le64(d->data + list64->rva);
        rva = le64(d->data + list64->rva + 8);
        entries = list_entries(d, list64, 16, count, MEMORY_DESCRIPTOR64_SIZE, "Memory64List");
        if (!entries)
            return 0;
        /* The ranges' bytes follow each other from BaseRva on. */
        for (uint64_t i = 0; i < count; i++) {
            const uint8_t *m = entries + i * MEMORY_DESCRIPTOR64_SIZE;
            uint64_t base = le64(m), size = le64(m + 8);
            const uint8_t *bytes = span(d, rva, size);
            if (!bytes)
                return malformed(d,
                                 "Memory64List range %llu (0x%llx, %llu bytes) lies outside the file",
                                 (unsigned long long)i, (unsigned long long)base,
                                 (unsigned long long)size);
            if (!add_region(d, &capacity, base, size, bytes))
                return 0;
            rva += size;
        }
    }
    if (!add_thread_stacks(d, threads, &capacity))
        return 0;
    if (d->region_count) {
        qsort(d->regions, d->region_count, sizeof(*d->regions), compare_regions);
        for (size_t i = 0; i < d->region_count; i++) {
            uint64_t end = d->regions[i].base + d->regions[i].size;
            d->regions[i].max_end = i && d->regions[i - 1].max_end > end ? d->regions[i - 1].max_end
                                                                         : end;
        }
    }
    return 1;
}

static int parse_modules(struct dump *d, const struct stream *s)
{
    const uint8_t *entries;
    uint32_t count;

    if (!s->present)
        return 1; /* no modules: the walk has only the dump's memory */
    if (s->size < 4)
        return malformed(d, "ModuleList stream of %u bytes", s->size);
    count = le32(d->data + s->rva);
    entries = list_entries(d, s, 4, count, MODULE_SIZE, "ModuleList");
    if (!entries)
        return 0;
    d->modules = calloc(count ? count : 1, sizeof(*d->modules));
    if (!d->modules)
        return malformed(d, "out of memory for %u modules", count);
    d->module_count = count;
    for (uint32_t i = 0; i < count; i++) {
        const uint8_t *m = entries + (size_t)i * MODULE_SIZE;
        struct module *mod = &d->modules[i];
        char *dot;
        mod->base = le64(m);
        mod->size = le32(m + 8);
        if (!read_string(d, le32(m + 20), mod->path, sizeof(mod->path)))
            return malformed(d, "module %u (base 0x%llx): name outside the file", i,
                             (unsigned long long)mod->base);
        mod->file = mod->path;
        for (const char *p = mod->path; *p; p++)
            if (*p == '\\' || *p == '/')
                mod->file = p + 1;
        snprintf(mod->name, sizeof(mod->name), "%s", mod->file);
        dot = strrchr(mod->name, '.');
        if (dot && dot != mod->name)
            *dot = '\0';
        if (!mod->name[0])
            snprintf(mod->name, sizeof(mod->name), "module%u", i);
    }
    return 1;
}

static int parse_exception(struct dump *d, const struct stream *s)
{
    const uint8_t *e;

    if (!s->present)
        return 1;
    if (s->size < EXCEPTION_STREAM_SIZE)
        return malformed(d, "Exception stream of %u bytes", s->size);
    e = d->data + s->rva;
    d->has_exception = 1;
    d->exception_thread = le32(e);
    d->exception_code = le32(e + 8);
    d->exception_address = le64(e + 24);
    d->exception_context.id = d->exception_thread;
    d->exception_context.context_size = le32(e + 160);
    d->exception_context.context_rva = le32(e + 164);
    if (!span(d, d->exception_context.context_rva, d->exception_context.context_size))
        return malformed(d, "Exception stream: context (%u bytes at 0x%llx) outside the file",
                         d->exception_context.context_size,
                         (unsigned long long)d->exception_context.context_rva);
    return 1;
}

/* Names are a convenience: a bad entry is skipped, not fatal. */
static void parse_thread_names(struct dump *d, const struct stream *s)
{
    const uint8_t *entries;
    uint32_t count;

    if (!s->present || s->size < 4)
        return;
    count = le32(d->data + s->rva);
    if (count > (s->size - 4) / THREAD_NAME_SIZE)
        return;
    entries = d->data + s->rva + 4;
    for (uint32_t i = 0; i < count; i++) {
        const uint8_t *n = entries + (size_t)i * THREAD_NAME_SIZE;
        uint32_t id = le32(n);
        for (size_t t = 0; t < d->thread_count; t++)
            if (d->threads[t].id == id)
                read_string(d, le64(n + 4), d->threads[t].name, sizeof(d->threads[t].name));
    }
}

static int parse(struct dump *d)
{
    struct stream threads = {0}, modules = {0}, memory = {0}, memory64 = {0}, exception = {0},
                  system_info = {0}, names = {0};
    const uint8_t *header = span(d, 0, HEADER_SIZE), *directory;
    uint32_t stream_count, directory_rva;

    if (!header || le32(header) != MINIDUMP_SIGNATURE) {
        fprintf(stderr, "dumpwalk: %s: not a minidump (no MDMP header)\n", d->path);
        return 0;
    }
    if ((le32(header + 4) & 0xFFFF) != MINIDUMP_VERSION)
        fprintf(stderr, "dumpwalk: %s: warning: minidump version 0x%x\n", d->path,
                le32(header + 4));
    stream_count = le32(header + 8);
    directory_rva = le32(header + 12);
    directory = span(d, directory_rva, (uint64_t)stream_count * DIRECTORY_ENTRY_SIZE);
    if (!directory)
        return malformed(d, "stream directory (%u entries at 0x%x) outside the file",
                         stream_count, directory_rva);

    for (uint32_t i = 0; i < stream_count; i++) {
        const uint8_t *entry = directory + (size_t)i * DIRECTORY_ENTRY_SIZE;
        uint32_t type = le32(entry), size = le32(entry + 4), rva = le32(entry + 8);
        struct stream *s;
        switch (type) {
        case THREAD_LIST_STREAM: s = &threads; break;
        case MODULE_LIST_STREAM: s = &modules; break;
        case MEMORY_LIST_STREAM: s = &memory; break;
        case EXCEPTION_STREAM: s = &exception; break;
        case SYSTEM_INFO_STREAM: s = &system_info; break;
        case MEMORY64_LIST_STREAM: s = &memory64; break;
        case THREAD_NAMES_STREAM: s = &names; break;
        default: continue; /* streams we do not read are not checked */
        }
        if (s->present) {
            fprintf(stderr, "dumpwalk: %s: warning: second stream of type %u ignored\n", d->path,
                    type);
            continue;
        }
        if (!span(d, rva, size))
            return malformed(d, "stream %u (type %u, %u bytes at 0x%x) outside the file", i,
                             type, size, rva);
        s->rva = rva;
        s->size = size;
        s->present = 1;
    }
    if (!parse_system_info(d, &system_info) || !parse_threads(d, &threads) ||
        !parse_memory(d, &memory, &memory64, &threads) || !parse_modules(d, &modules) ||
        !parse_exception(d, &exception))
        return 0;
    parse_thread_names(d, &names);
    return 1;
}

/* ---- the target: memory and modules ---- */

static const struct region *region_at(const struct dump *d, uint64_t address)
{
    size_t low = 0, high = d->region_count;

    /* the last region starting at or below address, then back over the
     * ones that might still reach it (overlaps are rare) */
    while (low < high) {
        size_t mid = low + (high - low) / 2;
        if (d->regions[mid].base <= address)
            low = mid + 1;
        else
            high = mid;
    }
    while (low-- > 0) {
        const struct region *r = &d->regions[low];
        if (r->max_end <= address)
            break;
        if (address - r->base < r->size)
            return r;
    }
    return NULL;
}

static const struct module *module_at(const struct dump *d, uint64_t address)
{
    for (size_t i = 0; i < d->module_count; i++)
        if (address >= d->modules[i].base && address - d->modules[i].base < d->modules[i].size)
            return &d->modules[i];
    return NULL;
}

/* The section table of an image file (PE/COFF), checked against the file;
 * 0 when it is not an image we can map. */
static int map_image(struct module *m)
{
    const uint8_t *f = m->file_bytes;
    size_t size = m->file_size;
    uint32_t pe, optional_size, sections;

    if (size < 0x40 || f[0] != 'M' || f[1] != 'Z')
        return 0;
    pe = le32(f + 0x3C);
    if (pe > size || size - pe < 24 || memcmp(f + pe, "PE\0\0", 4) != 0)
        return 0;
    m->section_count = le16(f + pe + 6);
    optional_size = le16(f + pe + 20);
    sections = pe + 24 + optional_size;
    if (optional_size < 64 || sections > size ||
        (size - sections) / 40 < m->section_count)
        return 0;
    m->headers_size = le32(f + pe + 24 + 60);
    if (m->headers_size > size)
        m->headers_size = (uint32_t)size;
    m->sections = f + sections;
    return 1;
}

/* The image's bytes at `rva` as the loader maps them: a pointer to up to
 * *length of them in the file, or NULL with *length zero-filled bytes (the
 * part of a section beyond its raw data); *length 0 outside the image. */
static const uint8_t *image_bytes(const struct module *m, uint32_t rva, uint64_t *length)
{
    *length = 0;
    if (rva < m->headers_size) {
        *length = m->headers_size - rva;
        return m->file_bytes + rva;
    }
    for (uint32_t i = 0; i < m->section_count; i++) {
        const uint8_t *s = m->sections + (size_t)i * 40;
        uint32_t virtual_size = le32(s + 8), va = le32(s + 12), raw_size = le32(s + 16),
                 raw = le32(s + 20), extent = virtual_size > raw_size ? virtual_size : raw_size;
        uint64_t offset = (uint64_t)rva - va;
        if (rva < va || offset >= extent)
            continue;
        if (raw <= m->file_size && offset < raw_size && offset < m->file_size - raw) {
            uint64_t in_file = m->file_size - raw - offset;
            *length = raw_size - offset < in_file ? raw_size - offset : in_file;
            return m->file_bytes + raw + offset;
        }
        *length = extent - offset;
        return NULL;
    }
    return NULL;
}

/* Like ReadProcessMemory: FALSE with the count of what could be read. The
 * dump's memory first; where it has none, the module images given with -i. */
static BOOL WINAPI read_memory(HANDLE process, DWORD64 address, PVOID buffer, DWORD size,
                               LPDWORD bytes_read)
{
    struct dump *d = process;
    DWORD done = 0;

    d->reads++;
    while (done < size && address + done >= address) {
        uint64_t at = address + done, n;
        const struct region *r = region_at(d, at);
        const struct module *m;
        const uint8_t *from;
        if (r) {
            from = r->bytes + (at - r->base);
            n = r->size - (at - r->base);
        } else if ((m = module_at(d, at)) != NULL && m->file_bytes) {
            from = image_bytes(m, (uint32_t)(at - m->base), &n);
            if (n > m->size - (at - m->base))
                n = m->size - (at - m->base);
            if (n == 0)
                break;
            if (n > size - done)
                n = size - done;
            d->image_bytes += n;
        } else {
            break;
        }
        if (n > size - done)
            n = size - done;
        if (from)
            memcpy((uint8_t *)buffer + done, from, (size_t)n);
        else
            memset((uint8_t *)buffer + done, 0, (size_t)n);
        done += (DWORD)n;
    }
    if (bytes_read)
        *bytes_read = done;
    return done == size;
}

static uint8_t *read_file(const char *path, size_t *size);

/* DIR/<file>, or a file in DIR whose name differs only in case. */
static int find_image(const char *dir, const char *file, char *out, size_t out_size)
{
    FILE *f;
    DIR *listing;
    struct dirent *entry;
    int found = 0;

    if (!file[0] || (size_t)snprintf(out, out_size, "%s/%s", dir, file) >= out_size)
        return 0;
    if ((f = fopen(out, "rb")) != NULL) {
        fclose(f);
        return 1;
    }
    listing = opendir(dir);
    if (!listing)
        return 0;
    while (!found && (entry = readdir(listing)) != NULL) {
        if (strcasecmp(entry->d_name, file) != 0 ||
            (size_t)snprintf(out, out_size, "%s/%s", dir, entry->d_name) >= out_size)
            continue;
        if ((f = fopen(out, "rb")) != NULL) {
            fclose(f);
            found = 1;
        }
    }
    closedir(listing);
    return found;
}

static void register_modules(struct dump *d, const char *image_dir)
{
    unsigned images = 0;

    for (size_t i = 0; i < d->module_count; i++) {
        struct module *m = &d->modules[i];
        char path[1024];
        DWORD64 base = 0;
        if (image_dir && find_image(image_dir, m->file, path, sizeof(path))) {
            base = SymLoadModuleEx(d, NULL, path, m->name, m->base, m->size, NULL, 0);
            if (base) {
                snprintf(m->image, sizeof(m->image), "%s", path);
                images++;
                /* The walker reads unwind data (.xdata) and code through the
                 * read routine: the image file supplies what the dump lacks. */
                m->file_bytes = read_file(path, &m->file_size);
                if (m->file_bytes && !map_image(m)) {
                    free(m->file_bytes);
                    m->file_bytes = NULL;
                }
            } else {
                fprintf(stderr, "dumpwalk: %s: warning: %s: not loadable (error %u), using the "
                        "dump's memory\n", d->path, path, (unsigned)GetLastError());
            }
        }
        if (!base)
            base = SymLoadModuleEx(d, NULL, NULL, m->name, m->base, m->size, NULL, 0);
        if (!base)
            fprintf(stderr, "dumpwalk: %s: warning: module %s at 0x%llx (0x%x bytes) not "
                    "registered (error %u)\n", d->path, m->path, (unsigned long long)m->base,
                    m->size, (unsigned)GetLastError());
    }
    if (image_dir)
        printf("  images: %u of %zu modules found in %s\n", images, d->module_count, image_dir);
}

/* ---- walking ---- */

/* The registers the walk starts from and the frame's seed. */
static void context_registers(const struct dump *d, const union context *c, uint64_t *pc,
                              uint64_t *sp, uint64_t *fp)
{
    switch (d->machine) {
    case IMAGE_FILE_MACHINE_I386:
        *pc = c->x86.Eip, *sp = c->x86.Esp, *fp = c->x86.Ebp;
        break;
    case IMAGE_FILE_MACHINE_AMD64:
        *pc = c->x64.Rip, *sp = c->x64.Rsp, *fp = c->x64.Rbp;
        break;
    default:
        *pc = c->arm64.Pc, *sp = c->arm64.Sp, *fp = c->arm64.Fp;
        break;
    }
}

static uint32_t context_flags(const struct dump *d, const union context *c)
{
    return d->machine == IMAGE_FILE_MACHINE_I386    ? c->x86.ContextFlags
           : d->machine == IMAGE_FILE_MACHINE_AMD64 ? c->x64.ContextFlags
                                                    : c->arm64.ContextFlags;
}

/* The smallest dumped context that holds PC, SP and the frame pointer. */
static size_t context_minimum(const struct dump *d)
{
    return d->machine == IMAGE_FILE_MACHINE_I386    ? offsetof(WOW64_CONTEXT, SegSs)
           : d->machine == IMAGE_FILE_MACHINE_AMD64 ? offsetof(CONTEXT, Rip) + 8
                                                    : offsetof(ARM64_NT_CONTEXT, Pc) + 8;
}

static uint32_t context_architecture_flag(const struct dump *d)
{
    return d->machine == IMAGE_FILE_MACHINE_I386    ? WOW64_CONTEXT_i386
           : d->machine == IMAGE_FILE_MACHINE_AMD64 ? CONTEXT_AMD64
                                                    : CONTEXT_ARM64;
}

/* The module name of an address: the symbol handler's, else the dump's. */
static void describe_address(const struct dump *d, uint64_t address, char *out, size_t out_size)
{
    IMAGEHLP_MODULE64 info;
    const struct module *m = module_at(d, address);

    memset(&info, 0, sizeof(info));
    info.SizeOfStruct = sizeof(info);
    if (SymGetModuleInfo64((HANDLE)d, address, &info) && info.ModuleName[0])
        snprintf(out, out_size, "%s+0x%llx", info.ModuleName,
                 (unsigned long long)(address - info.BaseOfImage));
    else if (m)
        snprintf(out, out_size, "%s+0x%llx", m->name, (unsigned long long)(address - m->base));
    else
        snprintf(out, out_size, "?");
}

static int read_pointer(struct dump *d, uint64_t address, unsigned size, uint64_t *value)
{
    uint8_t bytes[8];
    DWORD got = 0;
    unsigned long long reads = d->reads, from_images = d->image_bytes;
    BOOL ok = read_memory(d, address, bytes, size, &got);

    d->reads = reads; /* our own look, not the walk's */
    d->image_bytes = from_images;
    *value = ok ? (size == 4 ? le32(bytes) : le64(bytes)) : 0;
    return ok;
}

static void print_word(struct dump *d, const char *name, uint64_t address, unsigned size)
{
    uint64_t value;

    if (read_pointer(d, address, size, &value))
        printf("%s = 0x%llx", name, (unsigned long long)value);
    else
        printf("%s not in the dump", name);
}

/* Why the walk could not find the last frame's caller, as far as the dump
 * tells: StackWalk64 itself only says FALSE. */
static void explain_end(struct dump *d, const STACKFRAME64 *last, const union context *c)
{
    uint64_t pc = last->AddrPC.Offset, sp = last->AddrStack.Offset;
    const struct module *m = module_at(d, pc);

    printf("no caller for pc 0x%llx (", (unsigned long long)pc);
    if (!m)
        printf("in no module");
    else
        printf("%s, %s, %s unwind data", m->name, m->image[0] ? "image loaded" : "no image",
               last->FuncTableEntry ? "with" : "without");
    printf("): ");
    if (d->machine == IMAGE_FILE_MACHINE_I386) {
        uint32_t ebp = c->x86.Ebp;
        printf("ebp 0x%x", ebp);
        if (ebp < (uint32_t)sp) {
            printf(" is below esp 0x%llx", (unsigned long long)sp);
        } else {
            printf(", ");
            print_word(d, "[ebp]", ebp, 4);
            printf(", ");
            print_word(d, "[ebp+4]", (uint64_t)ebp + 4, 4);
        }
    } else if (!last->FuncTableEntry) {
        if (d->machine == IMAGE_FILE_MACHINE_AMD64)
            print_word(d, "leaf rule: [rsp]", sp, 8);
        else
            printf("leaf rule: lr = 0x%llx", (unsigned long long)c->arm64.Lr);
    } else if (d->machine == IMAGE_FILE_MACHINE_AMD64 && m) {
        /* the entry stays valid until the module is unloaded */
        uint32_t unwind = le32((const uint8_t *)last->FuncTableEntry + 8) & ~1u;
        uint64_t at = m->base + unwind, header, slot;
        int whole = read_pointer(d, at, 4, &header);
        /* the header, then its CountOfCodes 2-byte slots */
        for (uint64_t i = 0; whole && i < ((header >> 16) & 0xFF); i += 2)
            whole = read_pointer(d, at + 4 + 2 * i, 4, &slot);
        printf("its UNWIND_INFO at 0x%llx is %s", (unsigned long long)at,
               whole ? "readable: the unwind stopped there"
                     : "not (wholly) in the dump: the image's bytes are needed");
    } else {
        printf("its unwind data did not give a caller");
    }
}

/* One walk from `thread`'s context; returns the frame count. */
static unsigned walk(struct dump *d, const struct thread *thread, const char *title)
{
    union context context;
    STACKFRAME64 frame, last;
    uint64_t pc, sp, fp;
    unsigned frames = 0;
    size_t copy = thread->context_size;
    const uint8_t *bytes = span(d, thread->context_rva, copy);
    DWORD error = 0;
    int digits = (int)d->pointer_digits;

    printf("%s\n", title);
    if (!bytes || copy < context_minimum(d)) {
        printf("  context of %u bytes: too small for a %s context, not walked\n",
               thread->context_size, d->machine_name);
        return 0;
    }
    /* An x64 context may be shorter than CONTEXT (older writers) or longer
     * (CONTEXT_EX and the XSAVE area follow it): the CONTEXT part, zero-filled. */
    memset(&context, 0, sizeof(context));
    if (copy > d->context_size)
        copy = d->context_size;
    memcpy(&context, bytes, copy);
    if ((context_flags(d, &context) & context_architecture_flag(d)) == 0)
        printf("  warning: ContextFlags 0x%x lack the %s flag 0x%x\n",
               context_flags(d, &context), d->machine_name, context_architecture_flag(d));

    context_registers(d, &context, &pc, &sp, &fp);
    memset(&frame, 0, sizeof(frame));
    memset(&last, 0, sizeof(last));
    frame.AddrPC.Offset = pc;
    frame.AddrStack.Offset = sp;
    frame.AddrFrame.Offset = fp;
    frame.AddrPC.Mode = frame.AddrStack.Mode = frame.AddrFrame.Mode = AddrModeFlat;
    d->reads = 0;
    d->image_bytes = 0;

    while (frames < FRAME_LIMIT) {
        char where[128];
        SetLastError(0);
        if (!StackWalk64(d->machine, (HANDLE)d, NULL, &frame, &context, read_memory,
                         SymFunctionTableAccess64, SymGetModuleBase64, NULL)) {
            error = GetLastError();
            break;
        }
        describe_address(d, frame.AddrPC.Offset, where, sizeof(where));
        printf("  #%-4u pc %0*llx  sp %0*llx  %s\n", frames, digits,
               (unsigned long long)frame.AddrPC.Offset, digits,
               (unsigned long long)frame.AddrStack.Offset, where);
        last = frame;
        frames++;
    }
    printf("  %u frame%s, %llu read callbacks", frames, frames == 1 ? "" : "s", d->reads);
    if (d->image_bytes)
        printf(" (%llu bytes from images)", d->image_bytes);
    printf("; end: ");
    if (frames == FRAME_LIMIT)
        printf("stopped at the limit of %u frames", FRAME_LIMIT);
    else if (error)
        printf("StackWalk64 failed, error %u", (unsigned)error);
    else if (frames == 0)
        printf("StackWalk64 reported no frame");
    else if (last.AddrReturn.Offset == 0)
        explain_end(d, &last, &context);
    else
        printf("the caller at 0x%llx was rejected (its stack pointer did not move up)",
               (unsigned long long)last.AddrReturn.Offset);
    printf("\n");
    return frames;
}

static const char *exception_name(uint32_t code)
{
    switch (code) {
    case 0x80000003: return "breakpoint";
    case 0xC0000005: return "access violation";
    case 0xC000000D: return "invalid parameter";
    case 0xC00000FD: return "stack overflow";
    case 0xC0000409: return "fast fail / stack buffer overrun";
    case 0xC0000374: return "heap corruption";
    case 0xE06D7363: return "C++ exception";
    default: return "";
    }
}

static int walk_dump(struct dump *d, const char *image_dir)
{
    uint64_t memory = 0;
    int ok = 1;

    for (size_t i = 0; i < d->region_count; i++)
        memory += d->regions[i].size;
    printf("%s: %s (machine 0x%x), %zu threads, %zu modules, %zu memory ranges (%llu bytes)\n",
           d->path, d->machine_name, (unsigned)d->machine, d->thread_count, d->module_count,
           d->region_count, (unsigned long long)memory);
    if (!SymInitialize((HANDLE)d, NULL, FALSE)) {
        fprintf(stderr, "dumpwalk: %s: SymInitialize failed (error %u)\n", d->path,
                (unsigned)GetLastError());
        return 0;
    }
    register_modules(d, image_dir);

    for (size_t i = 0; i < d->thread_count; i++) {
        char title[160];
        const struct thread *t = &d->threads[i];
        snprintf(title, sizeof(title), "thread %zu (id 0x%x%s%s%s)", i, t->id,
                 t->name[0] ? ", \"" : "", t->name, t->name[0] ? "\"" : "");
        if (walk(d, t, title) == 0)
            ok = 0;
    }
    if (d->has_exception) {
        char title[160];
        const char *name = exception_name(d->exception_code);
        snprintf(title, sizeof(title), "exception (thread id 0x%x, code 0x%08x%s%s, at 0x%llx)",
                 d->exception_thread, d->exception_code, name[0] ? " " : "", name,
                 (unsigned long long)d->exception_address);
        if (walk(d, &d->exception_context, title) == 0)
            ok = 0;
    }
    SymCleanup((HANDLE)d);
    return ok;
}

static uint8_t *read_file(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    uint8_t *data = NULL;
    long length;

    if (!f)
        return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (length = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
        (data = malloc((size_t)length + 1)) != NULL &&
        fread(data, 1, (size_t)length, f) != (size_t)length) {
        free(data);
        data = NULL;
    }
    if (data)
        *size = (size_t)length;
    fclose(f);
    return data;
}

int main(int argc, char **argv)
{
    const char *image_dir = NULL;
    int failures = 0, files = 0;

    for (int i = 1; i < argc; i++) {
        struct dump d;
        uint8_t *data;

        if (strcmp(argv[i], "-i") == 0 && i + 1 < argc) {
            image_dir = argv[++i];
            continue;
        }
        files++;
        memset(&d, 0, sizeof(d));
        d.path = argv[i];
        data = read_file(argv[i], &d.size);
        if (!data) {
            fprintf(stderr, "dumpwalk: %s: cannot read\n", argv[i]);
            failures++;
            continue;
        }
        d.data = data;
        if (!parse(&d) || !walk_dump(&d, image_dir))
            failures++;
        for (size_t m = 0; m < d.module_count; m++)
            free(d.modules[m].file_bytes);
        free(d.regions);
        free(d.modules);
        free(d.threads);
        free(data);
        fflush(stdout);
    }
    if (files == 0) {
        fprintf(stderr, "usage: %s [-i IMAGE_DIR] file.dmp...\n", argv[0]);
        return 2;
    }
    return failures ? 1 : 0;
}
