/* The undecorator's cursor, arena and back-references. */
#include "undname_state.h"

#include <stdio.h>
#include <string.h>

bool und_fail(struct und *u)
{
    u->failed = true;
    return false;
}

char und_peek(const struct und *u, size_t ahead)
{
    /* never look past the terminating NUL */
    for (size_t i = 0; i < ahead; i++)
        if (u->p[i] == 0)
            return 0;
    return u->p[ahead];
}

void und_skip(struct und *u, size_t n)
{
    while (n-- && *u->p)
        u->p++;
}

bool und_eat(struct und *u, char c)
{
    if (*u->p != c || c == 0)
        return false;
    u->p++;
    return true;
}

const char *und_ncopy(struct und *u, const char *s, size_t n)
{
    if (u->failed || u->used + n + 1 > UNDNAME_ARENA_SIZE) {
        u->failed = true;
        return "";
    }
    char *d = u->arena + u->used;
    memcpy(d, s, n);
    d[n] = 0;
    u->used += n + 1;
    return d;
}

const char *und_cat(struct und *u, const char *a, const char *b, const char *c)
{
    size_t la = strlen(a), lb = b ? strlen(b) : 0, lc = c ? strlen(c) : 0;
    if (u->failed || u->used + la + lb + lc + 1 > UNDNAME_ARENA_SIZE) {
        u->failed = true;
        return "";
    }
    char *d = u->arena + u->used;
    memcpy(d, a, la);
    if (lb)
        memcpy(d + la, b, lb);
    if (lc)
        memcpy(d + la + lb, c, lc);
    d[la + lb + lc] = 0;
    u->used += la + lb + lc + 1;
    return d;
}

bool und_enter(struct und *u)
{
    if (++u->depth > UNDNAME_MAX_DEPTH)
        return und_fail(u);
    return !u->failed;
}

void und_leave(struct und *u) { u->depth--; }

void und_remember_name(struct und *u, const char *n)
{
    for (int i = 0; i < u->nnames; i++)
        if (strcmp(u->names[i], n) == 0)
            return;
    if (u->nnames < 10)
        u->names[u->nnames++] = n;
}

/* MSVC numbers: [?] digit (1..10) | hex digits A..P then '@'. */
bool und_number(struct und *u, long long *v)
{
    bool neg = und_eat(u, '?');
    unsigned long long r = 0;
    char c = *u->p;
    if (c >= '0' && c <= '9') {
        r = (unsigned long long)(c - '0') + 1;
        u->p++;
    } else {
        int n = 0;
        while (*u->p >= 'A' && *u->p <= 'P') {
            if (++n > 16)
                return und_fail(u);
            r = r * 16 + (unsigned long long)(*u->p - 'A');
            u->p++;
        }
        if (!und_eat(u, '@'))
            return und_fail(u);
    }
    *v = neg ? -(long long)r : (long long)r;
    return true;
}

bool und_eat_str(struct und *u, const char *s)
{
    size_t n = strlen(s);
    if (strncmp(u->p, s, n) != 0)
        return false;
    u->p += n;
    return true;
}

/* Zeroed, pointer-aligned space in the arena (type nodes). */
void *und_alloc(struct und *u, size_t n)
{
    size_t at = (u->used + 15) & ~(size_t)15;
    if (u->failed || at + n > UNDNAME_ARENA_SIZE) {
        u->failed = true;
        return NULL;
    }
    u->used = at + n;
    memset(u->arena + at, 0, n);
    return u->arena + at;
}

const char *und_number_text(struct und *u, long long v)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%lld", v);
    return und_ncopy(u, buf, strlen(buf));
}

/* A space after text that ends in a word or a template's '>', so that the
 * next word does not run into it ("int" "*" stays "int *"). */
const char *und_space(struct und *u, const char *s)
{
    size_t n = strlen(s);
    if (!n)
        return s;
    char c = s[n - 1];
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '>')
        return und_cat(u, s, " ", NULL);
    return s;
}
