/*
 * ImageNtHeader, ImageDirectoryEntryToData(Ex), GetTimestampForLoadedLibrary:
 * the headers of a PE image the caller has in its own memory, loaded by the
 * loader (MappedAsImage: RVAs are offsets) or read as a file (through the
 * section table). The caller vouches for the memory as DbgHelp's callers do;
 * what we check is that the headers are a PE's and their offsets sane, so a
 * non-PE or a truncated or garbled header gives NULL, not a wild read.
 */
#include "image_internal.h"

/* The loader refuses e_lfanew beyond this (RtlImageNtHeaderEx's bound). */
#define MAX_LFANEW 0x10000000u

PIMAGE_NT_HEADERS image_nt_headers(const void *base)
{
    const IMAGE_DOS_HEADER *dos = base;
    const IMAGE_NT_HEADERS *nt;

    if (!base)
        return NULL;
    if (dos->e_magic != IMAGE_DOS_SIGNATURE || dos->e_lfanew <= 0 ||
        (uint32_t)dos->e_lfanew >= MAX_LFANEW || (dos->e_lfanew & 3) != 0)
        return NULL;
    nt = (const IMAGE_NT_HEADERS *)((const uint8_t *)base + dos->e_lfanew);
    if (nt->Signature != IMAGE_NT_SIGNATURE)
        return NULL;
    return (PIMAGE_NT_HEADERS)nt;
}

/* No last error is set: DbgHelp forwards to the loader's RtlImageNtHeader,
 * which leaves it alone. */
DW_EXPORT PIMAGE_NT_HEADERS IMAGEAPI ImageNtHeader(PVOID Base)
{
    return image_nt_headers(Base);
}

bool image_directory(const IMAGE_NT_HEADERS *nt, unsigned entry, uint32_t *rva,
                     uint32_t *size)
{
    const IMAGE_DATA_DIRECTORY *dirs;
    uint32_t count;

    switch (nt->OptionalHeader.Magic) {
    case IMAGE_NT_OPTIONAL_HDR32_MAGIC: {
        const IMAGE_OPTIONAL_HEADER32 *o = (const IMAGE_OPTIONAL_HEADER32 *)&nt->OptionalHeader;
        if (nt->FileHeader.SizeOfOptionalHeader < offsetof(IMAGE_OPTIONAL_HEADER32, DataDirectory))
            return false;
        dirs = o->DataDirectory;
        count = o->NumberOfRvaAndSizes;
        if (count > (nt->FileHeader.SizeOfOptionalHeader -
                     offsetof(IMAGE_OPTIONAL_HEADER32, DataDirectory)) / sizeof(*dirs))
            count = (uint32_t)((nt->FileHeader.SizeOfOptionalHeader -
                                offsetof(IMAGE_OPTIONAL_HEADER32, DataDirectory)) /
                               sizeof(*dirs));
        break;
    }
    case IMAGE_NT_OPTIONAL_HDR64_MAGIC: {
        const IMAGE_OPTIONAL_HEADER64 *o = (const IMAGE_OPTIONAL_HEADER64 *)&nt->OptionalHeader;
        if (nt->FileHeader.SizeOfOptionalHeader < offsetof(IMAGE_OPTIONAL_HEADER64, DataDirectory))
            return false;
        dirs = o->DataDirectory;
        count = o->NumberOfRvaAndSizes;
        if (count > (nt->FileHeader.SizeOfOptionalHeader -
                     offsetof(IMAGE_OPTIONAL_HEADER64, DataDirectory)) / sizeof(*dirs))
            count = (uint32_t)((nt->FileHeader.SizeOfOptionalHeader -
                                offsetof(IMAGE_OPTIONAL_HEADER64, DataDirectory)) /
                               sizeof(*dirs));
        break;
    }
    default:
        return false;
    }
    if (entry >= count || entry >= IMAGE_NUMBEROF_DIRECTORY_ENTRIES)
        return false;
    *rva = dirs[entry].VirtualAddress;
    *size = dirs[entry].Size;
    return *rva != 0;
}

uint32_t image_size_of_headers(const IMAGE_NT_HEADERS *nt)
{
    if (nt->OptionalHeader.Magic == IMAGE_NT_OPTIONAL_HDR32_MAGIC)
        return ((const IMAGE_OPTIONAL_HEADER32 *)&nt->OptionalHeader)->SizeOfHeaders;
    return ((const IMAGE_OPTIONAL_HEADER64 *)&nt->OptionalHeader)->SizeOfHeaders;
}

DW_EXPORT PVOID IMAGEAPI ImageDirectoryEntryToDataEx(PVOID Base, BOOLEAN MappedAsImage,
                                                     USHORT DirectoryEntry, PULONG Size,
                                                     PIMAGE_SECTION_HEADER *FoundHeader)
{
    PIMAGE_NT_HEADERS nt;
    PIMAGE_SECTION_HEADER section;
    uint32_t rva, size;

    if (FoundHeader)
        *FoundHeader = NULL;
    if (Size)
        *Size = 0;
    /* A failure leaves the last error alone, as Wine's builtin does. */
    nt = image_nt_headers(Base);
    if (!nt || !Size || !image_directory(nt, DirectoryEntry, &rva, &size))
        return NULL;
    *Size = size;
    /* Loaded images, and directories inside the headers (bound imports),
     * are at their RVA. */
    if (MappedAsImage || rva < image_size_of_headers(nt))
        return (uint8_t *)Base + rva;
    section = image_rva_section(nt, rva);
    if (!section) {
        *Size = 0;
        return NULL;
    }
    if (FoundHeader)
        *FoundHeader = section;
    return (uint8_t *)Base + (rva - section->VirtualAddress) + section->PointerToRawData;
}

DW_EXPORT PVOID IMAGEAPI ImageDirectoryEntryToData(PVOID Base, BOOLEAN MappedAsImage,
                                                   USHORT DirectoryEntry, PULONG Size)
{
    return ImageDirectoryEntryToDataEx(Base, MappedAsImage, DirectoryEntry, Size, NULL);
}

/* The link time of a module loaded in this process; 0 when its headers are
 * not a PE's (ERROR_BAD_EXE_FORMAT). */
DW_EXPORT DWORD IMAGEAPI GetTimestampForLoadedLibrary(HMODULE Module)
{
    PIMAGE_NT_HEADERS nt = image_nt_headers((const void *)Module);

    if (!nt) {
        dw_set_last_error(ERROR_BAD_EXE_FORMAT);
        return 0;
    }
    return nt->FileHeader.TimeDateStamp;
}
