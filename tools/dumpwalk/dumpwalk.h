/*
 * dumpwalk's shared model: the minidump as parsed (struct dump), and what
 * each of the tool's files offers the others.
 *
 *   minidump.c    the defensive parse of the file into struct dump
 *   dump_memory.c the dump as the walk's target memory, with -i images behind it
 *   modules.c     the modules registered with the symbol handler, images found in -i DIR
 *   end_reason.c  why a walk ended, as far as the dump tells
 *   dumpwalk.c    the walks of a parsed dump
 *   main.c        the command line
 */
#ifndef DUMPWALK_H
#define DUMPWALK_H

#include <dbgwalk.h>

#include <stddef.h>
#include <stdint.h>

#define FRAME_LIMIT 1024u

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
    const uint8_t *cv_record; /* its CodeView record as the dump stores it, or NULL */
    uint32_t cv_size;
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

/* Minidumps and PE images are little-endian whatever the host. */
static inline uint16_t le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}

static inline uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
           ((uint32_t)p[3] << 24);
}

static inline uint64_t le64(const uint8_t *p)
{
    return (uint64_t)le32(p) | ((uint64_t)le32(p + 4) << 32);
}

/* minidump.c: 0 (with a message on stderr) when the dump is malformed. */
int parse_minidump(struct dump *d);
/* [rva, rva + size) of the file, or NULL when it does not lie inside it. */
const uint8_t *span(const struct dump *d, uint64_t rva, uint64_t size);

/* dump_memory.c: read_memory is the walk's ReadMemoryRoutine (process is
 * the struct dump); map_image checks an image file loaded for -i before its
 * bytes may serve reads. */
BOOL WINAPI read_memory(HANDLE process, DWORD64 address, PVOID buffer, DWORD size,
                        LPDWORD bytes_read);
const struct module *module_at(const struct dump *d, uint64_t address);
int map_image(struct module *m);

/* modules.c */
void register_modules(struct dump *d, const char *image_dir);
/* -y: the symbol path the PDBs are searched in, or NULL (no symbols shown) */
extern const char *dumpwalk_symbol_path;

/* end_reason.c: for the summary line after a walk of `frames` frames. */
void print_end_reason(struct dump *d, unsigned frames, DWORD error, const STACKFRAME64 *last,
                      const union context *c);

/* dumpwalk.c: a whole file (a dump, or an image found with -i), or NULL. */
uint8_t *read_file(const char *path, size_t *size);
/* Walks every thread of a parsed dump (and the exception's context),
 * printing the frames; 0 when a thread could not be walked at all. */
int walk_dump(struct dump *d, const char *image_dir);
/* Frees what parse_minidump and register_modules allocated (not d->data). */
void free_dump(struct dump *d);

#endif
