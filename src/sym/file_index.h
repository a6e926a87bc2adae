/* What identifies a file in a symbol store: an image's TimeDateStamp and
 * SizeOfImage (and the PDB its CodeView record names), or a PDB's GUID (or
 * signature) and age. (src/sym/file_index.c) */
#ifndef DBGWALK_FILE_INDEX_H
#define DBGWALK_FILE_INDEX_H

#include "session.h"

enum file_kind { FILE_KIND_PE = 1, FILE_KIND_PDB };

struct file_index {
    enum file_kind kind;
    /* PE */
    DWORD timestamp, size_of_image;
    bool stripped; /* IMAGE_FILE_DEBUG_STRIPPED */
    /* the PDB's identity: the PE's CodeView record, or the PDB's own */
    struct sym_codeview codeview;
};

/* Reads the file's index; false with ERROR_FILE_NOT_FOUND (cannot open) or
 * ERROR_BAD_FORMAT (neither a PE image nor a PDB). */
bool file_index_read(const char *path, struct file_index *out);

/* The store's directory name for the file ("" when it has none: a PE needs
 * nothing more, a PDB always has its identity). */
void file_index_store_id(const struct file_index *index, char *out, size_t size);

/* Opens a file for reading as the Find* functions return it: a Win32 file
 * handle on Windows, a FILE * elsewhere; NULL when it cannot be opened. */
HANDLE file_handle_open(const char *path);
/* Whether `path` names a file that is not a directory. */
bool file_is_regular(const char *path);
void file_handle_close(HANDLE handle);

#endif
