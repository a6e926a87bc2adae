/*
 * The inline-context functions: how many inline frames DbgHelp reports at an
 * address (SymAddrIncludeInlineTrace, and the walk's own question), and what
 * names a frame given by its inline context (SymFromInlineContext(W),
 * SymGetLineFromInlineContext(W)), with the tracing and comparing debuggers
 * do when they step (SymQueryInlineTrace, SymCompareInlineTrace).
 *
 * An address's inline trace, as StackWalkEx reports it: the virtual frames,
 * innermost (depth 0) first, then the physical procedure. Levels count the
 * other way, from the outside: level 0 is the procedure, level `count` the
 * innermost inlinee (inline_context.h has the context values).
 */
#include "function_entry.h"
#include "inline_context.h"
#include "session.h"
#include "symbol_info.h"

#include <stdlib.h>

/* The inline chain at the lookup's address, innermost first, up to `max`;
 * returns its length, capped at what a context can name. */
static unsigned chain_of(const struct module_lookup *l, struct di_inline_frame *out, unsigned max)
{
    unsigned count = 0;

    if (l->info && l->info->ops->inlines_at)
        count = l->info->ops->inlines_at(l->info, l->rva, out, max);
    return count > DW_INLINE_MAX_DEPTH ? DW_INLINE_MAX_DEPTH : count;
}

DW_EXPORT DWORD IMAGEAPI SymAddrIncludeInlineTrace(HANDLE hProcess, DWORD64 Address)
{
    struct module_lookup l;
    unsigned count;

    if (!module_lookup_open(hProcess, Address, &l))
        return 0;
    count = chain_of(&l, NULL, 0);
    module_lookup_close(&l);
    return count;
}

unsigned sym_inline_count_for_walk(HANDLE process, DWORD64 address)
{
    DWORD error = GetLastError(); /* a walk's frame sets no last error */
    unsigned count = SymAddrIncludeInlineTrace(process, address);

    dw_set_last_error(error);
    return count;
}

/* ---- names and lines of a frame ---- */

/* The symbol a context names at an address: a virtual frame's inlinee, else
 * (INIT, IGNORE, a physical frame) what SymFromAddr answers. */
static bool symbol_in_context(HANDLE process, DWORD64 address, ULONG context,
                              struct found_symbol *found)
{
    struct di_inline_frame chain[DW_INLINE_MAX_DEPTH];
    struct module_lookup l;
    unsigned depth, count;
    bool ok = false;

    if (!inline_context_valid(context)) {
        dw_set_last_error(ERROR_INVALID_PARAMETER);
        return false;
    }
    if (!inline_context_is_virtual(context, &depth))
        return sym_symbol_for_address(process, address, found);
    if (!module_lookup_open(process, address, &l))
        return false;
    count = chain_of(&l, chain, DW_INLINE_MAX_DEPTH);
    if (depth < count) {
        found_symbol_from_debug(found, l.module->base,
                                l.module->pe.machine == IMAGE_FILE_MACHINE_I386,
                                l.info->ops->format, &chain[depth].function);
        ok = true;
    }
    module_lookup_close(&l);
    if (!ok)
        dw_set_last_error(ERROR_INVALID_ADDRESS);
    return ok;
}

DW_EXPORT BOOL IMAGEAPI SymFromInlineContext(HANDLE hProcess, DWORD64 Address, ULONG InlineContext,
                                             PDWORD64 Displacement, PSYMBOL_INFO Symbol)
{
    struct found_symbol found;

    if (!Symbol || Symbol->SizeOfStruct < offsetof(SYMBOL_INFO, Name)) {
        dw_set_last_error(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    if (!symbol_in_context(hProcess, Address, InlineContext, &found))
        return FALSE;
    found_symbol_fill(&found, Symbol);
    if (Displacement)
        *Displacement = Address - found.address;
    return TRUE;
}

DW_EXPORT BOOL IMAGEAPI SymFromInlineContextW(HANDLE hProcess, DWORD64 Address,
                                              ULONG InlineContext, PDWORD64 Displacement,
                                              PSYMBOL_INFOW Symbol)
{
    struct found_symbol found;

    if (!Symbol || Symbol->SizeOfStruct < offsetof(SYMBOL_INFOW, Name)) {
        dw_set_last_error(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    if (!symbol_in_context(hProcess, Address, InlineContext, &found))
        return FALSE;
    found_symbol_fill_wide(&found, Symbol);
    if (Displacement)
        *Displacement = Address - found.address;
    return TRUE;
}

struct found_line {
    struct di_line line;
    uint64_t module_base;
    const WCHAR *wide_file; /* asked for by the W function */
};

/* The line a context names at an address: a virtual frame's line inside its
 * inlinee (the innermost's line at the address, an outer one's the call
 * site of the frame inside it); a physical frame's, the call site of its
 * outermost inlinee; INIT and IGNORE, the line table's entry, as
 * SymGetLineFromAddr64 (for inlined code, the same call site). */
static bool line_in_context(HANDLE process, DWORD64 address, ULONG context, bool wide,
                            struct found_line *found)
{
    struct di_inline_frame chain[DW_INLINE_MAX_DEPTH];
    struct module_lookup l;
    unsigned depth;
    bool ok = false;

    if (!inline_context_valid(context)) {
        dw_set_last_error(ERROR_INVALID_PARAMETER);
        return false;
    }
    if (!module_lookup_open(process, address, &l))
        return false;
    if (inline_context_is_virtual(context, &depth)) {
        if (depth < chain_of(&l, chain, DW_INLINE_MAX_DEPTH)) {
            found->line = chain[depth].line;
            ok = found->line.line != 0 && found->line.file;
        }
    } else if (context != INLINE_FRAME_CONTEXT_INIT && context != INLINE_FRAME_CONTEXT_IGNORE &&
               (depth = chain_of(&l, chain, DW_INLINE_MAX_DEPTH)) > 0) {
        /* the physical frame under inline ones: the call site of the
         * outermost, which the reader finds even for code inlined before
         * the procedure's first line entry */
        found->line = chain[depth - 1].call_site;
        ok = found->line.line != 0 && found->line.file;
    } else if (l.info && l.info->ops->line_at) {
        ok = l.info->ops->line_at(l.info, l.rva, &found->line);
    }
    if (ok) {
        found->module_base = l.module->base;
        found->wide_file = wide ? module_wide_name(l.module, found->line.file) : NULL;
        ok = !wide || found->wide_file;
    }
    module_lookup_close(&l);
    if (!ok)
        dw_set_last_error(ERROR_INVALID_ADDRESS);
    return ok;
}

/* qwModuleBaseAddress is optional in DbgHelp; the address finds the module. */
DW_EXPORT BOOL IMAGEAPI SymGetLineFromInlineContext(HANDLE hProcess, DWORD64 qwAddr,
                                                    ULONG InlineContext,
                                                    DWORD64 qwModuleBaseAddress,
                                                    PDWORD pdwDisplacement,
                                                    PIMAGEHLP_LINE64 Line64)
{
    struct found_line found;

    (void)qwModuleBaseAddress;
    if (!Line64) {
        dw_set_last_error(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    if (!line_in_context(hProcess, qwAddr, InlineContext, false, &found))
        return FALSE;
    Line64->Key = NULL;
    Line64->LineNumber = found.line.line;
    Line64->FileName = (PCHAR)found.line.file;
    Line64->Address = found.module_base + found.line.rva;
    if (pdwDisplacement)
        *pdwDisplacement = (DWORD)(qwAddr - Line64->Address);
    return TRUE;
}

DW_EXPORT BOOL IMAGEAPI SymGetLineFromInlineContextW(HANDLE hProcess, DWORD64 dwAddr,
                                                     ULONG InlineContext,
                                                     DWORD64 qwModuleBaseAddress,
                                                     PDWORD pdwDisplacement,
                                                     PIMAGEHLP_LINEW64 Line)
{
    struct found_line found;

    (void)qwModuleBaseAddress;
    if (!Line) {
        dw_set_last_error(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    if (!line_in_context(hProcess, dwAddr, InlineContext, true, &found))
        return FALSE;
    Line->Key = NULL;
    Line->LineNumber = found.line.line;
    Line->FileName = (PWSTR)found.wide_file;
    Line->Address = found.module_base + found.line.rva;
    if (pdwDisplacement)
        *pdwDisplacement = (DWORD)(dwAddr - Line->Address);
    return TRUE;
}

/* ---- traces, for stepping ---- */

/* One address's trace: the physical procedure and the inlinees. */
struct inline_trace {
    bool known;             /* the address is in a module */
    uint64_t module_base;
    bool has_procedure;
    uint32_t procedure_rva; /* the physical procedure's start */
    unsigned count;
    struct di_inline_frame frames[DW_INLINE_MAX_DEPTH]; /* innermost first */
};

static bool trace_at(HANDLE process, DWORD64 address, struct inline_trace *t)
{
    struct module_lookup l;
    struct di_symbol procedure;

    memset(t, 0, offsetof(struct inline_trace, frames));
    if (!address || !module_lookup_open(process, address, &l))
        return false;
    t->known = true;
    t->module_base = l.module->base;
    t->count = chain_of(&l, t->frames, DW_INLINE_MAX_DEPTH);
    if (l.info && l.info->ops->symbol_at && l.info->ops->symbol_at(l.info, l.rva, &procedure)) {
        t->has_procedure = true;
        t->procedure_rva = procedure.rva;
    }
    module_lookup_close(&l);
    return true;
}

static bool same_procedure(const struct inline_trace *a, const struct inline_trace *b)
{
    return a->known && b->known && a->has_procedure && b->has_procedure &&
           a->module_base == b->module_base && a->procedure_rva == b->procedure_rva;
}

/* The inlinee at `level` (1 = outermost). */
static const struct di_symbol *at_level(const struct inline_trace *t, unsigned level)
{
    return &t->frames[t->count - level].function;
}

/* How many levels from the outside the two traces share, up to `limit`. */
static unsigned shared_levels(const struct inline_trace *a, const struct inline_trace *b,
                              unsigned limit)
{
    unsigned k = 0;

    while (k < limit && k < a->count && k < b->count) {
        const struct di_symbol *x = at_level(a, k + 1), *y = at_level(b, k + 1);
        if (x->rva != y->rva || x->name_length != y->name_length ||
            memcmp(x->name, y->name, x->name_length) != 0)
            break;
        k++;
    }
    return k;
}

/* The level a context names in a trace: a virtual frame's, 0 for the
 * physical frame, the innermost for INIT and IGNORE (the first frame a walk
 * reports there). False for a virtual frame the trace has not. */
static bool level_of(const struct inline_trace *t, ULONG context, unsigned *level)
{
    unsigned depth;

    if (inline_context_is_virtual(context, &depth)) {
        if (depth >= t->count)
            return false;
        *level = t->count - depth;
    } else if (context == INLINE_FRAME_CONTEXT_INIT || context == INLINE_FRAME_CONTEXT_IGNORE) {
        *level = t->count;
    } else {
        *level = 0;
    }
    return true;
}

/* The context of `level` in a trace of `count` inlinees, as StackWalkEx
 * reports it. */
static DWORD context_of_level(unsigned count, unsigned level)
{
    if (level == 0)
        return count ? inline_context_physical(count) : INLINE_FRAME_CONTEXT_INIT;
    return inline_context_virtual(count - level);
}

/* The frame at CurAddress that continues the frame (StartAddress,
 * StartContext) when a debugger steps: in the same procedure (a step within
 * it), the deepest level of CurAddress's trace that is still the start
 * frame or one around it; in the procedure of StartRetAddress (a step out
 * of the start's procedure), the deepest level the return address's trace
 * shares. *CurFrameIndex is that frame's position in StackWalkEx's order at
 * CurAddress (0 = the first frame reported there). As the documentation
 * says, one of the two must be in CurAddress's procedure. */
DW_EXPORT BOOL IMAGEAPI SymQueryInlineTrace(HANDLE hProcess, DWORD64 StartAddress,
                                            DWORD StartContext, DWORD64 StartRetAddress,
                                            DWORD64 CurAddress, LPDWORD CurContext,
                                            LPDWORD CurFrameIndex)
{
    struct inline_trace *start, *cur;
    unsigned level = 0, k;
    BOOL ok = FALSE;

    if (!CurContext || !CurFrameIndex || !inline_context_valid(StartContext)) {
        dw_set_last_error(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    start = malloc(sizeof(*start));
    cur = malloc(sizeof(*cur));
    if (!start || !cur) {
        dw_set_last_error(ERROR_NOT_ENOUGH_MEMORY);
        goto out;
    }
    if (!trace_at(hProcess, CurAddress, cur))
        goto out;
    if (trace_at(hProcess, StartAddress, start) && same_procedure(start, cur)) {
        if (!level_of(start, StartContext, &level)) {
            dw_set_last_error(ERROR_INVALID_PARAMETER);
            goto out;
        }
    } else if (trace_at(hProcess, StartRetAddress, start) && same_procedure(start, cur)) {
        level = start->count;
    } else {
        dw_set_last_error(ERROR_INVALID_PARAMETER);
        goto out;
    }
    k = shared_levels(start, cur, level);
    *CurContext = context_of_level(cur->count, k);
    *CurFrameIndex = cur->count - k;
    ok = TRUE;
out:
    free(start);
    free(cur);
    return ok;
}

#ifndef SYM_INLINE_COMP_ERROR
#define SYM_INLINE_COMP_ERROR 0
#define SYM_INLINE_COMP_IDENTICAL 1
#define SYM_INLINE_COMP_STEPIN 2
#define SYM_INLINE_COMP_STEPOUT 3
#define SYM_INLINE_COMP_STEPOVER 4
#define SYM_INLINE_COMP_DIFFERENT 5
#endif

/* How the trace at Address2 (its innermost frame) relates to the frame
 * (Address1, InlineContext1): the same frame, a step into an inlinee of it
 * (or, across procedures, into a callee whose return address is in it), a
 * step out of it, a step over into a sibling, or unrelated. */
DW_EXPORT DWORD IMAGEAPI SymCompareInlineTrace(HANDLE hProcess, DWORD64 Address1,
                                               DWORD InlineContext1, DWORD64 RetAddress1,
                                               DWORD64 Address2, DWORD64 RetAddress2)
{
    struct inline_trace *one, *two, *ret;
    unsigned level, k;
    DWORD result = SYM_INLINE_COMP_ERROR;

    if (!inline_context_valid(InlineContext1)) {
        dw_set_last_error(ERROR_INVALID_PARAMETER);
        return SYM_INLINE_COMP_ERROR;
    }
    one = malloc(sizeof(*one));
    two = malloc(sizeof(*two));
    ret = malloc(sizeof(*ret));
    if (!one || !two || !ret) {
        dw_set_last_error(ERROR_NOT_ENOUGH_MEMORY);
        goto out;
    }
    if (!trace_at(hProcess, Address1, one) || !trace_at(hProcess, Address2, two))
        goto out;
    if (!level_of(one, InlineContext1, &level)) {
        dw_set_last_error(ERROR_INVALID_PARAMETER);
        goto out;
    }
    if (!same_procedure(one, two)) {
        if (trace_at(hProcess, RetAddress1, ret) && same_procedure(ret, two))
            result = SYM_INLINE_COMP_STEPOUT;
        else if (trace_at(hProcess, RetAddress2, ret) && same_procedure(ret, one))
            result = SYM_INLINE_COMP_STEPIN;
        else
            result = SYM_INLINE_COMP_DIFFERENT;
        goto out;
    }
    k = shared_levels(one, two, level);
    if (k == level && k == two->count)
        result = SYM_INLINE_COMP_IDENTICAL;
    else if (k == level)
        result = SYM_INLINE_COMP_STEPIN;
    else if (k == two->count)
        result = SYM_INLINE_COMP_STEPOUT;
    else
        result = SYM_INLINE_COMP_STEPOVER;
out:
    free(one);
    free(two);
    free(ret);
    return result;
}
