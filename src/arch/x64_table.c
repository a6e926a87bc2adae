/*
 * The x64 function-table entry (IMAGE_RUNTIME_FUNCTION_ENTRY, 12 bytes):
 * BeginAddress, EndAddress, UnwindData, all RVAs. The entry states its own
 * end, so no unwind data is read to place it.
 */
#include "x64.h"

static bool x64_entry_range(const uint8_t *entry, uint32_t image_size,
                            const struct image_rva_reader *image, uint32_t *begin, uint32_t *end)
{
    uint32_t b = dw_le32(entry), e = dw_le32(entry + 4);

    (void)image;
    if (b >= e || e > image_size)
        return false;
    *begin = b;
    *end = e;
    return true;
}

const struct function_table_format x64_table_format = {
    .entry_size = 12,
    .entry_range = x64_entry_range,
};
