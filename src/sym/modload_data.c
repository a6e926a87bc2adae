/*
 * SymLoadModuleEx's MODLOAD_DATA: the debug records a caller passes for a
 * module whose image it cannot give (a minidump's module, whose CodeView
 * record the dump stores). Two forms (dbghelp.h):
 *
 *   DBHHEADER_DEBUGDIRS  an array of IMAGE_DEBUG_DIRECTORY entries followed
 *                        by the data they describe; an entry's
 *                        PointerToRawData is the offset of its data in the
 *                        buffer.
 *   DBHHEADER_CVMISC     MODLOAD_CVMISC records (oCV/cCV: the CodeView
 *                        record's offset and size in the buffer); callers
 *                        also pass the bare CodeView record itself, which is
 *                        recognised by its RSDS/NB10 signature.
 *
 * The buffer is the caller's and may be anything: every offset is checked
 * against its size.
 */
#include "session.h"

#define DEBUG_DIRECTORY_ENTRY 28
#define DEBUG_TYPE_CODEVIEW 2

#ifndef DBHHEADER_DEBUGDIRS
#define DBHHEADER_DEBUGDIRS 0x1
#define DBHHEADER_CVMISC 0x2
#endif

static bool is_codeview(const uint8_t *p, size_t size)
{
    return size >= 4 && (memcmp(p, "RSDS", 4) == 0 || memcmp(p, "NB10", 4) == 0);
}

static bool from_debug_dirs(const uint8_t *data, size_t size, struct sym_codeview *out)
{
    size_t data_start = size; /* the directories end where the first data begins */

    for (size_t at = 0; at + DEBUG_DIRECTORY_ENTRY <= size && at < data_start;
         at += DEBUG_DIRECTORY_ENTRY) {
        const uint8_t *entry = data + at;
        uint32_t type = dw_le32(entry + 12), length = dw_le32(entry + 16),
                 offset = dw_le32(entry + 24);
        if (length == 0 || offset < at + DEBUG_DIRECTORY_ENTRY || offset > size ||
            length > size - offset)
            continue;
        if (offset < data_start)
            data_start = offset;
        if (type == DEBUG_TYPE_CODEVIEW && sym_parse_codeview(data + offset, length, out))
            return true;
    }
    return false;
}

/* MODLOAD_CVMISC as the caller's build lays it out: DWORD, size_t, DWORD,
 * size_t, DWORD, DWORD. */
struct cvmisc {
    DWORD oCV;
    size_t cCV;
    DWORD oMisc;
    size_t cMisc;
    DWORD dtImage;
    DWORD cImage;
};

static bool from_cvmisc(const uint8_t *data, size_t size, struct sym_codeview *out)
{
    if (is_codeview(data, size))
        return sym_parse_codeview(data, size, out);
    for (size_t at = 0; at + sizeof(struct cvmisc) <= size; at += sizeof(struct cvmisc)) {
        struct cvmisc record;
        memcpy(&record, data + at, sizeof(record));
        if (record.cCV && record.oCV <= size && record.cCV <= size - record.oCV &&
            sym_parse_codeview(data + record.oCV, record.cCV, out))
            return true;
    }
    return false;
}

bool sym_codeview_from_modload(const MODLOAD_DATA *load, struct sym_codeview *out)
{
    memset(out, 0, sizeof(*out));
    if (!load || load->ssize < sizeof(MODLOAD_DATA) || !load->data || !load->size)
        return false;
    switch (load->ssig) {
    case DBHHEADER_DEBUGDIRS:
        return from_debug_dirs(load->data, load->size, out);
    case DBHHEADER_CVMISC:
        return from_cvmisc(load->data, load->size, out);
    default:
        return false;
    }
}
