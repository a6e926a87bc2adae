/*
 * SymAddrIncludeInlineTrace: how many inline frames DbgHelp reports at an
 * address, from the debug information of the module holding it.
 */
#include "inline_context.h"
#include "session.h"

DWORD SymAddrIncludeInlineTrace(HANDLE hProcess, DWORD64 Address)
{
    struct sym_session *session = session_acquire(hProcess);
    struct target_reader reader = {hProcess, NULL, NULL};
    struct sym_module *m;
    struct debug_info *info;
    unsigned count = 0;

    if (!session)
        return 0;
    reader.session = session;
    m = session_module_at(session, Address);
    if (!m) {
        session_release(session);
        dw_set_last_error(ERROR_MOD_NOT_FOUND);
        return 0;
    }
    info = module_debug_info(session, &m, &reader);
    if (m && info && info->ops->inlines_at)
        count = info->ops->inlines_at(info, (uint32_t)(Address - m->base), NULL, 0);
    session_release(session);
    return count > DW_INLINE_MAX_DEPTH ? DW_INLINE_MAX_DEPTH : count;
}
