/*
 * Symbols by name and by mask: SymFromName(W), SymGetSymFromName64,
 * SymEnumSymbols(W/Ex/ExW), SymEnumSym, SymEnumerateSymbols64/W64.
 *
 * Each module's symbols come from its debug information (procedures and
 * publics, as the reader lists them), else from its export table, as
 * SymFromAddr names addresses. Names are compared as SymFromAddr shows
 * them (SYMOPT_UNDNAME undecorates publics). A public at the address of a
 * procedure is the same function seen twice: the procedure wins (it has the
 * size and the readable name), unless SYMOPT_PUBLICS_ONLY asks for publics.
 *
 * Locking: a module's matches are gathered with the session held shared and
 * handed to the caller's callback after it is released, so a callback may
 * call back into the symbol API (or load and unload modules).
 */
#include "session.h"
#include "symbol_info.h"
#include "text.h"
#include "wildcard.h"

#include <stdio.h>
#include <stdlib.h>

/* One gathered symbol; the name lives in the list's name blob. */
struct gathered {
    uint64_t address;
    uint32_t size, tag, flags;
    size_t name;
};

struct gathered_list {
    struct gathered *items;
    size_t count, capacity;
    char *names;
    size_t names_used, names_capacity;
    uint32_t *procedure_rvas; /* every non-public symbol's RVA: publics there are dropped */
    size_t procedure_count, procedure_capacity;
    bool failed; /* out of memory */
};

static bool grow(void **array, size_t *capacity, size_t needed, size_t element)
{
    size_t cap = *capacity ? *capacity : 64;
    void *grown;

    if (needed <= *capacity)
        return true;
    while (cap < needed)
        cap *= 2;
    grown = realloc(*array, cap * element);
    if (!grown)
        return false;
    *array = grown;
    *capacity = cap;
    return true;
}

static void gathered_add(struct gathered_list *list, const struct found_symbol *found)
{
    size_t length = strlen(found->name) + 1;

    if (list->failed)
        return;
    if (!grow((void **)&list->items, &list->capacity, list->count + 1, sizeof(*list->items)) ||
        !grow((void **)&list->names, &list->names_capacity, list->names_used + length, 1)) {
        list->failed = true;
        return;
    }
    list->items[list->count++] = (struct gathered){found->address, found->size, found->tag,
                                                    found->flags, list->names_used};
    memcpy(list->names + list->names_used, found->name, length);
    list->names_used += length;
}

static void gathered_free(struct gathered_list *list)
{
    free(list->items);
    free(list->names);
    free(list->procedure_rvas);
    memset(list, 0, sizeof(*list));
}

static void gathered_found(const struct gathered_list *list, const struct gathered *g,
                           uint64_t module_base, struct found_symbol *out)
{
    out->module_base = module_base;
    out->address = g->address;
    out->size = g->size;
    out->tag = g->tag;
    out->flags = g->flags;
    snprintf(out->name, sizeof(out->name), "%s", list->names + g->name);
}

/* What one module's symbols are matched against. */
struct module_scan {
    const char *pattern;   /* wildcard mask, or the exact name (SymFromName) */
    bool exact;
    bool case_sensitive;
    bool keep_publics; /* SymFromName: a shadowed public is answered by its procedure */
    uint64_t base;
    bool x86;
    const char *format;
    struct gathered_list *list;
};

static int fold(int c)
{
    return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

static bool exact_equal(const char *a, const char *b, bool case_sensitive)
{
    if (case_sensitive)
        return strcmp(a, b) == 0;
    while (*a && fold((unsigned char)*a) == fold((unsigned char)*b)) {
        a++;
        b++;
    }
    return fold((unsigned char)*a) == fold((unsigned char)*b);
}

static bool scan_matches(const struct module_scan *scan, const char *name)
{
    return scan->exact ? exact_equal(name, scan->pattern, scan->case_sensitive)
                       : sym_match(name, scan->pattern, scan->case_sensitive);
}

static bool gather_debug_symbol(void *context, const struct di_symbol *symbol)
{
    struct module_scan *scan = context;
    struct gathered_list *list = scan->list;
    bool publics_only = (sym_options() & SYMOPT_PUBLICS_ONLY) != 0;
    struct found_symbol found;

    if (symbol->tag != DI_TAG_PUBLIC) {
        if (publics_only)
            return true;
        if (!grow((void **)&list->procedure_rvas, &list->procedure_capacity,
                  list->procedure_count + 1, sizeof(*list->procedure_rvas))) {
            list->failed = true;
            return false;
        }
        list->procedure_rvas[list->procedure_count++] = symbol->rva;
    }
    found_symbol_from_debug(&found, scan->base, scan->x86, scan->format, symbol);
    if (scan_matches(scan, found.name))
        gathered_add(list, &found);
    return !list->failed;
}

static int compare_rva(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* Drops the publics standing at a procedure's address. */
static void drop_shadowed_publics(struct gathered_list *list, uint64_t base)
{
    size_t kept = 0;

    if (!list->procedure_count)
        return;
    qsort(list->procedure_rvas, list->procedure_count, sizeof(uint32_t), compare_rva);
    for (size_t i = 0; i < list->count; i++) {
        uint32_t rva = (uint32_t)(list->items[i].address - base);
        if (list->items[i].tag == DI_TAG_PUBLIC &&
            bsearch(&rva, list->procedure_rvas, list->procedure_count, sizeof(uint32_t),
                    compare_rva))
            continue;
        list->items[kept++] = list->items[i];
    }
    list->count = kept;
}

/* Gathers the matching symbols of the module the lookup holds; false when
 * memory ran out. */
static bool gather_module(struct module_lookup *l, struct module_scan *scan)
{
    struct sym_module *m = l->module;
    struct debug_info *info = l->info;
    uint64_t base = m->base;

    scan->base = m->base;
    if (info && info->ops->enum_symbols) {
        scan->x86 = m->pe.machine == IMAGE_FILE_MACHINE_I386;
        scan->format = info->ops->format;
        info->ops->enum_symbols(info, gather_debug_symbol, scan);
        if (!scan->keep_publics)
            drop_shadowed_publics(scan->list, m->base);
        return !scan->list->failed;
    }
    m = session_load_part(l->session, base, PART_EXPORTS, &l->reader);
    if (!m)
        return true; /* no exports either: nothing to list */
    for (uint32_t i = 0; i < m->export_count; i++) {
        struct found_symbol found;
        found_symbol_from_export(&found, m->base, m->exports[i].rva,
                                 m->export_names + m->exports[i].name);
        if (scan_matches(scan, found.name))
            gathered_add(scan->list, &found);
    }
    return !scan->list->failed;
}

/* The bases of the modules to search: the one holding `base` when it is
 * not 0, else every module whose name matches `module_mask` (NULL: all). */
static bool module_bases(struct sym_session *session, uint64_t base, const char *module_mask,
                         uint64_t **out, size_t *count)
{
    size_t n = 0, i = 0;

    *out = NULL;
    *count = 0;
    if (base) {
        struct sym_module *m = session_module_at(session, base);
        if (!m) {
            dw_set_last_error(ERROR_MOD_NOT_FOUND);
            return false;
        }
        if (module_mask && !sym_match(m->module_name, module_mask, false))
            return true;
        *out = malloc(sizeof(uint64_t));
        if (!*out) {
            dw_set_last_error(ERROR_NOT_ENOUGH_MEMORY);
            return false;
        }
        (*out)[0] = m->base;
        *count = 1;
        return true;
    }
    for (struct sym_module *m = session->modules; m; m = m->next)
        n++;
    *out = malloc((n ? n : 1) * sizeof(uint64_t));
    if (!*out) {
        dw_set_last_error(ERROR_NOT_ENOUGH_MEMORY);
        return false;
    }
    for (struct sym_module *m = session->modules; m; m = m->next)
        if (!module_mask || sym_match(m->module_name, module_mask, false))
            (*out)[i++] = m->base;
    *count = i;
    return true;
}

/* A mask's module part (before `!`, copied into `module`) and symbol part;
 * false when there is no `!`. A NULL or empty symbol part is `*`. */
static bool split_mask(const char *mask, char *module, size_t size, const char **symbol)
{
    const char *bang = mask ? strchr(mask, '!') : NULL;

    *symbol = mask && *mask ? mask : "*";
    if (!bang)
        return false;
    snprintf(module, size, "%.*s", (int)(bang - mask), mask);
    *symbol = bang[1] ? bang + 1 : "*";
    return true;
}

/* Hands each gathered symbol to the caller; false when it said stop. */
typedef bool (*deliver_fn)(void *context, const struct found_symbol *found);

/* SymEnumSymbols' common part: every symbol matching `mask` in the module
 * at BaseOfDll (0: the modules the mask's module part names). */
static BOOL enumerate(HANDLE process, uint64_t base, const char *mask, deliver_fn deliver,
                      void *context)
{
    struct sym_session *session = session_acquire(process);
    char module_mask[256];
    const char *symbol_mask;
    bool has_module = split_mask(mask, module_mask, sizeof(module_mask), &symbol_mask);
    uint64_t *bases;
    size_t count;
    bool go_on = true;

    if (!session)
        return FALSE;
    if (!base && !has_module) {
        /* DbgHelp lists the locals of the SymSetContext scope here; no
         * reader of ours reads locals, so there are none to list. */
        session_release(session);
        return TRUE;
    }
    if (!module_bases(session, base, has_module ? module_mask : NULL, &bases, &count)) {
        session_release(session);
        return FALSE;
    }
    session_release(session);
    for (size_t i = 0; i < count && go_on; i++) {
        struct gathered_list list = {0};
        struct module_scan scan = {symbol_mask, false,
                                   (sym_options() & SYMOPT_CASE_INSENSITIVE) == 0, false,
                                   0, false, "", &list};
        struct module_lookup l;
        if (!module_lookup_open(process, bases[i], &l)) {
            if (GetLastError() == ERROR_INVALID_HANDLE)
                break; /* the session went away */
            continue;  /* the module did */
        }
        if (l.rva == 0 && !gather_module(&l, &scan) && list.failed) {
            module_lookup_close(&l);
            gathered_free(&list);
            free(bases);
            dw_set_last_error(ERROR_NOT_ENOUGH_MEMORY);
            return FALSE;
        }
        module_lookup_close(&l);
        for (size_t k = 0; k < list.count && go_on; k++) {
            struct found_symbol found;
            gathered_found(&list, &list.items[k], bases[i], &found);
            go_on = deliver(context, &found);
        }
        gathered_free(&list);
    }
    free(bases);
    return TRUE;
}

/* A public found by name whose address starts a procedure is reported as
 * that procedure (its size, tag and readable name), as SymFromAddr would. */
static void procedure_at(struct sym_session *session, HANDLE process, struct found_symbol *found)
{
    struct module_lookup l;
    struct di_symbol symbol;
    DWORD error = GetLastError(); /* a found symbol's lookup sets none */

    if ((sym_options() & SYMOPT_PUBLICS_ONLY) ||
        !module_lookup_in(session, process, found->address, &l)) {
        dw_set_last_error(error);
        return;
    }
    if (!l.info || !l.info->ops->symbol_at || !l.info->ops->symbol_at(l.info, l.rva, &symbol))
        return;
    if (symbol.tag != DI_TAG_PUBLIC && symbol.rva == l.rva)
        found_symbol_from_debug(found, l.module->base,
                                l.module->pe.machine == IMAGE_FILE_MACHINE_I386,
                                l.info->ops->format, &symbol);
}

/* SymFromName's common part: the first module (in load order) with a
 * symbol of exactly that name; a procedure of the name before a public, and
 * a public standing at a procedure's address answered by the procedure. */
static bool symbol_by_name(HANDLE process, const char *name, struct found_symbol *out)
{
    struct sym_session *session;
    char module_name[256];
    const char *symbol_name;
    bool has_module = split_mask(name, module_name, sizeof(module_name), &symbol_name);
    uint64_t *bases;
    size_t count;
    bool found = false;

    if (!name || !*name || (has_module && !name[strlen(module_name) + 1])) {
        dw_set_last_error(ERROR_INVALID_PARAMETER);
        return false;
    }
    session = session_acquire(process);
    if (!session)
        return false;
    /* the module part is a name, not a mask: matched exactly (no case) */
    if (!module_bases(session, 0, NULL, &bases, &count)) {
        session_release(session);
        return false;
    }
    if (has_module) {
        size_t kept = 0;
        for (size_t i = 0; i < count; i++) {
            struct sym_module *m = session_module_at(session, bases[i]);
            if (m && exact_equal(m->module_name, module_name, false))
                bases[kept++] = bases[i];
        }
        count = kept;
    }
    if (has_module && !count) {
        session_release(session);
        free(bases);
        dw_set_last_error(ERROR_MOD_NOT_FOUND);
        return false;
    }
    for (size_t i = 0; i < count && !found; i++) {
        struct gathered_list list = {0};
        struct module_scan scan = {symbol_name, true,
                                   (sym_options() & SYMOPT_CASE_INSENSITIVE) == 0, true,
                                   0, false, "", &list};
        const struct gathered *best = NULL;
        struct module_lookup l;

        if (module_lookup_in(session, process, bases[i], &l) && l.rva == 0)
            gather_module(&l, &scan);
        for (size_t k = 0; k < list.count; k++) {
            if (!best || (best->tag == DI_TAG_PUBLIC && list.items[k].tag != DI_TAG_PUBLIC))
                best = &list.items[k];
        }
        if (best) {
            gathered_found(&list, best, bases[i], out);
            found = true;
            if (best->tag == DI_TAG_PUBLIC)
                procedure_at(session, process, out);
        }
        gathered_free(&list);
    }
    session_release(session);
    free(bases);
    if (!found)
        dw_set_last_error(ERROR_MOD_NOT_FOUND);
    return found;
}

DW_EXPORT BOOL IMAGEAPI SymFromName(HANDLE hProcess, PCSTR Name, PSYMBOL_INFO Symbol)
{
    struct found_symbol found;

    if (!Name || !Symbol || Symbol->SizeOfStruct < offsetof(SYMBOL_INFO, Name)) {
        dw_set_last_error(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    if (!symbol_by_name(hProcess, Name, &found))
        return FALSE;
    found_symbol_fill(&found, Symbol);
    return TRUE;
}

DW_EXPORT BOOL IMAGEAPI SymFromNameW(HANDLE hProcess, PCWSTR Name, PSYMBOL_INFOW Symbol)
{
    struct found_symbol found;
    char name[1024];

    if (!Name || !Symbol || Symbol->SizeOfStruct < offsetof(SYMBOL_INFOW, Name)) {
        dw_set_last_error(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    if (!text_narrow(Name, name, sizeof(name))) {
        dw_set_last_error(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    if (!symbol_by_name(hProcess, name, &found))
        return FALSE;
    found_symbol_fill_wide(&found, Symbol);
    return TRUE;
}

DW_EXPORT BOOL IMAGEAPI SymGetSymFromName64(HANDLE hProcess, PCSTR Name,
                                            PIMAGEHLP_SYMBOL64 Symbol)
{
    struct found_symbol found;

    if (!Name || !Symbol) {
        dw_set_last_error(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    if (!symbol_by_name(hProcess, Name, &found))
        return FALSE;
    found_symbol_fill_old(&found, Symbol);
    return TRUE;
}

/* The SYMBOL_INFO(W) handed to enumeration callbacks: room for the longest
 * name we produce, SizeOfStruct and MaxNameLen as DbgHelp sets them. */
struct narrow_delivery {
    PSYM_ENUMERATESYMBOLS_CALLBACK callback;
    PVOID context;
    union {
        SYMBOL_INFO info;
        char bytes[sizeof(SYMBOL_INFO) + MAX_SYM_NAME];
    } symbol;
};

static bool deliver_narrow(void *context, const struct found_symbol *found)
{
    struct narrow_delivery *d = context;

    memset(&d->symbol.info, 0, sizeof(d->symbol.info));
    d->symbol.info.SizeOfStruct = sizeof(SYMBOL_INFO);
    d->symbol.info.MaxNameLen = MAX_SYM_NAME;
    found_symbol_fill(found, &d->symbol.info);
    return d->callback(&d->symbol.info, d->symbol.info.Size, d->context) != FALSE;
}

struct wide_delivery {
    PSYM_ENUMERATESYMBOLS_CALLBACKW callback;
    PVOID context;
    union {
        SYMBOL_INFOW info;
        char bytes[sizeof(SYMBOL_INFOW) + MAX_SYM_NAME * sizeof(WCHAR)];
    } symbol;
};

static bool deliver_wide(void *context, const struct found_symbol *found)
{
    struct wide_delivery *d = context;

    memset(&d->symbol.info, 0, sizeof(d->symbol.info));
    d->symbol.info.SizeOfStruct = sizeof(SYMBOL_INFOW);
    d->symbol.info.MaxNameLen = MAX_SYM_NAME;
    found_symbol_fill_wide(found, &d->symbol.info);
    return d->callback(&d->symbol.info, d->symbol.info.Size, d->context) != FALSE;
}

static BOOL enumerate_narrow(HANDLE process, ULONG64 base, PCSTR mask,
                             PSYM_ENUMERATESYMBOLS_CALLBACK callback, PVOID context)
{
    struct narrow_delivery *d;
    BOOL ok;

    if (!callback) {
        dw_set_last_error(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    d = malloc(sizeof(*d));
    if (!d) {
        dw_set_last_error(ERROR_NOT_ENOUGH_MEMORY);
        return FALSE;
    }
    d->callback = callback;
    d->context = context;
    ok = enumerate(process, base, mask, deliver_narrow, d);
    free(d);
    return ok;
}

static BOOL enumerate_wide(HANDLE process, ULONG64 base, PCWSTR mask,
                           PSYM_ENUMERATESYMBOLS_CALLBACKW callback, PVOID context)
{
    struct wide_delivery *d;
    char narrow[1024];
    BOOL ok;

    if (!callback || (mask && !text_narrow(mask, narrow, sizeof(narrow)))) {
        dw_set_last_error(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    d = malloc(sizeof(*d));
    if (!d) {
        dw_set_last_error(ERROR_NOT_ENOUGH_MEMORY);
        return FALSE;
    }
    d->callback = callback;
    d->context = context;
    ok = enumerate(process, base, mask ? narrow : NULL, deliver_wide, d);
    free(d);
    return ok;
}

DW_EXPORT BOOL IMAGEAPI SymEnumSymbols(HANDLE hProcess, ULONG64 BaseOfDll, PCSTR Mask,
                                       PSYM_ENUMERATESYMBOLS_CALLBACK EnumSymbolsCallback,
                                       PVOID UserContext)
{
    return enumerate_narrow(hProcess, BaseOfDll, Mask, EnumSymbolsCallback, UserContext);
}

DW_EXPORT BOOL IMAGEAPI SymEnumSymbolsW(HANDLE hProcess, ULONG64 BaseOfDll, PCWSTR Mask,
                                        PSYM_ENUMERATESYMBOLS_CALLBACKW EnumSymbolsCallback,
                                        PVOID UserContext)
{
    return enumerate_wide(hProcess, BaseOfDll, Mask, EnumSymbolsCallback, UserContext);
}

/* SYMENUM_OPTIONS_INLINE would add the inline sites; the readers do not list
 * them, so both options enumerate what SymEnumSymbols does. */
DW_EXPORT BOOL IMAGEAPI SymEnumSymbolsEx(HANDLE hProcess, ULONG64 BaseOfDll, PCSTR Mask,
                                         PSYM_ENUMERATESYMBOLS_CALLBACK EnumSymbolsCallback,
                                         PVOID UserContext, DWORD Options)
{
    (void)Options;
    return enumerate_narrow(hProcess, BaseOfDll, Mask, EnumSymbolsCallback, UserContext);
}

DW_EXPORT BOOL IMAGEAPI SymEnumSymbolsExW(HANDLE hProcess, ULONG64 BaseOfDll, PCWSTR Mask,
                                          PSYM_ENUMERATESYMBOLS_CALLBACKW EnumSymbolsCallback,
                                          PVOID UserContext, DWORD Options)
{
    (void)Options;
    return enumerate_wide(hProcess, BaseOfDll, Mask, EnumSymbolsCallback, UserContext);
}

/* The deprecated form: every symbol of one module. */
DW_EXPORT BOOL IMAGEAPI SymEnumSym(HANDLE hProcess, ULONG64 BaseOfDll,
                                   PSYM_ENUMERATESYMBOLS_CALLBACK EnumSymbolsCallback,
                                   PVOID UserContext)
{
    return enumerate_narrow(hProcess, BaseOfDll, "*", EnumSymbolsCallback, UserContext);
}

/* The old callback form: name, address and size of every symbol of the
 * module at BaseOfDll. */
struct old_delivery {
    PSYM_ENUMSYMBOLS_CALLBACK64 narrow;
    PSYM_ENUMSYMBOLS_CALLBACK64W wide;
    PVOID context;
};

static bool deliver_old(void *context, const struct found_symbol *found)
{
    struct old_delivery *d = context;
    WCHAR wide[512];

    if (d->narrow)
        return d->narrow(found->name, found->address, found->size, d->context) != FALSE;
    text_widen(found->name, wide, DW_ARRAY_SIZE(wide));
    return d->wide(wide, found->address, found->size, d->context) != FALSE;
}

DW_EXPORT BOOL IMAGEAPI SymEnumerateSymbols64(HANDLE hProcess, DWORD64 BaseOfDll,
                                              PSYM_ENUMSYMBOLS_CALLBACK64 EnumSymbolsCallback,
                                              PVOID UserContext)
{
    struct old_delivery d = {EnumSymbolsCallback, NULL, UserContext};

    if (!EnumSymbolsCallback) {
        dw_set_last_error(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    return enumerate(hProcess, BaseOfDll, "*", deliver_old, &d);
}

DW_EXPORT BOOL IMAGEAPI SymEnumerateSymbolsW64(HANDLE hProcess, DWORD64 BaseOfDll,
                                               PSYM_ENUMSYMBOLS_CALLBACK64W EnumSymbolsCallback,
                                               PVOID UserContext)
{
    struct old_delivery d = {NULL, EnumSymbolsCallback, UserContext};

    if (!EnumSymbolsCallback) {
        dw_set_last_error(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    return enumerate(hProcess, BaseOfDll, "*", deliver_old, &d);
}
