/* dumpwalk's command line: dumpwalk [-i IMAGE_DIR] [-y SYMPATH] file.dmp... (dumpwalk.c). */
#include "dumpwalk.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    const char *image_dir = NULL;
    int failures = 0, files = 0;

    for (int i = 1; i < argc; i++) {
        struct dump d;
        uint8_t *data;

        if (strcmp(argv[i], "-i") == 0 && i + 1 < argc) {
            image_dir = argv[++i];
            continue;
        }
        if (strcmp(argv[i], "-y") == 0 && i + 1 < argc) {
            dumpwalk_symbol_path = argv[++i];
            continue;
        }
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
        if (!parse_minidump(&d) || !walk_dump(&d, image_dir))
            failures++;
        free_dump(&d);
        free(data);
        fflush(stdout);
    }
    if (files == 0) {
        fprintf(stderr, "usage: %s [-i IMAGE_DIR] [-y SYMPATH] file.dmp...\n", argv[0]);
        return 2;
    }
    return failures ? 1 : 0;
}
