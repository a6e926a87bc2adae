/*
 * UTF-16 file names for the W line functions (IMAGEHLP_LINEW64.FileName
 * points into memory DbgHelp owns, as the narrow name does): each name is
 * widened once per module and kept on a list that only grows, pushed with
 * a compare-and-swap so that lookups under the shared session lock never
 * wait. Freed with the module.
 */
#include "line_lookup.h"
#include "session.h"
#include "text.h"

#include <stdlib.h>

struct wide_name {
    struct wide_name *next;
    const char *narrow; /* the reader's string: the key */
    WCHAR wide[];
};

const WCHAR *module_wide_name(struct sym_module *module, const char *narrow)
{
    struct wide_name *head = atomic_load(&module->wide_names), *entry;
    size_t length = strlen(narrow) + 1; /* UTF-8 never widens to more units */

    for (struct wide_name *e = head; e; e = e->next)
        if (e->narrow == narrow)
            return e->wide;
    entry = malloc(sizeof(*entry) + length * sizeof(WCHAR));
    if (!entry)
        return NULL;
    entry->narrow = narrow;
    text_widen(narrow, entry->wide, length);
    do {
        /* another thread may have added it meanwhile: use theirs */
        for (struct wide_name *e = head; e; e = e->next)
            if (e->narrow == narrow) {
                free(entry);
                return e->wide;
            }
        entry->next = head;
    } while (!atomic_compare_exchange_weak(&module->wide_names, &head, entry));
    return entry->wide;
}

void module_free_wide_names(struct sym_module *module)
{
    struct wide_name *e = atomic_exchange(&module->wide_names, NULL);

    while (e) {
        struct wide_name *next = e->next;
        free(e);
        e = next;
    }
}

const WCHAR *sym_module_wide_file(HANDLE process, uint64_t module_base, const char *file)
{
    struct sym_session *session = session_acquire(process);
    struct sym_module *m;
    const WCHAR *wide = NULL;

    if (!session)
        return NULL;
    m = session_module_at(session, module_base);
    if (m && m->base == module_base)
        wide = module_wide_name(m, file);
    session_release(session);
    return wide;
}
