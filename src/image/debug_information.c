/*
 * MapDebugInformation / UnmapDebugInformation: the old imagehlp view of an
 * image file's debugging information. The image is the file the caller
 * opened (FileHandle) or the one FindExecutableImage finds for FileName on
 * SymbolPath. Everything the IMAGE_DEBUG_INFORMATION points to lives in the
 * one allocation behind it, so UnmapDebugInformation is a single free:
 *
 *   IMAGE_DEBUG_INFORMATION | section headers | debug directories |
 *   exported names ("a\0b\0\0") | image path | a copy of the file
 *
 * The copy of the file is the "mapped base": the CodeView, FPO and COFF
 * debug data the debug directories name point into it. Every offset and
 * size taken from the file is checked against the file, so a truncated or
 * garbled image gives NULL and ERROR_BAD_FORMAT, never a wild read.
 * What we do not derive: the function table entries (a .dbg file's), the
 * .dbg file path, ROM images (always FALSE).
 */
#include "../sym/file_index.h"
#include "../sym/pe_image.h"

#include <stdio.h>
#include <stdlib.h>

/* Larger files are refused before anything is allocated for them. */
#define MAX_IMAGE_FILE (512u << 20)
/* The export names we list, and the bytes of one name. */
#define MAX_EXPORT_NAMES (1u << 20)
#define MAX_EXPORT_NAME 4096
#define MAX_DEBUG_DIRECTORIES 256

#ifndef ERROR_READ_FAULT
#define ERROR_READ_FAULT 30
#endif

#define SECTION_HEADER_SIZE 40
#define DEBUG_DIRECTORY_SIZE 28
#define FPO_ENTRY_SIZE 16

struct file_bytes {
    const uint8_t *data;
    size_t size;
};

static bool bytes_read(void *context, uint64_t offset, void *buffer, size_t size)
{
    const struct file_bytes *f = context;
    if (offset > f->size || size > f->size - offset)
        return false;
    memcpy(buffer, f->data + offset, size);
    return true;
}

/* The whole file behind `handle`, from its start; NULL (last error set) when
 * it cannot be read. */
static uint8_t *read_whole_file(HANDLE handle, size_t *size)
{
    uint8_t *data;
#ifdef _WIN32
    LARGE_INTEGER length, zero = {0};
    size_t done = 0;
    if (!GetFileSizeEx(handle, &length) || !SetFilePointerEx(handle, zero, NULL, FILE_BEGIN))
        return NULL; /* GetLastError says why */
    if (length.QuadPart < 0 || (uint64_t)length.QuadPart > MAX_IMAGE_FILE) {
        dw_set_last_error(ERROR_BAD_FORMAT);
        return NULL;
    }
    *size = (size_t)length.QuadPart;
    if (!(data = malloc(*size ? *size : 1))) {
        dw_set_last_error(ERROR_NOT_ENOUGH_MEMORY);
        return NULL;
    }
    while (done < *size) {
        DWORD got = 0;
        if (!ReadFile(handle, data + done, (DWORD)(*size - done), &got, NULL) || got == 0)
            break;
        done += got;
    }
    if (done != *size) {
        free(data);
        dw_set_last_error(ERROR_READ_FAULT);
        return NULL;
    }
#else
    FILE *f = (FILE *)handle;
    long length;
    if (fseek(f, 0, SEEK_END) != 0 || (length = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
        dw_set_last_error(ERROR_READ_FAULT);
        return NULL;
    }
    if ((unsigned long)length > MAX_IMAGE_FILE) {
        dw_set_last_error(ERROR_BAD_FORMAT);
        return NULL;
    }
    *size = (size_t)length;
    if (!(data = malloc(*size ? *size : 1))) {
        dw_set_last_error(ERROR_NOT_ENOUGH_MEMORY);
        return NULL;
    }
    if (fread(data, 1, *size, f) != *size) {
        free(data);
        dw_set_last_error(ERROR_READ_FAULT);
        return NULL;
    }
#endif
    return data;
}

/* What the image holds, found in a first pass so that one allocation fits it. */
struct layout {
    struct pe_info pe;
    uint32_t nt_offset, section_table;
    uint16_t characteristics;
    uint32_t export_names, export_count; /* the names' RVAs array */
    size_t names_size;                   /* with the final empty string */
    unsigned debug_count;
};

static size_t name_length(const struct image_source *source, const struct pe_info *pe,
                          uint32_t rva)
{
    char c;
    for (size_t n = 0; n < MAX_EXPORT_NAME; n++) {
        if (!pe_read_rva(source, pe, rva + (uint32_t)n, &c, 1))
            return 0;
        if (c == 0)
            return n;
    }
    return 0; /* unterminated: not a name */
}

static bool export_name_rva(const struct image_source *source, const struct layout *l,
                            uint32_t i, uint32_t *rva)
{
    uint8_t word[4];
    if (!pe_read_rva(source, &l->pe, l->export_names + 4 * i, word, 4))
        return false;
    *rva = dw_le32(word);
    return true;
}

static bool plan(const struct image_source *source, const struct file_bytes *file,
                 struct layout *l)
{
    uint8_t word[4];

    memset(l, 0, sizeof(*l));
    if (!pe_parse(source, &l->pe))
        return false; /* ERROR_BAD_FORMAT */
    l->nt_offset = dw_le32(file->data + 0x3C);
    l->characteristics = dw_le16(file->data + l->nt_offset + 22);
    l->section_table = l->nt_offset + 24 + dw_le16(file->data + l->nt_offset + 20);

    if (l->pe.export_size >= 40) {
        uint8_t directory[40];
        if (!pe_read_rva(source, &l->pe, l->pe.export_rva, directory, sizeof(directory)))
            goto bad;
        l->export_count = dw_le32(directory + 0x18);
        l->export_names = dw_le32(directory + 0x20);
        if (l->export_count > MAX_EXPORT_NAMES)
            goto bad;
        l->names_size = 1;
        for (uint32_t i = 0; i < l->export_count; i++) {
            uint32_t rva;
            size_t n;
            if (!export_name_rva(source, l, i, &rva) || (n = name_length(source, &l->pe, rva)) == 0)
                goto bad;
            l->names_size += n + 1;
        }
    }
    if (l->pe.debug_size >= DEBUG_DIRECTORY_SIZE) {
        l->debug_count = l->pe.debug_size / DEBUG_DIRECTORY_SIZE;
        if (l->debug_count > MAX_DEBUG_DIRECTORIES)
            l->debug_count = MAX_DEBUG_DIRECTORIES;
        for (unsigned i = 0; i < l->debug_count; i++)
            if (!pe_read_rva(source, &l->pe, l->pe.debug_rva + DEBUG_DIRECTORY_SIZE * i, word, 4))
                goto bad;
    }
    return true;
bad:
    dw_set_last_error(ERROR_BAD_FORMAT);
    return false;
}

/* Points the CodeView, FPO and COFF members at the debug data in the copy of
 * the file, when a directory names data that lies inside it. */
static void point_at_debug_data(IMAGE_DEBUG_INFORMATION *info, uint8_t *copy, size_t size)
{
    for (DWORD i = 0; i < info->ReservedNumberOfDebugDirectories; i++) {
        const IMAGE_DEBUG_DIRECTORY *d = &info->ReservedDebugDirectory[i];
        uint8_t *data = copy + d->PointerToRawData;
        if (d->SizeOfData == 0 || d->PointerToRawData > size ||
            d->SizeOfData > size - d->PointerToRawData)
            continue;
        switch (d->Type) {
        case IMAGE_DEBUG_TYPE_CODEVIEW:
            if (!info->ReservedCodeViewSymbols) {
                info->ReservedCodeViewSymbols = data;
                info->ReservedSizeOfCodeViewSymbols = d->SizeOfData;
            }
            break;
        case IMAGE_DEBUG_TYPE_FPO:
            if (!info->ReservedFpoTableEntries && d->SizeOfData >= FPO_ENTRY_SIZE) {
                info->ReservedFpoTableEntries = (PFPO_DATA)(void *)data;
                info->ReservedNumberOfFpoTableEntries = d->SizeOfData / FPO_ENTRY_SIZE;
            }
            break;
        case IMAGE_DEBUG_TYPE_COFF:
            if (!info->CoffSymbols && d->SizeOfData >= sizeof(IMAGE_COFF_SYMBOLS_HEADER)) {
                info->CoffSymbols = (PIMAGE_COFF_SYMBOLS_HEADER)(void *)data;
                info->SizeOfCoffSymbols = d->SizeOfData;
            }
            break;
        default:
            break;
        }
    }
}

static size_t align16(size_t n) { return (n + 15) & ~(size_t)15; }

static IMAGE_DEBUG_INFORMATION *build(const struct file_bytes *file, const char *path,
                                      DWORD image_base)
{
    const struct image_source source = {bytes_read, (void *)file, false};
    const size_t path_size = path ? strlen(path) + 1 : 0;
    size_t sections_at, debug_at, names_at, path_at, copy_at, total;
    IMAGE_DEBUG_INFORMATION *info;
    struct layout l;
    uint8_t *base;

    if (!plan(&source, file, &l))
        return NULL;
    sections_at = align16(sizeof(*info));
    debug_at = sections_at + align16((size_t)l.pe.section_count * SECTION_HEADER_SIZE);
    names_at = debug_at + align16((size_t)l.debug_count * DEBUG_DIRECTORY_SIZE);
    path_at = names_at + l.names_size;
    copy_at = align16(path_at + path_size);
    total = copy_at + file->size;
    if (total > 0xFFFFFFFFu) {
        dw_set_last_error(ERROR_NOT_ENOUGH_MEMORY);
        return NULL;
    }
    if (!(base = calloc(1, total))) {
        dw_set_last_error(ERROR_NOT_ENOUGH_MEMORY);
        return NULL;
    }
    info = (IMAGE_DEBUG_INFORMATION *)(void *)base;
    info->List.Flink = info->List.Blink = &info->List; /* a list of one */
    info->ReservedSize = (DWORD)total;
    info->ReservedMappedBase = base + copy_at;
    memcpy(base + copy_at, file->data, file->size);
    info->ReservedMachine = l.pe.machine;
    info->ReservedCharacteristics = l.characteristics;
    info->ReservedCheckSum = l.pe.checksum;
    info->ImageBase = image_base ? image_base : (DWORD)l.pe.image_base;
    info->SizeOfImage = l.pe.size_of_image;
    info->ReservedTimeDateStamp = l.pe.timestamp;
    info->ReservedRomImage = FALSE;

    /* pe_parse read these headers from the file, so they lie inside it */
    info->ReservedNumberOfSections = l.pe.section_count;
    if (l.pe.section_count) {
        info->ReservedSections = (PIMAGE_SECTION_HEADER)(void *)(base + sections_at);
        memcpy(info->ReservedSections, file->data + l.section_table,
               (size_t)l.pe.section_count * SECTION_HEADER_SIZE);
    }
    info->ReservedNumberOfDebugDirectories = l.debug_count;
    if (l.debug_count) {
        info->ReservedDebugDirectory = (PIMAGE_DEBUG_DIRECTORY)(void *)(base + debug_at);
        (void)pe_read_rva(&source, &l.pe, l.pe.debug_rva, info->ReservedDebugDirectory,
                          (size_t)l.debug_count * DEBUG_DIRECTORY_SIZE);
        point_at_debug_data(info, base + copy_at, file->size);
    }
    if (l.names_size) {
        char *out = (char *)base + names_at;
        info->ReservedExportedNames = out;
        info->ReservedExportedNamesSize = (DWORD)l.names_size;
        for (uint32_t i = 0; i < l.export_count; i++) {
            uint32_t rva = 0;
            size_t n;
            (void)export_name_rva(&source, &l, i, &rva);
            n = name_length(&source, &l.pe, rva);
            (void)pe_read_rva(&source, &l.pe, rva, out, n + 1);
            out += n + 1;
        }
        *out = 0; /* the empty string that ends the list */
    }
    if (path) {
        info->ImageFilePath = (char *)base + path_at;
        memcpy(info->ImageFilePath, path, path_size);
        info->ImageFileName = (PSTR)sym_base_name(info->ImageFilePath);
    }
    return info;
}

DW_EXPORT PIMAGE_DEBUG_INFORMATION IMAGEAPI MapDebugInformation(HANDLE FileHandle,
                                                                PSTR FileName,
                                                                PSTR SymbolPath,
                                                                DWORD ImageBase)
{
    char found[MAX_PATH];
    HANDLE handle = FileHandle;
    const char *path = FileName;
    struct file_bytes file;
    uint8_t *data;
    IMAGE_DEBUG_INFORMATION *info;

    if (!FileHandle) {
        if (!FileName || !*FileName) {
            dw_set_last_error(ERROR_INVALID_PARAMETER);
            return NULL;
        }
        /* the name as given first, then its base name on the path */
        if (!(handle = FindExecutableImage(FileName, SymbolPath, found)))
            return NULL; /* ERROR_FILE_NOT_FOUND */
        path = found;
    }
    data = read_whole_file(handle, &file.size);
    if (!FileHandle)
        file_handle_close(handle);
    if (!data)
        return NULL;
    file.data = data;
    info = build(&file, path && *path ? path : NULL, ImageBase);
    free(data);
    return info;
}

DW_EXPORT BOOL IMAGEAPI UnmapDebugInformation(PIMAGE_DEBUG_INFORMATION DebugInfo)
{
    if (!DebugInfo) {
        dw_set_last_error(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    free(DebugInfo);
    return TRUE;
}
