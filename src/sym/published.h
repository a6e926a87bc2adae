/*
 * The lock-free lookups of a walk's steady state, inline: the thread's
 * hints (read_section.h) checked without a call, the search out of line
 * only when they miss. Only inside a read section, with its record.
 * (Equivalent to session_find_published / session_module_published.)
 */
#ifndef DBGWALK_PUBLISHED_H
#define DBGWALK_PUBLISHED_H

#include "session.h"

/* A condition the branch predictor cannot learn (a binary search's step
 * over unrelated addresses): ask for a conditional move instead. */
#if defined(__has_builtin)
#if __has_builtin(__builtin_unpredictable)
#define SYM_UNPREDICTABLE(c) __builtin_unpredictable(c)
#endif
#endif
#ifndef SYM_UNPREDICTABLE
#define SYM_UNPREDICTABLE(c) (c)
#endif

/* The module holding `address` in `process`'s published snapshot, both
 * searched (session, module), their answers the thread's hints; NULL, with
 * *no_session set when there is no session. Inside a read section; `self`
 * its record (sym_read_self; NULL: none). (session.c) */
struct sym_module *published_search(HANDLE process, uint64_t address, void *self,
                                    bool *no_session);

#if SYM_READ_HINTS

/* Bumped at every publication of the session set (session.c). */
extern _Atomic uint64_t session_set_generation;

/* The searches, remembering their answer in `self` (NULL: no record). */
struct sym_session *session_search_published(HANDLE process, struct sym_reader *self,
                                             uint64_t generation);
struct sym_module *session_search_module(const struct module_snapshot *snapshot,
                                         uint64_t address, struct sym_reader *self);

/* The hint's session (or its absence) is the answer while the set it was
 * found in is the one published: a session is freed only after a set
 * without it is published and the readers inside have left. */
static inline struct sym_session *published_session(HANDLE process, struct sym_reader *self)
{
    uint64_t generation = atomic_load(&session_set_generation);

    if (self && self->hint_sessions == generation && self->hint_process == (const void *)process)
        return self->hint_session;
    return session_search_published(process, self, generation);
}

/* The hint's module while the snapshot it was found in is the one
 * published: generations are never reused, so a freed snapshot's hint
 * matches no later one, and a published snapshot's modules are alive for
 * the section. */
static inline struct sym_module *published_module(struct sym_session *session, uint64_t address,
                                                  struct sym_reader *self)
{
    const struct module_snapshot *snapshot = atomic_load(&session->snapshot);

    if (!snapshot)
        return NULL;
    if (self && self->hint_generation == snapshot->generation && address >= self->hint_base &&
        address < self->hint_end)
        return self->hint_module;
    return session_search_module(snapshot, address, self);
}

/* Both hints at once, with no call: the module holding `address` when the
 * thread's last lookup was for the same process in a module still
 * published that holds it too; NULL for anything else (then search). */
static inline struct sym_module *published_hinted_module(HANDLE process, uint64_t address,
                                                         const struct sym_reader *self)
{
    const struct sym_session *session = self->hint_session;
    const struct module_snapshot *snapshot;

    if (self->hint_sessions != atomic_load(&session_set_generation) ||
        self->hint_process != (const void *)process || !session)
        return NULL;
    snapshot = atomic_load(&session->snapshot);
    if (!snapshot || snapshot->generation != self->hint_generation || address < self->hint_base ||
        address >= self->hint_end)
        return NULL;
    return self->hint_module;
}

static inline struct sym_reader *sym_read_self(const struct sym_read_section *section)
{
    return section->reader;
}

#else

static inline struct sym_session *published_session(HANDLE process, void *self)
{
    (void)self;
    return session_find_published(process);
}
static inline struct sym_module *published_module(struct sym_session *session, uint64_t address,
                                                  void *self)
{
    (void)self;
    return session_module_published(session, address);
}
static inline void *sym_read_self(const struct sym_read_section *section)
{
    (void)section;
    return NULL;
}

#endif

/* The published module holding `address` for a reader inside `section`:
 * the thread's hint when it still holds, else searched (and hinted).
 * *no_session: the process has no session. */
static inline struct sym_module *published_module_for(HANDLE process, uint64_t address,
                                                      const struct sym_read_section *section,
                                                      bool *no_session)
{
    struct sym_module *m = NULL;

#if SYM_READ_HINTS
    if (__builtin_expect(section->reader != NULL, 1))
        m = published_hinted_module(process, address, section->reader);
#endif
    if (__builtin_expect(m == NULL, 0))
        m = published_search(process, address, sym_read_self(section), no_session);
    return m;
}

#endif
