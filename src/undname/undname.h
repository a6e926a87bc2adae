/*
 * MSVC C++ name undecorator (UnDecorateSymbolName). Internal entry points.
 *
 * undname_format: undecorates `decorated` under UNDNAME_* `flags` into
 * out[size] (NUL-terminated, truncated to fit). Returns the length written
 * (without the NUL), 0 when the name cannot be undecorated. A name that does
 * not start with '?' is copied through unchanged, as DbgHelp does.
 *
 * undname_symbol: what SymFromAddr shows under SYMOPT_UNDNAME for a decorated
 * public: the UNDNAME_NAME_ONLY form ("ns::A::f"). Same return convention;
 * when the name cannot be undecorated it copies the decorated name through.
 * Stable signature for the symbol API: size_t undname_symbol(const char *, char *, size_t).
 *
 * Every read is bounded by the input's NUL; nesting is capped at
 * UNDNAME_MAX_DEPTH and all output lives in a bounded per-call arena.
 */
#ifndef DBGWALK_UNDNAME_H
#define DBGWALK_UNDNAME_H

#include <stddef.h>

#define UNDNAME_MAX_DEPTH 48
#define UNDNAME_ARENA_SIZE (1u << 20)

#ifndef UNDNAME_COMPLETE
#define UNDNAME_COMPLETE 0x0000
#define UNDNAME_NO_LEADING_UNDERSCORES 0x0001
#define UNDNAME_NO_MS_KEYWORDS 0x0002
#define UNDNAME_NO_FUNCTION_RETURNS 0x0004
#define UNDNAME_NO_ALLOCATION_MODEL 0x0008
#define UNDNAME_NO_ALLOCATION_LANGUAGE 0x0010
#define UNDNAME_NO_MS_THISTYPE 0x0020
#define UNDNAME_NO_CV_THISTYPE 0x0040
#define UNDNAME_NO_THISTYPE 0x0060
#define UNDNAME_NO_ACCESS_SPECIFIERS 0x0080
#define UNDNAME_NO_THROW_SIGNATURES 0x0100
#define UNDNAME_NO_MEMBER_TYPE 0x0200
#define UNDNAME_NO_RETURN_UDT_MODEL 0x0400
#define UNDNAME_32_BIT_DECODE 0x0800
#define UNDNAME_NAME_ONLY 0x1000
#define UNDNAME_NO_ARGUMENTS 0x2000
#define UNDNAME_NO_SPECIAL_SYMS 0x4000
#endif

size_t undname_format(const char *decorated, char *out, size_t size, unsigned flags);
size_t undname_symbol(const char *decorated, char *out, size_t size);

#endif
