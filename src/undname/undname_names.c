/* Names: identifiers, back-references, templates, operators, special names,
 * scopes; and the symbol encodings (functions, variables, special tables). */
#include "undname_state.h"

#include <stdio.h>
#include <string.h>

static const char *op_name(char c)
{
    switch (c) {
    case '2': return "operator new"; case '3': return "operator delete";
    case '4': return "operator="; case '5': return "operator>>"; case '6': return "operator<<";
    case '7': return "operator!"; case '8': return "operator=="; case '9': return "operator!=";
    case 'A': return "operator[]"; case 'C': return "operator->"; case 'D': return "operator*";
    case 'E': return "operator++"; case 'F': return "operator--"; case 'G': return "operator-";
    case 'H': return "operator+"; case 'I': return "operator&"; case 'J': return "operator->*";
    case 'K': return "operator/"; case 'L': return "operator%"; case 'M': return "operator<";
    case 'N': return "operator<="; case 'O': return "operator>"; case 'P': return "operator>=";
    case 'Q': return "operator,"; case 'R': return "operator()"; case 'S': return "operator~";
    case 'T': return "operator^"; case 'U': return "operator|"; case 'V': return "operator&&";
    case 'W': return "operator||"; case 'X': return "operator*="; case 'Y': return "operator+=";
    case 'Z': return "operator-=";
    default: return NULL;
    }
}

static const char *op_name_us(char c)
{
    switch (c) {
    case '0': return "operator/="; case '1': return "operator%="; case '2': return "operator>>=";
    case '3': return "operator<<="; case '4': return "operator&="; case '5': return "operator|=";
    case '6': return "operator^="; case '7': return "`vftable'"; case '8': return "`vbtable'";
    case '9': return "`vcall'"; case 'A': return "`typeof'"; case 'B': return "`local static guard'";
    case 'D': return "`vbase destructor'"; case 'E': return "`vector deleting destructor'";
    case 'F': return "`default constructor closure'"; case 'G': return "`scalar deleting destructor'";
    case 'H': return "`vector constructor iterator'"; case 'I': return "`vector destructor iterator'";
    case 'J': return "`vector vbase constructor iterator'"; case 'K': return "`virtual displacement map'";
    case 'L': return "`eh vector constructor iterator'"; case 'M': return "`eh vector destructor iterator'";
    case 'N': return "`eh vector vbase constructor iterator'"; case 'O': return "`copy constructor closure'";
    case 'S': return "`local vftable'"; case 'T': return "`local vftable constructor closure'";
    case 'U': return "operator new[]"; case 'V': return "operator delete[]";
    case 'X': return "`placement delete closure'"; case 'Y': return "`placement delete[] closure'";
    default: return NULL;
    }
}

static const char *identifier(struct und *u)
{
    const char *s = u->p;
    size_t n = 0;
    while (s[n] && s[n] != '@')
        n++;
    if (!s[n] || n == 0)
        return und_fail(u), "";
    u->p += n + 1;
    return und_ncopy(u, s, n);
}

/* Template name: ?$name args@ with its own back-reference tables. */
static const char *template_name(struct und *u)
{
    const char *saved_names[10];
    struct und_type *saved_types[10];
    int sn = u->nnames, st = u->ntypes;
    memcpy(saved_names, u->names, sizeof saved_names);
    memcpy(saved_types, u->types, sizeof saved_types);
    u->nnames = u->ntypes = 0;
    const char *n = und_parse_unqualified(u, true);
    const char *args = und_template_args(u);
    memcpy(u->names, saved_names, sizeof saved_names);
    memcpy(u->types, saved_types, sizeof saved_types);
    u->nnames = sn;
    u->ntypes = st;
    return und_cat(u, n, "<", und_cat(u, args, ">", NULL));
}

/* Member-pointer template argument: {symbol, offsets...} or &symbol. */
static const char *member_pointer_arg(struct und *u, char kind, bool data)
{
    const char *sym = NULL;
    if (!data && *u->p == '?')
        sym = und_symbol(u);
    int offsets = data ? (kind == 'G' ? 3 : 2) : kind == 'J' ? 3 : kind == 'I' ? 2 : kind == 'H' ? 1 : 0;
    if (offsets == 0)
        return sym ? und_cat(u, "&", sym, NULL) : (und_fail(u), "");
    const char *s = "{";
    if (sym)
        s = und_cat(u, s, sym, ", ");
    for (int i = 0; i < offsets; i++) {
        long long v;
        if (!und_number(u, &v))
            return "";
        s = und_cat(u, s, i ? ", " : "", und_number_text(u, v));
    }
    return und_cat(u, s, "}", NULL);
}

const char *und_template_args(struct und *u)
{
    const char *list = "";
    int n = 0;
    while (*u->p && *u->p != '@' && !u->failed) {
        if (++n > 256)
            return und_fail(u), "";
        const char *a = NULL;
        long long v;
        struct und_type *t;
        if (und_eat_str(u, "$S") || und_eat_str(u, "$$V") || und_eat_str(u, "$$$V") || und_eat_str(u, "$$Z")) {
            n--;
            continue;
        }
        if (und_eat_str(u, "$$Y")) {
            a = und_parse_qualified(u);
        } else if (und_eat_str(u, "$$B")) {
            t = und_parse_type(u, UQM_DROP);
            a = t ? und_type_text(u, t) : NULL;
        } else if (und_eat_str(u, "$$C")) {
            t = und_parse_type(u, UQM_MANGLE);
            a = t ? und_type_text(u, t) : NULL;
        } else if (u->p[0] == '$' && (u->p[1] == '1' || u->p[1] == 'H' || u->p[1] == 'I' || u->p[1] == 'J')) {
            char k = u->p[1];
            u->p += 2;
            a = member_pointer_arg(u, k, false);
        } else if (u->p[0] == '$' && (u->p[1] == 'F' || u->p[1] == 'G')) {
            char k = u->p[1];
            u->p += 2;
            a = member_pointer_arg(u, k, true);
        } else if (u->p[0] == '$' && u->p[1] == 'E' && u->p[2] == '?') {
            u->p += 2;
            a = und_symbol(u);
        } else if (und_eat_str(u, "$0")) {
            if (und_number(u, &v))
                a = und_number_text(u, v);
        } else if (und_eat_str(u, "$D")) {
            if (und_number(u, &v))
                a = und_cat(u, "`template-parameter", und_number_text(u, v), "'");
        } else {
            t = und_parse_type(u, UQM_DROP);
            a = t ? und_type_text(u, t) : NULL;
        }
        if (!a || u->failed)
            return und_fail(u), "";
        list = und_cat(u, list, n > 1 ? ", " : "", a);
    }
    if (!und_eat(u, '@'))
        und_fail(u);
    return list;
}

/* The innermost name: identifier, back-reference, template, operator. */
const char *und_parse_unqualified(struct und *u, bool memorize)
{
    if (!und_enter(u))
        return "";
    const char *r = "";
    char c = *u->p;
    if (c >= '0' && c <= '9') {
        u->p++;
        if (c - '0' >= u->nnames)
            und_fail(u);
        else
            r = u->names[c - '0'];
    } else if (c == '?' && und_peek(u, 1) == '$') {
        und_skip(u, 2);
        r = template_name(u);
        if (memorize)
            und_remember_name(u, r);
    } else if (c == '?') {
        u->p++;
        char o = *u->p;
        if (o)
            u->p++;
        if (o == '0')
            r = "\001ctor";
        else if (o == '1')
            r = "\001dtor";
        else if (o == 'B')
            r = "\001conv";
        else if (o == '_') {
            char o2 = *u->p;
            if (o2)
                u->p++;
            if (o2 == '_') {
                char o3 = *u->p;
                if (o3)
                    u->p++;
                if (o3 == 'E' || o3 == 'F') {
                    const char *what = o3 == 'E' ? "`dynamic initializer for " : "`dynamic atexit destructor for ";
                    const char *inner;
                    /* a variable's whole symbol is quoted `...', a plain name '...' */
                    what = und_cat(u, what, *u->p == '?' ? "`" : "'", NULL);
                    if (*u->p == '?') {
                        inner = und_symbol(u);
                        und_eat(u, '@');
                    } else
                        inner = identifier(u);
                    r = und_cat(u, what, inner, "''");
                } else if (o3 == 'K') {
                    r = und_cat(u, "operator \"\"", identifier(u), NULL);
                } else
                    und_fail(u);
            } else if (o2 == 'R' && *u->p == '4') {
                /* the complete object locator reads like a vftable; the other
                 * RTTI names are whole symbols (und_symbol) */
                u->p++;
                r = "`RTTI Complete Object Locator'";
            } else if ((r = op_name_us(o2)) == NULL) {
                und_fail(u);
                r = "";
            }
        } else if ((r = op_name(o)) == NULL) {
            und_fail(u);
            r = "";
        }
    } else {
        r = identifier(u);
        if (memorize)
            und_remember_name(u, r);
    }
    und_leave(u);
    return r;
}

static const char *last_component(const char *q)
{
    const char *last = q;
    int angle = 0;
    for (const char *s = q; *s; s++) {
        if (*s == '<')
            angle++;
        else if (*s == '>')
            angle--;
        else if (angle == 0 && s[0] == ':' && s[1] == ':')
            last = s + 2;
    }
    return last;
}

/* Scope fragments outward until '@' (eaten), joined innermost last. */
static const char *scope_pieces(struct und *u)
{
    const char *scopes = "";
    int n = 0;
    while (*u->p && *u->p != '@' && !u->failed) {
        if (++n > 128) {
            und_fail(u);
            break;
        }
        const char *s;
        if (u->p[0] == '?' && u->p[1] == 'A') {
            und_skip(u, 2);
            identifier(u);
            /* not a back-reference: clang and MSVC count the names around it */
            s = "`anonymous namespace'";
        } else if (u->p[0] == '?' && u->p[1] == '?') {
            /* the enclosing function is always named in full (llvm-undname
             * does so under every flag) */
            unsigned flags = u->flags;
            u->flags = 0;
            und_skip(u, 1);
            s = und_cat(u, "`", und_symbol(u), "'");
            u->flags = flags;
        } else if (u->p[0] == '?' && u->p[1] != '$') {
            long long v;
            und_skip(u, 1);
            if (!und_number(u, &v))
                break;
            s = und_cat(u, "`", und_number_text(u, v), "'");
        } else {
            s = und_parse_unqualified(u, true);
        }
        scopes = *scopes ? und_cat(u, s, "::", scopes) : s;
    }
    if (!und_eat(u, '@'))
        und_fail(u);
    return scopes;
}

const char *und_scope_chain(struct und *u, const char *innermost)
{
    if (!und_enter(u))
        return und_leave(u), "";
    const char *scopes = scope_pieces(u);
    und_leave(u);
    return *scopes ? und_cat(u, scopes, "::", innermost) : innermost;
}

const char *und_parse_qualified(struct und *u)
{
    if (!und_enter(u))
        return und_leave(u), "";
    /* a symbol's own template name is not a back-reference; a type's is */
    bool memo_first = !(u->symbol_first && u->p[0] == '?' && u->p[1] == '$');
    u->symbol_first = false;
    const char *first = und_parse_unqualified(u, memo_first);
    const char *scopes = u->failed ? "" : scope_pieces(u);
    const char *r;
    if (first[0] == '\x01') {
        const char *cls = last_component(scopes);
        size_t cl = strlen(cls);
        /* a template class's constructor is named without its arguments */
        const char *lt = strchr(cls, '<');
        if (lt)
            cl = (size_t)(lt - cls);
        const char *bare = und_ncopy(u, cls, cl);
        (void)bare;
        if (first[1] == 'c' && first[2] == 't')
            first = cls;
        else if (first[1] == 'd')
            first = und_cat(u, "~", cls, NULL);
        else
            first = "operator \x01";
    }
    r = *scopes ? und_cat(u, scopes, "::", first) : first;
    und_leave(u);
    return r;
}
