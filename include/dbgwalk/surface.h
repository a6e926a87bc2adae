/*
 * The DbgHelp surface around the walk: image helpers, wildcard matching,
 * extended options, file searching and module enumeration. On Windows
 * mingw-w64's <dbghelp.h> declares most of these; this adds what it lacks.
 * Elsewhere it declares them all (included by dbgwalk.h).
 */
#ifndef DBGWALK_SURFACE_H
#define DBGWALK_SURFACE_H

#ifndef _WIN32
#include "image_types.h"
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ---- extended options (DbgHelp 10; absent from mingw-w64's header) ---- */
#ifndef DBGWALK_HAVE_IMAGEHLP_EXTENDED_OPTIONS
typedef enum {
    SYMOPT_EX_DISABLEACCESSTIMEUPDATE,
    SYMOPT_EX_LASTVALIDDEBUGDIRECTORY,
    SYMOPT_EX_NOIMPLICITPATTERNSEARCH,
    SYMOPT_EX_NEVERLOADSYMBOLS,
    SYMOPT_EX_MAX
} IMAGEHLP_EXTENDED_OPTIONS;
#endif
DBGWALK_API BOOL IMAGEAPI SymSetExtendedOption(IMAGEHLP_EXTENDED_OPTIONS option, BOOL value);
DBGWALK_API BOOL IMAGEAPI SymGetExtendedOption(IMAGEHLP_EXTENDED_OPTIONS option);

#ifndef _WIN32
#define ERROR_PATH_NOT_FOUND 3
#define ERROR_ACCESS_DENIED 5
#define ERROR_ALREADY_EXISTS 183
#define ERROR_BAD_EXE_FORMAT 193
#define ERROR_DIRECTORY 267

/* ---- image helpers ---- */
DBGWALK_API PIMAGE_NT_HEADERS IMAGEAPI ImageNtHeader(PVOID Base);
DBGWALK_API PVOID IMAGEAPI ImageDirectoryEntryToDataEx(PVOID Base, BOOLEAN MappedAsImage,
                                                       USHORT DirectoryEntry, PULONG Size,
                                                       PIMAGE_SECTION_HEADER *FoundHeader);
DBGWALK_API PVOID IMAGEAPI ImageDirectoryEntryToData(PVOID Base, BOOLEAN MappedAsImage,
                                                     USHORT DirectoryEntry, PULONG Size);
DBGWALK_API PIMAGE_SECTION_HEADER IMAGEAPI ImageRvaToSection(PIMAGE_NT_HEADERS NtHeaders,
                                                             PVOID Base, ULONG Rva);
DBGWALK_API PVOID IMAGEAPI ImageRvaToVa(PIMAGE_NT_HEADERS NtHeaders, PVOID Base, ULONG Rva,
                                        PIMAGE_SECTION_HEADER *LastRvaSection);
/* HMODULE is the module's base address, here as on Windows. */
DBGWALK_API DWORD IMAGEAPI GetTimestampForLoadedLibrary(PVOID Module);

/* ---- wildcard and file-name matching ---- */
DBGWALK_API BOOL IMAGEAPI SymMatchString(PCSTR string, PCSTR expression, BOOL fCase);
DBGWALK_API BOOL IMAGEAPI SymMatchStringW(PCWSTR string, PCWSTR expression, BOOL fCase);
DBGWALK_API BOOL IMAGEAPI SymMatchFileName(PCSTR FileName, PCSTR Match, PSTR *FileNameStop,
                                           PSTR *MatchStop);
DBGWALK_API BOOL IMAGEAPI SymMatchFileNameW(PCWSTR FileName, PCWSTR Match,
                                            PWSTR *FileNameStop, PWSTR *MatchStop);

/* ---- files and directories ---- */
typedef BOOL (CALLBACK *PENUMDIRTREE_CALLBACK)(PCSTR FilePath, PVOID CallerData);
DBGWALK_API BOOL IMAGEAPI MakeSureDirectoryPathExists(PCSTR DirPath);
/* Non-const strings as in mingw-w64's prototypes, so one definition fits both. */
DBGWALK_API BOOL IMAGEAPI SearchTreeForFile(PSTR RootPath, PSTR InputPathName,
                                            PSTR OutputPathBuffer);
DBGWALK_API BOOL IMAGEAPI EnumDirTree(HANDLE hProcess, PSTR RootPath, PSTR InputPathName,
                                      PSTR OutputPathBuffer, PENUMDIRTREE_CALLBACK cb,
                                      PVOID data);
DBGWALK_API BOOL IMAGEAPI SearchTreeForFileW(PWSTR RootPath, PWSTR InputPathName,
                                             PWSTR OutputPathBuffer);

/* ---- modules ---- */
typedef BOOL (CALLBACK *PENUMLOADED_MODULES_CALLBACK64)(PCSTR ModuleName, DWORD64 ModuleBase,
                                                        ULONG ModuleSize, PVOID UserContext);
typedef BOOL (CALLBACK *PENUMLOADED_MODULES_CALLBACKW64)(PCWSTR ModuleName,
                                                         DWORD64 ModuleBase, ULONG ModuleSize,
                                                         PVOID UserContext);
DBGWALK_API BOOL IMAGEAPI EnumerateLoadedModules64(HANDLE hProcess,
                                                   PENUMLOADED_MODULES_CALLBACK64 Callback,
                                                   PVOID UserContext);
DBGWALK_API BOOL IMAGEAPI EnumerateLoadedModulesW64(HANDLE hProcess,
                                                    PENUMLOADED_MODULES_CALLBACKW64 Callback,
                                                    PVOID UserContext);
DBGWALK_API BOOL IMAGEAPI EnumerateLoadedModulesEx(HANDLE hProcess,
                                                   PENUMLOADED_MODULES_CALLBACK64 Callback,
                                                   PVOID UserContext);
DBGWALK_API BOOL IMAGEAPI EnumerateLoadedModulesExW(HANDLE hProcess,
                                                    PENUMLOADED_MODULES_CALLBACKW64 Callback,
                                                    PVOID UserContext);
DBGWALK_API DWORD IMAGEAPI SymGetModuleBase(HANDLE hProcess, DWORD dwAddr);

/* ---- scope ---- */
typedef struct _IMAGEHLP_STACK_FRAME {
    ULONG64 InstructionOffset;
    ULONG64 ReturnOffset;
    ULONG64 FrameOffset;
    ULONG64 StackOffset;
    ULONG64 BackingStoreOffset;
    ULONG64 FuncTableEntry;
    ULONG64 Params[4];
    ULONG64 Reserved[5];
    BOOL Virtual;
    ULONG Reserved2;
} IMAGEHLP_STACK_FRAME, *PIMAGEHLP_STACK_FRAME;
typedef PVOID IMAGEHLP_CONTEXT, *PIMAGEHLP_CONTEXT;
DBGWALK_API BOOL IMAGEAPI SymSetContext(HANDLE hProcess, PIMAGEHLP_STACK_FRAME StackFrame,
                                        PIMAGEHLP_CONTEXT Context);
#endif

/* ---- MapDebugInformation: <dbghelp.h> declares it for 32-bit x86 only,
 * Windows' x64 dbghelp.dll exports it all the same; the layout is the SDK's
 * (pointers in the host's width). ---- */
#if !defined(_WIN32) || defined(_WIN64)
typedef struct _IMAGE_DEBUG_INFORMATION {
    LIST_ENTRY List;
    DWORD ReservedSize;
    PVOID ReservedMappedBase;
    USHORT ReservedMachine;
    USHORT ReservedCharacteristics;
    DWORD ReservedCheckSum;
    DWORD ImageBase;
    DWORD SizeOfImage;
    DWORD ReservedNumberOfSections;
    PIMAGE_SECTION_HEADER ReservedSections;
    DWORD ReservedExportedNamesSize;
    PSTR ReservedExportedNames;
    DWORD ReservedNumberOfFunctionTableEntries;
    PIMAGE_FUNCTION_ENTRY ReservedFunctionTableEntries;
    DWORD ReservedLowestFunctionStartingAddress;
    DWORD ReservedHighestFunctionEndingAddress;
    DWORD ReservedNumberOfFpoTableEntries;
    PFPO_DATA ReservedFpoTableEntries;
    DWORD SizeOfCoffSymbols;
    PIMAGE_COFF_SYMBOLS_HEADER CoffSymbols;
    DWORD ReservedSizeOfCodeViewSymbols;
    PVOID ReservedCodeViewSymbols;
    PSTR ImageFilePath;
    PSTR ImageFileName;
    PSTR ReservedDebugFilePath;
    DWORD ReservedTimeDateStamp;
    BOOL ReservedRomImage;
    PIMAGE_DEBUG_DIRECTORY ReservedDebugDirectory;
    DWORD ReservedNumberOfDebugDirectories;
    DWORD ReservedOriginalFunctionTableBaseAddress;
    DWORD Reserved[2];
} IMAGE_DEBUG_INFORMATION, *PIMAGE_DEBUG_INFORMATION;
/* Non-const strings as in mingw-w64's (i686) prototype. */
DBGWALK_API PIMAGE_DEBUG_INFORMATION IMAGEAPI MapDebugInformation(HANDLE FileHandle,
                                                                  PSTR FileName,
                                                                  PSTR SymbolPath,
                                                                  DWORD ImageBase);
DBGWALK_API BOOL IMAGEAPI UnmapDebugInformation(PIMAGE_DEBUG_INFORMATION DebugInfo);
#endif

/* CBA_EVENT's data for a callback registered by SymRegisterCallbackW64
 * (dbghelp.h's; mingw-w64 lacks it). */
#ifndef DBGWALK_HAVE_IMAGEHLP_CBA_EVENTW
typedef struct _IMAGEHLP_CBA_EVENTW {
    DWORD severity;
    DWORD code;
    PCWSTR desc;
    PVOID object;
} IMAGEHLP_CBA_EVENTW, *PIMAGEHLP_CBA_EVENTW;
#endif

/* Not declared by mingw-w64's header either. */
typedef BOOL (CALLBACK *PENUMDIRTREE_CALLBACKW)(PCWSTR FilePath, PVOID CallerData);
DBGWALK_API BOOL IMAGEAPI EnumDirTreeW(HANDLE hProcess, PWSTR RootPath, PWSTR InputPathName,
                                       PWSTR OutputPathBuffer, PENUMDIRTREE_CALLBACKW cb,
                                       PVOID data);
DBGWALK_API BOOL IMAGEAPI SymMatchStringA(PCSTR string, PCSTR expression, BOOL fCase);
DBGWALK_API BOOL IMAGEAPI SymSetScopeFromAddr(HANDLE hProcess, ULONG64 Address);

#ifdef __cplusplus
}
#endif

#endif
