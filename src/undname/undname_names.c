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
    const char *saved_names[10], *saved_types[10];
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

const char *und_template_args(struct und *u)
{
    const char *list = "";
    int n = 0;
    char buf[48];
    while (*u->p && *u->p != '@' && !u->failed) {
        if (++n > 256)
            return und_fail(u), "";
        const char *a = NULL;
        long long v;
        if (u->p[0] == '$' && u->p[1] == '$' && (u->p[2] == 'V' || u->p[2] == 'Z')) {
            und_skip(u, 3);
            n--;
            continue;
        }
        if (u->p[0] == '$' && u->p[1] == '$' && u->p[2] == '$' && u->p[3] == 'V') {
            und_skip(u, 4);
            n--;
            continue;
        }
        if (u->p[0] == '$' && u->p[1] != '$') {
            char k = u->p[1];
            und_skip(u, 2);
            if (k == '0') {
                if (und_number(u, &v)) {
                    snprintf(buf, sizeof buf, "%lld", v);
                    a = und_ncopy(u, buf, strlen(buf));
                }
            } else if (k == '1' || k == 'E') {
                const char *s = und_symbol(u);
                a = k == '1' ? und_cat(u, "&", s, NULL) : s;
            } else if (k == 'D') {
                if (und_number(u, &v)) {
                    snprintf(buf, sizeof buf, "`template-parameter%lld'", v);
                    a = und_ncopy(u, buf, strlen(buf));
                }
            } else if (k == 'S') {
                n--;
                continue;
            } else {
                und_fail(u);
            }
        } else {
            const char *start = u->p;
            struct und_type t = und_parse_type(u, true);
            a = und_decl(u, t, NULL);
            if (u->p - start > 1 && u->ntypes < 10)
                u->types[u->ntypes++] = a;
        }
        if (!a)
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
                    const char *what = o3 == 'E' ? "`dynamic initializer for '" : "`dynamic atexit destructor for '";
                    const char *inner;
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
            } else if (o2 == 'R') {
                und_fail(u); /* RTTI handled in und_symbol */
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

/* Scope fragments outward until '@', printed innermost last. */
const char *und_parse_qualified(struct und *u)
{
    if (!und_enter(u))
        return "";
    /* a symbol's own template name is not a back-reference; a type's is */
    bool memo_first = !(u->symbol_first && u->p[0] == '?' && u->p[1] == '$');
    u->symbol_first = false;
    const char *first = und_parse_unqualified(u, memo_first);
    const char *scopes = "";
    int n = 0;
    while (*u->p && *u->p != '@' && !u->failed) {
        if (++n > 128) {
            und_fail(u);
            break;
        }
        const char *s;
        if (u->p[0] == '?' && u->p[1] == 'A' && u->p[2] == '0' && u->p[3] == 'x') {
            und_skip(u, 1);
            identifier(u);
            s = "`anonymous namespace'";
            und_remember_name(u, s);
        } else if (u->p[0] == '?' && u->p[1] == '?') {
            und_skip(u, 1);
            s = und_cat(u, "`", und_symbol(u), "'");
        } else if (u->p[0] == '?' && u->p[1] != '$') {
            long long v;
            char buf[32];
            und_skip(u, 1);
            if (!und_number(u, &v))
                break;
            snprintf(buf, sizeof buf, "`%lld'", v);
            s = und_ncopy(u, buf, strlen(buf));
        } else {
            s = und_parse_unqualified(u, true);
        }
        scopes = *scopes ? und_cat(u, s, "::", scopes) : s;
    }
    if (!und_eat(u, '@'))
        und_fail(u);
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
