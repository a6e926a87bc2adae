/*
 * Fuzz target: a minidump as a crash-report processor receives it, parsed by
 * dumpwalk's reader and walked thread by thread (tools/dumpwalk): every
 * stream, directory entry, memory range, module record, context and the
 * walks over the dump's memory through our symbol services. A malformed dump
 * must be refused or walked without a crash, a hang or a leak.
 *
 * Input: the dump's bytes.
 */
#include "fuzz_common.h"

#include "../../tools/dumpwalk/dumpwalk.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool quiet;
    struct dump d;

    if (!quiet) {
        /* the walks print every frame: fuzzing wants speed, not the text */
        quiet = freopen("/dev/null", "w", stdout) != NULL;
    }
    memset(&d, 0, sizeof(d));
    d.path = "fuzz.dmp";
    d.data = data;
    d.size = size;
    if (parse_minidump(&d))
        walk_dump(&d, NULL);
    free_dump(&d);
    return 0;
}
