/*
 * UTF-16 copies of source-file names for the W line functions: DbgHelp
 * hands out IMAGEHLP_LINEW64.FileName as a pointer the caller does not
 * free, so each distinct name is widened once and kept for the life of the
 * process. Keyed by content (a reader's pointer may be reused after an
 * unload), under a lock: lookups shared, insertions exclusive.
 */
#include "line_lookup.h"
#include "lock.h"
#include "text.h"

#include <stdlib.h>

#define BUCKETS 1024u

struct wide_name {
    struct wide_name *next;
    char *narrow;
    WCHAR *wide;
};

static dw_lock names_lock = DW_LOCK_INIT;
static struct wide_name *buckets[BUCKETS];

static uint32_t hash_name(const char *s)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (uint8_t)*s) * 16777619u;
    return h;
}

static const WCHAR *find(uint32_t bucket, const char *file)
{
    for (const struct wide_name *n = buckets[bucket]; n; n = n->next)
        if (strcmp(n->narrow, file) == 0)
            return n->wide;
    return NULL;
}

const WCHAR *sym_wide_file(const char *file)
{
    uint32_t bucket = hash_name(file) % BUCKETS;
    size_t length = strlen(file);
    struct wide_name *n;
    const WCHAR *wide;

    dw_lock_shared(&names_lock);
    wide = find(bucket, file);
    dw_unlock_shared(&names_lock);
    if (wide)
        return wide;
    n = calloc(1, sizeof(*n));
    if (n) {
        n->narrow = malloc(length + 1);
        /* never more UTF-16 units than bytes */
        n->wide = malloc((length + 1) * sizeof(WCHAR));
    }
    if (!n || !n->narrow || !n->wide) {
        if (n) {
            free(n->narrow);
            free(n->wide);
        }
        free(n);
        return NULL;
    }
    memcpy(n->narrow, file, length + 1);
    text_widen(file, n->wide, length + 1);
    dw_lock_exclusive(&names_lock);
    wide = find(bucket, file); /* another thread may have added it meanwhile */
    if (!wide) {
        n->next = buckets[bucket];
        buckets[bucket] = n;
        wide = n->wide;
        n = NULL;
    }
    dw_unlock_exclusive(&names_lock);
    if (n) {
        free(n->narrow);
        free(n->wide);
        free(n);
    }
    return wide;
}
