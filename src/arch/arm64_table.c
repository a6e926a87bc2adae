/*
 * The ARM64 function-table entry (IMAGE_ARM64_RUNTIME_FUNCTION_ENTRY, 8
 * bytes): BeginAddress, then one word that is either packed unwind data
 * (Flag 1 or 2 in its low bits, FunctionLength in bits 2-12) or the RVA of
 * an .xdata record (Flag 0) whose header holds FunctionLength in bits 0-17.
 * Both lengths count 4-byte instructions. The entry holds no end, so placing
 * it in a table may need its .xdata header.
 */
#include "arm64.h"

enum { FLAG_XDATA = 0, FLAG_PACKED = 1, FLAG_PACKED_FRAGMENT = 2 };

static bool arm64_entry_range(const uint8_t *entry, uint32_t image_size,
                              const struct image_rva_reader *image, uint32_t *begin,
                              uint32_t *end)
{
    uint32_t b = dw_le32(entry), unwind_data = dw_le32(entry + 4), length;
    uint8_t header[4];

    /* Instructions are 4-byte aligned: an unaligned begin is not code. */
    if ((b & 3) != 0 || b >= image_size)
        return false;
    switch (unwind_data & 3) {
    case FLAG_PACKED:
    case FLAG_PACKED_FRAGMENT:
        length = ((unwind_data >> 2) & 0x7FF) * 4;
        break;
    case FLAG_XDATA:
        if (unwind_data >= image_size || image_size - unwind_data < 4 || !image ||
            !image->read(image->context, unwind_data, header, 4))
            return false;
        length = (dw_le32(header) & 0x3FFFF) * 4;
        break;
    default:
        return false; /* Flag 3 is reserved */
    }
    if (length == 0 || length > image_size - b)
        return false;
    *begin = b;
    *end = b + length;
    return true;
}

const struct function_table_format arm64_table_format = {
    .entry_size = 8,
    .entry_range = arm64_entry_range,
};
