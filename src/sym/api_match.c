/*
 * SymMatchString(A/W): DbgHelp's wildcard match (wildcard.c), and
 * SymMatchFileName(W): whether a file name ends with a given path, compared
 * from the end, case-insensitively, with `\` and `/` as one separator.
 */
#include "../platform.h"
#include "wildcard.h"

/* NULL strings fail with ERROR_INVALID_HANDLE, as DbgHelp's do. */
DW_EXPORT BOOL IMAGEAPI SymMatchStringA(PCSTR string, PCSTR expression, BOOL fCase)
{
    if (!string || !expression) {
        dw_set_last_error(ERROR_INVALID_HANDLE);
        return FALSE;
    }
    return sym_match(string, expression, fCase != FALSE) ? TRUE : FALSE;
}

DW_EXPORT BOOL IMAGEAPI SymMatchString(PCSTR string, PCSTR expression, BOOL fCase)
{
    return SymMatchStringA(string, expression, fCase);
}

DW_EXPORT BOOL IMAGEAPI SymMatchStringW(PCWSTR string, PCWSTR expression, BOOL fCase)
{
    if (!string || !expression) {
        dw_set_last_error(ERROR_INVALID_HANDLE);
        return FALSE;
    }
    return sym_match_wide((const uint16_t *)string, (const uint16_t *)expression, fCase != FALSE)
               ? TRUE
               : FALSE;
}

static uint32_t name_unit(uint32_t c)
{
    if (c == '/')
        return '\\';
    if (c >= 'A' && c <= 'Z')
        return c - 'A' + 'a';
    return c;
}

/* Walks both strings back from their ends while they agree. The stops are
 * where the walk ended, as Wine's builtin reports them: the character before
 * the agreeing tail, which is one before the string when all of it agreed
 * (formed as an address, never dereferenced). TRUE when all of `match`
 * agreed. */
#define DEFINE_MATCH_FILE(name, ctype, mtype)                                                     \
    static BOOL name(const ctype *file, const ctype *match, mtype **file_stop,                  \
                     mtype **match_stop)                                                          \
    {                                                                                             \
        size_t f, m;                                                                              \
                                                                                                  \
        if (!file || !match) {                                                                    \
            dw_set_last_error(ERROR_INVALID_PARAMETER);                                           \
            return FALSE;                                                                         \
        }                                                                                         \
        for (f = 0; file[f]; f++) {                                                               \
        }                                                                                         \
        for (m = 0; match[m]; m++) {                                                              \
        }                                                                                         \
        while (f > 0 && m > 0 &&                                                                  \
               name_unit((uint32_t)file[f - 1]) == name_unit((uint32_t)match[m - 1])) {           \
            f--;                                                                                  \
            m--;                                                                                  \
        }                                                                                         \
        if (file_stop)                                                                            \
            *file_stop = (mtype *)((uintptr_t)(file + f) - sizeof(*file));                        \
        if (match_stop)                                                                           \
            *match_stop = (mtype *)((uintptr_t)(match + m) - sizeof(*match));                     \
        return m == 0 ? TRUE : FALSE;                                                             \
    }

DEFINE_MATCH_FILE(match_file_narrow, unsigned char, CHAR)
DEFINE_MATCH_FILE(match_file_wide, WCHAR, WCHAR)

DW_EXPORT BOOL IMAGEAPI SymMatchFileName(PCSTR FileName, PCSTR Match, PSTR *FileNameStop,
                                         PSTR *MatchStop)
{
    return match_file_narrow((const unsigned char *)FileName, (const unsigned char *)Match,
                             FileNameStop, MatchStop);
}

DW_EXPORT BOOL IMAGEAPI SymMatchFileNameW(PCWSTR FileName, PCWSTR Match, PWSTR *FileNameStop,
                                          PWSTR *MatchStop)
{
    return match_file_wide(FileName, Match, FileNameStop, MatchStop);
}
