/*
 * The MSF 7.0 container of a PDB: a superblock, a stream directory, and
 * streams scattered over fixed-size blocks ("The MSF File Format", LLVM's PDB
 * documentation). Every block index, stream size and count is checked
 * against the file before it is used.
 */
#ifndef DBGWALK_PDB_MSF_H
#define DBGWALK_PDB_MSF_H

#include "../sym/pe_image.h"

#define MSF_NIL_STREAM 0xFFFFFFFFu

struct msf {
    const struct image_source *source;
    uint64_t file_size;
    uint32_t block_size, block_count;
    uint32_t stream_count;
    uint32_t *stream_sizes;  /* MSF_NIL_STREAM for an absent stream */
    uint32_t *stream_first;  /* each stream's first entry in block_list */
    uint32_t *block_list;    /* every stream's blocks, in order */
};

/* Reads the superblock and the directory; false (ERROR_BAD_FORMAT) when the
 * file is not a well-formed MSF 7.0 container. */
bool msf_open(struct msf *msf, const struct image_source *source, uint64_t file_size);
void msf_close(struct msf *msf);

/* The size of stream `index`, 0 when absent. */
uint32_t msf_stream_size(const struct msf *msf, uint32_t index);

/* The whole stream, malloc'd (with a NUL byte after it, so that strings at
 * its end stay terminated); NULL when absent, unreadable or larger than
 * `limit`. */
uint8_t *msf_read_stream(const struct msf *msf, uint32_t index, uint32_t limit, uint32_t *size);

#endif
