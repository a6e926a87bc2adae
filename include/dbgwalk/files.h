/*
 * Finding files as DbgHelp finds them (executables, .dbg files, symbol-store
 * files), the symbol-server indexes of a file, and the type functions (which
 * fail: there is no type reader). On Windows mingw-w64's <dbghelp.h>
 * declares most of these; this adds what it lacks. Elsewhere it declares
 * them all (included by dbgwalk.h). A HANDLE these functions return is, off
 * Windows, a stdio FILE * (close it with fclose).
 */
#ifndef DBGWALK_FILES_H
#define DBGWALK_FILES_H

#ifdef __cplusplus
extern "C" {
#endif

#ifndef _WIN32
typedef BOOL (CALLBACK *PFIND_DEBUG_FILE_CALLBACK)(HANDLE FileHandle, PCSTR FileName,
                                                   PVOID CallerData);
typedef BOOL (CALLBACK *PFIND_DEBUG_FILE_CALLBACKW)(HANDLE FileHandle, PCWSTR FileName,
                                                    PVOID CallerData);
typedef BOOL (CALLBACK *PFIND_EXE_FILE_CALLBACK)(HANDLE FileHandle, PCSTR FileName,
                                                 PVOID CallerData);
typedef BOOL (CALLBACK *PFIND_EXE_FILE_CALLBACKW)(HANDLE FileHandle, PCWSTR FileName,
                                                  PVOID CallerData);
typedef BOOL (CALLBACK *PFINDFILEINPATHCALLBACK)(PCSTR filename, PVOID context);
typedef BOOL (CALLBACK *PFINDFILEINPATHCALLBACKW)(PCWSTR filename, PVOID context);

#define SSRVOPT_DWORD 0x0002
#define SSRVOPT_DWORDPTR 0x0004
#define SSRVOPT_GUIDPTR 0x0008

typedef struct _SYMSRV_INDEX_INFO {
    DWORD sizeofstruct;
    CHAR file[MAX_PATH + 1];
    BOOL stripped;
    DWORD timestamp;
    DWORD size;
    CHAR dbgfile[MAX_PATH + 1];
    CHAR pdbfile[MAX_PATH + 1];
    GUID guid;
    DWORD sig;
    DWORD age;
} SYMSRV_INDEX_INFO, *PSYMSRV_INDEX_INFO;

typedef struct _SYMSRV_INDEX_INFOW {
    DWORD sizeofstruct;
    WCHAR file[MAX_PATH + 1];
    BOOL stripped;
    DWORD timestamp;
    DWORD size;
    WCHAR dbgfile[MAX_PATH + 1];
    WCHAR pdbfile[MAX_PATH + 1];
    GUID guid;
    DWORD sig;
    DWORD age;
} SYMSRV_INDEX_INFOW, *PSYMSRV_INDEX_INFOW;

DBGWALK_API HANDLE IMAGEAPI FindDebugInfoFile(PCSTR FileName, PCSTR SymbolPath,
                                              PSTR DebugFilePath);
DBGWALK_API HANDLE IMAGEAPI FindDebugInfoFileEx(PCSTR FileName, PCSTR SymbolPath,
                                                PSTR DebugFilePath,
                                                PFIND_DEBUG_FILE_CALLBACK Callback,
                                                PVOID CallerData);
DBGWALK_API HANDLE IMAGEAPI FindDebugInfoFileExW(PCWSTR FileName, PCWSTR SymbolPath,
                                                 PWSTR DebugFilePath,
                                                 PFIND_DEBUG_FILE_CALLBACKW Callback,
                                                 PVOID CallerData);
DBGWALK_API HANDLE IMAGEAPI FindExecutableImage(PCSTR FileName, PCSTR SymbolPath,
                                                PSTR ImageFilePath);
DBGWALK_API HANDLE IMAGEAPI FindExecutableImageEx(PCSTR FileName, PCSTR SymbolPath,
                                                  PSTR ImageFilePath,
                                                  PFIND_EXE_FILE_CALLBACK Callback,
                                                  PVOID CallerData);
DBGWALK_API HANDLE IMAGEAPI FindExecutableImageExW(PCWSTR FileName, PCWSTR SymbolPath,
                                                   PWSTR ImageFilePath,
                                                   PFIND_EXE_FILE_CALLBACKW Callback,
                                                   PVOID CallerData);
DBGWALK_API HANDLE IMAGEAPI SymFindDebugInfoFile(HANDLE hProcess, PCSTR FileName,
                                                 PSTR DebugFilePath,
                                                 PFIND_DEBUG_FILE_CALLBACK Callback,
                                                 PVOID CallerData);
DBGWALK_API HANDLE IMAGEAPI SymFindDebugInfoFileW(HANDLE hProcess, PCWSTR FileName,
                                                  PWSTR DebugFilePath,
                                                  PFIND_DEBUG_FILE_CALLBACKW Callback,
                                                  PVOID CallerData);
DBGWALK_API HANDLE IMAGEAPI SymFindExecutableImage(HANDLE hProcess, PCSTR FileName,
                                                   PSTR ImageFilePath,
                                                   PFIND_EXE_FILE_CALLBACK Callback,
                                                   PVOID CallerData);
DBGWALK_API HANDLE IMAGEAPI SymFindExecutableImageW(HANDLE hProcess, PCWSTR FileName,
                                                    PWSTR ImageFilePath,
                                                    PFIND_EXE_FILE_CALLBACKW Callback,
                                                    PVOID CallerData);
DBGWALK_API BOOL IMAGEAPI SymFindFileInPath(HANDLE hprocess, PCSTR SearchPath, PCSTR FileName,
                                            PVOID id, DWORD two, DWORD three, DWORD flags,
                                            PSTR FoundFile, PFINDFILEINPATHCALLBACK callback,
                                            PVOID context);
/* FoundFile is WCHAR[MAX_PATH]; mingw-w64 declares it PSTR, and so do we. */
DBGWALK_API BOOL IMAGEAPI SymFindFileInPathW(HANDLE hprocess, PCWSTR SearchPath,
                                             PCWSTR FileName, PVOID id, DWORD two, DWORD three,
                                             DWORD flags, PSTR FoundFile,
                                             PFINDFILEINPATHCALLBACKW callback, PVOID context);
DBGWALK_API BOOL IMAGEAPI SymSrvGetFileIndexInfo(PCSTR File, PSYMSRV_INDEX_INFO Info,
                                                 DWORD Flags);
DBGWALK_API BOOL IMAGEAPI SymSrvGetFileIndexInfoW(PCWSTR File, PSYMSRV_INDEX_INFOW Info,
                                                  DWORD Flags);
DBGWALK_API BOOL IMAGEAPI SymSrvGetFileIndexes(PCSTR File, GUID *Id, PDWORD Val1,
                                               PDWORD Val2, DWORD Flags);
DBGWALK_API BOOL IMAGEAPI SymSrvGetFileIndexesW(PCWSTR File, GUID *Id, PDWORD Val1,
                                                PDWORD Val2, DWORD Flags);
DBGWALK_API BOOL IMAGEAPI SymSrvGetFileIndexString(HANDLE hProcess, PCSTR SrvPath, PCSTR File,
                                                   PSTR Index, size_t Size, DWORD Flags);
DBGWALK_API BOOL IMAGEAPI SymSrvGetFileIndexStringW(HANDLE hProcess, PCWSTR SrvPath,
                                                    PCWSTR File, PWSTR Index, size_t Size,
                                                    DWORD Flags);

/* ---- types: we have no type reader (src/sym/api_types.c) ---- */
typedef DWORD IMAGEHLP_SYMBOL_TYPE_INFO;
typedef BOOL (CALLBACK *PSYM_ENUMERATESYMBOLS_CALLBACK)(PSYMBOL_INFO pSymInfo, ULONG SymbolSize,
                                                        PVOID UserContext);
typedef BOOL (CALLBACK *PSYM_ENUMERATESYMBOLS_CALLBACKW)(PSYMBOL_INFOW pSymInfo,
                                                         ULONG SymbolSize, PVOID UserContext);
DBGWALK_API BOOL IMAGEAPI SymGetTypeInfo(HANDLE hProcess, DWORD64 ModBase, ULONG TypeId,
                                         IMAGEHLP_SYMBOL_TYPE_INFO GetType, PVOID pInfo);
DBGWALK_API BOOL IMAGEAPI SymEnumTypes(HANDLE hProcess, ULONG64 BaseOfDll,
                                       PSYM_ENUMERATESYMBOLS_CALLBACK EnumSymbolsCallback,
                                       PVOID UserContext);
DBGWALK_API BOOL IMAGEAPI SymEnumTypesW(HANDLE hProcess, ULONG64 BaseOfDll,
                                        PSYM_ENUMERATESYMBOLS_CALLBACKW EnumSymbolsCallback,
                                        PVOID UserContext);
DBGWALK_API BOOL IMAGEAPI SymGetTypeFromName(HANDLE hProcess, ULONG64 BaseOfDll, PCSTR Name,
                                             PSYMBOL_INFO Symbol);
DBGWALK_API BOOL IMAGEAPI SymGetTypeFromNameW(HANDLE hProcess, ULONG64 BaseOfDll, PCWSTR Name,
                                              PSYMBOL_INFOW Symbol);
DBGWALK_API BOOL IMAGEAPI SymEnumTypesByName(HANDLE hProcess, ULONG64 BaseOfDll, PCSTR mask,
                                             PSYM_ENUMERATESYMBOLS_CALLBACK EnumSymbolsCallback,
                                             PVOID UserContext);
/* mask is PCWSTR; mingw-w64 declares it PCSTR, and so do we. */
DBGWALK_API BOOL IMAGEAPI SymEnumTypesByNameW(HANDLE hProcess, ULONG64 BaseOfDll, PCSTR mask,
                                              PSYM_ENUMERATESYMBOLS_CALLBACKW EnumSymbolsCallback,
                                              PVOID UserContext);
#endif

/* Not declared by mingw-w64's header. */
struct _IMAGEHLP_GET_TYPE_INFO_PARAMS;
DBGWALK_API BOOL IMAGEAPI SymGetTypeInfoEx(HANDLE hProcess, DWORD64 ModBase,
                                           struct _IMAGEHLP_GET_TYPE_INFO_PARAMS *Params);

#ifdef __cplusplus
}
#endif

#endif
