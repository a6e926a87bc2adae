/*
 * ImageRvaToSection and ImageRvaToVa: where an RVA lies in an image read as
 * a file (a section's raw data), by the section table that follows the
 * optional header.
 */
#include "image_internal.h"

/* The section table holds at most this many sections (PE/COFF limit). */
#define MAX_SECTIONS 96

PIMAGE_SECTION_HEADER image_rva_section(const IMAGE_NT_HEADERS *nt, uint32_t rva)
{
    PIMAGE_SECTION_HEADER sections = IMAGE_FIRST_SECTION(nt);
    unsigned count = nt->FileHeader.NumberOfSections;

    if (count > MAX_SECTIONS)
        return NULL;
    for (unsigned i = 0; i < count; i++) {
        uint32_t start = sections[i].VirtualAddress, size = sections[i].SizeOfRawData;
        if (rva >= start && rva - start < size)
            return &sections[i];
    }
    return NULL;
}

DW_EXPORT PIMAGE_SECTION_HEADER IMAGEAPI ImageRvaToSection(PIMAGE_NT_HEADERS NtHeaders,
                                                           PVOID Base, ULONG Rva)
{
    PIMAGE_SECTION_HEADER section;

    (void)Base; /* the section table alone answers */
    if (!NtHeaders) {
        dw_set_last_error(ERROR_INVALID_PARAMETER);
        return NULL;
    }
    section = image_rva_section(NtHeaders, Rva);
    if (!section)
        dw_set_last_error(ERROR_INVALID_PARAMETER);
    return section;
}

DW_EXPORT PVOID IMAGEAPI ImageRvaToVa(PIMAGE_NT_HEADERS NtHeaders, PVOID Base, ULONG Rva,
                                      PIMAGE_SECTION_HEADER *LastRvaSection)
{
    PIMAGE_SECTION_HEADER section = NULL;

    if (!NtHeaders || !Base) {
        dw_set_last_error(ERROR_INVALID_PARAMETER);
        return NULL;
    }
    /* The caller's last section first: walking a table RVA by RVA stays in it. */
    if (LastRvaSection && *LastRvaSection) {
        PIMAGE_SECTION_HEADER last = *LastRvaSection;
        if (Rva >= last->VirtualAddress && Rva - last->VirtualAddress < last->SizeOfRawData)
            section = last;
    }
    if (!section)
        section = image_rva_section(NtHeaders, Rva);
    if (!section) {
        dw_set_last_error(ERROR_INVALID_PARAMETER);
        return NULL;
    }
    if (LastRvaSection)
        *LastRvaSection = section;
    return (uint8_t *)Base + (Rva - section->VirtualAddress) + section->PointerToRawData;
}
