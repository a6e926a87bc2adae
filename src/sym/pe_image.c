#include "pe_image.h"

#define DOS_MAGIC 0x5A4D
#define NT_SIGNATURE 0x00004550
#define OPTIONAL_MAGIC_PE32 0x10B
#define OPTIONAL_MAGIC_PE32_PLUS 0x20B
#define DIRECTORY_EXPORT 0
#define DIRECTORY_EXCEPTION 3
#define DIRECTORY_DEBUG 6

static void set_bad_format(void) { dw_set_last_error(ERROR_BAD_FORMAT); }

/* A directory is kept only when it lies wholly inside the image. */
static void directory(const uint8_t *entry, uint32_t size_of_image, uint32_t *rva,
                      uint32_t *size)
{
    *rva = dw_le32(entry);
    *size = dw_le32(entry + 4);
    if (*size == 0 || *rva >= size_of_image || *size > size_of_image - *rva)
        *rva = *size = 0;
}

bool pe_parse(const struct image_source *source, struct pe_info *info)
{
    uint8_t dos[64], nt[24 + 240];
    uint32_t nt_offset, optional_size, directories, directory_offset;
    uint16_t magic;
    unsigned sections;

    memset(info, 0, sizeof(*info));
    if (!source->read(source->context, 0, dos, sizeof(dos)) || dw_le16(dos) != DOS_MAGIC) {
        set_bad_format();
        return false;
    }
    nt_offset = dw_le32(dos + 0x3C);
    if (nt_offset < sizeof(dos) || nt_offset > 0x10000000u ||
        !source->read(source->context, nt_offset, nt, 24 + 2) || dw_le32(nt) != NT_SIGNATURE) {
        set_bad_format();
        return false;
    }
    info->machine = dw_le16(nt + 4);
    sections = dw_le16(nt + 6);
    info->timestamp = dw_le32(nt + 8);
    optional_size = dw_le16(nt + 20);
    magic = dw_le16(nt + 24);
    if ((magic != OPTIONAL_MAGIC_PE32 && magic != OPTIONAL_MAGIC_PE32_PLUS) ||
        optional_size > 240 || optional_size < (magic == OPTIONAL_MAGIC_PE32 ? 96u : 112u) ||
        sections > PE_MAX_SECTIONS ||
        !source->read(source->context, nt_offset + 24, nt + 24, optional_size)) {
        set_bad_format();
        return false;
    }
    if (magic == OPTIONAL_MAGIC_PE32) {
        info->image_base = dw_le32(nt + 24 + 28);
        directories = dw_le32(nt + 24 + 92);
        directory_offset = 24 + 96;
    } else {
        info->image_base = dw_le64(nt + 24 + 24);
        directories = dw_le32(nt + 24 + 108);
        directory_offset = 24 + 112;
    }
    info->size_of_image = dw_le32(nt + 24 + 56);
    info->checksum = dw_le32(nt + 24 + 64);
    if (info->size_of_image == 0) {
        set_bad_format();
        return false;
    }
    if (directories > (optional_size - (directory_offset - 24)) / 8)
        directories = (optional_size - (directory_offset - 24)) / 8;
    if (directories > DIRECTORY_EXPORT)
        directory(nt + directory_offset + 8 * DIRECTORY_EXPORT, info->size_of_image,
                  &info->export_rva, &info->export_size);
    if (directories > DIRECTORY_EXCEPTION)
        directory(nt + directory_offset + 8 * DIRECTORY_EXCEPTION, info->size_of_image,
                  &info->exception_rva, &info->exception_size);
    if (directories > DIRECTORY_DEBUG)
        directory(nt + directory_offset + 8 * DIRECTORY_DEBUG, info->size_of_image,
                  &info->debug_rva, &info->debug_size);

    for (unsigned i = 0; i < sections; i++) {
        uint8_t header[40];
        if (!source->read(source->context, (uint64_t)nt_offset + 24 + optional_size + 40u * i,
                          header, sizeof(header)))
            break; /* a truncated table: keep the sections read so far */
        info->sections[i].virtual_size = dw_le32(header + 8);
        info->sections[i].rva = dw_le32(header + 12);
        info->sections[i].file_size = dw_le32(header + 16);
        info->sections[i].file_offset = dw_le32(header + 20);
        info->section_count = i + 1;
    }
    return true;
}

bool pe_read_rva(const struct image_source *source, const struct pe_info *info, uint32_t rva,
                 void *buffer, size_t size)
{
    if (rva > info->size_of_image || size > info->size_of_image - rva)
        return false;
    if (source->mapped)
        return source->read(source->context, rva, buffer, size);
    for (unsigned i = 0; i < info->section_count; i++) {
        const uint32_t start = info->sections[i].rva;
        uint32_t extent = info->sections[i].virtual_size;
        if (extent < info->sections[i].file_size)
            extent = info->sections[i].file_size;
        if (rva >= start && rva - start < extent) {
            uint32_t within = rva - start;
            uint8_t *out = buffer;
            size_t in_file = 0;
            if (size > extent - within)
                return false; /* runs past the section */
            if (within < info->sections[i].file_size)
                in_file = info->sections[i].file_size - within;
            if (in_file > size)
                in_file = size;
            if (in_file && !source->read(source->context,
                                         (uint64_t)info->sections[i].file_offset + within, out,
                                         in_file))
                return false;
            memset(out + in_file, 0, size - in_file); /* uninitialised data */
            return true;
        }
    }
    /* the headers, which no section covers */
    return rva < 0x1000 && source->read(source->context, rva, buffer, size);
}
