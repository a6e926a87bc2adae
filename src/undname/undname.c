/* Symbol encodings and the output: functions, variables, special tables;
 * UnDecorateSymbolName(W) and the symbol API's helper. */
#include "undname_state.h"
#include "../platform.h"

#include <stdlib.h>
#include <string.h>

static const char *access_text(char c)
{
    if (c >= 'A' && c <= 'H') return "private: ";
    if (c >= 'I' && c <= 'P') return "protected: ";
    if (c >= 'Q' && c <= 'X') return "public: ";
    return "";
}

static const char *fix_conv(struct und *u, const char *name, const char *ret)
{
    const char *m = strstr(name, "operator \x01");
    if (!m)
        return name;
    const char *pre = und_ncopy(u, name, (size_t)(m - name));
    return und_cat(u, pre, "operator ", ret);
}

const char *und_symbol(struct und *u)
{
    if (!und_enter(u) || !und_eat(u, '?'))
        return und_fail(u), "";
    const char *r = "";
    if (u->p[0] == '?' && u->p[1] == '_' && u->p[2] == 'C' && u->p[3] == '@' && u->p[4] == '_') {
        u->p += strlen(u->p);
        r = "`string'";
        goto out;
    }
    u->symbol_first = true;
    const char *name = und_parse_qualified(u);
    if (u->failed)
        goto out;
    char c = *u->p;
    if (!c) {
        und_fail(u);
        goto out;
    }
    u->p++;
    if (u->flags & UNDNAME_NAME_ONLY) {
        r = fix_conv(u, name, "");
        u->p += strlen(u->p);
        goto out;
    }
    if (c >= '0' && c <= '4') {
        struct und_type t = und_parse_type(u, false);
        if (*u->p == 'E')
            u->p++;
        if (*u->p)
            u->p++;
        const char *pre = "";
        if (c <= '2' && !(u->flags & UNDNAME_NO_ACCESS_SPECIFIERS))
            pre = c == '0' ? "private: " : c == '1' ? "protected: " : "public: ";
        if (c <= '2' && !(u->flags & UNDNAME_NO_MEMBER_TYPE))
            pre = und_cat(u, pre, "static ", NULL);
        r = und_cat(u, pre, und_decl(u, t, name), NULL);
    } else if (c == '6' || c == '7') {
        if (*u->p == 'E') u->p++;
        if (*u->p) u->p++;
        r = und_cat(u, "const ", name, NULL);
        if (*u->p && *u->p != '@') {
            const char *f = und_parse_qualified(u);
            r = und_cat(u, r, "{for `", und_cat(u, f, "'}", NULL));
        }
        und_eat(u, '@');
    } else if ((c >= 'A' && c <= 'Z') || c == '$') {
        const char *acc = "", *kind = "";
        bool member = false;
        if (c == '$') {
            und_fail(u); /* thunks: not yet */
            goto out;
        }
        if (c <= 'X') {
            acc = access_text(c);
            int k = (c - 'A') % 8;
            if (k == 2 || k == 3) kind = "static ";
            else if (k == 4 || k == 5) kind = "virtual ";
            else if (k == 6 || k == 7) kind = "virtual ";
            member = !(k == 2 || k == 3);
        }
        const char *quals = "";
        if (member) {
            while (*u->p == 'E' || *u->p == 'I' || *u->p == 'F' || *u->p == 'G' || *u->p == 'H') {
                if (*u->p == 'G') quals = und_cat(u, quals, " &", NULL);
                if (*u->p == 'H') quals = und_cat(u, quals, " &&", NULL);
                u->p++;
            }
            char q = *u->p;
            if (q) u->p++;
            if (q == 'B') quals = und_cat(u, " const", quals, NULL);
            else if (q == 'C') quals = und_cat(u, " volatile", quals, NULL);
            else if (q == 'D') quals = und_cat(u, " const volatile", quals, NULL);
        }
        char ccc = *u->p;
        if (ccc) u->p++;
        const char *cc = ccc == 'A' || ccc == 'B' ? "__cdecl" : ccc == 'E' || ccc == 'F' ? "__thiscall"
                       : ccc == 'G' || ccc == 'H' ? "__stdcall" : ccc == 'I' || ccc == 'J' ? "__fastcall"
                       : ccc == 'Q' ? "__vectorcall" : ccc == 'M' ? "__clrcall" : NULL;
        if (!cc) { und_fail(u); goto out; }
        struct und_type ret = {"", ""};
        if (!und_eat(u, '@')) {
            if (*u->p == '?' ) { u->p++; if (*u->p) u->p++; }
            ret = und_parse_type(u, false);
        }
        const char *args = und_arg_list(u);
        und_eat(u, 'Z');
        name = fix_conv(u, name, und_decl(u, ret, NULL));
        if (strncmp(name, "operator ", 9) == 0 || strstr(name, "::operator ")) {
            /* conversion operators print no return type before */
        }
        if (u->flags & UNDNAME_NO_ACCESS_SPECIFIERS) acc = "";
        if (u->flags & UNDNAME_NO_MEMBER_TYPE) kind = "";
        if (u->flags & UNDNAME_NO_THISTYPE) quals = "";
        const char *decl = und_cat(u, u->flags & UNDNAME_NO_MS_KEYWORDS ? "" : cc,
                                   u->flags & UNDNAME_NO_MS_KEYWORDS ? "" : " ", name);
        if (!(u->flags & UNDNAME_NO_ARGUMENTS))
            decl = und_cat(u, decl, "(", und_cat(u, args, ")", quals));
        struct und_type full = ret;
        if (u->flags & UNDNAME_NO_FUNCTION_RETURNS) full.left = full.right = "";
        r = und_cat(u, acc, kind, und_decl(u, full, decl));
    } else {
        r = name;
    }
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
