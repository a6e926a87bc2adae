/*
 * MiniDumpWriteDump's parts (Windows only): the output file, the set of
 * memory ranges to save, what was learned of the target process, and the
 * streams. Layout of a dump (as Microsoft documents it): the 32-byte
 * MINIDUMP_HEADER, the stream directory, then each stream's data wherever
 * the writer puts it; with full memory, the Memory64ListStream's data comes
 * last, as one block starting at its BaseRva.
 *
 *   dump_file.c     the output: appending at 64-bit RVAs, patching, errors
 *   dump_memory.c   memory ranges: adding, merging, removing, reading, writing
 *   dump_target.c   the target process: threads (suspended while we look),
 *                   modules, regions, handles, unloaded modules
 *   dump_streams.c  one function per stream
 *   write_dump.c    MiniDumpWriteDump: the flags, the callbacks, the order
 */
#ifndef DBGWALK_DUMP_WRITER_H
#define DBGWALK_DUMP_WRITER_H

#ifdef _WIN32

#include <windows.h>
#include <dbghelp.h>
#include <stdbool.h>
#include <stdint.h>

/* ---- memory for the writer itself ----
 * A private heap, created once: a dump of our own process suspends its
 * other threads, and one of them may hold the process heap's lock. */
void *dump_alloc(size_t size);             /* zeroed */
void *dump_realloc(void *block, size_t size);
void dump_free(void *block);

/* ---- the output ---- */

struct dump_file {
    HANDLE file;
    uint64_t start;  /* the file position the dump begins at */
    uint64_t size;   /* bytes written so far (the next RVA) */
    bool failed;
    DWORD error;
    uint8_t buffer[64 * 1024];
    size_t buffered;
};

void dump_file_init(struct dump_file *f, HANDLE file);
/* Appends; returns the data's RVA (also on failure, which is sticky). */
uint64_t dump_file_append(struct dump_file *f, const void *data, size_t size);
void dump_file_align(struct dump_file *f, unsigned alignment);
/* Overwrites bytes already appended (the header, the directory). */
void dump_file_patch(struct dump_file *f, uint64_t rva, const void *data, size_t size);
/* A MINIDUMP_STRING (length, UTF-16, NUL); returns its RVA. */
uint32_t dump_file_string(struct dump_file *f, const WCHAR *text);
bool dump_file_finish(struct dump_file *f);

/* ---- memory ranges ---- */

struct dump_range {
    uint64_t start, size;
    uint64_t rva; /* where its bytes went; set when written */
};

struct dump_memory {
    struct dump_range *ranges; /* sorted, disjoint once normalised */
    size_t count, capacity;
};

bool dump_memory_add(struct dump_memory *m, uint64_t start, uint64_t size);
void dump_memory_remove(struct dump_memory *m, uint64_t start, uint64_t size);
/* Sorts and merges overlapping or touching ranges. */
void dump_memory_normalise(struct dump_memory *m);
/* The RVA of `address`'s byte in the written ranges, or 0. */
uint64_t dump_memory_rva_of(const struct dump_memory *m, uint64_t address);
void dump_memory_free(struct dump_memory *m);

/* ---- the target ---- */

struct dump_thread {
    DWORD id;
    HANDLE handle;
    bool suspended;     /* by us: resumed at the end */
    bool context_valid;
    DWORD suspend_count;
    int priority;
    uint64_t teb, stack_base, stack_limit;
    CONTEXT context;
    ULONG write_flags;  /* THREAD_WRITE_FLAGS after the callbacks */
    uint64_t stack_start, stack_size; /* the saved stack range */
    uint64_t context_rva;
    uint64_t start_address, affinity;
    DWORD exit_status;
    FILETIME create_time, exit_time, kernel_time, user_time;
    WCHAR name[128];
};

struct dump_module {
    uint64_t base;
    uint32_t size, checksum, timestamp;
    WCHAR path[MAX_PATH];
    VS_FIXEDFILEINFO version;
    uint8_t *cv_record, *misc_record;
    uint32_t cv_size, misc_size;
    ULONG write_flags; /* MODULE_WRITE_FLAGS after the callbacks */
    bool referenced;   /* a saved stack word points into it (MiniDumpScanMemory) */
};

struct dump_unloaded {
    uint64_t base;
    uint32_t size, checksum, timestamp;
    WCHAR name[32];
};

struct dump_target {
    HANDLE process;
    DWORD pid;
    bool is_self;      /* dumping our own process */
    DWORD self_thread; /* the calling thread, never suspended */
    struct dump_thread *threads;
    size_t thread_count;
    struct dump_module *modules;
    size_t module_count;
    struct dump_unloaded *unloaded;
    size_t unloaded_count;
    uint64_t peb;
};

bool dump_target_open(struct dump_target *t, HANDLE process, DWORD pid);
/* Resumes what was suspended and frees everything. */
void dump_target_close(struct dump_target *t);
bool dump_target_read(const struct dump_target *t, uint64_t address, void *buffer, size_t size);
/* How many bytes from `address` on can be read (0..size), by regions. */
uint64_t dump_target_readable(const struct dump_target *t, uint64_t address, uint64_t size);
void dump_target_unloaded_modules(struct dump_target *t);
/* The module holding `address`, or NULL. */
const struct dump_module *dump_target_module_at(const struct dump_target *t, uint64_t address);
/* Whether `address` lies in some thread's stack (its TEB's limits). */
bool dump_target_in_stack(const struct dump_target *t, uint64_t address);

/* ---- the whole dump being written ---- */

struct dump_exception {
    bool present;
    DWORD thread_id;
    EXCEPTION_RECORD record; /* read from the target when ClientPointers */
    CONTEXT context;
    uint64_t record_address;
};

struct dump_job {
    MINIDUMP_TYPE type;
    struct dump_file out;
    struct dump_target target;
    struct dump_memory memory;
    struct dump_exception exception;
    MINIDUMP_CALLBACK_ROUTINE callback;
    PVOID callback_param;
    bool cancel_checks; /* CancelCallback still wanted */
    MINIDUMP_DIRECTORY *directory;
    ULONG directory_count, directory_capacity;
    uint64_t directory_rva;
};

/* Calls the caller's callback (FALSE when there is none). */
BOOL dump_callback(struct dump_job *job, ULONG type, MINIDUMP_CALLBACK_INPUT *input,
                   MINIDUMP_CALLBACK_OUTPUT *output);
/* Records a stream's location in the directory. */
void dump_stream(struct dump_job *job, ULONG type, uint64_t rva, uint64_t size);

/* dump_streams.c */
void dump_write_system_info(struct dump_job *job);
void dump_write_misc_info(struct dump_job *job);
void dump_write_thread_contexts(struct dump_job *job);
void dump_write_thread_list(struct dump_job *job);
void dump_write_module_list(struct dump_job *job);
void dump_write_unloaded_modules(struct dump_job *job);
void dump_write_exception(struct dump_job *job);
void dump_write_handle_data(struct dump_job *job);
void dump_write_thread_info(struct dump_job *job);
void dump_write_memory_info(struct dump_job *job);
void dump_write_thread_names(struct dump_job *job);
void dump_write_memory_list(struct dump_job *job);
void dump_write_memory64_list(struct dump_job *job);

#endif
#endif
