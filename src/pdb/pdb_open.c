/* Placeholder until the PDB reader lands (issue 10): no PDB is ever opened. */
#include "pdb.h"

struct debug_info *pdb_open(const struct image_source *source, uint64_t size)
{
    (void)source;
    (void)size;
    return NULL;
}

struct debug_info *pdb_open_file(const char *path)
{
    (void)path;
    return NULL;
}
