/*
 * The dump's modules registered with the symbol handler, so that
 * SymFunctionTableAccess64 and SymGetModuleBase64 can serve the walk. With
 * -i PATH (directories separated by ';'), each module's image is looked for
 * as DIR/<file> and in the symbol-store layout DIR/<file>/<TIMESTAMP><SIZE>/
 * <file> (TimeDateStamp as 8 hex digits, SizeOfImage in hex, as Microsoft's
 * symbol store and symstore lay images out); an image is used only when its
 * TimeDateStamp and SizeOfImage are the module list's. Its .pdata (x64,
 * ARM64) then drives the unwind; without it only what the dump's memory
 * holds is available. Each module is given the CodeView record the dump
 * stores (MODLOAD_DATA, DBHHEADER_CVMISC), so that with -y SYMPATH its PDB
 * is found with no image at all.
 */
#include "dumpwalk.h"

#include <dirent.h> /* _POSIX_C_SOURCE from CMake */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

/* A regular file (a store keeps a directory of the image's own name). */
static int is_file(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* DIR/<file>, or a file in DIR whose name differs only in case. */
static int find_image(const char *dir, const char *file, char *out, size_t out_size)
{
    DIR *listing;
    struct dirent *entry;
    int found = 0;

    if (!file[0] || (size_t)snprintf(out, out_size, "%s/%s", dir, file) >= out_size)
        return 0;
    if (is_file(out))
        return 1;
    listing = opendir(dir);
    if (!listing)
        return 0;
    while (!found && (entry = readdir(listing)) != NULL) {
        if (strcasecmp(entry->d_name, file) != 0 ||
            (size_t)snprintf(out, out_size, "%s/%s", dir, entry->d_name) >= out_size)
            continue;
        found = is_file(out);
    }
    closedir(listing);
    return found;
}

/* The image's TimeDateStamp and SizeOfImage are the module list's (a
 * module list without them, all zero, accepts any image). */
static int image_matches(const struct module *m, const uint8_t *file, size_t size)
{
    uint32_t pe;

    if (size < 0x40 || file[0] != 'M' || file[1] != 'Z')
        return 0;
    pe = le32(file + 0x3c);
    if (pe > size || size - pe < 24 + 60 || memcmp(file + pe, "PE\0\0", 4) != 0)
        return 0;
    if (!m->timestamp && !m->size)
        return 1;
    return le32(file + pe + 8) == m->timestamp && le32(file + pe + 24 + 56) == m->size;
}

/* The module's image in one element of -i: DIR/<file>, else the store's
 * DIR/<file>/<TIMESTAMP><SIZE>/<file> (the hex digits in either case). */
static int find_in_element(const char *dir, const struct module *m, char *out, size_t out_size)
{
    char index_dir[1100];
    static const char *const layouts[] = {"%s/%s/%08X%x", "%s/%s/%08x%x", "%s/%s/%08X%X"};

    if (find_image(dir, m->file, out, out_size))
        return 1;
    for (size_t i = 0; i < sizeof(layouts) / sizeof(layouts[0]); i++) {
        if ((size_t)snprintf(index_dir, sizeof(index_dir), layouts[i], dir, m->file,
                             m->timestamp, m->size) < sizeof(index_dir) &&
            find_image(index_dir, m->file, out, out_size))
            return 1;
    }
    return 0;
}

/* The first element of the ';'-separated path holding a matching image;
 * its bytes in *bytes. */
static int find_matching_image(struct dump *d, const char *image_path, const struct module *m,
                               char *out, size_t out_size, uint8_t **bytes, size_t *size)
{
    const char *element = image_path;

    while (element && *element) {
        const char *end = strchr(element, ';');
        size_t length = end ? (size_t)(end - element) : strlen(element);
        char dir[1024];
        if (length && length < sizeof(dir)) {
            memcpy(dir, element, length);
            dir[length] = 0;
            if (find_in_element(dir, m, out, out_size)) {
                *bytes = read_file(out, size);
                if (*bytes && image_matches(m, *bytes, *size))
                    return 1;
                fprintf(stderr, "dumpwalk: %s: warning: %s is not the image of %s (timestamp "
                        "0x%08x, size 0x%x): skipped\n", d->path, out, m->path, m->timestamp,
                        m->size);
                free(*bytes);
                *bytes = NULL;
            }
        }
        element = end ? end + 1 : NULL;
    }
    return 0;
}

void register_modules(struct dump *d, const char *image_dir)
{
    unsigned images = 0;

    for (size_t i = 0; i < d->module_count; i++) {
        struct module *m = &d->modules[i];
        char path[1024];
        uint8_t *bytes = NULL;
        size_t size = 0;
        DWORD64 base = 0;
        MODLOAD_DATA cv = {sizeof(MODLOAD_DATA), DBHHEADER_CVMISC, (PVOID)m->cv_record,
                           m->cv_size, 0};
        PMODLOAD_DATA data = m->cv_record ? &cv : NULL;
        if (image_dir && find_matching_image(d, image_dir, m, path, sizeof(path), &bytes, &size)) {
            base = SymLoadModuleEx(d, NULL, path, m->name, m->base, m->size, data, 0);
            if (base) {
                snprintf(m->image, sizeof(m->image), "%s", path);
                images++;
                /* The walker reads unwind data (.xdata) and code through the
                 * read routine: the image file supplies what the dump lacks. */
                m->file_bytes = bytes;
                m->file_size = size;
                bytes = NULL;
                if (!map_image(m)) {
                    free(m->file_bytes);
                    m->file_bytes = NULL;
                }
            } else {
                fprintf(stderr, "dumpwalk: %s: warning: %s: not loadable (error %u), using the "
                        "dump's memory\n", d->path, path, (unsigned)GetLastError());
            }
            free(bytes);
        }
        if (!base)
            base = SymLoadModuleEx(d, NULL, NULL, m->name, m->base, m->size, data, 0);
        if (!base)
            fprintf(stderr, "dumpwalk: %s: warning: module %s at 0x%llx (0x%x bytes) not "
                    "registered (error %u)\n", d->path, m->path, (unsigned long long)m->base,
                    m->size, (unsigned)GetLastError());
    }
    d->images_found = images;
}
