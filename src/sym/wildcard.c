/*
 * The wildcard matcher. Greedy with one remembered `*`: on a mismatch the
 * last star absorbs one more character and matching resumes after it. That
 * is exact for `*`/`?` patterns (an earlier star never needs to take back
 * what a later one could take) and costs O(len(string) * len(pattern)) at
 * worst, never exponential, whatever a hostile mask looks like.
 */
#include "wildcard.h"

#include <stddef.h>

static uint32_t fold(uint32_t c, bool case_sensitive)
{
    if (!case_sensitive && c >= 'A' && c <= 'Z')
        return c - 'A' + 'a';
    return c;
}

#define DEFINE_MATCH(name, type)                                                                  \
    bool name(const type *string, const type *pattern, bool case_sensitive)                       \
    {                                                                                             \
        const type *star = NULL, *resume = NULL;                                                  \
                                                                                                  \
        if (!string || !pattern)                                                                  \
            return false;                                                                         \
        while (*string) {                                                                         \
            if (*pattern == '*') {                                                                \
                while (*pattern == '*')                                                           \
                    pattern++;                                                                    \
                if (!*pattern)                                                                    \
                    return true; /* a trailing star takes the rest */                            \
                star = pattern;                                                                   \
                resume = string;                                                                  \
            } else if (*pattern == '?' ||                                                         \
                       (*pattern && fold((uint32_t)*pattern, case_sensitive) ==                   \
                                        fold((uint32_t)*string, case_sensitive))) {               \
                pattern++;                                                                        \
                string++;                                                                         \
            } else if (star) {                                                                    \
                pattern = star;                                                                   \
                string = ++resume;                                                                \
            } else {                                                                              \
                return false;                                                                     \
            }                                                                                     \
        }                                                                                         \
        while (*pattern == '*')                                                                   \
            pattern++;                                                                            \
        return *pattern == 0;                                                                     \
    }

static bool match_narrow(const unsigned char *s, const unsigned char *p, bool cs);
DEFINE_MATCH(match_narrow, unsigned char)
DEFINE_MATCH(sym_match_wide, uint16_t)

bool sym_match(const char *string, const char *pattern, bool case_sensitive)
{
    return match_narrow((const unsigned char *)string, (const unsigned char *)pattern,
                        case_sensitive);
}
