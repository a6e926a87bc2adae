#include "text.h"

#ifdef _WIN32
bool text_narrow(const WCHAR *in, char *out, size_t size)
{
    int n = WideCharToMultiByte(CP_ACP, 0, in, -1, out, (int)size, NULL, NULL);
    if (n <= 0 && size > 0)
        out[0] = 0;
    return n > 0;
}

bool text_widen(const char *in, WCHAR *out, size_t count)
{
    int n = MultiByteToWideChar(CP_ACP, 0, in, -1, out, (int)count);
    if (n <= 0 && count > 0)
        out[0] = 0;
    return n > 0;
}
#else
bool text_narrow(const WCHAR *in, char *out, size_t size)
{
    size_t n = 0;

    if (size == 0)
        return false;
    for (; *in; in++) {
        uint32_t c = *in;
        uint8_t bytes[4];
        size_t len;
        if (c >= 0xD800 && c < 0xDC00 && in[1] >= 0xDC00 && in[1] < 0xE000) {
            c = 0x10000 + ((c - 0xD800) << 10) + (in[1] - 0xDC00);
            in++;
        }
        if (c < 0x80) {
            bytes[0] = (uint8_t)c;
            len = 1;
        } else if (c < 0x800) {
            bytes[0] = (uint8_t)(0xC0 | (c >> 6));
            bytes[1] = (uint8_t)(0x80 | (c & 0x3F));
            len = 2;
        } else if (c < 0x10000) {
            bytes[0] = (uint8_t)(0xE0 | (c >> 12));
            bytes[1] = (uint8_t)(0x80 | ((c >> 6) & 0x3F));
            bytes[2] = (uint8_t)(0x80 | (c & 0x3F));
            len = 3;
        } else {
            bytes[0] = (uint8_t)(0xF0 | (c >> 18));
            bytes[1] = (uint8_t)(0x80 | ((c >> 12) & 0x3F));
            bytes[2] = (uint8_t)(0x80 | ((c >> 6) & 0x3F));
            bytes[3] = (uint8_t)(0x80 | (c & 0x3F));
            len = 4;
        }
        if (n + len >= size) {
            out[n] = 0;
            return false;
        }
        memcpy(out + n, bytes, len);
        n += len;
    }
    out[n] = 0;
    return true;
}

bool text_widen(const char *in, WCHAR *out, size_t count)
{
    const uint8_t *p = (const uint8_t *)in;
    size_t n = 0;

    if (count == 0)
        return false;
    while (*p) {
        uint32_t c = *p++;
        unsigned extra = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : 0;
        if (extra)
            c &= 0x3F >> extra;
        for (unsigned i = 0; i < extra && (*p & 0xC0) == 0x80; i++)
            c = (c << 6) | (*p++ & 0x3F);
        if (c >= 0x10000) {
            if (n + 2 >= count)
                break;
            out[n++] = (WCHAR)(0xD800 + ((c - 0x10000) >> 10));
            out[n++] = (WCHAR)(0xDC00 + ((c - 0x10000) & 0x3FF));
        } else {
            if (n + 1 >= count)
                break;
            out[n++] = (WCHAR)c;
        }
    }
    out[n] = 0;
    return *p == 0;
}
#endif
