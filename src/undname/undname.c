/* Symbol encodings and the output: functions, variables, special tables;
 * UnDecorateSymbolName(W) and the symbol API's helper. */
#include "undname_state.h"
#include "../platform.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Function classes: access, static/virtual, this-adjusting thunks. */
enum {
    FC_PRIVATE = 1, FC_PROTECTED = 2, FC_PUBLIC = 4, FC_GLOBAL = 8, FC_STATIC = 16, FC_VIRTUAL = 32,
    FC_ADJUST = 64, FC_VTORDISP = 128, FC_VTORDISPEX = 256, FC_EXTERN_C = 512, FC_NO_PARAMS = 1024,
};

static unsigned function_class(struct und *u)
{
    char c = *u->p;
    if (!c)
        return und_fail(u), 0;
    u->p++;
    if (c >= 'A' && c <= 'X') {
        static const unsigned acc[3] = {FC_PRIVATE, FC_PROTECTED, FC_PUBLIC};
        static const unsigned kind[4] = {0, FC_STATIC, FC_VIRTUAL, FC_VIRTUAL | FC_ADJUST};
        return acc[(c - 'A') / 8] | kind[((c - 'A') % 8) / 2];
    }
    if (c == 'Y' || c == 'Z')
        return FC_GLOBAL;
    if (c == '9')
        return FC_EXTERN_C | FC_NO_PARAMS;
    if (c == '$') {
        unsigned v = FC_VTORDISP | FC_VIRTUAL;
        if (und_eat(u, 'R'))
            v |= FC_VTORDISPEX;
        char d = *u->p;
        if (d >= '0' && d <= '5') {
            u->p++;
            static const unsigned acc[3] = {FC_PRIVATE, FC_PROTECTED, FC_PUBLIC};
            return v | acc[(d - '0') / 2];
        }
    }
    return und_fail(u), 0;
}

/* The text of a this-adjustment: `adjustor{8}', `vtordisp{4, 8}'. */
static const char *adjustment(struct und *u, unsigned fc)
{
    long long n[4];
    int count = fc & FC_ADJUST ? 1 : fc & FC_VTORDISPEX ? 4 : fc & FC_VTORDISP ? 2 : 0;
    for (int i = 0; i < count; i++) {
        if (!und_number(u, &n[i]))
            return "";
        n[i] = (int32_t)n[i]; /* offsets are 32-bit: PPPPPPPM@ is -4 */
    }
    const char *s = "";
    for (int i = 0; i < count; i++)
        s = und_cat(u, s, i ? ", " : "", und_number_text(u, n[i]));
    if (count == 0)
        return "";
    const char *what = fc & FC_ADJUST ? "`adjustor{" : fc & FC_VTORDISPEX ? "`vtordispex{" : "`vtordisp{";
    return und_cat(u, what, s, "}'");
}

/* A conversion operator is named after the type it returns. */
static const char *fix_conv(struct und *u, const char *name, const char *ret)
{
    const char *m = strstr(name, "operator \x01");
    if (!m)
        return name;
    const char *pre = und_ncopy(u, name, (size_t)(m - name));
    return und_cat(u, pre, "operator ", und_cat(u, ret, m + 10, NULL));
}

static const char *function_symbol(struct und *u, const char *name)
{
    unsigned fc = und_eat_str(u, "$$J0") ? FC_EXTERN_C : 0;
    fc |= function_class(u);
    if (u->failed)
        return "";
    const char *adj = adjustment(u, fc);
    struct und_type *f = NULL;
    if (!(fc & FC_NO_PARAMS)) {
        f = und_function_type(u, !(fc & (FC_GLOBAL | FC_STATIC)));
        if (!f)
            return und_fail(u), "";
    }
    unsigned fl = u->flags;
    const char *ret_pre = "", *ret_post = "";
    if (f && f->inner && !(fl & UNDNAME_NO_FUNCTION_RETURNS)) {
        ret_pre = und_cat(u, und_type_pre(u, f->inner, false), " ", NULL);
        ret_post = und_type_post(u, f->inner);
    }
    if (f && f->inner)
        name = fix_conv(u, name, und_type_text(u, f->inner));
    if (fl & UNDNAME_NAME_ONLY)
        return name;
    const char *s = fc & (FC_ADJUST | FC_VTORDISP) ? "[thunk]: " : "";
    if (!(fl & UNDNAME_NO_ACCESS_SPECIFIERS))
        s = und_cat(u, s, fc & FC_PUBLIC ? "public: " : fc & FC_PROTECTED ? "protected: " : fc & FC_PRIVATE ? "private: " : "", NULL);
    if (!(fl & UNDNAME_NO_MEMBER_TYPE)) {
        if (!(fc & FC_GLOBAL) && (fc & FC_STATIC))
            s = und_cat(u, s, "static ", NULL);
        if (fc & FC_VIRTUAL)
            s = und_cat(u, s, "virtual ", NULL);
        if (fc & FC_EXTERN_C)
            s = und_cat(u, s, "extern \"C\" ", NULL);
    }
    s = und_cat(u, s, ret_pre, NULL);
    if (f && !(fl & UNDNAME_NO_MS_KEYWORDS))
        s = und_cat(u, s, f->cc, NULL);
    s = und_cat(u, und_space(u, s), name, adj);
    if (f && !(fl & UNDNAME_NO_ARGUMENTS)) {
        s = und_cat(u, s, f->params, NULL);
        if (!(fl & UNDNAME_NO_THISTYPE))
            s = und_cat(u, s, f->fn_tail, NULL);
    }
    return und_cat(u, s, ret_post, NULL);
}

static const char *variable_symbol(struct und *u, const char *name, char sc)
{
    struct und_type *t = und_parse_type(u, UQM_DROP);
    if (!t)
        return "";
    bool member;
    if (t->kind == UK_POINTER) {
        t->quals |= und_ext_qualifiers(u);
        unsigned extra = und_qualifiers(u, &member);
        if (t->cls)
            und_parse_qualified(u);
        if (t->inner->kind != UK_FUNCTION)
            t->inner->quals |= extra;
    } else {
        t->quals = und_qualifiers(u, &member);
    }
    if (u->flags & UNDNAME_NAME_ONLY)
        return name;
    const char *s = "";
    if (sc <= '2') {
        if (!(u->flags & UNDNAME_NO_ACCESS_SPECIFIERS))
            s = sc == '0' ? "private: " : sc == '1' ? "protected: " : "public: ";
        if (!(u->flags & UNDNAME_NO_MEMBER_TYPE))
            s = und_cat(u, s, "static ", NULL);
    }
    s = und_cat(u, s, und_space(u, und_type_pre(u, t, false)), name);
    return und_cat(u, s, und_type_post(u, t), NULL);
}

/* vftable, vbtable, local vftable, complete object locator: 6/7, cv, targets. */
static const char *table_symbol(struct und *u, const char *name)
{
    bool member;
    unsigned q = und_qualifiers(u, &member);
    if (u->flags & UNDNAME_NAME_ONLY)
        return name;
    const char *r = und_cat(u, und_quals_text(u, q, false, true), name, NULL);
    if (!und_eat(u, '@')) {
        const char *f = und_parse_qualified(u);
        r = und_cat(u, r, "{for `", und_cat(u, f, "'}", NULL));
        und_eat(u, '@');
    }
    return r;
}

/* vcall thunk: ??_9 scope $B offset A cc */
static const char *vcall_symbol(struct und *u)
{
    const char *scopes = und_scope_chain(u, "");
    long long off;
    if (u->failed || !und_eat_str(u, "$B") || !und_number(u, &off) || !und_eat(u, 'A'))
        return und_fail(u), "";
    const char *cc = und_calling_convention(u);
    const char *name = und_cat(u, scopes, "`vcall'{", und_cat(u, und_number_text(u, off), ", {flat}}", NULL));
    if (u->flags & UNDNAME_NAME_ONLY)
        return name;
    return und_cat(u, "[thunk]: ", u->flags & UNDNAME_NO_MS_KEYWORDS ? "" : und_cat(u, cc, " ", NULL), name);
}

/* RTTI base class descriptor: ??_R1 four numbers, then the class. */
static const char *base_class_descriptor(struct und *u)
{
    long long n[4];
    for (int i = 0; i < 4; i++) {
        if (!und_number(u, &n[i]) || (i != 1 && n[i] < 0))
            return und_fail(u), "";
        n[i] = i == 1 ? (long long)(int32_t)n[i] : (long long)(uint32_t)n[i];
    }
    const char *s = "`RTTI Base Class Descriptor at (";
    for (int i = 0; i < 4; i++)
        s = und_cat(u, s, i ? ", " : "", und_number_text(u, n[i]));
    s = und_scope_chain(u, und_cat(u, s, ")'", NULL));
    if (!und_eat(u, '8'))
        und_fail(u);
    return s;
}

/* The special symbols that are not a name followed by an encoding. */
static const char *special_symbol(struct und *u, bool *handled)
{
    *handled = true;
    if (und_eat_str(u, "?_C@_")) {
        const char *lit = und_string_literal(u);
        /* the symbol API's short form is DbgHelp's (and MSVC undname's) */
        return u->flags & UNDNAME_NAME_ONLY && !u->failed ? "`string'" : lit;
    }
    if (und_eat_str(u, "?_R0")) {
        struct und_type *t = und_parse_type(u, UQM_RESULT);
        if (!t || !und_eat_str(u, "@8"))
            return und_fail(u), "";
        if (u->flags & UNDNAME_NAME_ONLY)
            return "`RTTI Type Descriptor'";
        return und_cat(u, und_space(u, und_type_pre(u, t, false)), "`RTTI Type Descriptor'", und_type_post(u, t));
    }
    if (und_eat_str(u, "?_R1"))
        return base_class_descriptor(u);
    if (und_eat_str(u, "?_R2") || und_eat_str(u, "?_R3")) {
        const char *what = u->p[-1] == '2' ? "`RTTI Base Class Array'" : "`RTTI Class Hierarchy Descriptor'";
        const char *s = und_scope_chain(u, what);
        if (!und_eat(u, '8'))
            und_fail(u);
        return s;
    }
    if (und_eat_str(u, "?_9"))
        return vcall_symbol(u);
    if (und_eat_str(u, "?__E") || und_eat_str(u, "?__F")) {
        /* dynamic initializer / atexit destructor: the whole name inside */
        const char *what = u->p[-1] == 'E' ? "`dynamic initializer for " : "`dynamic atexit destructor for ";
        const char *name;
        if (*u->p == '?') {
            const char *var = und_symbol(u);
            if (!und_eat(u, '@') || !und_eat(u, '@'))
                return und_fail(u), "";
            name = und_cat(u, what, "`", und_cat(u, var, "''", NULL));
        } else {
            u->symbol_first = true;
            name = und_cat(u, what, "'", und_cat(u, und_parse_qualified(u), "''", NULL));
        }
        return u->failed ? "" : function_symbol(u, name);
    }
    *handled = false;
    return "";
}

const char *und_symbol(struct und *u)
{
    if (!und_enter(u) || !und_eat(u, '?'))
        return und_leave(u), und_fail(u), "";
    const char *r = "";
    bool handled;
    r = special_symbol(u, &handled);
    if (handled || u->failed)
        goto out;
    u->symbol_first = true;
    const char *name = und_parse_qualified(u);
    if (u->failed)
        goto out;
    char c = *u->p;
    if (!c) {
        und_fail(u);
        goto out;
    }
    if (c >= '0' && c <= '4') {
        u->p++;
        r = variable_symbol(u, name, c);
    } else if (c == '6' || c == '7') {
        u->p++;
        r = table_symbol(u, name);
    } else {
        r = function_symbol(u, name);
    }
    if (strstr(r, "operator \x01"))
        und_fail(u);
out:
    und_leave(u);
    return r;
}

static size_t emit(const char *s, char *out, size_t size)
{
    size_t n = strlen(s);
    if (size == 0)
        return 0;
    if (n >= size)
        n = size - 1;
    memcpy(out, s, n);
    out[n] = 0;
    return n;
}

size_t undname_format(const char *decorated, char *out, size_t size, unsigned flags)
{
    if (!decorated || !out || size == 0)
        return 0;
    if (decorated[0] != '?')
        return emit(decorated, out, size);
    struct und u = {0};
    u.p = decorated;
    u.flags = flags;
    u.arena = malloc(UNDNAME_ARENA_SIZE);
    if (!u.arena)
        return 0;
    const char *r = und_symbol(&u);
    size_t n = 0;
    if (!u.failed && *u.p == 0 && *r)
        n = emit(r, out, size);
    free(u.arena);
    return n;
}

size_t undname_symbol(const char *decorated, char *out, size_t size)
{
    size_t n = undname_format(decorated, out, size, UNDNAME_NAME_ONLY);
    return n ? n : emit(decorated ? decorated : "", out, size);
}

DW_EXPORT DWORD IMAGEAPI UnDecorateSymbolName(PCSTR name, PSTR out, DWORD size, DWORD flags)
{
    if (!name || !out || size == 0) {
        dw_set_last_error(ERROR_INVALID_PARAMETER);
        return 0;
    }
    size_t n = undname_format(name, out, size, flags);
    if (!n)
        dw_set_last_error(ERROR_INVALID_PARAMETER);
    return (DWORD)n;
}

DW_EXPORT DWORD IMAGEAPI UnDecorateSymbolNameW(PCWSTR name, PWSTR out, DWORD size, DWORD flags)
{
    if (!name || !out || size == 0) {
        dw_set_last_error(ERROR_INVALID_PARAMETER);
        return 0;
    }
    char in[4096], res[4096];
    size_t i = 0;
    for (; name[i] && i < sizeof in - 1; i++)
        in[i] = name[i] < 0x80 ? (char)name[i] : '?';
    in[i] = 0;
    size_t n = undname_format(in, res, sizeof res, flags);
    if (!n) {
        dw_set_last_error(ERROR_INVALID_PARAMETER);
        return 0;
    }
    if (n >= size)
        n = size - 1;
    for (size_t k = 0; k < n; k++)
        out[k] = (unsigned char)res[k];
    out[n] = 0;
    return (DWORD)n;
}
