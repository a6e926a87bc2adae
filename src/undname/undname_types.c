/* Types: primitives, tag types, pointers/references, member pointers,
 * arrays, function types, and the argument list with its back-references.
 * Parsing builds small nodes in the arena; printing walks them, the part
 * before the declarator (pre) and after it (post). */
#include "undname_state.h"

#include <string.h>

static const char *primitive(char c)
{
    switch (c) {
    case 'C': return "signed char"; case 'D': return "char"; case 'E': return "unsigned char";
    case 'F': return "short"; case 'G': return "unsigned short"; case 'H': return "int";
    case 'I': return "unsigned int"; case 'J': return "long"; case 'K': return "unsigned long";
    case 'M': return "float"; case 'N': return "double"; case 'O': return "long double";
    case 'X': return "void";
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

const char *und_calling_convention(struct und *u)
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
    case 'W': return "__swift_1";
    case 'X': return "__swift_2";
    default: und_fail(u); return "";
    }
}

/* const/volatile/__restrict, each word separated by one space. */
const char *und_quals_text(struct und *u, unsigned q, bool space_before, bool space_after)
{
    static const struct { unsigned bit; const char *word; } order[] = {
        {UQ_CONST, "const"}, {UQ_VOLATILE, "volatile"}, {UQ_RESTRICT, "__restrict"}};
    const char *s = "";
    bool any = false;
    for (size_t i = 0; i < sizeof order / sizeof *order; i++) {
        if (!(q & order[i].bit))
            continue;
        s = und_cat(u, s, space_before ? " " : "", order[i].word);
        space_before = true;
        any = true;
    }
    if (any && space_after)
        s = und_cat(u, s, " ", NULL);
    return s;
}

/* The cv letter of a type or pointee: A..D plain, Q..T on a member. */
unsigned und_qualifiers(struct und *u, bool *member)
{
    char c = *u->p;
    static const unsigned cv[4] = {0, UQ_CONST, UQ_VOLATILE, UQ_CONST | UQ_VOLATILE};
    if (c >= 'A' && c <= 'D') {
        u->p++;
        *member = false;
        return cv[c - 'A'];
    }
    if (c >= 'Q' && c <= 'T') {
        u->p++;
        *member = true;
        return cv[c - 'Q'];
    }
    und_fail(u);
    *member = false;
    return 0;
}

/* __ptr64 (E), __restrict (I), __unaligned (F) after a pointer's letter. */
unsigned und_ext_qualifiers(struct und *u)
{
    unsigned q = 0;
    for (;;) {
        if (und_eat(u, 'E'))
            q |= UQ_PTR64;
        else if (und_eat(u, 'I'))
            q |= UQ_RESTRICT;
        else if (und_eat(u, 'F'))
            q |= UQ_UNALIGNED;
        else
            return q;
    }
}

static struct und_type *node(struct und *u, enum und_kind k)
{
    struct und_type *t = und_alloc(u, sizeof *t);
    if (t)
        t->kind = k;
    return t;
}

/* Parameters until '@' or 'Z' (varargs); 'X' alone is (void). Types longer
 * than one letter become back-references 0..9. */
static const char *parameter_list(struct und *u)
{
    if (und_eat(u, 'X'))
        return "(void)";
    const char *list = "";
    int n = 0;
    while (*u->p && *u->p != '@' && *u->p != 'Z' && !u->failed) {
        if (++n > 256)
            return und_fail(u), "";
        const char *s;
        if (*u->p >= '0' && *u->p <= '9') {
            int i = *u->p++ - '0';
            if (i >= u->ntypes)
                return und_fail(u), "";
            s = und_type_text(u, u->types[i]);
        } else {
            const char *start = u->p;
            struct und_type *t = und_parse_type(u, UQM_DROP);
            if (!t)
                return und_fail(u), "";
            if (u->p - start > 1 && u->ntypes < 10)
                u->types[u->ntypes++] = t;
            s = und_type_text(u, t);
        }
        list = und_cat(u, list, n > 1 ? ", " : "", s);
    }
    if (und_eat(u, '@'))
        return und_cat(u, "(", list, ")");
    if (und_eat(u, 'Z'))
        return und_cat(u, "(", list, n ? ", ...)" : "...)");
    und_fail(u);
    return "";
}

/* [this quals] cc return params throw, after '6' / '8' or in a symbol. */
struct und_type *und_function_type(struct und *u, bool this_quals)
{
    struct und_type *f = node(u, UK_FUNCTION);
    if (!f || !und_enter(u))
        return und_leave(u), NULL;
    unsigned q = 0;
    const char *ref = "";
    if (this_quals) {
        q = und_ext_qualifiers(u);
        if (und_eat(u, 'G'))
            ref = " &";
        else if (und_eat(u, 'H'))
            ref = " &&";
        bool member;
        q |= und_qualifiers(u, &member);
    }
    f->cc = und_calling_convention(u);
    if (!und_eat(u, '@'))
        f->inner = und_parse_type(u, UQM_RESULT);
    f->params = parameter_list(u);
    const char *noexc = "";
    if (und_eat_str(u, "_E"))
        noexc = " noexcept";
    else if (!und_eat(u, 'Z'))
        und_fail(u);
    const char *tail = "";
    if (q & UQ_CONST) tail = und_cat(u, tail, " const", NULL);
    if (q & UQ_VOLATILE) tail = und_cat(u, tail, " volatile", NULL);
    if (q & UQ_RESTRICT) tail = und_cat(u, tail, " __restrict", NULL);
    if (q & UQ_UNALIGNED) tail = und_cat(u, tail, " __unaligned", NULL);
    f->fn_tail = und_cat(u, tail, noexc, ref);
    und_leave(u);
    return u->failed ? NULL : f;
}

/* P/Q/R/S/A (and $$Q/$$R): pointer's own cv and affinity. */
static bool pointer_letter(struct und *u, struct und_type *t)
{
    if (und_eat_str(u, "$$Q")) {
        t->affinity = "&&";
        return true;
    }
    if (und_eat_str(u, "$$R")) {
        t->affinity = "&&";
        t->quals = UQ_VOLATILE;
        return true;
    }
    char c = *u->p;
    u->p++;
    switch (c) {
    case 'A': t->affinity = "&"; return true;
    case 'B': t->affinity = "&"; t->quals = UQ_VOLATILE; return true;
    case 'P': t->affinity = "*"; return true;
    case 'Q': t->affinity = "*"; t->quals = UQ_CONST; return true;
    case 'R': t->affinity = "*"; t->quals = UQ_VOLATILE; return true;
    case 'S': t->affinity = "*"; t->quals = UQ_CONST | UQ_VOLATILE; return true;
    default: u->p--; return und_fail(u);
    }
}

/* Whether the pointer at the cursor points to a member (class given). */
static bool member_pointer_ahead(const struct und *u)
{
    const char *s = u->p;
    if (strncmp(s, "$$Q", 3) == 0 || strncmp(s, "$$R", 3) == 0)
        s += 3;
    else
        s++;
    if (*s == '6')
        return false;
    if (*s == '8')
        return true;
    while (*s == 'E' || *s == 'I' || *s == 'F')
        s++;
    return *s >= 'Q' && *s <= 'T';
}

static struct und_type *pointer(struct und *u)
{
    struct und_type *t = node(u, UK_POINTER);
    if (!t)
        return NULL;
    bool member = member_pointer_ahead(u);
    if (!pointer_letter(u, t))
        return NULL;
    if (!member && und_eat(u, '6')) {
        t->inner = und_function_type(u, false);
        return t->inner ? t : NULL;
    }
    t->quals |= und_ext_qualifiers(u);
    if (!member) {
        t->inner = und_parse_type(u, UQM_MANGLE);
        return t->inner ? t : NULL;
    }
    if (und_eat(u, '8')) {
        t->cls = und_parse_qualified(u);
        t->inner = und_function_type(u, true);
        return t->inner ? t : NULL;
    }
    bool m;
    unsigned pq = und_qualifiers(u, &m);
    if (u->failed)
        return NULL;
    t->cls = und_parse_qualified(u);
    t->inner = und_parse_type(u, UQM_DROP);
    if (!t->inner)
        return NULL;
    t->inner->quals = pq;
    return t;
}

static struct und_type *array(struct und *u)
{
    long long n, d;
    if (!und_number(u, &n) || n <= 0 || n > 32)
        return und_fail(u), NULL;
    const char *dims = "";
    for (long long i = 0; i < n; i++) {
        if (!und_number(u, &d))
            return NULL;
        dims = und_cat(u, dims, "[", und_cat(u, und_number_text(u, d), "]", NULL));
    }
    struct und_type *t = node(u, UK_ARRAY);
    if (!t)
        return NULL;
    t->dims = dims;
    if (und_eat_str(u, "$$C")) {
        bool m;
        unsigned q = und_qualifiers(u, &m);
        t->inner = und_parse_type(u, UQM_DROP);
        if (t->inner)
            t->inner->quals |= q;
    } else {
        t->inner = und_parse_type(u, UQM_DROP);
    }
    return t->inner ? t : NULL;
}

static struct und_type *plain(struct und *u, const char *name)
{
    struct und_type *t = node(u, UK_PLAIN);
    if (t)
        t->name = name;
    return t;
}

static struct und_type *tag(struct und *u, const char *kw)
{
    const char *n = und_parse_qualified(u);
    if (u->failed)
        return NULL;
    return plain(u, und_cat(u, kw, " ", n));
}

struct und_type *und_parse_type(struct und *u, enum und_qmode mode)
{
    struct und_type *t = NULL;
    if (!und_enter(u))
        return und_leave(u), NULL;
    unsigned q = 0;
    bool member;
    if (mode == UQM_MANGLE || (mode == UQM_RESULT && und_eat(u, '?')))
        q = und_qualifiers(u, &member);
    char c = *u->p;
    if (u->failed || !c) {
        und_fail(u);
        goto out;
    }
    if (c == 'T' || c == 'U' || c == 'V') {
        u->p++;
        t = tag(u, c == 'T' ? "union" : c == 'U' ? "struct" : "class");
    } else if (c == 'W') {
        u->p++;
        if (*u->p < '0' || *u->p > '7') {
            und_fail(u);
            goto out;
        }
        u->p++;
        t = tag(u, "enum");
    } else if (c == 'P' || c == 'Q' || c == 'R' || c == 'S' || c == 'A' || c == 'B' ||
               strncmp(u->p, "$$Q", 3) == 0 || strncmp(u->p, "$$R", 3) == 0) {
        t = pointer(u);
    } else if (c == 'Y') {
        u->p++;
        t = array(u);
    } else if (und_eat_str(u, "$$A8@@")) {
        t = und_function_type(u, true);
    } else if (und_eat_str(u, "$$A6")) {
        t = und_function_type(u, false);
    } else if (c == '?') {
        u->p++;
        t = node(u, UK_CUSTOM);
        if (t)
            t->name = und_parse_unqualified(u, true);
        if (!und_eat(u, '@'))
            und_fail(u);
    } else if (und_eat_str(u, "$$T")) {
        t = plain(u, "std::nullptr_t");
    } else if (c == '_') {
        u->p++;
        const char *s = primitive_ext(*u->p);
        if (s) {
            u->p++;
            t = plain(u, s);
        } else
            und_fail(u);
    } else {
        const char *s = primitive(c);
        if (s) {
            u->p++;
            t = plain(u, s);
        } else
            und_fail(u);
    }
out:
    und_leave(u);
    if (u->failed || !t)
        return und_fail(u), NULL;
    t->quals |= q;
    return t;
}

static const char *function_pre(struct und *u, const struct und_type *f, bool no_cc)
{
    const char *s = "";
    if (f->inner)
        s = und_cat(u, und_type_pre(u, f->inner, false), " ", NULL);
    if (!no_cc)
        s = und_cat(u, s, f->cc, NULL);
    return s;
}

const char *und_type_pre(struct und *u, const struct und_type *t, bool no_cc)
{
    if (!t || u->failed)
        return "";
    switch (t->kind) {
    case UK_PLAIN:
        return und_cat(u, t->name, und_quals_text(u, t->quals, true, false), NULL);
    case UK_CUSTOM:
        return t->name;
    case UK_ARRAY:
        return und_cat(u, und_type_pre(u, t->inner, false), und_quals_text(u, t->quals, true, false), NULL);
    case UK_FUNCTION:
        return function_pre(u, t, no_cc);
    case UK_POINTER: {
        const struct und_type *in = t->inner;
        const char *s = in->kind == UK_FUNCTION ? function_pre(u, in, true) : und_type_pre(u, in, false);
        s = und_space(u, s);
        if (t->quals & UQ_UNALIGNED)
            s = und_cat(u, s, "__unaligned ", NULL);
        if (in->kind == UK_ARRAY)
            s = und_cat(u, s, "(", NULL);
        else if (in->kind == UK_FUNCTION)
            s = und_cat(u, s, "(", und_cat(u, in->cc, " ", NULL));
        if (t->cls)
            s = und_cat(u, s, t->cls, "::");
        return und_cat(u, s, t->affinity, und_quals_text(u, t->quals, false, false));
    }
    }
    return "";
}

const char *und_type_post(struct und *u, const struct und_type *t)
{
    if (!t || u->failed)
        return "";
    switch (t->kind) {
    case UK_ARRAY:
        return und_cat(u, t->dims, und_type_post(u, t->inner), NULL);
    case UK_FUNCTION:
        return und_cat(u, t->params, t->fn_tail, t->inner ? und_type_post(u, t->inner) : "");
    case UK_POINTER: {
        const char *close = t->inner->kind == UK_ARRAY || t->inner->kind == UK_FUNCTION ? ")" : "";
        return und_cat(u, close, und_type_post(u, t->inner), NULL);
    }
    default:
        return "";
    }
}

const char *und_type_text(struct und *u, const struct und_type *t)
{
    return und_cat(u, und_type_pre(u, t, false), und_type_post(u, t), NULL);
}
