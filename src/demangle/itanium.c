/*
 * An Itanium C++ ABI demangler ("Mangling" in the Itanium C++ ABI spec),
 * printing names the way llvm-symbolizer and c++filt do: "ret ns::f<T>(args)
 * const". It covers what compilers emit for functions: nested and local
 * names, templates with type and literal arguments, substitutions and
 * template parameters, operators, constructors and destructors, builtin,
 * qualified, pointer, reference, function, array and pointer-to-member
 * types, special names (vtables, typeinfo, thunks, guard variables) and
 * clone suffixes. What it does not understand (expressions beyond literals,
 * decltype) makes it give up: the caller shows the mangled name.
 *
 * Recursion is bounded by MAX_DEPTH and every string by MAX_OUTPUT, so
 * hostile names cost little. All strings live in one arena per call.
 */
#include "demangle.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 96
#define MAX_OUTPUT 4096
#define MAX_SUBS 256

/* A type printed in two parts: declarator syntax puts some of it after the
 * name ("void (*" ... ")(int)"). */
struct text {
    const char *left, *right;
    bool function; /* a function type: cv-qualifiers go on the right */
    bool array;
};

struct arena_block {
    struct arena_block *next;
    char bytes[];
};

struct demangler {
    const char *p, *end;
    unsigned depth;
    bool failed;
    struct arena_block *blocks;
    struct text subs[MAX_SUBS];
    unsigned sub_count;
    struct text params[64];
    unsigned param_count;
    bool in_type; /* template args of a type do not become the parameters */
    bool special; /* the unqualified name just read: constructor, destructor, conversion */
};

static char *dup_format(struct demangler *d, const char *format, ...)
{
    va_list args;
    int n;
    struct arena_block *b;

    va_start(args, format);
    n = vsnprintf(NULL, 0, format, args);
    va_end(args);
    if (n < 0 || n > MAX_OUTPUT || !(b = malloc(sizeof(*b) + (size_t)n + 1))) {
        d->failed = true;
        return (char *)"";
    }
    va_start(args, format);
    vsnprintf(b->bytes, (size_t)n + 1, format, args);
    va_end(args);
    b->next = d->blocks;
    d->blocks = b;
    return b->bytes;
}

static struct text plain(const char *s)
{
    return (struct text){s, "", false, false};
}

static const char *whole(struct demangler *d, struct text t)
{
    return t.right[0] ? dup_format(d, "%s%s", t.left, t.right) : t.left;
}

static bool peek(struct demangler *d, const char *s)
{
    size_t n = strlen(s);
    return (size_t)(d->end - d->p) >= n && memcmp(d->p, s, n) == 0;
}

static bool eat(struct demangler *d, const char *s)
{
    if (!peek(d, s))
        return false;
    d->p += strlen(s);
    return true;
}

static bool enter(struct demangler *d)
{
    if (d->failed || ++d->depth > MAX_DEPTH) {
        d->failed = true;
        return false;
    }
    return true;
}

static void add_sub(struct demangler *d, struct text t)
{
    if (d->sub_count < MAX_SUBS)
        d->subs[d->sub_count++] = t;
}

static bool number(struct demangler *d, long *out)
{
    long v = 0;
    bool negative = eat(d, "n");

    if (d->p >= d->end || *d->p < '0' || *d->p > '9')
        return false;
    while (d->p < d->end && *d->p >= '0' && *d->p <= '9') {
        v = v * 10 + (*d->p++ - '0');
        if (v > 1000000000L)
            return false;
    }
    *out = negative ? -v : v;
    return true;
}

static const char *source_name(struct demangler *d)
{
    long n;
    const char *s;

    if (!number(d, &n) || n <= 0 || n > d->end - d->p) {
        d->failed = true;
        return "";
    }
    s = d->p;
    d->p += n;
    if (n >= 10 && memcmp(s, "_GLOBAL__N", 10) == 0)
        return "(anonymous namespace)";
    return dup_format(d, "%.*s", (int)n, s);
}

static struct text type(struct demangler *d);
static const char *name(struct demangler *d, bool *is_template, const char **cv);
static const char *encoding(struct demangler *d);

static const struct { const char *code, *name; } operators[] = {
    {"nw", "new"}, {"na", "new[]"}, {"dl", "delete"}, {"da", "delete[]"}, {"ps", "+"},
    {"ng", "-"}, {"ad", "&"}, {"de", "*"}, {"co", "~"}, {"pl", "+"}, {"mi", "-"},
    {"ml", "*"}, {"dv", "/"}, {"rm", "%"}, {"an", "&"}, {"or", "|"}, {"eo", "^"},
    {"aS", "="}, {"pL", "+="}, {"mI", "-="}, {"mL", "*="}, {"dV", "/="}, {"rM", "%="},
    {"aN", "&="}, {"oR", "|="}, {"eO", "^="}, {"ls", "<<"}, {"rs", ">>"}, {"lS", "<<="},
    {"rS", ">>="}, {"eq", "=="}, {"ne", "!="}, {"lt", "<"}, {"gt", ">"}, {"le", "<="},
    {"ge", ">="}, {"ss", "<=>"}, {"nt", "!"}, {"aa", "&&"}, {"oo", "||"}, {"pp", "++"},
    {"mm", "--"}, {"cm", ","}, {"pm", "->*"}, {"pt", "->"}, {"cl", "()"}, {"ix", "[]"},
    {"qu", "?"},
};

static const char *template_args(struct demangler *d);

/* <unqualified-name>; `prefix` is the enclosing scope's last name, for
 * constructors and destructors. */
static const char *unqualified_name(struct demangler *d, const char *prefix)
{
    const char *result = NULL;

    bool special = false;

    if (!enter(d))
        return "";
    if (d->p < d->end && *d->p >= '0' && *d->p <= '9') {
        result = source_name(d);
    } else if (peek(d, "C") && d->end - d->p >= 2 &&
               ((d->p[1] >= '1' && d->p[1] <= '5') || d->p[1] == 'I')) {
        /* C4/C5, D4/D5: gcc's unified ("maybe in-charge") constructors */
        const char *base = prefix ? prefix : "";
        const char *angle = base + strcspn(base, "<["); /* no template args, no ABI tag */
        bool inheriting = d->p[1] == 'I';
        d->p += inheriting ? 3 : 2;
        special = true;
        if (inheriting)
            type(d);
        result = dup_format(d, "%.*s", (int)(angle - base), base);
    } else if (peek(d, "D") && d->end - d->p >= 2 &&
               (d->p[1] >= '0' && d->p[1] <= '5')) {
        const char *base = prefix ? prefix : "";
        const char *angle = base + strcspn(base, "<[");
        d->p += 2;
        special = true;
        result = dup_format(d, "~%.*s", (int)(angle - base), base);
    } else if (eat(d, "Ut")) {
        long n = -1;
        number(d, &n);
        if (!eat(d, "_"))
            d->failed = true;
        result = dup_format(d, "'unnamed%ld'", n + 2);
    } else if (eat(d, "Ul")) {
        /* a lambda: Ul <parameter types> E [n] _ */
        const char *params = "";
        bool first = true;
        if (eat(d, "v")) {
            if (!eat(d, "E"))
                d->failed = true;
        } else {
            while (!d->failed && d->p < d->end && !eat(d, "E")) {
                const char *t = whole(d, type(d));
                params = first ? t : dup_format(d, "%s, %s", params, t);
                first = false;
            }
        }
        {
            long n = -1;
            number(d, &n);
            if (!eat(d, "_"))
                d->failed = true;
            result = dup_format(d, "'lambda%s'(%s)", n < 0 ? "" : dup_format(d, "%ld", n + 2),
                                params);
        }
    } else if (eat(d, "cv")) {
        bool saved = d->in_type;
        d->in_type = true;
        result = dup_format(d, "operator %s", whole(d, type(d)));
        d->in_type = saved;
        special = true;
    } else if (eat(d, "li")) {
        result = dup_format(d, "operator\"\" %s", source_name(d));
    } else {
        for (size_t i = 0; i < sizeof(operators) / sizeof(operators[0]); i++) {
            if (eat(d, operators[i].code)) {
                const char *op = operators[i].name;
                bool word = op[0] >= 'a' && op[0] <= 'z';
                result = dup_format(d, "operator%s%s", word ? " " : "", op);
                break;
            }
        }
    }
    if (!result) {
        d->failed = true;
        result = "";
    }
    /* ABI tags: B <source-name> */
    while (!d->failed && eat(d, "B"))
        result = dup_format(d, "%s[abi:%s]", result, source_name(d));
    d->special = special;
    d->depth--;
    return result;
}

/* <substitution>: S_, S<seq-id>_, and the abbreviations of std. */
static bool substitution(struct demangler *d, struct text *out)
{
    static const struct { char c; const char *s; } abbreviations[] = {
        {'t', "std"}, {'a', "std::allocator"}, {'b', "std::basic_string"},
        {'s', "std::string"}, {'i', "std::istream"}, {'o', "std::ostream"},
        {'d', "std::iostream"},
    };

    *out = plain("");
    if (!peek(d, "S") || d->end - d->p < 2)
        return false;
    for (size_t i = 0; i < sizeof(abbreviations) / sizeof(abbreviations[0]); i++) {
        if (d->p[1] == abbreviations[i].c) {
            d->p += 2;
            *out = plain(abbreviations[i].s);
            return true;
        }
    }
    {
        unsigned long index = 0;
        d->p++;
        if (!eat(d, "_")) {
            while (d->p < d->end && *d->p != '_') {
                char c = *d->p++;
                if (c >= '0' && c <= '9')
                    index = index * 36 + (unsigned long)(c - '0');
                else if (c >= 'A' && c <= 'Z')
                    index = index * 36 + (unsigned long)(c - 'A' + 10);
                else
                    break;
                if (index > MAX_SUBS)
                    break;
            }
            if (!eat(d, "_")) {
                d->failed = true;
                return true;
            }
            index++;
        }
        if (index >= d->sub_count) {
            d->failed = true;
            *out = plain("");
            return true;
        }
        *out = d->subs[index];
        return true;
    }
}

static struct text template_param(struct demangler *d)
{
    unsigned long index = 0;

    /* T_ is the first, T<n>_ the (n+2)th */
    if (!eat(d, "_")) {
        long n;
        if (!number(d, &n) || n < 0 || !eat(d, "_")) {
            d->failed = true;
            return plain("");
        }
        index = (unsigned long)n + 1;
    }
    if (index >= d->param_count) {
        d->failed = true;
        return plain("");
    }
    return d->params[index];
}

/* <expr-primary> L <type> <value> E, or L _Z <encoding> E */
static const char *literal(struct demangler *d)
{
    struct text t;
    const char *start, *value;

    if (eat(d, "_Z")) {
        const char *e = encoding(d);
        if (!eat(d, "E"))
            d->failed = true;
        return e;
    }
    if (eat(d, "b0E"))
        return "false";
    if (eat(d, "b1E"))
        return "true";
    t = type(d);
    start = d->p;
    if (d->p < d->end && *d->p == 'n')
        d->p++;
    while (d->p < d->end && *d->p != 'E')
        d->p++;
    if (!eat(d, "E")) {
        d->failed = true;
        return "";
    }
    value = dup_format(d, "%s%.*s", *start == 'n' ? "-" : "", (int)(d->p - 1 - start) -
                       (*start == 'n'), start + (*start == 'n'));
    if (strcmp(t.left, "int") == 0)
        return value;
    if (strcmp(t.left, "unsigned int") == 0)
        return dup_format(d, "%su", value);
    if (strcmp(t.left, "long") == 0)
        return dup_format(d, "%sl", value);
    if (strcmp(t.left, "unsigned long") == 0)
        return dup_format(d, "%sul", value);
    if (strcmp(t.left, "long long") == 0)
        return dup_format(d, "%sll", value);
    if (strcmp(t.left, "unsigned long long") == 0)
        return dup_format(d, "%sull", value);
    return dup_format(d, "(%s)%s", whole(d, t), value);
}

static const char *template_arg(struct demangler *d, struct text *as_param)
{
    const char *s;

    if (!enter(d))
        return "";
    if (eat(d, "L")) {
        s = literal(d);
        *as_param = plain(s);
    } else if (eat(d, "J")) {
        /* an argument pack */
        bool first = true;
        struct text ignored;
        s = "";
        while (!d->failed && d->p < d->end && !eat(d, "E")) {
            const char *a = template_arg(d, &ignored);
            s = first ? a : dup_format(d, "%s, %s", s, a);
            first = false;
        }
        *as_param = plain(s);
    } else if (eat(d, "X")) {
        /* expressions: only a template parameter (X T_ E), which prints as
         * its argument */
        if (eat(d, "T")) {
            *as_param = template_param(d);
            s = whole(d, *as_param);
        } else {
            s = "";
        }
        if (!eat(d, "E"))
            d->failed = true;
    } else {
        *as_param = type(d);
        s = whole(d, *as_param);
    }
    d->depth--;
    return s;
}

/* I <template-arg>+ E, printed "<a, b>" (with "> >" as c++filt does) */
static const char *template_args(struct demangler *d)
{
    const char *s = "";
    bool first = true, top = !d->in_type;
    struct text params[64];
    unsigned count = 0;

    if (!enter(d))
        return "";
    while (!d->failed && d->p < d->end && !eat(d, "E")) {
        struct text p = plain("");
        const char *a = template_arg(d, &p);
        if (count < 64)
            params[count++] = p;
        s = first ? a : dup_format(d, "%s, %s", s, a);
        first = false;
    }
    if (first || d->p > d->end)
        d->failed = true;
    if (top) {
        memcpy(d->params, params, count * sizeof(params[0]));
        d->param_count = count;
    }
    d->depth--;
    if (s[0] && s[strlen(s) - 1] == '>')
        return dup_format(d, "<%s >", s);
    return dup_format(d, "<%s>", s);
}

static const char *cv_qualifiers(struct demangler *d)
{
    const char *cv = "";
    if (eat(d, "r"))
        cv = " restrict";
    if (eat(d, "V"))
        cv = dup_format(d, "%s volatile", cv);
    if (eat(d, "K"))
        cv = dup_format(d, "%s const", cv);
    return cv;
}

/* <nested-name> N [cv] [ref] <prefix>... E */
static const char *nested_name(struct demangler *d, bool *is_template, const char **cv)
{
    const char *scope = NULL, *last = NULL, *ref = "";
    bool special = false;

    *cv = cv_qualifiers(d);
    if (eat(d, "R"))
        ref = " &";
    else if (eat(d, "O"))
        ref = " &&";
    if (ref[0])
        *cv = dup_format(d, "%s%s", *cv, ref);
    while (!d->failed && d->p < d->end && !eat(d, "E")) {
        struct text sub;
        *is_template = false;
        if (peek(d, "S") && substitution(d, &sub)) {
            scope = sub.left;
            /* a constructor or destructor of std::string or a stream shows
             * the class in full, as c++filt does */
            if ((peek(d, "C") || peek(d, "D")) && strncmp(scope, "std::", 5) == 0) {
                static const struct { const char *short_name, *full; } expanded[] = {
                    {"std::string", "std::basic_string<char, std::char_traits<char>, "
                                    "std::allocator<char> >"},
                    {"std::istream", "std::basic_istream<char, std::char_traits<char> >"},
                    {"std::ostream", "std::basic_ostream<char, std::char_traits<char> >"},
                    {"std::iostream", "std::basic_iostream<char, std::char_traits<char> >"},
                };
                for (size_t i = 0; i < sizeof(expanded) / sizeof(expanded[0]); i++)
                    if (strcmp(scope, expanded[i].short_name) == 0)
                        scope = expanded[i].full;
            }
            last = strrchr(scope, ':') ? strrchr(scope, ':') + 1 : scope;
            {
                /* the last component: after the last "::" outside <> */
                int angle = 0;
                last = scope;
                for (const char *at = scope; *at; at++) {
                    if (*at == '<')
                        angle++;
                    else if (*at == '>')
                        angle--;
                    else if (angle == 0 && at[0] == ':' && at[1] == ':')
                        last = at + 2;
                }
            }
            continue;
        }
        if (eat(d, "I")) {
            if (!scope) {
                d->failed = true;
                break;
            }
            scope = dup_format(d, "%s%s", scope, template_args(d));
            *is_template = true;
            if (!peek(d, "E")) /* the whole name is no candidate, its prefixes are */
                add_sub(d, plain(scope));
            continue;
        }
        if (eat(d, "T")) {
            scope = whole(d, template_param(d));
            add_sub(d, plain(scope));
            continue;
        }
        if (eat(d, "M") || eat(d, "L"))
            continue; /* a closure's data-member prefix; internal linkage */
        {
            const char *u = unqualified_name(d, last);
            special = d->special;
            last = u;
            scope = scope ? dup_format(d, "%s::%s", scope, u) : u;
            if (!peek(d, "E"))
                add_sub(d, plain(scope));
        }
    }
    d->special = special;
    return scope ? scope : (d->failed = true, "");
}

/* <local-name> Z <encoding> E <name> [<discriminator>] | Z <encoding> E s */
static const char *local_name(struct demangler *d)
{
    bool saved = d->in_type, t;
    const char *function, *entity, *cv;

    /* the enclosing function is a name of its own: its template arguments
     * are the parameters, even inside a type */
    d->in_type = false;
    function = encoding(d);
    d->in_type = saved;

    if (!eat(d, "E")) {
        d->failed = true;
        return "";
    }
    if (eat(d, "s")) {
        entity = "string literal";
    } else {
        eat(d, "d");
        entity = name(d, &t, &cv);
    }
    if (eat(d, "_")) {
        long n;
        if (!eat(d, "_") || !number(d, &n) || !eat(d, "_"))
            number(d, &n);
    }
    return dup_format(d, "%s::%s", function, entity);
}

static const char *name(struct demangler *d, bool *is_template, const char **cv)
{
    const char *n;
    struct text sub;

    *is_template = false;
    *cv = "";
    if (!enter(d))
        return "";
    if (eat(d, "N")) {
        n = nested_name(d, is_template, cv);
    } else if (eat(d, "Z")) {
        n = local_name(d);
    } else if (peek(d, "S") && !peek(d, "St") && substitution(d, &sub)) {
        /* a substituted template name: its arguments follow */
        n = sub.left;
        if (eat(d, "I")) {
            n = dup_format(d, "%s%s", n, template_args(d));
            *is_template = true;
        }
    } else {
        bool std = eat(d, "St"), special;
        eat(d, "L"); /* internal linkage: printed as any name */
        n = unqualified_name(d, NULL);
        special = d->special;
        if (std)
            n = dup_format(d, "std::%s", n);
        if (peek(d, "I")) {
            add_sub(d, plain(n));
            d->p++;
            n = dup_format(d, "%s%s", n, template_args(d));
            *is_template = true;
        }
        d->special = special;
    }
    d->depth--;
    return n;
}

static const char *builtin(struct demangler *d)
{
    static const struct { char c; const char *s; } simple[] = {
        {'v', "void"}, {'w', "wchar_t"}, {'b', "bool"}, {'c', "char"},
        {'a', "signed char"}, {'h', "unsigned char"}, {'s', "short"},
        {'t', "unsigned short"}, {'i', "int"}, {'j', "unsigned int"}, {'l', "long"},
        {'m', "unsigned long"}, {'x', "long long"}, {'y', "unsigned long long"},
        {'n', "__int128"}, {'o', "unsigned __int128"}, {'f', "float"}, {'d', "double"},
        {'e', "long double"}, {'g', "__float128"}, {'z', "..."},
    };
    static const struct { const char *code, *s; } extended[] = {
        {"Dd", "decimal64"}, {"De", "decimal128"}, {"Df", "decimal32"}, {"Dh", "half"},
        {"Di", "char32_t"}, {"Ds", "char16_t"}, {"Du", "char8_t"}, {"Da", "auto"},
        {"Dc", "decltype(auto)"}, {"Dn", "std::nullptr_t"},
    };

    if (d->p >= d->end)
        return NULL;
    for (size_t i = 0; i < sizeof(simple) / sizeof(simple[0]); i++) {
        if (*d->p == simple[i].c) {
            d->p++;
            return simple[i].s;
        }
    }
    for (size_t i = 0; i < sizeof(extended) / sizeof(extended[0]); i++)
        if (eat(d, extended[i].code))
            return extended[i].s;
    if (peek(d, "DF") && d->end - d->p > 2 && d->p[2] >= '0' && d->p[2] <= '9') {
        long bits;
        d->p += 2;
        if (number(d, &bits) && eat(d, "_"))
            return dup_format(d, "_Float%ld", bits);
        d->failed = true;
        return "";
    }
    return NULL;
}

/* "(a, b)" from parameter types up to E (or the end); "()" for (void) */
static const char *parameters(struct demangler *d, bool until_e)
{
    const char *s = "";
    bool first = true;

    if (eat(d, "v") && (!until_e || peek(d, "E") || peek(d, "R") || peek(d, "O"))) {
        if (until_e) {
            eat(d, "R");
            eat(d, "O");
            if (!eat(d, "E"))
                d->failed = true;
        }
        return "()";
    }
    /* a local name's function ends at its E */
    while (!d->failed && d->p < d->end && *d->p != '.' && (until_e || *d->p != 'E')) {
        if (until_e && (eat(d, "E") || peek(d, "RE") || peek(d, "OE"))) {
            if (d->p[-1] != 'E') {
                d->p++;
                eat(d, "E");
            }
            return dup_format(d, "(%s)", s);
        }
        {
            const char *t = whole(d, type(d));
            s = first ? t : dup_format(d, "%s, %s", s, t);
            first = false;
        }
    }
    if (until_e)
        d->failed = true;
    return dup_format(d, "(%s)", s);
}

static struct text type(struct demangler *d)
{
    struct text t = plain(""), inner;
    const char *b;
    bool substitutable = true;
    bool saved = d->in_type;

    if (!enter(d))
        return plain("");
    d->in_type = true;
    if ((b = builtin(d))) {
        t = plain(b);
        substitutable = false;
    } else if (peek(d, "r") || peek(d, "V") || peek(d, "K")) {
        const char *cv = cv_qualifiers(d);
        inner = type(d);
        t = inner;
        if (inner.function)
            t.right = dup_format(d, "%s%s", inner.right, cv);
        else
            t.left = dup_format(d, "%s%s", inner.left, cv);
    } else if (eat(d, "P") || eat(d, "R") || eat(d, "O")) {
        char kind = d->p[-1];
        const char *mark = kind == 'P' ? "*" : kind == 'R' ? "&" : "&&";
        inner = type(d);
        t = inner;
        if (kind != 'P' && !inner.function && !inner.array && inner.left[0]) {
            /* reference collapsing: & on && or & is &, && on & stays & */
            size_t n = strlen(inner.left);
            if (inner.left[n - 1] == '&') {
                if (kind == 'R' && n >= 2 && inner.left[n - 2] == '&')
                    t.left = dup_format(d, "%.*s", (int)(n - 1), inner.left);
                goto done_reference;
            }
        }
        if (inner.function || inner.array) {
            t.left = dup_format(d, "%s(%s", inner.left, mark);
            t.right = dup_format(d, ")%s", inner.right);
            if (inner.array)
                t.left = dup_format(d, "%s (%s", inner.left, mark),
                t.right = dup_format(d, ")%s", inner.right);
        } else {
            t.left = dup_format(d, "%s%s", inner.left, mark);
        }
        t.function = t.array = false;
    done_reference:;
    } else if (eat(d, "F")) {
        struct text ret;
        eat(d, "Y");
        ret = type(d);
        t.left = dup_format(d, "%s ", whole(d, ret));
        t.right = parameters(d, true);
        t.function = true;
        t.array = false;
    } else if (eat(d, "A")) {
        long n = 0;
        const char *size = "";
        if (number(d, &n))
            size = dup_format(d, "%ld", n);
        if (!eat(d, "_"))
            d->failed = true;
        inner = type(d);
        t.left = inner.left;
        t.right = dup_format(d, " [%s]%s", size, inner.right);
        t.function = false;
        t.array = true;
    } else if (eat(d, "M")) {
        const char *cls = whole(d, type(d));
        inner = type(d);
        if (inner.function) {
            t.left = dup_format(d, "%s(%s::*", inner.left, cls);
            t.right = dup_format(d, ")%s", inner.right);
        } else {
            t.left = dup_format(d, "%s %s::*", inner.left, cls);
            t.right = inner.right;
        }
        t.function = t.array = false;
    } else if (eat(d, "T")) {
        t = template_param(d);
        if (peek(d, "I")) {
            add_sub(d, t);
            d->p++;
            d->in_type = false;
            t = plain(dup_format(d, "%s%s", whole(d, t), template_args(d)));
        }
    } else if (eat(d, "Dp")) {
        /* a pack expansion prints as the pack's elements */
        t = type(d);
    } else if (peek(d, "S") && !peek(d, "St")) {
        substitution(d, &t);
        if (peek(d, "I")) {
            d->p++;
            t = plain(dup_format(d, "%s%s", whole(d, t), template_args(d)));
        } else {
            substitutable = false;
        }
    } else if (eat(d, "u")) {
        t = plain(source_name(d));
    } else if (peek(d, "D")) {
        d->failed = true; /* decltype and the rest: not handled */
        t = plain("");
    } else {
        bool is_template;
        const char *cv;
        t = plain(name(d, &is_template, &cv));
    }
    if (substitutable && !d->failed)
        add_sub(d, t);
    d->in_type = saved;
    d->depth--;
    return t;
}

/* <encoding> ::= <name> <bare-function-type> | <name> | <special-name> */
static const char *encoding(struct demangler *d)
{
    const char *n, *cv, *ret = NULL, *params;
    bool is_template, special;

    if (!enter(d))
        return "";
    if (eat(d, "TV")) {
        n = dup_format(d, "vtable for %s", whole(d, type(d)));
    } else if (eat(d, "TC")) {
        /* construction vtable: TC <derived> <offset> _ <base> */
        const char *derived = whole(d, type(d));
        long offset;
        if (!number(d, &offset) || !eat(d, "_"))
            d->failed = true;
        n = dup_format(d, "construction vtable for %s-in-%s", whole(d, type(d)), derived);
    } else if (eat(d, "TT")) {
        n = dup_format(d, "VTT for %s", whole(d, type(d)));
    } else if (eat(d, "TI")) {
        n = dup_format(d, "typeinfo for %s", whole(d, type(d)));
    } else if (eat(d, "TS")) {
        n = dup_format(d, "typeinfo name for %s", whole(d, type(d)));
    } else if (eat(d, "GV")) {
        bool t;
        n = dup_format(d, "guard variable for %s", name(d, &t, &cv));
    } else if (eat(d, "Th") || eat(d, "Tv")) {
        bool is_virtual = d->p[-1] == 'v';
        long a, b;
        if (!number(d, &a) || !eat(d, "_") ||
            (is_virtual && (!number(d, &b) || !eat(d, "_"))))
            d->failed = true;
        n = dup_format(d, "%s thunk to %s", is_virtual ? "virtual" : "non-virtual",
                       encoding(d));
    } else {
        bool saved_in_type = d->in_type;
        d->in_type = false;
        n = name(d, &is_template, &cv);
        special = d->special;
        d->in_type = saved_in_type;
        if (d->p < d->end && *d->p != 'E' && *d->p != '.') {
            /* a function: template functions (not constructors, destructors or
             * conversions) start with their return type */
            if (is_template && !special) {
                struct text r = type(d);
                ret = r.function ? NULL : whole(d, r);
            }
            params = parameters(d, false);
            n = ret ? dup_format(d, "%s %s%s%s", ret, n, params, cv)
                    : dup_format(d, "%s%s%s", n, params, cv);
        }
    }
    d->depth--;
    return n;
}

char *itanium_demangle(const char *mangled)
{
    struct demangler d;
    const char *result;
    char *out = NULL;
    size_t length;

    if (!mangled || strncmp(mangled, "_Z", 2) != 0)
        return NULL;
    length = strlen(mangled);
    if (length > MAX_OUTPUT)
        return NULL;
    memset(&d, 0, sizeof(d));
    d.p = mangled + 2;
    d.end = mangled + length;
    result = encoding(&d);
    /* clone suffixes: ".constprop.0" -> " (.constprop.0)" */
    if (!d.failed && d.p < d.end && *d.p == '.')
        result = dup_format(&d, "%s (%s)", result, d.p), d.p = d.end;
    if (!d.failed && d.p == d.end) {
        out = malloc(strlen(result) + 1);
        if (out)
            strcpy(out, result);
    }
    while (d.blocks) {
        struct arena_block *next = d.blocks->next;
        free(d.blocks);
        d.blocks = next;
    }
    return out;
}
