/* dumpwalk's command line (dumpwalk.c says what it does). */
#include "dumpwalk.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int usage(const char *self)
{
    fprintf(stderr, "usage: %s [-i IMAGE_PATH] [-y SYMPATH] [--json] [--scan] [--threads all|crashed] "
            "file.dmp...\n", self);
    return 2;
}

int main(int argc, char **argv)
{
    struct options o;
    int failures = 0, files = 0, first = 0;

    memset(&o, 0, sizeof(o));
    /* options first, then the dumps */
    for (first = 1; first < argc && argv[first][0] == '-'; first++) {
        const char *a = argv[first];
        if (strcmp(a, "-i") == 0 && first + 1 < argc)
            o.image_dir = argv[++first];
        else if (strcmp(a, "-y") == 0 && first + 1 < argc)
            o.sympath = argv[++first];
        else if (strcmp(a, "--json") == 0)
            o.json = 1;
        else if (strcmp(a, "--scan") == 0)
            o.scan = 1;
        else if (strcmp(a, "--threads") == 0 && first + 1 < argc &&
                 (strcmp(argv[first + 1], "all") == 0 || strcmp(argv[first + 1], "crashed") == 0))
            o.crashed_only = strcmp(argv[++first], "crashed") == 0;
        else if (strcmp(a, "--") == 0) {
            first++;
            break;
        } else
            return usage(argv[0]);
    }
    report_start(&o);
    for (int i = first; i < argc; i++) {
        struct dump d;
        uint8_t *data;

        files++;
        memset(&d, 0, sizeof(d));
        d.path = argv[i];
        data = read_file(argv[i], &d.size);
        if (!data) {
            fprintf(stderr, "dumpwalk: %s: cannot read\n", argv[i]);
            failures++;
            continue;
        }
        d.data = data;
        if (!parse_minidump(&d) || !walk_dump(&d, &o))
            failures++;
        free_dump(&d);
        free(data);
        fflush(stdout);
    }
    report_finish(&o);
    if (files == 0)
        return usage(argv[0]);
    return failures ? 1 : 0;
}
