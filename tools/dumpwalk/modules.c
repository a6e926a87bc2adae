/*
 * The dump's modules registered with the symbol handler, so that
 * SymFunctionTableAccess64 and SymGetModuleBase64 can serve the walk. With
 * -i DIR, DIR/<module file name> is loaded where it exists, and its .pdata
 * (x64, ARM64) drives the unwind; without it only what the dump's memory
 * holds is available. Each module is given the CodeView record the dump
 * stores (MODLOAD_DATA), so that with -y SYMPATH its PDB is found with no
 * image at all.
 */
#include "dumpwalk.h"

#include <dirent.h> /* _POSIX_C_SOURCE from CMake */
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

/* DIR/<file>, or a file in DIR whose name differs only in case. */
static int find_image(const char *dir, const char *file, char *out, size_t out_size)
{
    FILE *f;
    DIR *listing;
    struct dirent *entry;
    int found = 0;

    if (!file[0] || (size_t)snprintf(out, out_size, "%s/%s", dir, file) >= out_size)
        return 0;
    if ((f = fopen(out, "rb")) != NULL) {
        fclose(f);
        return 1;
    }
    listing = opendir(dir);
    if (!listing)
        return 0;
    while (!found && (entry = readdir(listing)) != NULL) {
        if (strcasecmp(entry->d_name, file) != 0 ||
            (size_t)snprintf(out, out_size, "%s/%s", dir, entry->d_name) >= out_size)
            continue;
        if ((f = fopen(out, "rb")) != NULL) {
            fclose(f);
            found = 1;
        }
    }
    closedir(listing);
    return found;
}

const char *dumpwalk_symbol_path;

void register_modules(struct dump *d, const char *image_dir)
{
    unsigned images = 0;

    for (size_t i = 0; i < d->module_count; i++) {
        struct module *m = &d->modules[i];
        char path[1024];
        DWORD64 base = 0;
        /* the dump's CodeView record: the PDB is found from it (in the -y
         * path) when no image is */
        MODLOAD_DATA cv = {sizeof(MODLOAD_DATA), DBHHEADER_CVMISC, (PVOID)m->cv_record,
                           m->cv_size, 0};
        PMODLOAD_DATA data = m->cv_record ? &cv : NULL;
        if (image_dir && find_image(image_dir, m->file, path, sizeof(path))) {
            base = SymLoadModuleEx(d, NULL, path, m->name, m->base, m->size, data, 0);
            if (base) {
                snprintf(m->image, sizeof(m->image), "%s", path);
                images++;
                /* The walker reads unwind data (.xdata) and code through the
                 * read routine: the image file supplies what the dump lacks. */
                m->file_bytes = read_file(path, &m->file_size);
                if (m->file_bytes && !map_image(m)) {
                    free(m->file_bytes);
                    m->file_bytes = NULL;
                }
            } else {
                fprintf(stderr, "dumpwalk: %s: warning: %s: not loadable (error %u), using the "
                        "dump's memory\n", d->path, path, (unsigned)GetLastError());
            }
        }
        if (!base)
            base = SymLoadModuleEx(d, NULL, NULL, m->name, m->base, m->size, data, 0);
        if (!base)
            fprintf(stderr, "dumpwalk: %s: warning: module %s at 0x%llx (0x%x bytes) not "
                    "registered (error %u)\n", d->path, m->path, (unsigned long long)m->base,
                    m->size, (unsigned)GetLastError());
    }
    if (image_dir)
        printf("  images: %u of %zu modules found in %s\n", images, d->module_count, image_dir);
}
