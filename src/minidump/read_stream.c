/*
 * MiniDumpReadDumpStream: the directory entry and bytes of one stream type of
 * a dump mapped at BaseOfDump.
 *
 * The API takes no size, and DbgHelp trusts the mapping. We check what can be
 * checked without one: the signature, that the directory and every stream we
 * hand back lie within 32-bit RVA space without overflow (RVA + size), and
 * that a stream does not overlap the header. Bounding by the mapping itself
 * (VirtualQuery on Windows) is not done yet: a caller must still pass a
 * mapping that holds what the header claims.
 */
#include "../platform.h"

#ifndef _WIN32
#include "dbgwalk/minidump_types.h"
#endif

#define DW_MINIDUMP_HEADER_SIZE 32u
#define DW_MINIDUMP_DIRECTORY_SIZE 12u

static bool range_ok(uint32_t rva, uint32_t size)
{
    return (uint64_t)rva + size <= UINT32_MAX;
}

DW_EXPORT BOOL WINAPI MiniDumpReadDumpStream(PVOID BaseOfDump, ULONG StreamNumber,
                                             PMINIDUMP_DIRECTORY *Dir, PVOID *StreamPointer,
                                             ULONG *StreamSize)
{
    const uint8_t *base = BaseOfDump;

    if (Dir)
        *Dir = NULL;
    if (StreamPointer)
        *StreamPointer = NULL;
    if (StreamSize)
        *StreamSize = 0;
    if (!base) {
        dw_set_last_error(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    if (dw_le32(base) != 0x504d444dU /* "MDMP" */) {
        dw_set_last_error(ERROR_BAD_FORMAT);
        return FALSE;
    }
    uint32_t count = dw_le32(base + 8);
    uint32_t dir_rva = dw_le32(base + 12);
    if (count > UINT32_MAX / DW_MINIDUMP_DIRECTORY_SIZE ||
        !range_ok(dir_rva, count * DW_MINIDUMP_DIRECTORY_SIZE) ||
        (count && dir_rva < DW_MINIDUMP_HEADER_SIZE)) {
        dw_set_last_error(ERROR_BAD_FORMAT);
        return FALSE;
    }
    for (uint32_t i = 0; i < count; i++) {
        const uint8_t *entry = base + dir_rva + (size_t)i * DW_MINIDUMP_DIRECTORY_SIZE;
        if (dw_le32(entry) != StreamNumber)
            continue;
        uint32_t size = dw_le32(entry + 4);
        uint32_t rva = dw_le32(entry + 8);
        if (!range_ok(rva, size) || (size && rva < DW_MINIDUMP_HEADER_SIZE)) {
            dw_set_last_error(ERROR_BAD_FORMAT);
            return FALSE;
        }
        if (Dir)
            *Dir = (PMINIDUMP_DIRECTORY)(uintptr_t)entry;
        if (StreamPointer)
            *StreamPointer = size ? (PVOID)(uintptr_t)(base + rva) : NULL;
        if (StreamSize)
            *StreamSize = size;
        return TRUE;
    }
    dw_set_last_error(ERROR_NOT_FOUND);
    return FALSE;
}
