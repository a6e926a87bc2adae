/* UTF-16 (WCHAR) and narrow strings at the W entry points: the ANSI code
 * page on Windows, UTF-8 elsewhere. */
#ifndef DBGWALK_TEXT_H
#define DBGWALK_TEXT_H

#include "../platform.h"

/* Converts into `out` (always terminated); false if it did not fit. */
bool text_narrow(const WCHAR *in, char *out, size_t size);
bool text_widen(const char *in, WCHAR *out, size_t count);

#endif
