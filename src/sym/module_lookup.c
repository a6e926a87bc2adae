/*
 * The start every per-address symbol lookup shares (names, lines, line
 * steps, inline chains): hold the session, find the module, open its debug
 * information. Written once so that the order of those steps and the last
 * errors of their failures are the same for every function.
 */
#include "session.h"

bool module_lookup_in(struct sym_session *session, HANDLE process, DWORD64 address,
                      struct module_lookup *lookup)
{
    memset(lookup, 0, sizeof(*lookup));
    lookup->session = session;
    lookup->reader = (struct target_reader){process, NULL, session};
    lookup->module = session_module_at(session, address);
    if (lookup->module)
        lookup->info = module_debug_info(session, &lookup->module, &lookup->reader);
    if (!lookup->module) { /* none, or unloaded while its debug information was searched for */
        dw_set_last_error(ERROR_MOD_NOT_FOUND);
        return false;
    }
    lookup->rva = (uint32_t)(address - lookup->module->base);
    return true;
}

bool module_lookup_open(HANDLE process, DWORD64 address, struct module_lookup *lookup)
{
    struct sym_session *session = session_acquire(process);

    if (!session) {
        memset(lookup, 0, sizeof(*lookup));
        return false;
    }
    if (!module_lookup_in(session, process, address, lookup)) {
        session_release(session);
        lookup->session = NULL;
        return false;
    }
    return true;
}

void module_lookup_close(struct module_lookup *lookup)
{
    if (lookup->session)
        session_release(lookup->session);
    lookup->session = NULL;
}
