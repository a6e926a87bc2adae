/*
 * dumpwalk's shared model: the minidump as parsed (struct dump), and what
 * each of the tool's files offers the others.
 *
 *   minidump.c    the defensive parse of the file into struct dump
 *   dump_memory.c the dump as the walk's target memory, with -i images behind it
 *   modules.c     the modules registered with the symbol handler, images found in -i DIR
 *   end_reason.c  why a walk ended, as far as the dump tells
 *   recover.c     frames the unwind rules cannot give: the CET shadow stack
 *                 and the opt-in stack scan (--scan)
 *   dumpwalk.c    the walks of a parsed dump
 *   report.c      the walks printed as text or as JSON (dumpwalk.schema.json)
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
    uint32_t checksum, timestamp; /* the image's, as the module list records them */
    const uint8_t *cv_record;     /* the CodeView record in the dump, or NULL */
    uint32_t cv_size;
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

    unsigned images_found;          /* modules with an image from -i */
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

/* What the command line asks for. */
struct options {
    const char *image_dir; /* -i: plain directory or local symbol store */
    const char *sympath;   /* -y: where the PDBs are searched (from the dump's CodeView records) */
    int json;              /* --json: JSON (dumpwalk.schema.json) instead of text */
    int scan;              /* --scan: recover frames the unwind rules cannot give */
    int crashed_only;      /* --threads crashed: only the exception's walk */
    unsigned reported;     /* dumps reported so far (JSON separators) */
};

/* How a frame was found: how far it can be trusted. */
enum frame_trust {
    TRUST_CONTEXT,       /* the thread's (or exception's) context */
    TRUST_UNWIND_DATA,   /* the callee's unwind data (.pdata/.xdata) */
    TRUST_FRAME_DATA,    /* the callee's FPO/FrameData record (x86, from the PDB) */
    TRUST_FRAME_POINTER, /* the EBP chain (x86, the callee had no frame data) */
    TRUST_LEAF_RULE,     /* frame 0 had no unwind data: its return address at SP (x64) or LR */
    TRUST_SHADOW_STACK,  /* the CET shadow stack's return address (--scan) */
    TRUST_SCAN,          /* a stack word just after a call instruction (--scan) */
};

/* What the CET shadow stack says of a frame reached by a return address. */
enum shadow_check { SHADOW_UNKNOWN, SHADOW_MATCH, SHADOW_MISMATCH };

struct walked_frame {
    uint64_t pc, sp, fp;
    enum frame_trust trust;
    enum shadow_check shadow;
};

/* The user-mode shadow stack of a thread, when its context carries the CET
 * state (XSAVE component 11) and the dump holds the stack it points to. */
#define SHADOW_STACK_MAX 512u
struct shadow_stack {
    uint64_t ssp;
    unsigned count;
    uint64_t entries[SHADOW_STACK_MAX]; /* return addresses, innermost first */
};

/* One walk, as report.c prints it. */
struct walk_result {
    unsigned index;        /* of the walks of its dump */
    char title[160];
    uint32_t thread_id;
    int is_exception;
    int walked;            /* 0: the context could not start a walk */
    struct walked_frame *frames;
    unsigned count, capacity;
    unsigned long long reads, image_bytes;
    int has_shadow;
    unsigned shadow_entries, shadow_matched;
    char end[512];         /* why it ended */
    const char *walker_end; /* StackWalk64's own reason, when it ended the walk (DbgWalkLastEndReason) */
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
/* A read of the dump (and -i images) not counted among the walk's reads:
 * for the tool's own looks at memory. */
int peek_memory(struct dump *d, uint64_t address, void *buffer, unsigned size);
int peek_pointer(struct dump *d, uint64_t address, unsigned size, uint64_t *value);

/* modules.c */
void register_modules(struct dump *d, const char *image_dir);

/* end_reason.c: why a walk of `frames` frames ended, into out. */
void describe_end_reason(struct dump *d, unsigned frames, DWORD error, const STACKFRAME64 *last,
                         const union context *c, char *out, size_t out_size);

/* recover.c */
/* The shadow stack of a thread whose dumped context is `bytes` (x64 only);
 * 0 when the context carries none or its memory is not in the dump. */
int read_shadow_stack(struct dump *d, const uint8_t *bytes, size_t size, struct shadow_stack *s);
/* The stack slot at or above `from` (at most `words` words) holding
 * `value`; 0 when there is none. */
int find_stack_word(struct dump *d, uint64_t from, unsigned words, uint64_t value,
                    uint64_t *slot);
/* Breakpad's scan with its safeguards: the first word at or above `from`
 * (at most `words` words) that points into a module just after a call
 * instruction whose bytes the dump or an image holds. */
int scan_for_return_address(struct dump *d, uint64_t from, unsigned words, uint64_t *slot,
                            uint64_t *return_address);

/* report.c */
const char *trust_name(enum frame_trust trust);
/* dumpwalk.c: "access violation", ... or "" */
const char *exception_name(uint32_t code);
/* report_start and report_finish bracket the whole run (the JSON
 * document); report_begin and report_end each dump, report_walk each walk. */
void report_start(const struct options *o);
void report_begin(struct dump *d, struct options *o);
void report_walk(struct dump *d, const struct options *o, const struct walk_result *r);
void report_end(const struct dump *d, const struct options *o);
void report_finish(const struct options *o);

/* dumpwalk.c: a whole file (a dump, or an image found with -i), or NULL. */
uint8_t *read_file(const char *path, size_t *size);
/* Walks every thread of a parsed dump (and the exception's context),
 * printing the frames; 0 when a thread could not be walked at all. */
int walk_dump(struct dump *d, struct options *o);
/* Frees what parse_minidump and register_modules allocated (not d->data). */
void free_dump(struct dump *d);

#endif
