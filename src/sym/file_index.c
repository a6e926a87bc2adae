/*
 * A file's symbol-store identity, read from the file: a PE image's
 * TimeDateStamp, SizeOfImage and CodeView record (through the PE reader), or
 * a PDB's GUID, signature and age (through the PDB reader's summary).
 */
#include "../pdb/pdb.h"
#include "file_index.h"

#include <stdio.h>
#ifndef _WIN32
#include <sys/stat.h>
#endif

#define PE_FILE_HEADER_CHARACTERISTICS 22 /* from the "PE\0\0" signature */
#define IMAGE_FILE_DEBUG_STRIPPED_FLAG 0x0200

static bool file_read(void *context, uint64_t offset, void *buffer, size_t size)
{
    FILE *f = context;
    return offset <= 0x7FFFFFFFu && fseek(f, (long)offset, SEEK_SET) == 0 &&
           fread(buffer, 1, size, f) == size;
}

static bool read_pe(FILE *f, struct file_index *out)
{
    struct image_source source = {file_read, f, false};
    struct pe_info pe;
    uint8_t word[4];

    if (!pe_parse(&source, &pe))
        return false;
    out->kind = FILE_KIND_PE;
    out->timestamp = pe.timestamp;
    out->size_of_image = pe.size_of_image;
    /* pe_parse checked e_lfanew and the headers behind it */
    if (file_read(f, 0x3C, word, 4) &&
        file_read(f, dw_le32(word) + PE_FILE_HEADER_CHARACTERISTICS, word, 2))
        out->stripped = (dw_le16(word) & IMAGE_FILE_DEBUG_STRIPPED_FLAG) != 0;
    pe_read_codeview(&out->codeview, &pe, &source);
    return true;
}

static bool read_pdb(const char *path, struct file_index *out)
{
    struct debug_info *info = pdb_open_file(path);
    struct di_summary summary;

    if (!info)
        return false;
    info->ops->summary(info, &summary);
    info->ops->close(info);
    out->kind = FILE_KIND_PDB;
    out->codeview.present = true;
    out->codeview.pdb70 = true; /* the reader reads MSF 7.0 PDBs, which carry a GUID */
    out->codeview.guid = summary.guid;
    out->codeview.signature = summary.signature;
    out->codeview.age = summary.age;
    snprintf(out->codeview.pdb_path, sizeof(out->codeview.pdb_path), "%s", sym_base_name(path));
    return true;
}

bool file_index_read(const char *path, struct file_index *out)
{
    FILE *f = fopen(path, "rb");
    uint8_t magic[2];
    bool ok;

    memset(out, 0, sizeof(*out));
    if (!f) {
        dw_set_last_error(ERROR_FILE_NOT_FOUND);
        return false;
    }
    ok = fread(magic, 1, 2, f) == 2 && magic[0] == 'M' && magic[1] == 'Z' && read_pe(f, out);
    fclose(f);
    if (!ok)
        ok = read_pdb(path, out);
    if (!ok)
        dw_set_last_error(ERROR_BAD_FORMAT);
    return ok;
}

void file_index_store_id(const struct file_index *index, char *out, size_t size)
{
    if (index->kind == FILE_KIND_PE)
        sym_store_id_dword(index->timestamp, index->size_of_image, out, size);
    else if (index->codeview.pdb70)
        sym_store_id_guid(&index->codeview.guid, index->codeview.age, out, size);
    else
        sym_store_id_dword(index->codeview.signature, index->codeview.age, out, size);
}

bool file_is_regular(const char *path)
{
#ifdef _WIN32
    DWORD attributes = GetFileAttributesA(path);
    return attributes != INVALID_FILE_ATTRIBUTES && !(attributes & FILE_ATTRIBUTE_DIRECTORY);
#else
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
#endif
}

HANDLE file_handle_open(const char *path)
{
    if (!file_is_regular(path))
        return NULL; /* fopen opens directories too */
#ifdef _WIN32
    HANDLE h = CreateFileA(path, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE, NULL,
                           OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, NULL);
    return h == INVALID_HANDLE_VALUE ? NULL : h;
#else
    return (HANDLE)fopen(path, "rb");
#endif
}

void file_handle_close(HANDLE handle)
{
#ifdef _WIN32
    CloseHandle(handle);
#else
    fclose((FILE *)handle);
#endif
}
