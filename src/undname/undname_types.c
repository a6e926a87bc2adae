/* Types: primitives, tag types, pointers/references, member pointers,
 * arrays, function types, and the argument list with its back-references. */
#include "undname_state.h"

#include <stdio.h>
#include <string.h>

static const char *cv_text(char c)
{
    switch (c) {
    case 'B': case 'J': case 'N': case 'R': case 'V': return "const";
    case 'C': case 'K': case 'O': case 'S': case 'W': return "volatile";
    case 'D': case 'L': case 'P': case 'T': case 'X': return "const volatile";
    default: return "";
    }
}

static const char *primitive(char c)
{
    switch (c) {
    case 'C': return "signed char"; case 'D': return "char"; case 'E': return "unsigned char";
    case 'F': return "short"; case 'G': return "unsigned short"; case 'H': return "int";
    case 'I': return "unsigned int"; case 'J': return "long"; case 'K': return "unsigned long";
    case 'M': return "float"; case 'N': return "double"; case 'O': return "long double";
    case 'X': return "void"; case 'Z': return "...";
    default: return NULL;
    }
}

static const char *primitive_ext(char c)
{
    switch (c) {
    case 'D': return "__int8"; case 'E': return "unsigned __int8"; case 'F': return "__int16";
    case 'G': return "unsigned __int16"; case 'H': return "__int32"; case 'I': return "unsigned __int32";
    case 'J': return "__int64"; case 'K': return "unsigned __int64"; case 'L': return "__int128";
    case 'M': return "unsigned __int128"; case 'N': return "bool"; case 'Q': return "char8_t";
    case 'S': return "char16_t"; case 'U': return "char32_t"; case 'W': return "wchar_t";
    default: return NULL;
    }
}

static const char *calling_convention(struct und *u)
{
    char c = *u->p;
    if (!c) {
        und_fail(u);
        return "";
    }
    u->p++;
    switch (c) {
    case 'A': case 'B': return "__cdecl";
    case 'C': case 'D': return "__pascal";
    case 'E': case 'F': return "__thiscall";
    case 'G': case 'H': return "__stdcall";
    case 'I': case 'J': return "__fastcall";
    case 'M': case 'N': return "__clrcall";
    case 'O': case 'P': return "__eabi";
    case 'Q': return "__vectorcall";
    case 'S': return "__regcall";
    default: und_fail(u); return "";
    }
}

/* Pointer modifiers after P/Q/R/S/A/B: __ptr64, __restrict, __unaligned, &, &&. */
static const char *pointer_mods(struct und *u)
{
    const char *m = "";
    for (;;) {
        if (und_eat(u, 'E')) {
            if (!(u->flags & UNDNAME_NO_MS_KEYWORDS) && (u->flags & UNDNAME_32_BIT_DECODE) == 0 && 0)
                m = und_cat(u, m, " __ptr64", NULL);
        } else if (und_eat(u, 'I')) {
            m = und_cat(u, m, " __restrict", NULL);
        } else if (und_eat(u, 'F')) {
            m = und_cat(u, m, " __unaligned", NULL);
        } else if (und_eat(u, 'G')) {
            m = und_cat(u, m, " &", NULL);
        } else if (und_eat(u, 'H')) {
            m = und_cat(u, m, " &&", NULL);
        } else {
            return m;
        }
    }
}

/* A function type after its '6' (or the member-function parts after '8'):
 * [this quals] cc return args throw. Returns the type split around the name. */
static struct und_type function_type(struct und *u, bool member, const char **cls_out)
{
    struct und_type t = {"", ""};
    const char *quals = "";
    if (member) {
        *cls_out = und_parse_qualified(u);
        pointer_mods(u);
        char q = *u->p;
        if (!q)
            return und_fail(u), t;
        u->p++;
        if (*cv_text(q))
            quals = und_cat(u, " ", cv_text(q), NULL);
    }
    const char *cc = calling_convention(u);
    struct und_type ret = und_parse_type(u, false);
    const char *args = und_arg_list(u);
    if (!und_eat(u, 'Z') && !(und_eat(u, '_') && und_eat(u, 'E') && und_eat(u, 'Z')))
        und_eat(u, '@');
    t.left = und_cat(u, ret.left, ret.right[0] ? "" : " ", NULL);
    t.left = und_cat(u, t.left, "(", cc);
    t.right = und_cat(u, ")(", args, ")");
    t.right = und_cat(u, t.right, quals, ret.right);
    return t;
}

static struct und_type pointer(struct und *u, const char *sym, const char *ptr_cv)
{
    struct und_type t = {"", ""};
    const char *mods = pointer_mods(u);
    char c = *u->p;
    if (!c)
        return und_fail(u), t;
    const char *suffix = und_cat(u, mods, *ptr_cv ? " " : "", ptr_cv);
    if (c == '6') {
        u->p++;
        struct und_type f = function_type(u, false, NULL);
        t.left = und_cat(u, f.left, " ", sym);
        t.left = und_cat(u, t.left, suffix, NULL);
        t.right = f.right;
        return t;
    }
    if (c == '8') {
        u->p++;
        const char *cls = "";
        struct und_type f = function_type(u, true, &cls);
        t.left = und_cat(u, f.left, " ", cls);
        t.left = und_cat(u, t.left, "::", sym);
        t.left = und_cat(u, t.left, suffix, NULL);
        t.right = f.right;
        return t;
    }
    /* data pointee: cv letter, member-pointer class when Q..T, then the type */
    u->p++;
    const char *cls = NULL;
    if (c >= 'Q' && c <= 'T')
        cls = und_parse_qualified(u);
    else if (!((c >= 'A' && c <= 'D') || (c >= 'M' && c <= 'P')))
        return und_fail(u), t;
    struct und_type in;
    if (*u->p == 'Y') {
        in = und_parse_type(u, false);
        const char *cvs = *cv_text(c) ? und_cat(u, cv_text(c), " ", NULL) : "";
        t.left = und_cat(u, cvs, in.left, " (");
        t.left = und_cat(u, t.left, cls ? und_cat(u, cls, "::", NULL) : "", sym);
        t.left = und_cat(u, t.left, suffix, NULL);
        t.right = und_cat(u, ")", in.right, NULL);
        return t;
    }
    in = und_parse_type(u, false);
    t.left = in.left;
    if (*cv_text(c))
        t.left = und_cat(u, t.left, " ", cv_text(c));
    if (in.right[0]) { /* pointer to function or array already split */
        t.left = und_cat(u, t.left, " ", sym);
        t.right = in.right;
    } else {
        t.left = und_cat(u, t.left, " ", cls ? und_cat(u, cls, "::", NULL) : "");
        t.left = und_cat(u, t.left, sym, NULL);
    }
    t.left = und_cat(u, t.left, suffix, NULL);
    return t;
}

static const char *tag_name(struct und *u, const char *kw)
{
    const char *n = und_parse_qualified(u);
    if (u->flags & UNDNAME_NO_MS_KEYWORDS && 0)
        return n;
    return und_cat(u, kw, " ", n);
}

struct und_type und_parse_type(struct und *u, bool arg)
{
    struct und_type t = {"", ""};
    if (!und_enter(u))
        return t;
    char c = *u->p;
    const char *s;
    (void)arg;
    if (!c) {
        und_fail(u);
        goto out;
    }
    u->p++;
    switch (c) {
    case 'T': t.left = tag_name(u, "union"); break;
    case 'U': t.left = tag_name(u, "struct"); break;
    case 'V': t.left = tag_name(u, "class"); break;
    case 'W':
        if (!*u->p) {
            und_fail(u);
            break;
        }
        u->p++;
        t.left = tag_name(u, "enum");
        break;
    case 'P': t = pointer(u, "*", ""); break;
    case 'Q': t = pointer(u, "*", "const"); break;
    case 'R': t = pointer(u, "*", "volatile"); break;
    case 'S': t = pointer(u, "*", "const volatile"); break;
    case 'A': t = pointer(u, "&", ""); break;
    case 'B': t = pointer(u, "&", "volatile"); break;
    case '_':
        c = *u->p;
        if (c)
            u->p++;
        if (c == 'O') {
            /* top-level array of unknown bound */
            char q = *u->p;
            if (q)
                u->p++;
            struct und_type e = und_parse_type(u, false);
            t.left = e.left;
            t.right = und_cat(u, "[]", e.right, NULL);
            break;
        }
        s = primitive_ext(c);
        if (!s)
            und_fail(u);
        else
            t.left = s;
        break;
    case 'Y': {
        long long n, d;
        if (!und_number(u, &n) || n <= 0 || n > 32) {
            und_fail(u);
            break;
        }
        const char *dims = "";
        char buf[32];
        for (long long i = 0; i < n; i++) {
            if (!und_number(u, &d))
                break;
            snprintf(buf, sizeof buf, "[%lld]", d);
            dims = und_cat(u, dims, buf, NULL);
        }
        struct und_type e = und_parse_type(u, false);
        t.left = e.left;
        t.right = und_cat(u, dims, e.right, NULL);
        break;
    }
    case '?': {
        /* by-value type with cv: ?A type */
        char q = *u->p;
        if (q)
            u->p++;
        struct und_type e = und_parse_type(u, false);
        t = e;
        if (*cv_text(q))
            t.left = und_cat(u, e.left, " ", cv_text(q));
        break;
    }
    case '$':
        if (und_eat(u, '$')) {
            c = *u->p;
            if (c)
                u->p++;
            if (c == 'Q')
                t = pointer(u, "&&", "");
            else if (c == 'R')
                t = pointer(u, "&&", "volatile");
            else if (c == 'T')
                t.left = "std::nullptr_t";
            else if (c == 'A') {
                if (und_eat(u, '6')) {
                    struct und_type f = function_type(u, false, NULL);
                    t.left = und_cat(u, f.left, ")", NULL);
                    /* function type, not a pointer: drop the "(cc" split */
                    t.right = und_cat(u, f.right, NULL, NULL);
                } else if (und_eat(u, '8')) {
                    const char *cls = "";
                    struct und_type f = function_type(u, true, &cls);
                    t.left = und_cat(u, f.left, ")", NULL);
                    t.right = f.right;
                } else
                    und_fail(u);
            } else if (c == 'B')
                t = und_parse_type(u, false);
            else if (c == 'C') {
                char q = *u->p;
                if (q)
                    u->p++;
                t = und_parse_type(u, false);
                if (*cv_text(q))
                    t.left = und_cat(u, cv_text(q), " ", t.left);
            } else if (c == 'V' || c == 'Z')
                t.left = "";
            else
                und_fail(u);
        } else {
            und_fail(u);
        }
        break;
    default:
        if (c >= '0' && c <= '9') {
            if (c - '0' >= u->ntypes)
                und_fail(u);
            else
                t.left = u->types[c - '0'];
            break;
        }
        s = primitive(c);
        if (!s)
            und_fail(u);
        else
            t.left = s;
        break;
    }
out:
    und_leave(u);
    return t;
}

/* "left name right", the declarator placed between the halves. */
const char *und_decl(struct und *u, struct und_type t, const char *name)
{
    if (!name || !*name)
        return und_cat(u, t.left, t.right, NULL);
    size_t l = strlen(t.left);
    bool space = l && ((t.left[l - 1] != '*' && t.left[l - 1] != '&' && t.left[l - 1] != '(') ||
                       strncmp(name, "__", 2) == 0);
    const char *s = und_cat(u, t.left, space ? " " : "", name);
    return und_cat(u, s, t.right, NULL);
}

/* Arguments until '@' or 'Z' (varargs); 'X' alone is (void). */
const char *und_arg_list(struct und *u)
{
    if (und_eat(u, 'X'))
        return "void";
    const char *list = "";
    int n = 0;
    while (*u->p && *u->p != '@' && *u->p != 'Z' && !u->failed) {
        if (++n > 256)
            return und_fail(u), "";
        const char *start = u->p;
        struct und_type t = und_parse_type(u, true);
        const char *s = und_decl(u, t, NULL);
        if (u->p - start > 1 && u->ntypes < 10)
            u->types[u->ntypes++] = s;
        list = und_cat(u, list, n > 1 ? ", " : "", s);
    }
    if (und_eat(u, 'Z'))
        return und_cat(u, list, n ? ", ..." : "...", NULL);
    if (!und_eat(u, '@'))
        und_fail(u);
    return list;
}
