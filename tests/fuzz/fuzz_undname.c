/*
 * Fuzz target: UnDecorateSymbolName over hostile names. The input is the
 * name (NUL-terminated copy); the first byte chooses the flags' low bits and
 * the output size, so truncation and every flag path are exercised.
 */
#include "fuzz_common.h"
#include "undname/undname.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    unsigned knob = data[0];
    char *name = malloc(size);
    if (!name)
        return 0;
    memcpy(name, data + 1, size - 1);
    name[size - 1] = 0;
    char out[1024];
    size_t cap = knob & 0x80 ? (knob & 0x3f) : sizeof out;
    unsigned flags = (knob & 0x7f) << 7 | (knob & 0x7f);
    DWORD n = UnDecorateSymbolName(name, out, (DWORD)cap, flags);
    if (n && (n >= cap || strlen(out) != n))
        abort();
    undname_symbol(name, out, sizeof out);
    free(name);
    return 0;
}
