/*
 * Replays inputs through a fuzz target without libFuzzer: each argument is a
 * file or a directory of files. Used by the normal test suite (any compiler,
 * under ASan/UBSan) for the seed corpora and the minimised regression inputs.
 */
#include "fuzz_common.h"

#include <dirent.h>
#include <string.h>
#include <sys/stat.h>

static unsigned replayed;

static int replay_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    uint8_t *data;
    long size;

    if (!f)
        return 1;
    if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
        fclose(f);
        return 1;
    }
    data = malloc(size ? (size_t)size : 1);
    if (!data || fread(data, 1, (size_t)size, f) != (size_t)size) {
        free(data);
        fclose(f);
        return 1;
    }
    fclose(f);
    LLVMFuzzerTestOneInput(data, (size_t)size);
    free(data);
    replayed++;
    return 0;
}

static int replay(const char *path)
{
    struct stat st;
    DIR *dir;
    struct dirent *e;
    int failures = 0;

    if (stat(path, &st) != 0) {
        fprintf(stderr, "replay: %s: not found\n", path);
        return 1;
    }
    if (!S_ISDIR(st.st_mode))
        return replay_file(path);
    dir = opendir(path);
    if (!dir)
        return 1;
    while ((e = readdir(dir))) {
        char child[4096];
        if (e->d_name[0] == '.' || strncmp(e->d_name, "README", 6) == 0)
            continue;
        snprintf(child, sizeof(child), "%s/%s", path, e->d_name);
        failures += replay(child);
    }
    closedir(dir);
    return failures;
}

int main(int argc, char **argv)
{
    int failures = 0;

    for (int i = 1; i < argc; i++)
        failures += replay(argv[i]);
    printf("%u inputs replayed, %d unreadable\n", replayed, failures);
    return failures || replayed == 0 ? 1 : 0;
}
