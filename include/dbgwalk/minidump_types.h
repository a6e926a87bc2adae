/*
 * The minidump directory types MiniDumpReadDumpStream hands back (layouts as
 * in Microsoft's minidumpapiset.h; Windows builds take mingw-w64's).
 */
#ifndef DBGWALK_MINIDUMP_TYPES_H
#define DBGWALK_MINIDUMP_TYPES_H

#include "win_types.h"

#ifndef ERROR_BAD_FORMAT
#define ERROR_BAD_FORMAT 11
#endif
#ifndef ERROR_NOT_FOUND
#define ERROR_NOT_FOUND 1168
#endif


typedef uint32_t ULONG32;
typedef ULONG32 RVA;

typedef struct _MINIDUMP_LOCATION_DESCRIPTOR {
    ULONG32 DataSize;
    RVA Rva;
} MINIDUMP_LOCATION_DESCRIPTOR;

typedef struct _MINIDUMP_DIRECTORY {
    ULONG32 StreamType;
    MINIDUMP_LOCATION_DESCRIPTOR Location;
} MINIDUMP_DIRECTORY, *PMINIDUMP_DIRECTORY;

typedef struct _MINIDUMP_HEADER {
    ULONG32 Signature;
    ULONG32 Version;
    ULONG32 NumberOfStreams;
    RVA StreamDirectoryRva;
    ULONG32 CheckSum;
    union {
        ULONG32 Reserved;
        ULONG32 TimeDateStamp;
    };
    ULONG64 Flags;
} MINIDUMP_HEADER, *PMINIDUMP_HEADER;

#endif
