/*
 * Fuzz target: a minidump as a crash-report processor receives it, parsed by
 * dumpwalk's reader and walked thread by thread (tools/dumpwalk): every
 * stream, directory entry, memory range, module record, context and the
 * walks over the dump's memory through our symbol services. A malformed dump
 * must be refused or walked without a crash, a hang or a leak.
 *
 * Input: the dump's bytes. The input's length picks the output and recovery
 * options (--scan, --json), so the seeds need no header of their own.
 */
#include "fuzz_common.h"

#include "../../tools/dumpwalk/dumpwalk.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool quiet;
    struct dump d;
    struct options o;

    if (!quiet) {
        /* the walks print every frame: fuzzing wants speed, not the text */
        quiet = freopen("/dev/null", "w", stdout) != NULL;
    }
    memset(&d, 0, sizeof(d));
    d.path = "fuzz.dmp";
    d.data = data;
    d.size = size;
    memset(&o, 0, sizeof(o));
    o.scan = size & 1;
    o.json = (size >> 1) & 1;
    if (parse_minidump(&d))
        walk_dump(&d, &o);
    free_dump(&d);
    return 0;
}
