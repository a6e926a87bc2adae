/* The MSF 7.0 container (msf.h). */
#include "msf.h"

#include <stdlib.h>

static const char msf_magic[32] = "Microsoft C/C++ MSF 7.00\r\n\x1a" "DS\0\0\0";

/* Streams a PDB may hold at the most, and the largest directory we read:
 * far above real PDBs (tens of thousands of streams), low enough that a
 * hostile count cannot make us allocate gigabytes. */
#define MSF_MAX_STREAMS (1u << 20)
#define MSF_MAX_DIRECTORY (64u << 20)

static uint32_t blocks_for(uint32_t bytes, uint32_t block_size)
{
    return (uint32_t)(((uint64_t)bytes + block_size - 1) / block_size);
}

static bool read_block(const struct msf *msf, uint32_t block, uint32_t offset, void *buffer,
                       uint32_t size)
{
    if (block >= msf->block_count || offset + (uint64_t)size > msf->block_size)
        return false;
    return msf->source->read(msf->source->context, (uint64_t)block * msf->block_size + offset,
                             buffer, size);
}

/* Reads `size` bytes scattered over `blocks` (block indices) into `out`. */
static bool read_scattered(const struct msf *msf, const uint32_t *blocks, uint32_t size,
                           uint8_t *out)
{
    for (uint32_t done = 0, i = 0; done < size; i++) {
        uint32_t n = size - done < msf->block_size ? size - done : msf->block_size;
        if (!read_block(msf, blocks[i], 0, out + done, n))
            return false;
        done += n;
    }
    return true;
}

static bool fail(struct msf *msf)
{
    msf_close(msf);
    dw_set_last_error(ERROR_BAD_FORMAT);
    return false;
}

bool msf_open(struct msf *msf, const struct image_source *source, uint64_t file_size)
{
    uint8_t super[56];
    uint32_t directory_bytes, directory_blocks, map_block, *directory_map = NULL;
    uint8_t *directory = NULL, *used = NULL;
    uint64_t total = 0;

    memset(msf, 0, sizeof(*msf));
    msf->source = source;
    msf->file_size = file_size;
    if (file_size < sizeof(super) || !source->read(source->context, 0, super, sizeof(super)) ||
        memcmp(super, msf_magic, sizeof(msf_magic)) != 0)
        return fail(msf);
    msf->block_size = dw_le32(super + 32);
    msf->block_count = dw_le32(super + 40);
    directory_bytes = dw_le32(super + 44);
    map_block = dw_le32(super + 52);
    if (msf->block_size != 512 && msf->block_size != 1024 && msf->block_size != 2048 &&
        msf->block_size != 4096)
        return fail(msf);
    if ((uint64_t)msf->block_count * msf->block_size > file_size)
        msf->block_count = (uint32_t)(file_size / msf->block_size); /* truncated file */
    if (directory_bytes < 4 || directory_bytes > MSF_MAX_DIRECTORY)
        return fail(msf);

    /* The block map: the directory's block indices, in one block. */
    directory_blocks = blocks_for(directory_bytes, msf->block_size);
    if ((uint64_t)directory_blocks * 4 > msf->block_size)
        return fail(msf);
    directory_map = malloc((size_t)directory_blocks * 4);
    directory = malloc(directory_bytes);
    if (!directory_map || !directory ||
        !read_block(msf, map_block, 0, directory_map, directory_blocks * 4))
        goto bad;
    for (uint32_t i = 0; i < directory_blocks; i++)
        directory_map[i] = dw_le32((const uint8_t *)&directory_map[i]);
    if (!read_scattered(msf, directory_map, directory_bytes, directory))
        goto bad;

    /* The directory: stream count, sizes, then each stream's blocks. */
    msf->stream_count = dw_le32(directory);
    if (msf->stream_count > MSF_MAX_STREAMS ||
        4 + (uint64_t)msf->stream_count * 4 > directory_bytes)
        goto bad;
    msf->stream_sizes = malloc((size_t)msf->stream_count * 4 + 4);
    msf->stream_first = malloc((size_t)msf->stream_count * 4 + 4);
    if (!msf->stream_sizes || !msf->stream_first)
        goto bad;
    for (uint32_t i = 0; i < msf->stream_count; i++) {
        uint32_t size = dw_le32(directory + 4 + 4 * (size_t)i);
        msf->stream_sizes[i] = size;
        msf->stream_first[i] = (uint32_t)total;
        if (size != MSF_NIL_STREAM)
            total += blocks_for(size, msf->block_size);
    }
    if (4 + ((uint64_t)msf->stream_count + total) * 4 > directory_bytes)
        goto bad; /* more blocks claimed than the directory lists */
    msf->block_list = malloc((size_t)total * 4 + 4);
    used = calloc((size_t)msf->block_count / 8 + 1, 1);
    if (!msf->block_list || !used)
        goto bad;
    for (uint64_t i = 0; i < total; i++) {
        uint32_t block = dw_le32(directory + 4 + ((size_t)msf->stream_count + i) * 4);
        /* Block 0 is the superblock: no stream lives there; and no block
         * belongs to two streams (or twice to one: a cyclic map). An index
         * past the file is refused when its stream is read, not here, so
         * that a truncated PDB still serves the streams it holds. */
        if (block == 0)
            goto bad;
        if (block < msf->block_count) {
            if (used[block / 8] & (1u << (block % 8)))
                goto bad;
            used[block / 8] |= (uint8_t)(1u << (block % 8));
        }
        msf->block_list[i] = block;
    }
    free(used);
    free(directory);
    free(directory_map);
    return true;
bad:
    free(used);
    free(directory);
    free(directory_map);
    return fail(msf);
}

void msf_close(struct msf *msf)
{
    free(msf->stream_sizes);
    free(msf->stream_first);
    free(msf->block_list);
    msf->stream_sizes = msf->stream_first = msf->block_list = NULL;
    msf->stream_count = 0;
}

uint32_t msf_stream_size(const struct msf *msf, uint32_t index)
{
    if (index >= msf->stream_count || msf->stream_sizes[index] == MSF_NIL_STREAM)
        return 0;
    return msf->stream_sizes[index];
}

uint8_t *msf_read_stream(const struct msf *msf, uint32_t index, uint32_t limit, uint32_t *size)
{
    uint32_t bytes = msf_stream_size(msf, index);
    uint8_t *data;

    *size = 0;
    if (bytes == 0 || bytes > limit)
        return NULL;
    data = malloc((size_t)bytes + 1);
    if (!data)
        return NULL;
    if (!read_scattered(msf, msf->block_list + msf->stream_first[index], bytes, data)) {
        free(data);
        return NULL;
    }
    data[bytes] = 0;
    *size = bytes;
    return data;
}
