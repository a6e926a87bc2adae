/*
 * Lookups a walk makes: the function-table entry for an address (from the
 * module's .pdata, read once, then binary-searched; else the registered
 * function-entry callback), and names from export tables.
 */
#include "function_entry.h"
#include "line_lookup.h"
#include "frame_data.h"
#include "session.h"
#include "published.h"
#include "symbol_info.h"
#include "text.h"
#include "../demangle/demangle.h"
#include "../undname/undname.h"

#include <stdio.h>
#include <stdlib.h>

/* The entry covering `rva`, or NULL. The search reads only the ranges
 * parse_table() took from each entry's format: the entries themselves are
 * opaque here, whatever the machine. The module's bucket index narrows it
 * to the entries between two neighbouring index values (usually one or two:
 * one dependent load instead of log2(count)); a bucket crowded with short
 * functions is still binary-searched. */
static PVOID search_table(const struct sym_module *m, uint32_t rva)
{
    const struct table_range *at;
    uint32_t offset = rva - m->index_first, bucket, n;

    /* unsigned: an rva below the first entry wraps past the span */
    if (m->table_count == 0 || offset >= m->index_span)
        return NULL;
    bucket = offset >> m->index_shift;
    at = m->table_ranges + m->table_index[bucket];
    n = m->table_index[bucket + 1] - m->table_index[bucket] + 1;
    /* The last entry that begins at or before rva (at[0] does). Halving
     * without an early exit, the step a conditional move: a walk's
     * addresses are unrelated to each other, so a branch here would be
     * mispredicted half the time. */
    while (n > 1) {
        uint32_t half = n / 2;
        at = SYM_UNPREDICTABLE(at[half].begin <= rva) ? at + half : at;
        n -= half;
    }
    if (rva < at->begin || rva >= at->end)
        return NULL;
    return (PVOID)(m->table + (size_t)(at - m->table_ranges) * m->entry_size);
}

/* The locked path: the table not read yet (read now, maybe calling the
 * caller's routine), x86 FPO from the PDB, or code no module holds (the
 * function-entry callback). */
__attribute__((noinline, cold)) static PVOID function_entry_locked(
    HANDLE process, DWORD64 address, PREAD_PROCESS_MEMORY_ROUTINE64 read, DWORD machine)
{
    struct sym_session *session = session_acquire(process);
    struct target_reader reader = {process, read, NULL};
    PSYMBOL_FUNCENTRY_CALLBACK64 callback;
    ULONG64 context;
    struct sym_module *m;
    PVOID entry = NULL;
    bool in_module;

    if (!session)
        return NULL;
    reader.session = session;
    m = session_module_at(session, address);
    in_module = m != NULL;
    if (m) {
        uint64_t base = m->base;
        m = session_load_part(session, base, PART_TABLE, &reader);
        if (m && (machine == 0 || m->pe.machine == machine))
            entry = search_table(m, (uint32_t)(address - m->base));
        /* x86 images carry no table: the FPO_DATA comes from the PDB. A
         * module whose headers could not be read (a dump's) may be x86. */
        if (!m)
            m = session_module_at(session, address);
        if (!entry && m && m->entry_size == 0 &&
            (machine == 0 || machine == IMAGE_FILE_MACHINE_I386) &&
            (m->pe.machine == IMAGE_FILE_MACHINE_I386 || m->pe.machine == 0))
            entry = sym_x86_fpo_entry(session, &m, &reader, address);
    }
    callback = session->function_entry_callback;
    context = session->function_entry_context;
    session_release(session);
    /* Code no module describes (JIT): ask the caller's callback, with no
     * lock held. */
    if (!entry && !in_module && callback)
        entry = callback(process, address, context);
    if (!entry)
        dw_set_last_error(ERROR_INVALID_ADDRESS);
    return entry;
}

/* `machine` 0: any module's entry (the public functions, whose callers know
 * what they asked for); else only an entry of a module of that machine.
 * The steady state of a walk takes no lock: a module of the published
 * snapshot whose table is read answers from it directly. Most lookups of a
 * walk fall in the module the one before found: that module, checked
 * against the thread's hints inline, answers with no search. */
static PVOID function_entry(HANDLE process, DWORD64 address, PREAD_PROCESS_MEMORY_ROUTINE64 read,
                            DWORD machine)
{
    struct sym_read_section section;
    struct sym_module *m;
    bool no_session = false;

    sym_read_enter(&section);
    m = published_module_for(process, address, &section, &no_session);
    if (m && module_table_ready(m) && m->entry_size != 0) {
        PVOID entry = NULL;
        if (machine == 0 || m->pe.machine == machine)
            entry = search_table(m, (uint32_t)(address - m->base));
        sym_read_leave(&section);
        if (!entry)
            dw_set_last_error(ERROR_INVALID_ADDRESS);
        return entry;
    }
    sym_read_leave(&section);
    return function_entry_locked(process, address, read, machine);
}

DW_EXPORT PVOID IMAGEAPI SymFunctionTableAccess64(HANDLE hProcess, DWORD64 AddrBase)
{
    return function_entry(hProcess, AddrBase, NULL, 0);
}

DW_EXPORT PVOID IMAGEAPI SymFunctionTableAccess64AccessRoutines(
    HANDLE hProcess, DWORD64 AddrBase, PREAD_PROCESS_MEMORY_ROUTINE64 ReadMemoryRoutine,
    PGET_MODULE_BASE_ROUTINE64 GetModuleBaseRoutine)
{
    (void)GetModuleBaseRoutine; /* our modules know their bases */
    return function_entry(hProcess, AddrBase, ReadMemoryRoutine, 0);
}

PVOID sym_function_entry_for_walk(HANDLE process, DWORD64 address,
                                  PREAD_PROCESS_MEMORY_ROUTINE64 read, DWORD machine)
{
    return function_entry(process, address, read, machine);
}

/* SYMOPT_UNDNAME for a public's decorated name: `?`-names are MSVC C++,
 * undecorated by src/undname/; for C names on x86 the `_` of __cdecl and the
 * `@` of __fastcall go, and `@N` of __stdcall and __fastcall. */
static void undecorate_public(char *name, bool x86)
{
    size_t length;
    char *at;

    if (name[0] == '?') {
        /* C++: MSVC undecoration, the name only (as SymFromAddr shows it);
         * a name it cannot read stays as recorded */
        char readable[512];
        if (undname_symbol(name, readable, sizeof(readable)))
            memcpy(name, readable, strlen(readable) + 1);
        return;
    }
    if (x86 && (name[0] == '_' || name[0] == '@'))
        memmove(name, name + 1, strlen(name));
    length = strlen(name);
    at = strrchr(name, '@');
    if (at && at != name && at[1] && strspn(at + 1, "0123456789") == length - (size_t)(at + 1 - name))
        *at = 0;
}

/* DbgHelp names a function without its parameter list ("ns::f", as from a
 * PDB): a demangled C++ name (DWARF, or an Itanium public of a mingw-w64
 * image) loses its last top-level "(...)" and the qualifiers after it. */
static void drop_parameters(char *name)
{
    static const char *const qualifiers[] = {" const", " volatile", " &&", " &"};
    size_t end = strlen(name);
    bool again = true;
    int depth = 0;

    while (again) {
        again = false;
        for (size_t i = 0; i < sizeof(qualifiers) / sizeof(qualifiers[0]); i++) {
            size_t n = strlen(qualifiers[i]);
            if (end >= n && memcmp(name + end - n, qualifiers[i], n) == 0) {
                end -= n;
                again = true;
            }
        }
    }
    if (!end || name[end - 1] != ')')
        return;
    for (size_t i = end; i-- > 0;) {
        if (name[i] == ')') {
            depth++;
        } else if (name[i] == '(' && --depth == 0) {
            if (i)
                name[i] = 0;
            return;
        }
    }
}

void found_symbol_from_debug(struct found_symbol *found, uint64_t module_base, bool x86,
                             const char *format, const struct di_symbol *symbol)
{
    found->module_base = module_base;
    found->address = module_base + symbol->rva;
    found->size = symbol->size;
    found->tag = symbol->tag;
    found->flags = symbol->flags;
    snprintf(found->name, sizeof(found->name), "%.*s", (int)symbol->name_length, symbol->name);
    if (symbol->tag == DI_TAG_PUBLIC && (sym_options() & SYMOPT_UNDNAME)) {
        char *readable = strncmp(found->name, "_Z", 2) == 0 ? itanium_demangle(found->name) : NULL;
        if (readable) {
            snprintf(found->name, sizeof(found->name), "%s", readable);
            free(readable);
            drop_parameters(found->name);
        } else {
            undecorate_public(found->name, x86);
        }
    } else if (strcmp(format, "dwarf") == 0) {
        drop_parameters(found->name);
    }
}

void found_symbol_from_export(struct found_symbol *found, uint64_t module_base, uint32_t rva,
                              const char *name)
{
    found->module_base = module_base;
    found->address = module_base + rva;
    found->size = 0;
    found->tag = DI_TAG_PUBLIC;
    found->flags = SYMFLAG_EXPORT;
    snprintf(found->name, sizeof(found->name), "%s", name);
}

/* The module's debug information's answer for an address (procedures win
 * over publics, as the reader orders them). */
static bool debug_symbol(const struct module_lookup *l, struct found_symbol *found)
{
    struct di_symbol symbol;

    if (!l->info || !l->info->ops->symbol_at || !l->info->ops->symbol_at(l->info, l->rva, &symbol))
        return false;
    found_symbol_from_debug(found, l->module->base,
                            l->module->pe.machine == IMAGE_FILE_MACHINE_I386,
                            l->info->ops->format, &symbol);
    return true;
}

bool sym_symbol_for_address(HANDLE process, DWORD64 address, struct found_symbol *found)
{
    struct module_lookup l;
    struct sym_module *m;
    uint32_t lo = 0, hi;

    if (!module_lookup_open(process, address, &l))
        return false;
    if (debug_symbol(&l, found)) {
        module_lookup_close(&l);
        return true;
    }
    m = session_load_part(l.session, l.module->base, PART_EXPORTS, &l.reader);
    if (!m) {
        module_lookup_close(&l);
        dw_set_last_error(ERROR_INVALID_ADDRESS);
        return false;
    }
    hi = m->export_count;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (m->exports[mid].rva <= l.rva)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0) {
        module_lookup_close(&l);
        dw_set_last_error(ERROR_INVALID_ADDRESS);
        return false;
    }
    found_symbol_from_export(found, m->base, m->exports[lo - 1].rva,
                             m->export_names + m->exports[lo - 1].name);
    module_lookup_close(&l);
    return true;
}

/* SYMBOL_INFO and SYMBOL_INFOW share every field before the name. */
#define FILL_SYMBOL(symbol, found)                                                                \
    do {                                                                                          \
        (symbol)->Size = (found)->size;                                                           \
        (symbol)->ModBase = (found)->module_base;                                                 \
        (symbol)->Flags = (found)->flags;                                                         \
        (symbol)->Address = (found)->address;                                                     \
        (symbol)->Tag = (found)->tag;                                                             \
        (symbol)->Value = 0;                                                                      \
        (symbol)->TypeIndex = 0;                                                                  \
    } while (0)

/* How many characters of a `length`-character name fit in `max` with its
 * terminator. */
static size_t fitting(size_t length, size_t max)
{
    return length < max - 1 ? length : max - 1;
}

void found_symbol_fill(const struct found_symbol *found, SYMBOL_INFO *symbol)
{
    size_t length = strlen(found->name);

    FILL_SYMBOL(symbol, found);
    symbol->NameLen = (ULONG)length;
    if (symbol->MaxNameLen > 0) {
        /* Name is declared [1]; the caller's buffer extends it */
        char *name = symbol->Name;
        size_t n = fitting(length, symbol->MaxNameLen);
        memcpy(name, found->name, n);
        name[n] = 0;
    }
}

void found_symbol_fill_wide(const struct found_symbol *found, SYMBOL_INFOW *symbol)
{
    WCHAR wide[512];
    size_t length = 0;

    FILL_SYMBOL(symbol, found);
    text_widen(found->name, wide, DW_ARRAY_SIZE(wide));
    while (wide[length])
        length++;
    symbol->NameLen = (ULONG)length;
    if (symbol->MaxNameLen > 0) {
        WCHAR *name = symbol->Name; /* declared [1]; the caller's buffer extends it */
        size_t n = fitting(length, symbol->MaxNameLen);
        memcpy(name, wide, n * sizeof(WCHAR));
        name[n] = 0;
    }
}

void found_symbol_fill_old(const struct found_symbol *found, IMAGEHLP_SYMBOL64 *symbol)
{
    size_t length = strlen(found->name);

    symbol->Address = found->address;
    symbol->Size = found->size;
    symbol->Flags = found->flags;
    if (symbol->MaxNameLength > 0) {
        size_t n = fitting(length, symbol->MaxNameLength);
        char *name = symbol->Name; /* declared [1]; the caller's buffer extends it */
        memcpy(name, found->name, n);
        name[n] = 0;
    }
}

DW_EXPORT BOOL IMAGEAPI SymFromAddr(HANDLE hProcess, DWORD64 Address, PDWORD64 Displacement,
                                    PSYMBOL_INFO Symbol)
{
    struct found_symbol found;

    if (!Symbol || Symbol->SizeOfStruct < offsetof(SYMBOL_INFO, Name)) {
        dw_set_last_error(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    if (!sym_symbol_for_address(hProcess, Address, &found))
        return FALSE;
    found_symbol_fill(&found, Symbol);
    if (Displacement)
        *Displacement = Address - found.address;
    return TRUE;
}

DW_EXPORT BOOL IMAGEAPI SymFromAddrW(HANDLE hProcess, DWORD64 Address, PDWORD64 Displacement,
                                     PSYMBOL_INFOW Symbol)
{
    struct found_symbol found;

    if (!Symbol || Symbol->SizeOfStruct < offsetof(SYMBOL_INFOW, Name)) {
        dw_set_last_error(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    if (!sym_symbol_for_address(hProcess, Address, &found))
        return FALSE;
    found_symbol_fill_wide(&found, Symbol);
    if (Displacement)
        *Displacement = Address - found.address;
    return TRUE;
}

DW_EXPORT BOOL IMAGEAPI SymGetSymFromAddr64(HANDLE hProcess, DWORD64 qwAddr,
                                            PDWORD64 pdwDisplacement,
                                            PIMAGEHLP_SYMBOL64 Symbol)
{
    struct found_symbol found;

    if (!Symbol) {
        dw_set_last_error(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    if (!sym_symbol_for_address(hProcess, qwAddr, &found))
        return FALSE;
    found_symbol_fill_old(&found, Symbol);
    if (pdwDisplacement)
        *pdwDisplacement = qwAddr - found.address;
    return TRUE;
}

/* The line entry holding an address, from the module's debug information;
 * ERROR_INVALID_ADDRESS when there is none (as DbgHelp for a module without
 * lines). */
bool sym_line_from_address(HANDLE process, DWORD64 address, struct sym_line_found *out)
{
    struct module_lookup l;
    struct debug_info *info;
    struct di_line line;
    bool ok = false;

    if (!module_lookup_open(process, address, &l))
        return false;
    info = l.info;
    if (info && info->ops->line_at && info->ops->line_at(info, l.rva, &line)) {
        ok = true;
    } else if (info && info->ops->inlines_at) {
        /* Code inlined where the procedure's own line table says nothing
         * (clang's PDBs): the physical frame's line is the call site of the
         * outermost inlinee, as SymGetLineFromInlineContext gives it for the
         * physical frame and llvm-symbolizer --no-inlines answers. */
        enum { CHAIN_MAX = 64 }; /* the readers' own nesting cap */
        struct di_inline_frame chain[CHAIN_MAX];
        unsigned depth = info->ops->inlines_at(info, l.rva, chain, CHAIN_MAX);
        if (depth && depth <= CHAIN_MAX && chain[depth - 1].call_site.line &&
            chain[depth - 1].call_site.file) {
            line = chain[depth - 1].call_site;
            if (!line.rva)
                line.rva = l.rva;
            ok = true;
        }
    }
    if (ok) {
        out->module_base = l.module->base;
        out->address = l.module->base + line.rva;
        out->line = line.line;
        out->file = line.file;
    }
    module_lookup_close(&l);
    if (!ok)
        dw_set_last_error(ERROR_INVALID_ADDRESS);
    return ok;
}

/* The file name stays valid until the module is unloaded. */
DW_EXPORT BOOL IMAGEAPI SymGetLineFromAddr64(HANDLE hProcess, DWORD64 qwAddr,
                                             PDWORD pdwDisplacement, PIMAGEHLP_LINE64 Line64)
{
    struct sym_line_found found;

    if (!Line64) {
        dw_set_last_error(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    if (!sym_line_from_address(hProcess, qwAddr, &found))
        return FALSE;
    Line64->Key = NULL;
    Line64->LineNumber = found.line;
    Line64->FileName = (PCHAR)found.file;
    Line64->Address = found.address;
    if (pdwDisplacement)
        *pdwDisplacement = (DWORD)(qwAddr - found.address);
    return TRUE;
}
