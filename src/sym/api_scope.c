/*
 * SymSetContext and SymSetScopeFromAddr: the frame whose locals a later
 * SymEnumSymbols or SymFromName means, kept per session. The scope is an
 * instruction address in a loaded module.
 */
#include "inline_context.h"
#include "session.h"

static BOOL set_scope(HANDLE process, uint64_t address, bool report_same)
{
    struct sym_session *session = session_acquire_exclusive(process);
    bool same;

    if (!session)
        return FALSE;
    if (!session_module_at(session, address)) {
        session_release_exclusive(session);
        dw_set_last_error(ERROR_MOD_NOT_FOUND);
        return FALSE;
    }
    same = session->scope == address;
    session->scope = address;
    session_release_exclusive(session);
    /* SymSetContext: the same frame again is FALSE with ERROR_SUCCESS, as
     * documented, so a debugger knows nothing changed. */
    if (report_same && same) {
        dw_set_last_error(ERROR_SUCCESS);
        return FALSE;
    }
    return TRUE;
}

DW_EXPORT BOOL IMAGEAPI SymSetContext(HANDLE hProcess, PIMAGEHLP_STACK_FRAME StackFrame,
                                      PIMAGEHLP_CONTEXT Context)
{
    (void)Context; /* documented as unused */
    if (!StackFrame) {
        dw_set_last_error(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    return set_scope(hProcess, StackFrame->InstructionOffset, true);
}

DW_EXPORT BOOL IMAGEAPI SymSetScopeFromAddr(HANDLE hProcess, ULONG64 Address)
{
    return set_scope(hProcess, Address, false);
}

/* The scope is the frame's address whichever of its inline frames the
 * context names: the locals DbgHelp enumerates are the procedure's. */
DW_EXPORT BOOL IMAGEAPI SymSetScopeFromInlineContext(HANDLE hProcess, ULONG64 Address,
                                                     ULONG InlineContext)
{
    if (!inline_context_valid(InlineContext)) {
        dw_set_last_error(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    return set_scope(hProcess, Address, false);
}
