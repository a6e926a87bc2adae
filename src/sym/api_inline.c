/*
 * SymAddrIncludeInlineTrace: how many inline frames DbgHelp reports at an
 * address, from the debug information of the module holding it.
 */
#include "inline_context.h"
#include "session.h"

DW_EXPORT DWORD IMAGEAPI SymAddrIncludeInlineTrace(HANDLE hProcess, DWORD64 Address)
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

/* SymFromInlineContext: the inlinee a virtual frame's context names, else
 * (INIT, IGNORE, a physical frame's context) the procedure at the address. */
DW_EXPORT BOOL IMAGEAPI SymFromInlineContext(HANDLE hProcess, DWORD64 Address, ULONG InlineContext,
                                             PDWORD64 Displacement, PSYMBOL_INFO Symbol)
{
    struct sym_session *session;
    struct target_reader reader = {hProcess, NULL, NULL};
    struct sym_module *m;
    struct debug_info *info;
    struct di_inline_frame chain[DW_INLINE_MAX_DEPTH];
    struct di_symbol found;
    unsigned depth = 0, count = 0;
    bool ok = false;
    uint64_t base = 0;

    if (!Symbol || Symbol->SizeOfStruct < sizeof(SYMBOL_INFO) - 1 ||
        !inline_context_valid(InlineContext)) {
        dw_set_last_error(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    session = session_acquire(hProcess);
    if (!session)
        return FALSE;
    reader.session = session;
    m = session_module_at(session, Address);
    if (!m) {
        session_release(session);
        dw_set_last_error(ERROR_MOD_NOT_FOUND);
        return FALSE;
    }
    info = module_debug_info(session, &m, &reader);
    if (m && info) {
        uint32_t rva = (uint32_t)(Address - m->base);
        base = m->base;
        if (inline_context_is_virtual(InlineContext, &depth)) {
            if (info->ops->inlines_at)
                count = info->ops->inlines_at(info, rva, chain, DW_INLINE_MAX_DEPTH);
            if (depth < count && depth < DW_INLINE_MAX_DEPTH) {
                found = chain[depth].function;
                ok = true;
            }
        } else {
            ok = info->ops->symbol_at(info, rva, &found);
        }
    }
    if (ok) {
        size_t n = found.name_length;
        Symbol->ModBase = base;
        Symbol->Address = base + found.rva;
        Symbol->Size = found.size;
        Symbol->Tag = found.tag;
        Symbol->Flags = found.flags;
        Symbol->TypeIndex = 0;
        Symbol->Value = 0;
        Symbol->Register = 0;
        Symbol->Scope = 0;
        Symbol->NameLen = (ULONG)n;
        if (Symbol->MaxNameLen > 0) {
            /* Name is declared [1]; the caller's buffer extends it */
            char *name = Symbol->Name;
            if (n > Symbol->MaxNameLen - 1)
                n = Symbol->MaxNameLen - 1;
            memcpy(name, found.name, n);
            name[n] = '\0';
        }
        if (Displacement)
            *Displacement = Address - Symbol->Address;
    }
    session_release(session);
    if (!ok)
        dw_set_last_error(ERROR_INVALID_ADDRESS);
    return ok;
}
