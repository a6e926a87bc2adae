/*
 * Symbol-handler sessions: one per hProcess value given to SymInitialize,
 * holding the search path, the registered callbacks and the module list.
 *
 * Locking: a reader-writer lock over the registry of sessions, and one per
 * session over its modules. Symbol lookups take both shared; loading,
 * unloading and the one-time lazy reading of a module's parts take the
 * session's lock exclusively.
 *
 * What a walk asks for every frame (SymFunctionTableAccess64,
 * SymGetModuleBase64) takes no lock: the sessions and each session's
 * modules are also published as immutable snapshots (a small array of
 * sessions; a module_snapshot sorted by base) through atomic pointers.
 * Writers build a new snapshot under the session's lock and swap it in;
 * the old one, and unloaded modules, are freed once the readers that may
 * still see them have left (src/sym/read_section.h).
 */
#ifndef DBGWALK_SESSION_H
#define DBGWALK_SESSION_H

#include "../memory.h"
#include <stdatomic.h>
#include "../walk_state.h"
#include "lock.h"
#include "debug_info.h"
#include "pe_image.h"
#include "read_section.h"

struct sym_export {
    uint32_t rva;
    uint32_t name; /* offset in the module's name blob */
};

enum lazy_state { LAZY_UNTRIED, LAZY_LOADED, LAZY_FAILED };

/* A CodeView debug record: which PDB the image was linked with. */
struct sym_codeview {
    bool present;
    bool pdb70;        /* RSDS (GUID) rather than NB10 (32-bit signature) */
    GUID guid;         /* RSDS */
    DWORD signature;   /* NB10 */
    DWORD age;
    char pdb_path[260]; /* as the linker recorded it */
};

/* The RVAs [begin, end) one function-table entry describes. */
struct table_range {
    uint32_t begin, end;
};

struct sym_module {
    struct sym_module *next;
    uint64_t base;
    uint32_t size;
    char module_name[32];
    char image_name[256];
    char loaded_image_name[256];
    char *file_path; /* image file to read lazily; NULL: target memory */

    enum lazy_state headers_state;
    struct pe_info pe;

    enum lazy_state table_state;
    /* Set (release) once table_state is LAZY_LOADED and the table fields
     * below are final: what a lock-free reader checks before using them. */
    atomic_bool table_ready;
    /* The function table's kept entries, sorted by begin, without overlaps,
     * in the layout of the module's machine (struct function_table_format,
     * src/arch/arch.h): opaque records here. */
    uint8_t *table;
    struct table_range *table_ranges; /* each kept entry's RVAs, as its format gives them */
    uint32_t table_count, entry_size; /* entry_size 0: the machine has no table */
    /* An index over the ranges (in table_ranges' allocation): bucket b, the
     * RVAs from index_first + (b << index_shift), holds the last entry that
     * begins at or before the bucket's start; index_buckets + 1 values. A
     * lookup searches only between two neighbouring values (module.c). */
    const uint32_t *table_index;
    uint32_t index_first, index_span, index_buckets;
    unsigned index_shift;

    enum lazy_state exports_state;
    struct sym_export *exports; /* sorted by RVA */
    uint32_t export_count;
    char *export_names;

    /* Debug information (PDB, else DWARF), found and opened lazily by
     * module_debug_info(); NULL when there is none. */
    enum lazy_state debug_state;
    struct debug_info *debug;
    /* The CodeView record the caller gave (SymLoadModuleEx's MODLOAD_DATA),
     * used instead of the image's when the image cannot be read. */
    struct sym_codeview given_codeview;
    /* The CodeView record the debug-information search used (the image's,
     * else the given one): SymGetModuleInfo64's CVSig/CVData. */
    struct sym_codeview codeview;
    /* Set when only a PDB whose GUID/age differ was found and used
     * (SYMOPT_LOAD_ANYTHING): SymGetModuleInfo64's PdbUnmatched. */
    bool pdb_unmatched;
    /* UTF-16 copies of the reader's file names the W line functions handed
     * out (src/sym/wide_names.c), kept until the module is unloaded. */
    struct wide_name *_Atomic wide_names;
    /* x86: the FPO_DATA entries SymFunctionTableAccess64 handed out
     * (src/sym/frame_data.c), pushed lock-free, freed with the module. */
    struct sym_fpo_entry *_Atomic fpo_entries;
    /* SymGetModuleInfo64's NumSyms for the debug information: the count of
     * its symbols plus one, counted at the first query (0: not yet). */
    _Atomic uint32_t debug_symbol_count;
};

/* A session's modules as published for lock-free readers: immutable once
 * published. Spans are sorted by base; when two overlap (a caller may load
 * overlapping ranges), the first loaded wins, as with the list, so those
 * lookups scan `in_order` instead. */
struct module_span {
    uint64_t base, end;
    struct sym_module *module;
};
struct module_snapshot {
    uint32_t count;
    bool overlapping;
    uint64_t generation; /* unique to this snapshot: what lookup hints remember */
    struct sym_module **in_order; /* load order */
    uint64_t *bases;              /* spans[i].base: the search reads only these */
    struct module_span spans[];
};

struct sym_session {
    struct sym_session *next;
    HANDLE process;
    dw_lock lock;
    char *search_path;
    struct sym_module *modules; /* load order; changed under the exclusive lock */
    struct module_snapshot *_Atomic snapshot; /* the same modules, published */
    PSYMBOL_REGISTERED_CALLBACK64 callback;
    ULONG64 callback_context;
    bool callback_wide; /* registered by SymRegisterCallbackW64: wide event data */
    PSYMBOL_FUNCENTRY_CALLBACK64 function_entry_callback;
    ULONG64 function_entry_context;
    uint64_t scope; /* SymSetContext / SymSetScopeFromAddr: the frame's address */
    /* holders that let the lock go for slow work (session_pause) and have
     * not taken it back: session_destroy waits for them */
    atomic_uint paused;
};

/* How a lookup may read target memory: the caller's routine if it gave one
 * (SymFunctionTableAccess64AccessRoutines, or the walk in progress on this
 * thread), else the session's CBA_READ_MEMORY callback, else (Windows)
 * ReadProcessMemory. */
struct target_reader {
    HANDLE process;
    PREAD_PROCESS_MEMORY_ROUTINE64 read;
    const struct sym_session *session;
};

/* The session for `process`, locked shared (release with session_release),
 * or NULL with ERROR_INVALID_HANDLE. */
struct sym_session *session_acquire(HANDLE process);
void session_release(struct sym_session *session);

/* A shared holder that must do slow work with no lock held (search for
 * files, read target memory through the caller's callbacks, which may call
 * us again) pauses: the lock goes, but the session stays alive, since
 * SymCleanup (session_destroy) waits until every paused holder has resumed
 * (taken the shared lock back) and released. The holder then finds its
 * module again: it may have been unloaded meanwhile. A SymCleanup from a
 * callback of the paused work itself fails with ERROR_BUSY. */
void session_pause(struct sym_session *session);
void session_resume(struct sym_session *session);

/* Creates the session (idempotent: a live one is kept); frees one. */
bool session_create(HANDLE process, const char *search_path, bool *existed);
bool session_destroy(HANDLE process);

/* The module holding `address` (shared lock held by the caller). */
struct sym_module *session_module_at(struct sym_session *session, uint64_t address);

/* ---- lock-free lookups: only inside a read section (read_section.h) ----
 * The session for `process`, or NULL; valid until the section is left. */
struct sym_session *session_find_published(HANDLE process);
/* The module holding `address` in the session's published snapshot, or
 * NULL; valid until the section is left. */
struct sym_module *session_module_published(struct sym_session *session, uint64_t address);
/* Whether the module's table fields are final (acquire). */
static inline bool module_table_ready(const struct sym_module *module)
{
    return atomic_load_explicit(&module->table_ready, memory_order_acquire);
}

/* ---- writers (the session held exclusively) ----
 * Publishes a snapshot of session->modules; the one it replaces goes to
 * *retired, to be freed with session_free_retired once the lock is
 * released. False (nothing changed) when out of memory. */
bool session_publish_modules(struct sym_session *session, struct module_snapshot **retired);
/* Waits for lock-free readers that may still see them, then frees the
 * retired snapshot and the unloaded module (either may be NULL). No lock
 * held. */
void session_free_retired(struct module_snapshot *retired, struct sym_module *unloaded);
/* Marks the module's table final for lock-free readers, if it is loaded. */
void module_publish_table(struct sym_module *module);

/* The session for `process` locked exclusively (release with
 * session_release_exclusive), or NULL with ERROR_INVALID_HANDLE. */
struct sym_session *session_acquire_exclusive(HANDLE process);
void session_release_exclusive(struct sym_session *session);

/* Ensures a part of the module at `base` is read, reading it with no lock
 * held (the read may call back into the caller), and returns the module
 * again (the shared lock held throughout from the caller's view), or NULL
 * when the part cannot be read or the module went away meanwhile. */
enum lazy_part { PART_HEADERS, PART_TABLE, PART_EXPORTS };
struct sym_module *session_load_part(struct sym_session *session, uint64_t base,
                                     enum lazy_part part, const struct target_reader *reader);

/* Whether `reader` has any way to read target memory. */
bool target_reader_available(const struct target_reader *reader);

/* Reads target memory as `reader` allows; all or nothing. */
bool target_read(const struct target_reader *reader, uint64_t address, void *buffer,
                 size_t size);


/* The module's debug information (PDB, else DWARF), found and opened on
 * first use and kept until the module is unloaded; NULL when there is none.
 * The caller holds the session shared; the lock is dropped while the file is
 * searched for and opened, so *module is found again (NULL when it went
 * away meanwhile) and must be used instead of the caller's old pointer.
 * (src/sym/debug_info_find.c) */
struct debug_info *module_debug_info(struct sym_session *session, struct sym_module **module,
                                     const struct target_reader *reader);

/* What every per-address symbol lookup starts with: the session held
 * shared, the module holding the address and its debug information (NULL
 * when there is none). (src/sym/module_lookup.c) */
struct module_lookup {
    struct sym_session *session;
    struct target_reader reader; /* the session's own: no walk routine */
    struct sym_module *module;
    struct debug_info *info;
    uint32_t rva; /* the address in the module */
};

/* False, with the last error set, when there is no session for `process`
 * (ERROR_INVALID_HANDLE) or no module at `address`, also one unloaded while
 * its debug information was searched for (ERROR_MOD_NOT_FOUND); then
 * nothing is held. Otherwise close it with module_lookup_close. */
bool module_lookup_open(HANDLE process, DWORD64 address, struct module_lookup *lookup);
void module_lookup_close(struct module_lookup *lookup);
/* The same within a session the caller already holds shared (and keeps
 * holding: no module_lookup_close). */
bool module_lookup_in(struct sym_session *session, HANDLE process, DWORD64 address,
                      struct module_lookup *lookup);

/* The UTF-16 form of `narrow` (a string of the module's debug information),
 * valid until the module is unloaded; NULL when out of memory. Lock-free:
 * callers hold the session shared. */
const WCHAR *module_wide_name(struct sym_module *module, const char *narrow);
void module_free_wide_names(struct sym_module *module);

/* The image's CodeView record (read from the image file or target memory),
 * else the one the caller gave; false when neither exists. */
bool module_codeview(struct sym_module *module, const struct target_reader *reader,
                     struct sym_codeview *out);

/* A CodeView record's bytes (RSDS or NB10) parsed; false when it is
 * neither. (src/sym/debug_info_find.c) */
bool sym_parse_codeview(const uint8_t *record, size_t size, struct sym_codeview *out);

/* The CodeView record in SymLoadModuleEx's MODLOAD_DATA (DBHHEADER_DEBUGDIRS
 * or DBHHEADER_CVMISC); false when it holds none. (src/sym/modload_data.c) */
bool sym_codeview_from_modload(const MODLOAD_DATA *load, struct sym_codeview *out);

/* Runs `fn` over the module's image (its file, or target memory at its
 * base) with its parsed headers. */
bool module_with_image(struct sym_module *module, const struct target_reader *reader,
                       bool (*fn)(void *context, const struct pe_info *pe,
                                  const struct image_source *source),
                       void *context);

/* Module list changes (callers hold the session exclusively). */
struct sym_module *module_new(uint64_t base, uint32_t size, const char *image_name,
                              const char *module_name);
void module_free(struct sym_module *module);
bool module_read_headers(struct sym_module *module, const struct target_reader *reader);
bool module_read_table(struct sym_module *module, const struct target_reader *reader);
bool module_read_exports(struct sym_module *module, const struct target_reader *reader);

/* Moves the parts `from` has read into `to` (which has not read them). */
void module_adopt_parts(struct sym_module *to, struct sym_module *from);

/* Fills a module from an open file's bytes (eagerly: the handle is the
 * caller's and may close once loading returns). */
bool module_read_from_source(struct sym_module *module, const struct image_source *source);

/* A malloc'd copy, or NULL. */
char *sym_copy_string(const char *s);
/* The file name part of a Windows or POSIX path. */
const char *sym_base_name(const char *path);

/* Symbol-load events to the session's callback (src/sym/load_events.c). */
struct load_event_sink {
    HANDLE process;
    PSYMBOL_REGISTERED_CALLBACK64 callback; /* NULL: no events */
    ULONG64 context;
    bool wide;
};
struct load_event_module {
    uint64_t base;
    DWORD checksum, timestamp;
    const char *file_name; /* the image's */
    bool mismatched_pdb;
    /* NULL, or where a FAILURE/PARTIAL answer's file to retry with goes
     * (left alone when the callback asks for no retry) */
    char *retry;
    size_t retry_size;
};
/* CBA_DEFERRED_SYMBOL_LOAD_*; returns the callback's answer (false without
 * one). No lock held. */
bool sym_load_event(const struct load_event_sink *sink, ULONG action,
                    const struct load_event_module *module);
/* A CBA_DEBUG_INFO line, only under SYMOPT_DEBUG. */
void sym_debug_info(const struct load_event_sink *sink, const char *format, ...)
    __attribute__((format(printf, 2, 3)));
/* A CBA_EVENT (sevInfo 0 .. sevFatal 3), resent as CBA_DEBUG_INFO when the
 * callback answers FALSE. */
void sym_event(const struct load_event_sink *sink, DWORD severity, DWORD code, void *object,
               const char *format, ...) __attribute__((format(printf, 5, 6)));

/* Global options (SymSetOptions): process-wide, as in DbgHelp. */
DWORD sym_options(void);

/* ---- searching a symbol path (src/sym/debug_info_find.c) ----
 * Each element of a symbol path, in order: a plain directory is tried as
 * DIR/name, then as the store layout DIR/name/ID/name; srv*, cache* and
 * symsrv* elements name local stores, tried only as DIR/name/ID/name (URLs
 * are skipped: no network). `try_file` returns true to end the search. */
struct sym_path_walk {
    const char *name;     /* the file's base name */
    const char *store_id; /* the store's directory for it; NULL or "": none */
    bool (*try_file)(void *context, const char *path);
    void *context;
};
bool sym_path_walk(const struct sym_path_walk *walk, const char *search_path);
/* One directory (`length` bytes of `dir`), with DIR/name first when plain. */
bool sym_path_try_directory(const struct sym_path_walk *walk, const char *dir, size_t length,
                            bool plain);
/* A store's directory names: GUID then age; or two DWORDs (PE: TimeDateStamp
 * then SizeOfImage; PDB 2.0: signature then age). */
void sym_store_id_guid(const GUID *guid, DWORD age, char *out, size_t size);
void sym_store_id_dword(DWORD first, DWORD second, char *out, size_t size);

/* Reads the first CodeView record of an image (a module_with_image
 * function; `context` is a struct sym_codeview). */
bool pe_read_codeview(void *context, const struct pe_info *pe, const struct image_source *source);

#endif
