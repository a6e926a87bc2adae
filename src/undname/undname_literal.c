/* String literals: ??_C@_ <0 narrow | 1 wide> <byte length> <crc> @ <bytes> @.
 * The name holds at most the first 32 bytes (wide: 64) of the literal;
 * printed as a C literal with escapes, "..." when the name is cut short.
 * A narrow name may also hold char16_t/char32_t data: the width is judged
 * from the NUL bytes, as llvm-undname does. */
#include "undname_state.h"

#include <string.h>

#define LITERAL_MAX_BYTES 128

/* One encoded byte: plain, ?$XY (two A..P nibbles), ?0..?9 (a punctuation
 * table), ?a..?z / ?A..?Z (0xE1.., 0xC1..). */
static int literal_byte(struct und *u)
{
    char c = *u->p;
    if (!c)
        return und_fail(u), -1;
    u->p++;
    if (c != '?')
        return (unsigned char)c;
    c = *u->p;
    if (!c)
        return und_fail(u), -1;
    u->p++;
    if (c == '$') {
        char h = u->p[0], l = h ? u->p[1] : 0;
        if (h < 'A' || h > 'P' || l < 'A' || l > 'P')
            return und_fail(u), -1;
        u->p += 2;
        return (h - 'A') << 4 | (l - 'A');
    }
    if (c >= '0' && c <= '9')
        return (unsigned char)",/\\:. \n\t'-"[c - '0'];
    if (c >= 'a' && c <= 'z')
        return 0xE1 + (c - 'a');
    if (c >= 'A' && c <= 'Z')
        return 0xC1 + (c - 'A');
    return und_fail(u), -1;
}

static const char *escaped(struct und *u, const char *s, unsigned c)
{
    const char *e = NULL;
    switch (c) {
    case 0: e = "\\0"; break;
    case '\'': e = "\\'"; break;
    case '"': e = "\\\""; break;
    case '\\': e = "\\\\"; break;
    case '\a': e = "\\a"; break;
    case '\b': e = "\\b"; break;
    case '\f': e = "\\f"; break;
    case '\n': e = "\\n"; break;
    case '\r': e = "\\r"; break;
    case '\t': e = "\\t"; break;
    case '\v': e = "\\v"; break;
    default: break;
    }
    if (e)
        return und_cat(u, s, e, NULL);
    char buf[20];
    if (c > 0x1F && c < 0x7F) {
        buf[0] = (char)c;
        buf[1] = 0;
        return und_cat(u, s, buf, NULL);
    }
    /* \x and the value in whole bytes, most significant first */
    char digits[16];
    int n = 0;
    while (c && n < 16) {
        digits[n++] = "0123456789ABCDEF"[c % 16];
        c /= 16;
        digits[n++] = "0123456789ABCDEF"[c % 16];
        c /= 16;
    }
    int k = 0;
    buf[k++] = '\\';
    buf[k++] = 'x';
    while (n)
        buf[k++] = digits[--n];
    buf[k] = 0;
    return und_cat(u, s, buf, NULL);
}

static unsigned char_width(const unsigned char *b, unsigned n, unsigned long long bytes)
{
    if (bytes % 2 == 1)
        return 1;
    unsigned nulls = 0;
    if (bytes < 32) {
        for (unsigned i = n; i > 0 && b[i - 1] == 0; i--)
            nulls++;
        if (n % 4 == 0 && nulls >= 4)
            return 4;
        return nulls >= 2 ? 2 : 1;
    }
    for (unsigned i = 0; i < n; i++)
        nulls += b[i] == 0;
    if (nulls >= 2 * n / 3 && bytes % 4 == 0)
        return 4;
    return nulls >= n / 3 ? 2 : 1;
}

/* After "??_C@_": the rest of the name. */
const char *und_string_literal(struct und *u)
{
    char kind = *u->p;
    if (kind != '0' && kind != '1')
        return und_fail(u), "";
    u->p++;
    bool wide = kind == '1';
    long long len;
    if (!und_number(u, &len) || len < (wide ? 2 : 1))
        return und_fail(u), "";
    const char *crc_end = strchr(u->p, '@');
    if (!crc_end || !crc_end[1])
        return und_fail(u), "";
    u->p = crc_end + 1;
    unsigned long long bytes = (unsigned long long)len;
    const char *s = "";
    bool truncated;
    const char *prefix;
    if (wide) {
        prefix = "L\"";
        truncated = bytes > 64;
        int count = 0;
        while (!und_eat(u, '@')) {
            if (!u->p[0] || !u->p[1] || ++count > LITERAL_MAX_BYTES)
                return und_fail(u), "";
            int hi = literal_byte(u);
            int lo = hi < 0 ? -1 : literal_byte(u);
            if (lo < 0)
                return "";
            /* the terminating NUL (the last two of the bytes) is not shown */
            if (bytes != 2 || truncated)
                s = escaped(u, s, (unsigned)(hi << 8 | lo));
            bytes -= 2;
        }
    } else {
        unsigned char b[LITERAL_MAX_BYTES];
        unsigned n = 0;
        while (!und_eat(u, '@')) {
            if (n >= LITERAL_MAX_BYTES)
                return und_fail(u), "";
            int c = literal_byte(u);
            if (c < 0)
                return "";
            b[n++] = (unsigned char)c;
        }
        truncated = bytes > n;
        unsigned w = char_width(b, n, bytes);
        prefix = w == 1 ? "\"" : w == 2 ? "u\"" : "U\"";
        unsigned chars = n / w;
        for (unsigned i = 0; i < chars; i++) {
            unsigned c = 0;
            for (unsigned k = 0; k < w; k++)
                c |= (unsigned)b[i * w + k] << (8 * k);
            if (i + 1 < chars || truncated)
                s = escaped(u, s, c);
        }
    }
    if (*u->p)
        return und_fail(u), "";
    return und_cat(u, prefix, s, truncated ? "\"..." : "\"");
}
