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
#ifdef _WIN32
#include <windows.h>
#include <dbghelp.h>
#else
#include <dbgwalk.h>
#endif

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifndef _WIN32
#include <time.h> /* clock_gettime: _POSIX_C_SOURCE from CMake */
#endif

struct region {
    uint64_t base;
    uint32_t size;
    uint8_t *bytes;
};

struct module {
    uint64_t base;
    uint32_t size;
    char name[33];
};

struct entry {
    uint32_t module;
    uint8_t bytes[16];
};

struct snapshot {
    uint32_t machine, context_size;
    uint8_t *context;
    uint32_t region_count, module_count, entry_size, entry_count, frame_count;
    struct region *regions;
    struct module *modules;
    struct entry *entries;
    uint64_t (*frames)[2];
    unsigned long long reads;
};

/* ---- reading the file ---- */

struct cursor {
    const uint8_t *p, *end;
    int ok;
};

static const uint8_t *take(struct cursor *c, size_t n)
{
    const uint8_t *at = c->p;
    if (!c->ok || (size_t)(c->end - c->p) < n) {
        c->ok = 0;
        return NULL;
    }
    c->p += n;
    return at;
}

static uint64_t take_le(struct cursor *c, unsigned bytes)
{
    const uint8_t *p = take(c, bytes);
    uint64_t v = 0;
    if (!p)
        return 0;
    for (unsigned i = bytes; i-- > 0;)
        v = (v << 8) | p[i];
    return v;
}

static void *array(struct cursor *c, uint64_t count, size_t size)
{
    if (!c->ok || count > (uint64_t)(c->end - c->p) + 1) { /* each element takes bytes */
        c->ok = 0;
        return NULL;
    }
    return calloc(count ? (size_t)count : 1, size);
}

static int parse(const uint8_t *data, size_t size, struct snapshot *s)
{
    struct cursor c = {data, data + size, 1};
    const uint8_t *magic = take(&c, 8);

    memset(s, 0, sizeof(*s));
    if (!magic || memcmp(magic, "DWSNAP1\n", 8) != 0)
        return 0;
    s->machine = (uint32_t)take_le(&c, 4);
    s->context_size = (uint32_t)take_le(&c, 4);
    if (s->context_size > 0x1000)
        return 0;
    s->context = array(&c, 1, 0x1000);
    if (s->context && take(&c, 0) && c.ok) {
        const uint8_t *ctx = take(&c, s->context_size);
        if (ctx)
            memcpy(s->context, ctx, s->context_size);
    }
    s->region_count = (uint32_t)take_le(&c, 4);
    s->regions = array(&c, s->region_count, sizeof(*s->regions));
    for (uint32_t i = 0; c.ok && i < s->region_count; i++) {
        s->regions[i].base = take_le(&c, 8);
        s->regions[i].size = (uint32_t)take_le(&c, 4);
        s->regions[i].bytes = (uint8_t *)take(&c, s->regions[i].size);
    }
    s->module_count = (uint32_t)take_le(&c, 4);
    s->modules = array(&c, s->module_count, sizeof(*s->modules));
    for (uint32_t i = 0; c.ok && i < s->module_count; i++) {
        const uint8_t *name;
        s->modules[i].base = take_le(&c, 8);
        s->modules[i].size = (uint32_t)take_le(&c, 4);
        name = take(&c, 32);
        if (name)
            memcpy(s->modules[i].name, name, 32);
    }
    s->entry_size = (uint32_t)take_le(&c, 4);
    s->entry_count = (uint32_t)take_le(&c, 4);
    if (s->entry_size > 16)
        return 0;
    s->entries = array(&c, s->entry_count, sizeof(*s->entries));
    for (uint32_t i = 0; c.ok && i < s->entry_count; i++) {
        const uint8_t *bytes;
        s->entries[i].module = (uint32_t)take_le(&c, 4);
        bytes = take(&c, s->entry_size);
        if (bytes)
            memcpy(s->entries[i].bytes, bytes, s->entry_size);
        if (s->entries[i].module >= s->module_count)
            c.ok = 0;
    }
    s->frame_count = (uint32_t)take_le(&c, 4);
    s->frames = array(&c, s->frame_count, sizeof(*s->frames));
    for (uint32_t i = 0; c.ok && i < s->frame_count; i++) {
        s->frames[i][0] = take_le(&c, 8);
        s->frames[i][1] = take_le(&c, 8);
    }
    return c.ok;
}

/* ---- the callbacks: hProcess is the snapshot ---- */

/* The snapshot's bytes at [address, address + size); how many were there. */
static DWORD copy_memory(const struct snapshot *s, uint64_t address, void *buffer, DWORD size)
{
    DWORD done = 0;

    while (done < size) {
        uint64_t at = address + done;
        const struct region *r = NULL;
        for (uint32_t i = 0; i < s->region_count; i++)
            if (at >= s->regions[i].base && at - s->regions[i].base < s->regions[i].size)
                r = &s->regions[i];
        if (!r)
            break;
        {
            uint64_t offset = at - r->base, n = r->size - offset;
            if (n > size - done)
                n = size - done;
            memcpy((uint8_t *)buffer + done, r->bytes + offset, (size_t)n);
            done += (DWORD)n;
        }
    }
    return done;
}

static BOOL WINAPI read_memory(HANDLE process, DWORD64 address, PVOID buffer, DWORD size,
                               LPDWORD got)
{
    struct snapshot *s = process;

    s->reads++;
    *got = copy_memory(s, address, buffer, size);
    return *got == size; /* like ReadProcessMemory: FALSE with what could be read */
}

static const struct module *module_at(const struct snapshot *s, uint64_t address)
{
    for (uint32_t i = 0; i < s->module_count; i++)
        if (address >= s->modules[i].base && address - s->modules[i].base < s->modules[i].size)
            return &s->modules[i];
    return NULL;
}

static DWORD64 WINAPI module_base(HANDLE process, DWORD64 address)
{
    const struct module *m = module_at(process, address);
    return m ? m->base : 0;
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
           ((uint32_t)p[3] << 24);
}

/* An ARM64 function's length: in a packed entry, or in its .xdata header. */
static uint32_t arm64_length(struct snapshot *s, const struct module *m, const uint8_t *e)
{
    uint32_t unwind = le32(e + 4);
    uint8_t header[4];

    if ((unwind & 3) == 1 || (unwind & 3) == 2)
        return ((unwind >> 2) & 0x7FF) * 4;
    if ((unwind & 3) == 0 && copy_memory(s, m->base + unwind, header, 4) == 4)
        return (le32(header) & 0x3FFFF) * 4;
    return 0;
}

/* The entry covering address: x64 by [begin, end), x86 FPO by
 * [start, start + size), ARM64 by the length its unwind data gives. */
static PVOID WINAPI function_table(HANDLE process, DWORD64 address)
{
    struct snapshot *s = process;
    const struct module *m = module_at(s, address);
    uint32_t module, rva;

    if (!m)
        return NULL;
    module = (uint32_t)(m - s->modules);
    rva = (uint32_t)(address - m->base);
    for (uint32_t i = 0; i < s->entry_count; i++) {
        const uint8_t *e = s->entries[i].bytes;
        uint32_t begin, end;
        if (s->entries[i].module != module)
            continue;
        begin = le32(e);
        if (s->entry_size == 12)
            end = le32(e + 4);
        else if (s->entry_size == 16)
            end = begin + le32(e + 4);
        else if (rva >= begin)
            end = begin + arm64_length(s, m, e);
        else
            end = begin;
        if (rva >= begin && rva < end)
            return s->entries[i].bytes;
    }
    return NULL;
}

/* PC or SP from the snapshot's context, wherever its machine keeps them. */
static uint64_t context_register(const struct snapshot *s, int want_sp)
{
    unsigned offset, bytes = s->machine == IMAGE_FILE_MACHINE_I386 ? 4 : 8;
    uint64_t v = 0;

    if (s->machine == IMAGE_FILE_MACHINE_AMD64)
        offset = want_sp ? 0x98 : 0xF8;
    else if (s->machine == IMAGE_FILE_MACHINE_ARM64)
        offset = want_sp ? 0x100 : 0x108;
    else
        offset = want_sp ? 0xC4 : 0xB8;
    for (unsigned i = bytes; i-- > 0;)
        v = (v << 8) | s->context[offset + i];
    return v;
}

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
    frame->AddrPC.Offset = context_register(s, 0);
    frame->AddrStack.Offset = context_register(s, 1);
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
        while (StackWalk64(s->machine, s, NULL, &frame, scratch, read_memory, function_table,
                           module_base, NULL))
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
    while (StackWalk64(s->machine, s, NULL, &frame, s->context, read_memory, function_table,
                       module_base, NULL)) {
        const struct module *m = module_at(s, frame.AddrPC.Offset);
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
        if (!parse(data, (size_t)size, &s)) {
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
        free(s.context);
        free(s.regions);
        free(s.modules);
        free(s.entries);
        free(s.frames);
        free(data);
    }
    if (files == 0) {
        fprintf(stderr, "usage: %s [-q] [-b N] file.dwsnap...\n", argv[0]);
        return 2;
    }
    return failures ? 1 : 0;
}
