/*
 * What every library file needs from the host: the DbgHelp types (mingw-w64's
 * on Windows, ours elsewhere), the last-error setter and the export marker.
 */
#ifndef DBGWALK_PLATFORM_H
#define DBGWALK_PLATFORM_H

#include "dbgwalk.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Marks a function the library exports. On Windows the .def file decides the
 * exports; elsewhere symbols are hidden unless marked. */
#ifdef _WIN32
#define DW_EXPORT
#else
#define DW_EXPORT __attribute__((visibility("default")))
#endif

#ifdef _WIN32
#define dw_set_last_error(e) SetLastError(e)
#else
void dw_set_last_error(DWORD error);
#endif

/* The library's thread-locals. Elsewhere than Windows they use the
 * initial-exec model, one instruction to reach instead of a call of
 * __tls_get_addr: that puts all of them in the static TLS space a process
 * reserves for libraries loaded later (dlopen), which is small, so they
 * must stay small (the walk caches live on the heap). mingw-w64's
 * _Thread_local is emulated: a call either way. */
#ifdef _WIN32
#define DW_THREAD_LOCAL _Thread_local
#else
#define DW_THREAD_LOCAL _Thread_local __attribute__((tls_model("initial-exec")))
#endif

#define DW_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Little-endian fields of target data. On a little-endian host (every host
 * we build for) they are plain unaligned loads and stores, which compilers
 * turn into one instruction each; the byte-by-byte forms are the portable
 * definition. */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
static inline uint16_t dw_le16(const uint8_t *p)
{
    uint16_t v;
    memcpy(&v, p, sizeof(v));
    return v;
}
static inline uint32_t dw_le32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, sizeof(v));
    return v;
}
static inline uint64_t dw_le64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, sizeof(v));
    return v;
}
static inline void dw_put_le32(uint8_t *p, uint32_t v) { memcpy(p, &v, sizeof(v)); }
static inline void dw_put_le64(uint8_t *p, uint64_t v) { memcpy(p, &v, sizeof(v)); }
static inline void dw_le16_array(uint16_t *out, const uint8_t *p, size_t n)
{
    memcpy(out, p, 2 * n);
}
#else
static inline uint16_t dw_le16(const uint8_t *p) { return (uint16_t)(p[0] | (p[1] << 8)); }
static inline uint32_t dw_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
           ((uint32_t)p[3] << 24);
}
static inline uint64_t dw_le64(const uint8_t *p)
{
    return (uint64_t)dw_le32(p) | ((uint64_t)dw_le32(p + 4) << 32);
}
static inline void dw_put_le32(uint8_t *p, uint32_t v)
{
    for (unsigned i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}
static inline void dw_put_le64(uint8_t *p, uint64_t v)
{
    dw_put_le32(p, (uint32_t)v);
    dw_put_le32(p + 4, (uint32_t)(v >> 32));
}
static inline void dw_le16_array(uint16_t *out, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        out[i] = dw_le16(p + 2 * i);
}
#endif

#endif
