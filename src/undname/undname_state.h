/* Parser state shared by the undecorator's files: the input cursor (never
 * past the NUL), the output arena, the back-reference tables, the depth cap. */
#ifndef DBGWALK_UNDNAME_STATE_H
#define DBGWALK_UNDNAME_STATE_H

#include "undname.h"

#include <stdbool.h>

struct und_type;

struct und {
    const char *p;          /* cursor; *p == 0 at the end, never advanced past it */
    unsigned flags;
    bool failed;
    int depth;
    bool symbol_first;      /* next qualified name is a symbol's, not a type's */
    char *arena;
    size_t used;
    const char *names[10];  /* name back-references */
    int nnames;
    struct und_type *types[10]; /* function parameter back-references */
    int ntypes;
};

/* Qualifiers, as the mangling encodes them on types and pointers. */
enum {
    UQ_CONST = 1, UQ_VOLATILE = 2, UQ_RESTRICT = 4, UQ_UNALIGNED = 8, UQ_PTR64 = 16,
};

enum und_kind { UK_PLAIN, UK_POINTER, UK_ARRAY, UK_FUNCTION, UK_CUSTOM };

/* A parsed type. It is printed in two parts around the declarator, the way
 * C declarations read: the part before the name and the part after it. */
struct und_type {
    enum und_kind kind;
    unsigned quals;
    const char *name;        /* UK_PLAIN / UK_CUSTOM: "int", "class A" */
    struct und_type *inner;  /* pointee, array element, function return (NULL: structor) */
    const char *cls;         /* member pointer's class */
    const char *affinity;    /* "*", "&", "&&" */
    const char *dims;        /* "[3][4]" */
    const char *cc;          /* function calling convention */
    const char *params;      /* "(int, char)" */
    const char *fn_tail;     /* " const &" and the like after the parameters */
};

bool und_fail(struct und *u);
bool und_eat(struct und *u, char c);
bool und_eat_str(struct und *u, const char *s);
char und_peek(const struct und *u, size_t ahead);
void und_skip(struct und *u, size_t n);
const char *und_cat(struct und *u, const char *a, const char *b, const char *c);
const char *und_ncopy(struct und *u, const char *s, size_t n);
void *und_alloc(struct und *u, size_t n);
bool und_enter(struct und *u);
void und_leave(struct und *u);
void und_remember_name(struct und *u, const char *n);
bool und_number(struct und *u, long long *v);
const char *und_number_text(struct und *u, long long v);
const char *und_space(struct und *u, const char *s);

/* undname_types.c */
enum und_qmode { UQM_DROP, UQM_MANGLE, UQM_RESULT };
struct und_type *und_parse_type(struct und *u, enum und_qmode mode);
unsigned und_qualifiers(struct und *u, bool *member);
unsigned und_ext_qualifiers(struct und *u);
const char *und_type_pre(struct und *u, const struct und_type *t, bool no_cc);
const char *und_type_post(struct und *u, const struct und_type *t);
const char *und_type_text(struct und *u, const struct und_type *t);
const char *und_calling_convention(struct und *u);
struct und_type *und_function_type(struct und *u, bool this_quals);
const char *und_quals_text(struct und *u, unsigned q, bool space_before, bool space_after);

/* undname_names.c */
const char *und_parse_qualified(struct und *u);
const char *und_parse_unqualified(struct und *u, bool memorize);
const char *und_scope_chain(struct und *u, const char *innermost);
const char *und_template_args(struct und *u);

/* undname_literal.c */
const char *und_string_literal(struct und *u);

/* undname.c */
const char *und_symbol(struct und *u);

#endif
