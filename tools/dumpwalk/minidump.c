/*
 * The defensive parse of a minidump into struct dump: the header, the stream
 * directory, and the streams the walk needs (SystemInfo, ThreadList,
 * MemoryList, Memory64List, ModuleList, Exception, ThreadNames).
 *
 * Every offset and size the dump gives is checked against the file before it
 * is used: a malformed dump is reported and rejected.
 *
 * Layouts: minidumpapiset.h (MINIDUMP_HEADER, MINIDUMP_DIRECTORY,
 * MINIDUMP_THREAD_LIST, MINIDUMP_MODULE_LIST, MINIDUMP_MEMORY_LIST,
 * MINIDUMP_MEMORY64_LIST, MINIDUMP_SYSTEM_INFO, MINIDUMP_EXCEPTION_STREAM,
 * MINIDUMP_THREAD_NAME_LIST), all packed to 4 bytes, little-endian.
 */
#include "dumpwalk.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
const uint8_t *span(const struct dump *d, uint64_t rva, uint64_t size)
{
    if (rva > d->size || size > d->size - rva)
        return NULL;
    return d->data + rva;
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
        /* MINIDUMP_MODULE.CvRecord (a MINIDUMP_LOCATION_DESCRIPTOR at 76):
         * the record naming the PDB; one outside the file is ignored, as
         * the walk does not need it */
        mod->cv_size = le32(m + 76);
        mod->cv_record = mod->cv_size ? span(d, le32(m + 80), mod->cv_size) : NULL;
        if (!mod->cv_record)
            mod->cv_size = 0;
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

int parse_minidump(struct dump *d)
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
