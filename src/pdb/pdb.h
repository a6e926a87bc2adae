/*
 * The PDB reader's entry points. Everything else about PDBs stays inside
 * src/pdb/; the symbol API sees only struct debug_info (sym/debug_info.h).
 */
#ifndef DBGWALK_PDB_H
#define DBGWALK_PDB_H

#include "../sym/debug_info.h"
#include "../sym/pe_image.h"

/* Opens a PDB held by `source` (file offsets; `source->mapped` false) of
 * `size` bytes. NULL, with a last error, when it is not a readable MSF 7.0
 * PDB. Streams are read on demand through `source`, which must stay valid
 * until close(); the reader copies what it indexes. */
struct debug_info *pdb_open(const struct image_source *source, uint64_t size);

/* The same for a file on disk (opened, read on demand, closed by close()). */
struct debug_info *pdb_open_file(const char *path);

#endif
