#include "session.h"
#include "published.h"

#include <stdatomic.h>
#include <stdlib.h>

static dw_lock registry_lock = DW_LOCK_INIT;
static struct sym_session *sessions;

/* The live sessions as lock-free readers see them: rebuilt under the
 * registry's lock whenever a session comes or goes (rarely: sessions are
 * few), never changed once published. */
struct session_set {
    unsigned count;
    struct sym_session *sessions[];
};
static struct session_set *_Atomic published_sessions;
/* Bumped at every publication of the set (0 before the first, when none
 * is published): what a thread's session hint remembers (read_section.h). */
_Atomic uint64_t session_set_generation;

/* Publishes the registry's list (registry lock held exclusively); the set
 * replaced goes to *retired. False when out of memory. */
static bool publish_sessions(struct session_set **retired)
{
    struct session_set *set;
    unsigned n = 0;

    for (struct sym_session *s = sessions; s; s = s->next)
        n++;
    set = malloc(sizeof(*set) + (n ? n : 1) * sizeof(set->sessions[0]));
    if (!set)
        return false;
    set->count = 0;
    for (struct sym_session *s = sessions; s; s = s->next)
        set->sessions[set->count++] = s;
    *retired = atomic_exchange(&published_sessions, set);
    /* after the exchange, before the caller's sym_read_synchronize: a
     * reader that sees the old generation is one the wait covers */
    atomic_fetch_add(&session_set_generation, 1);
    return true;
}

/* The search behind published_session (published.h), remembering its
 * answer. `generation` was read before the set: if the set changed in
 * between, the hint is stale from the start and merely never matches (the
 * generation has moved on). */
#if SYM_READ_HINTS
struct sym_session *session_search_published(HANDLE process, struct sym_reader *self,
                                             uint64_t generation)
#else
static struct sym_session *session_search_published(HANDLE process)
#endif
{
    const struct session_set *set = atomic_load(&published_sessions);
    struct sym_session *found = NULL;

    if (set)
        for (unsigned i = 0; i < set->count; i++)
            if (set->sessions[i]->process == process) {
                found = set->sessions[i];
                break;
            }
#if SYM_READ_HINTS
    if (self) {
        self->hint_sessions = generation;
        self->hint_process = (const void *)process;
        self->hint_session = found;
    }
#endif
    return found;
}

struct sym_session *session_find_published(HANDLE process)
{
#if SYM_READ_HINTS
    return published_session(process, sym_reader_self);
#else
    return session_search_published(process);
#endif
}

/* DbgHelp starts with SYMOPT_UNDNAME (Wine's builtin likewise): undecorated
 * names unless a client asks otherwise. */
static _Atomic DWORD options = SYMOPT_UNDNAME;

DWORD sym_options(void) { return atomic_load(&options); }

DW_EXPORT DWORD IMAGEAPI SymSetOptions(DWORD SymOptions)
{
    atomic_store(&options, SymOptions);
    return SymOptions;
}

DW_EXPORT DWORD IMAGEAPI SymGetOptions(void) { return atomic_load(&options); }

static struct sym_session *find(HANDLE process)
{
    for (struct sym_session *s = sessions; s; s = s->next)
        if (s->process == process)
            return s;
    return NULL;
}

/* The session's own lock is taken while the registry's is held, so that
 * SymCleanup cannot free the session in between. */
static struct sym_session *acquire(HANDLE process, bool exclusive)
{
    struct sym_session *session;

    dw_lock_shared(&registry_lock);
    session = find(process);
    if (session && exclusive)
        dw_lock_exclusive(&session->lock);
    else if (session)
        dw_lock_shared(&session->lock);
    dw_unlock_shared(&registry_lock);
    if (!session)
        dw_set_last_error(ERROR_INVALID_HANDLE);
    return session;
}

struct sym_session *session_acquire(HANDLE process) { return acquire(process, false); }

void session_release(struct sym_session *session) { dw_unlock_shared(&session->lock); }

void session_pause(struct sym_session *session)
{
    struct walk_thread_state *thread = walk_thread_state();

    if (thread->paused_depth < DW_ARRAY_SIZE(thread->paused_sessions))
        thread->paused_sessions[thread->paused_depth] = session;
    thread->paused_depth++;
    /* counted while the lock is still held: a destroyer that holds it
     * exclusively sees every pause begun before */
    atomic_fetch_add(&session->paused, 1);
    dw_unlock_shared(&session->lock);
}

void session_resume(struct sym_session *session)
{
    dw_lock_shared(&session->lock);
    atomic_fetch_sub(&session->paused, 1);
    walk_thread_state()->paused_depth--;
}

/* Whether this thread has paused `session` (it is in a callback of a
 * lookup of it), or may have (pauses nested past what is kept). */
static bool paused_by_this_thread(const struct sym_session *session)
{
    const struct walk_thread_state *thread = walk_thread_state();
    if (thread->paused_depth > DW_ARRAY_SIZE(thread->paused_sessions))
        return true;
    for (unsigned i = 0; i < thread->paused_depth; i++)
        if (thread->paused_sessions[i] == session)
            return true;
    return false;
}

/* Until no holder is inside the session, locked or paused. Only an
 * unpublished session is waited for: nobody can acquire it any more, so
 * the count only falls. */
static void wait_for_holders(struct sym_session *session)
{
    for (;;) {
        bool idle;
        dw_lock_exclusive(&session->lock);
        idle = atomic_load(&session->paused) == 0;
        dw_unlock_exclusive(&session->lock);
        if (idle)
            return;
        dw_yield();
    }
}

char *sym_copy_string(const char *s)
{
    size_t n = strlen(s) + 1;
    char *copy = malloc(n);
    if (copy)
        memcpy(copy, s, n);
    return copy;
}

bool session_create(HANDLE process, const char *search_path, bool *existed)
{
    struct sym_session *session;
    struct session_set *retired = NULL;

    dw_lock_exclusive(&registry_lock);
    *existed = find(process) != NULL;
    if (*existed) {
        dw_unlock_exclusive(&registry_lock);
        return true;
    }
    session = calloc(1, sizeof(*session));
    if (session)
        session->search_path = sym_copy_string(search_path ? search_path : ".");
    if (!session || !session->search_path) {
        free(session);
        dw_unlock_exclusive(&registry_lock);
        dw_set_last_error(ERROR_NOT_ENOUGH_MEMORY);
        return false;
    }
    session->process = process;
    dw_lock_init(&session->lock);
    session->next = sessions;
    sessions = session;
    if (!publish_sessions(&retired)) {
        sessions = session->next;
        dw_unlock_exclusive(&registry_lock);
        dw_lock_destroy(&session->lock);
        free(session->search_path);
        free(session);
        dw_set_last_error(ERROR_NOT_ENOUGH_MEMORY);
        return false;
    }
    dw_unlock_exclusive(&registry_lock);
    sym_read_synchronize();
    free(retired);
    return true;
}

bool session_destroy(HANDLE process)
{
    struct sym_session **link, *session = NULL;
    struct session_set *retired = NULL;

    dw_lock_exclusive(&registry_lock);
    for (link = &sessions; *link; link = &(*link)->next) {
        if ((*link)->process == process) {
            if (paused_by_this_thread(*link)) {
                /* SymCleanup from a callback of a lookup in this session
                 * (a read routine, a load event): that lookup still uses
                 * it, and waiting for it would wait for ourselves. */
                dw_unlock_exclusive(&registry_lock);
                dw_set_last_error(ERROR_BUSY);
                return false;
            }
            session = *link;
            *link = session->next;
            break;
        }
    }
    if (session && !publish_sessions(&retired)) {
        /* Out of memory for the smaller set: the session stays as it was. */
        session->next = sessions;
        sessions = session;
        dw_unlock_exclusive(&registry_lock);
        dw_set_last_error(ERROR_NOT_ENOUGH_MEMORY);
        return false;
    }
    dw_unlock_exclusive(&registry_lock);
    if (!session) {
        dw_set_last_error(ERROR_INVALID_HANDLE);
        return false;
    }
    /* Wait for locked lookups still inside the session (paused ones too),
     * then for lock-free ones that found it or its modules before they
     * were unpublished. */
    wait_for_holders(session);
    sym_read_synchronize();
    free(retired);
    free(atomic_load(&session->snapshot));
    while (session->modules) {
        struct sym_module *next = session->modules->next;
        module_free(session->modules);
        session->modules = next;
    }
    dw_lock_destroy(&session->lock);
    free(session->search_path);
    free(session);
    return true;
}

#define NO_SPAN UINT32_MAX

/* The span holding `address` in a snapshot without overlaps: the last one
 * beginning at or before it (O(log n)), or NO_SPAN. */
static uint32_t snapshot_span_at(const struct module_snapshot *snapshot, uint64_t address)
{
    uint32_t lo = 0, n = snapshot->count;

    /* Branch-free halving: the loop runs log2(count) times whatever the
     * address, so walks spread over many modules predict well. */
    if (n == 0)
        return NO_SPAN;
    while (n > 1) {
        uint32_t half = n / 2;
        lo = SYM_UNPREDICTABLE(snapshot->bases[lo + half] <= address) ? lo + half : lo;
        n -= half;
    }
    if (address >= snapshot->bases[lo] && address < snapshot->spans[lo].end)
        return lo;
    return NO_SPAN;
}

/* The module holding `address`; in load order when spans overlap. */
static struct sym_module *snapshot_module_at(const struct module_snapshot *snapshot,
                                             uint64_t address)
{
    uint32_t span;

    if (!snapshot)
        return NULL;
    if (snapshot->overlapping) {
        for (uint32_t i = 0; i < snapshot->count; i++) {
            struct sym_module *m = snapshot->in_order[i];
            if (address >= m->base && address - m->base < m->size)
                return m;
        }
        return NULL;
    }
    span = snapshot_span_at(snapshot, address);
    return span == NO_SPAN ? NULL : snapshot->spans[span].module;
}

struct sym_module *session_module_at(struct sym_session *session, uint64_t address)
{
    return snapshot_module_at(atomic_load_explicit(&session->snapshot, memory_order_acquire),
                              address);
}

/* A walk's frames lie mostly in a few modules: the thread's record keeps
 * the module its last lookup found, with the generation of the snapshot it
 * was found in (published.h). A stale hint costs this search, never a
 * wrong answer. */
#if SYM_READ_HINTS
struct sym_module *session_search_module(const struct module_snapshot *snapshot,
                                         uint64_t address, struct sym_reader *self)
#else
static struct sym_module *session_search_module(const struct module_snapshot *snapshot,
                                                uint64_t address)
#endif
{
    uint32_t span;

    if (!snapshot)
        return NULL;
    if (snapshot->overlapping)
        return snapshot_module_at(snapshot, address);
    span = snapshot_span_at(snapshot, address);
    if (span == NO_SPAN)
        return NULL;
#if SYM_READ_HINTS
    if (self) {
        self->hint_generation = snapshot->generation;
        self->hint_base = snapshot->spans[span].base;
        self->hint_end = snapshot->spans[span].end;
        self->hint_module = snapshot->spans[span].module;
    }
#endif
    return snapshot->spans[span].module;
}

struct sym_module *published_search(HANDLE process, uint64_t address, void *self,
                                    bool *no_session)
{
    struct sym_session *session = published_session(process, self);

    *no_session = session == NULL;
    return session ? published_module(session, address, self) : NULL;
}

struct sym_module *session_module_published(struct sym_session *session, uint64_t address)
{
#if SYM_READ_HINTS
    return published_module(session, address, sym_reader_self);
#else
    return session_search_module(atomic_load(&session->snapshot), address);
#endif
}

static int compare_span(const void *a, const void *b)
{
    const struct module_span *x = a, *y = b;
    return x->base < y->base ? -1 : x->base > y->base;
}

static _Atomic uint64_t snapshot_generations;

bool session_publish_modules(struct sym_session *session, struct module_snapshot **retired)
{
    struct module_snapshot *snapshot;
    uint32_t n = 0, i = 0;

    for (struct sym_module *m = session->modules; m; m = m->next)
        n++;
    snapshot = malloc(sizeof(*snapshot) + (size_t)n * sizeof(snapshot->spans[0]) +
                      (size_t)n * sizeof(snapshot->bases[0]) +
                      (size_t)(n ? n : 1) * sizeof(snapshot->in_order[0]));
    if (!snapshot) {
        dw_set_last_error(ERROR_NOT_ENOUGH_MEMORY);
        return false;
    }
    snapshot->count = n;
    snapshot->overlapping = false;
    /* from 1: a record's hint_generation 0 matches none */
    snapshot->generation = atomic_fetch_add(&snapshot_generations, 1) + 1;
    /* spans, then bases (8-aligned after 24-byte spans), then in_order */
    snapshot->bases = (uint64_t *)(void *)&snapshot->spans[n];
    snapshot->in_order = (struct sym_module **)(void *)&snapshot->bases[n];
    for (struct sym_module *m = session->modules; m; m = m->next, i++) {
        snapshot->spans[i] = (struct module_span){m->base, m->base + m->size, m};
        snapshot->in_order[i] = m;
    }
    qsort(snapshot->spans, n, sizeof(snapshot->spans[0]), compare_span);
    for (i = 0; i < n; i++) {
        snapshot->bases[i] = snapshot->spans[i].base;
        if (i > 0 && snapshot->spans[i].base < snapshot->spans[i - 1].end)
            snapshot->overlapping = true;
    }
    *retired = atomic_exchange(&session->snapshot, snapshot);
    return true;
}

void session_free_retired(struct module_snapshot *retired, struct sym_module *unloaded)
{
    if (!retired && !unloaded)
        return;
    sym_read_synchronize();
    free(retired);
    if (unloaded)
        module_free(unloaded);
}

void module_publish_table(struct sym_module *module)
{
    if (module->table_state == LAZY_LOADED)
        atomic_store_explicit(&module->table_ready, true, memory_order_release);
}

/* The walk's routine, when a walk of `process` runs on this thread. Reached
 * only when a lookup must read (lazily, once per module part), so the
 * thread-local access stays off the per-frame path. */
static PREAD_PROCESS_MEMORY_ROUTINE64 walk_read_for(HANDLE process)
{
    const struct walk_reader_state *walk = &walk_thread_state()->sym_reader;

    return walk->process == process ? walk->read : NULL;
}

bool target_reader_available(const struct target_reader *reader)
{
#ifdef _WIN32
    (void)reader;
    return true; /* ReadProcessMemory */
#else
    return reader->read || walk_read_for(reader->process) ||
           (reader->session && reader->session->callback);
#endif
}

struct sym_session *session_acquire_exclusive(HANDLE process) { return acquire(process, true); }

void session_release_exclusive(struct sym_session *session)
{
    dw_unlock_exclusive(&session->lock);
}

static enum lazy_state *state_of(struct sym_module *m, enum lazy_part part)
{
    return part == PART_HEADERS ? &m->headers_state
           : part == PART_TABLE ? &m->table_state
                                : &m->exports_state;
}

struct sym_module *session_load_part(struct sym_session *session, uint64_t base,
                                     enum lazy_part part, const struct target_reader *reader)
{
    struct sym_module *module = session_module_at(session, base), scratch;
    bool ok;

    if (!module)
        return NULL;
    if (*state_of(module, part) != LAZY_UNTRIED)
        return *state_of(module, part) == LAZY_LOADED ? module : NULL;

    /* Read into a scratch copy with no lock held: the read may run the
     * caller's callbacks, which may call us again. */
    memset(&scratch, 0, sizeof(scratch));
    scratch.base = module->base;
    scratch.size = module->size;
    scratch.pe = module->pe;
    scratch.headers_state = module->headers_state;
    scratch.file_path = module->file_path ? sym_copy_string(module->file_path) : NULL;
    if (module->file_path && !scratch.file_path)
        return NULL;
    session_pause(session);
    switch (part) {
    case PART_HEADERS:
        ok = module_read_headers(&scratch, reader);
        break;
    case PART_TABLE:
        ok = module_read_table(&scratch, reader);
        break;
    default:
        ok = module_read_exports(&scratch, reader);
        break;
    }
    *state_of(&scratch, part) = ok ? LAZY_LOADED : LAZY_FAILED;

    dw_lock_exclusive(&session->lock);
    module = session_module_at(session, base);
    if (module && module->base == scratch.base && *state_of(module, part) == LAZY_UNTRIED &&
        (ok || scratch.file_path || target_reader_available(reader)))
        module_adopt_parts(module, &scratch);
    if (module)
        module_publish_table(module);
    free(scratch.file_path);
    free(scratch.table);
    free(scratch.table_ranges);
    free(scratch.exports);
    free(scratch.export_names);
    ok = module && *state_of(module, part) == LAZY_LOADED;
    dw_unlock_exclusive(&session->lock);
    session_resume(session);
    /* The module may have gone while the lock was down: find it again. */
    module = session_module_at(session, base);
    (void)ok;
    return module && *state_of(module, part) == LAZY_LOADED ? module : NULL;
}

static bool read_with_callback(const struct target_reader *reader, uint64_t address,
                               uint8_t *buffer, size_t size)
{
    while (size > 0) {
        DWORD got = 0, chunk = size > 0x100000 ? 0x100000 : (DWORD)size;
        IMAGEHLP_CBA_READ_MEMORY request = {address, buffer, chunk, &got};
        if (!reader->session->callback(reader->process, CBA_READ_MEMORY,
                                       (ULONG64)(uintptr_t)&request,
                                       reader->session->callback_context) ||
            got == 0 || got > chunk)
            return false;
        address += got;
        buffer += got;
        size -= got;
    }
    return true;
}

#ifdef _WIN32
static BOOL WINAPI read_process_memory(HANDLE process, DWORD64 address, PVOID buffer, DWORD size,
                                       LPDWORD got)
{
    SIZE_T done = 0;
    BOOL ok = address <= (DWORD64)UINTPTR_MAX &&
              ReadProcessMemory(process, (LPCVOID)(uintptr_t)address, buffer, size, &done);
    *got = (DWORD)done;
    return ok;
}
#endif

bool target_read(const struct target_reader *reader, uint64_t address, void *buffer,
                 size_t size)
{
    PREAD_PROCESS_MEMORY_ROUTINE64 read = reader->read;
    struct memory_reader memory;

    if (!read)
        read = walk_read_for(reader->process);
    if (!read && reader->session && reader->session->callback)
        return read_with_callback(reader, address, buffer, size);
#ifdef _WIN32
    if (!read)
        read = read_process_memory;
#endif
    if (!read)
        return false;
    memset(&memory, 0, sizeof(memory));
    memory.process = reader->process;
    memory.read = read;
    return memory_read(&memory, address, buffer, size);
}
