/* Parser state shared by the undecorator's files: the input cursor (never
 * past the NUL), the output arena, the back-reference tables, the depth cap. */
#ifndef DBGWALK_UNDNAME_STATE_H
#define DBGWALK_UNDNAME_STATE_H

#include "undname.h"

#include <stdbool.h>

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
    const char *types[10];  /* argument type back-references */
    int ntypes;
};

/* A type in two halves: what goes before the declarator and after it. */
struct und_type {
    const char *left;
    const char *right;
};

bool und_fail(struct und *u);
bool und_eat(struct und *u, char c);
char und_peek(const struct und *u, size_t ahead);
void und_skip(struct und *u, size_t n);
const char *und_cat(struct und *u, const char *a, const char *b, const char *c);
const char *und_ncopy(struct und *u, const char *s, size_t n);
bool und_enter(struct und *u);
void und_leave(struct und *u);
void und_remember_name(struct und *u, const char *n);
bool und_number(struct und *u, long long *v);

/* undname_types.c */
struct und_type und_parse_type(struct und *u, bool arg);
const char *und_decl(struct und *u, struct und_type t, const char *name);
const char *und_arg_list(struct und *u);

/* undname_names.c */
const char *und_parse_qualified(struct und *u);
const char *und_parse_unqualified(struct und *u, bool memorize);
const char *und_template_args(struct und *u);
const char *und_symbol(struct und *u);

#endif
