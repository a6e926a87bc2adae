/*
 * MiniDumpReadDumpStream: the directory entry and bytes of one stream type of
 * a dump mapped at BaseOfDump.
 *
 * The API takes no size, and DbgHelp trusts the mapping. We check what can be
 * checked: the signature, that the directory and every stream we hand back
 * lie within 32-bit RVA space without overflow (RVA + size), and that a
 * stream does not overlap the header. On Windows the mapping bounds them
 * too: VirtualQuery gives the extent of the committed memory from BaseOfDump
 * on (a view of the file, or the buffer it was read into), and a directory
 * or stream reaching past it is refused as malformed, where DbgHelp would
 * hand back a pointer into unmapped memory. Elsewhere there is no cheap
 * equivalent, and the caller must pass memory that holds what the header
 * claims.
 */
#include "../platform.h"

#ifndef _WIN32
#include "dbgwalk/minidump_types.h"
#endif

#define DW_MINIDUMP_HEADER_SIZE 32u
#define DW_MINIDUMP_DIRECTORY_SIZE 12u

#ifdef _WIN32
/* Bytes readable from `base` on: the committed regions of its allocation
 * that follow one another without a gap. UINT64_MAX when unknown. */
static uint64_t readable_extent(const uint8_t *base)
{
    MEMORY_BASIC_INFORMATION info;
    const uint8_t *at = base;
    uint64_t extent = 0;
    PVOID allocation = NULL;

    while (extent < UINT32_MAX && VirtualQuery(at, &info, sizeof(info)) == sizeof(info)) {
        if (info.State != MEM_COMMIT || (info.Protect & (PAGE_NOACCESS | PAGE_GUARD)) ||
            (allocation && info.AllocationBase != allocation))
            break;
        allocation = info.AllocationBase;
        extent = (uint64_t)((const uint8_t *)info.BaseAddress + info.RegionSize - base);
        at = (const uint8_t *)info.BaseAddress + info.RegionSize;
    }
    return allocation ? extent : UINT64_MAX;
}
#else
static uint64_t readable_extent(const uint8_t *base)
{
    (void)base;
    return UINT64_MAX;
}
#endif

/* [rva, rva + size) inside 32-bit RVA space and inside what is readable. */
static bool range_ok(uint32_t rva, uint32_t size, uint64_t extent)
{
    return (uint64_t)rva + size <= UINT32_MAX && (uint64_t)rva + size <= extent;
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
    uint64_t extent = readable_extent(base);
    if (extent < DW_MINIDUMP_HEADER_SIZE || dw_le32(base) != 0x504d444dU /* "MDMP" */) {
        dw_set_last_error(ERROR_BAD_FORMAT);
        return FALSE;
    }
    uint32_t count = dw_le32(base + 8);
    uint32_t dir_rva = dw_le32(base + 12);
    if (count > UINT32_MAX / DW_MINIDUMP_DIRECTORY_SIZE ||
        !range_ok(dir_rva, count * DW_MINIDUMP_DIRECTORY_SIZE, extent) ||
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
        if (!range_ok(rva, size, extent) || (size && rva < DW_MINIDUMP_HEADER_SIZE)) {
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
