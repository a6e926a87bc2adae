/*
 * DbgHelp's wildcard match (SymMatchString, SymEnumSymbols masks): `*`
 * matches any run of characters (also none), `?` exactly one, everything
 * else itself, compared as bytes or, without case_sensitive, with ASCII
 * letters folded. The whole string must match the whole pattern.
 */
#ifndef DBGWALK_WILDCARD_H
#define DBGWALK_WILDCARD_H

#include <stdbool.h>
#include <stdint.h>

bool sym_match(const char *string, const char *pattern, bool case_sensitive);

/* The same over UTF-16 code units (SymMatchStringW). */
bool sym_match_wide(const uint16_t *string, const uint16_t *pattern, bool case_sensitive);

#endif
