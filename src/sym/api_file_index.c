/*
 * SymSrvGetFileIndexInfo(W), SymSrvGetFileIndexes(W) and
 * SymSrvGetFileIndexString(W): what a symbol store files a PE image or a
 * PDB under. A PE: TimeDateStamp and SizeOfImage (with the PDB its CodeView
 * record names); a PDB: its GUID and age.
 */
#include "file_index.h"
#include "text.h"

#include <stdio.h>

static bool read_index(PCSTR file, struct file_index *index)
{
    if (!file || !*file) {
        dw_set_last_error(ERROR_INVALID_PARAMETER);
        return false;
    }
    return file_index_read(file, index);
}

/* The fields both structures share, filled from one index. */
struct index_fields {
    const char *file, *pdbfile;
    BOOL stripped;
    DWORD timestamp, size, sig, age;
    GUID guid;
};

static void fields_of(PCSTR path, const struct file_index *index, struct index_fields *out)
{
    memset(out, 0, sizeof(*out));
    out->file = sym_base_name(path);
    out->stripped = index->stripped;
    out->timestamp = index->timestamp;
    out->size = index->size_of_image;
    out->pdbfile = sym_base_name(index->codeview.pdb_path);
    if (index->codeview.present) {
        out->guid = index->codeview.guid;
        out->sig = index->codeview.signature;
        out->age = index->codeview.age;
    }
}

DW_EXPORT BOOL IMAGEAPI SymSrvGetFileIndexInfo(PCSTR File, PSYMSRV_INDEX_INFO Info, DWORD Flags)
{
    struct file_index index;
    struct index_fields f;

    (void)Flags; /* reserved */
    if (!Info || Info->sizeofstruct != sizeof(*Info)) {
        dw_set_last_error(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    if (!read_index(File, &index))
        return FALSE;
    fields_of(File, &index, &f);
    memset((char *)Info + sizeof(Info->sizeofstruct), 0,
           sizeof(*Info) - sizeof(Info->sizeofstruct));
    snprintf(Info->file, sizeof(Info->file), "%s", f.file);
    snprintf(Info->pdbfile, sizeof(Info->pdbfile), "%s", f.pdbfile);
    Info->stripped = f.stripped;
    Info->timestamp = f.timestamp;
    Info->size = f.size;
    Info->guid = f.guid;
    Info->sig = f.sig;
    Info->age = f.age;
    return TRUE;
}

DW_EXPORT BOOL IMAGEAPI SymSrvGetFileIndexInfoW(PCWSTR File, PSYMSRV_INDEX_INFOW Info,
                                                DWORD Flags)
{
    char path[MAX_PATH * 4];
    struct file_index index;
    struct index_fields f;

    (void)Flags;
    if (!Info || Info->sizeofstruct != sizeof(*Info) || !File ||
        !text_narrow(File, path, sizeof(path))) {
        dw_set_last_error(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    if (!read_index(path, &index))
        return FALSE;
    fields_of(path, &index, &f);
    memset((char *)Info + sizeof(Info->sizeofstruct), 0,
           sizeof(*Info) - sizeof(Info->sizeofstruct));
    text_widen(f.file, Info->file, DW_ARRAY_SIZE(Info->file));
    text_widen(f.pdbfile, Info->pdbfile, DW_ARRAY_SIZE(Info->pdbfile));
    Info->stripped = f.stripped;
    Info->timestamp = f.timestamp;
    Info->size = f.size;
    Info->guid = f.guid;
    Info->sig = f.sig;
    Info->age = f.age;
    return TRUE;
}

/* The three values SymFindFileInPath takes for the file: a PE's
 * TimeDateStamp (as the GUID's first DWORD) and SizeOfImage; a PDB's GUID
 * and age (a PDB 2.0's signature as the first DWORD). */
static BOOL indexes(const char *path, GUID *Id, PDWORD Val1, PDWORD Val2)
{
    struct file_index index;
    GUID id = {0};
    DWORD one, two = 0;

    if (!read_index(path, &index))
        return FALSE;
    if (index.kind == FILE_KIND_PE) {
        id.Data1 = index.timestamp;
        one = index.size_of_image;
    } else {
        if (index.codeview.pdb70)
            id = index.codeview.guid;
        else
            id.Data1 = index.codeview.signature;
        one = index.codeview.age;
    }
    if (Id)
        *Id = id;
    if (Val1)
        *Val1 = one;
    if (Val2)
        *Val2 = two;
    return TRUE;
}

DW_EXPORT BOOL IMAGEAPI SymSrvGetFileIndexes(PCSTR File, GUID *Id, PDWORD Val1, PDWORD Val2,
                                             DWORD Flags)
{
    (void)Flags; /* reserved */
    return indexes(File, Id, Val1, Val2);
}

DW_EXPORT BOOL IMAGEAPI SymSrvGetFileIndexesW(PCWSTR File, GUID *Id, PDWORD Val1, PDWORD Val2,
                                              DWORD Flags)
{
    char path[MAX_PATH * 4];

    (void)Flags;
    if (!File || !text_narrow(File, path, sizeof(path))) {
        dw_set_last_error(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    return indexes(path, Id, Val1, Val2);
}

/* The store's directory name: a PE's "TIMESTAMPsize", a PDB's "GUIDage". */
static bool index_string(const char *path, char *out, size_t size)
{
    struct file_index index;
    char id[80];

    if (!read_index(path, &index))
        return false;
    file_index_store_id(&index, id, sizeof(id));
    if (strlen(id) >= size) {
        dw_set_last_error(ERROR_INSUFFICIENT_BUFFER);
        return false;
    }
    strcpy(out, id);
    return true;
}

DW_EXPORT BOOL IMAGEAPI SymSrvGetFileIndexString(HANDLE hProcess, PCSTR SrvPath, PCSTR File,
                                                 PSTR Index, size_t Size, DWORD Flags)
{
    (void)hProcess; /* reading a file needs no session */
    (void)SrvPath;  /* the string is the same for every store */
    (void)Flags;
    if (!Index || !Size) {
        dw_set_last_error(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    return index_string(File, Index, Size) ? TRUE : FALSE;
}

DW_EXPORT BOOL IMAGEAPI SymSrvGetFileIndexStringW(HANDLE hProcess, PCWSTR SrvPath, PCWSTR File,
                                                  PWSTR Index, size_t Size, DWORD Flags)
{
    char path[MAX_PATH * 4], id[80];

    (void)hProcess;
    (void)SrvPath;
    (void)Flags;
    if (!Index || !Size || !File || !text_narrow(File, path, sizeof(path))) {
        dw_set_last_error(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    if (!index_string(path, id, sizeof(id)))
        return FALSE;
    if (strlen(id) >= Size) {
        dw_set_last_error(ERROR_INSUFFICIENT_BUFFER);
        return FALSE;
    }
    return text_widen(id, Index, Size) ? TRUE : FALSE;
}
