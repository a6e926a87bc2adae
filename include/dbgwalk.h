/*
 * dbgwalk — a DbgHelp-compatible stack walker.
 *
 * Include this instead of <dbghelp.h>. On Windows it includes mingw-w64's
 * <windows.h> and <dbghelp.h> and adds only what they lack (StackWalkEx,
 * StackWalk2, SYM_STKWALK_*, ARM64_NT_CONTEXT on x86 hosts, explicit 32-bit
 * structure names). Elsewhere it supplies byte-identical types itself.
 *
 * The name differs from dbghelp.h on purpose: in a Windows build it can never
 * shadow the system header.
 */
#ifndef DBGWALK_H
#define DBGWALK_H

#ifdef _WIN32
#include <windows.h>
#include <dbghelp.h>
#define DBGWALK_API
#else
#include "dbgwalk/win_types.h"
#include "dbgwalk/sym_types.h"
#include "dbgwalk/minidump_types.h"
#define DBGWALK_API __attribute__((visibility("default")))
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ---- machine types newer than mingw-w64 10 ---- */
#ifndef IMAGE_FILE_MACHINE_TARGET_HOST
#define IMAGE_FILE_MACHINE_TARGET_HOST 0x0001
#endif
#ifndef CONTEXT_UNWOUND_TO_CALL
#define CONTEXT_UNWOUND_TO_CALL 0x20000000
#endif
#ifndef IMAGE_FILE_MACHINE_ARM64EC
#define IMAGE_FILE_MACHINE_ARM64EC 0xA641
#endif
#ifndef IMAGE_FILE_MACHINE_ARM64X
#define IMAGE_FILE_MACHINE_ARM64X 0xA64E
#endif
#ifndef IMAGE_FILE_MACHINE_CHPE_X86
#define IMAGE_FILE_MACHINE_CHPE_X86 0x3A64
#endif

/* ---- ARM64_NT_CONTEXT: the ARM64 context on every host ---- */
#if defined(_WIN32) && defined(__aarch64__)
typedef CONTEXT ARM64_NT_CONTEXT, *PARM64_NT_CONTEXT;
#elif !defined(_WIN32) ||                                                                         \
    (!defined(DBGWALK_HAVE_ARM64_NT_CONTEXT) && __MINGW64_VERSION_MAJOR <= 10)
#define ARM64_MAX_BREAKPOINTS 8
#define ARM64_MAX_WATCHPOINTS 2
#define CONTEXT_ARM64 0x00400000L
#define CONTEXT_ARM64_CONTROL (CONTEXT_ARM64 | 0x1L)
#define CONTEXT_ARM64_INTEGER (CONTEXT_ARM64 | 0x2L)
#define CONTEXT_ARM64_FLOATING_POINT (CONTEXT_ARM64 | 0x4L)
#define CONTEXT_ARM64_DEBUG_REGISTERS (CONTEXT_ARM64 | 0x8L)
#define CONTEXT_ARM64_X18 (CONTEXT_ARM64 | 0x10L)
#define CONTEXT_ARM64_FULL                                                                        \
    (CONTEXT_ARM64_CONTROL | CONTEXT_ARM64_INTEGER | CONTEXT_ARM64_FLOATING_POINT)

typedef union _ARM64_NT_NEON128 {
    struct {
        ULONGLONG Low;
        LONGLONG High;
    };
    double D[2];
    float S[4];
    WORD H[8];
    BYTE B[16];
} ARM64_NT_NEON128, *PARM64_NT_NEON128;

typedef struct __attribute__((aligned(16))) _ARM64_NT_CONTEXT {
    DWORD ContextFlags;
    DWORD Cpsr;
    union {
        struct {
            DWORD64 X0, X1, X2, X3, X4, X5, X6, X7, X8, X9, X10, X11, X12, X13, X14;
            DWORD64 X15, X16, X17, X18, X19, X20, X21, X22, X23, X24, X25, X26, X27, X28;
            DWORD64 Fp;
            DWORD64 Lr;
        };
        DWORD64 X[31];
    };
    DWORD64 Sp;
    DWORD64 Pc;
    ARM64_NT_NEON128 V[32];
    DWORD Fpcr;
    DWORD Fpsr;
    DWORD Bcr[ARM64_MAX_BREAKPOINTS];
    DWORD64 Bvr[ARM64_MAX_BREAKPOINTS];
    DWORD Wcr[ARM64_MAX_WATCHPOINTS];
    DWORD64 Wvr[ARM64_MAX_WATCHPOINTS];
} ARM64_NT_CONTEXT, *PARM64_NT_CONTEXT;
#endif

/* ---- 32-bit STACKFRAME and its callbacks, by explicit names ----
 * A 64-bit Windows header #defines STACKFRAME to STACKFRAME64, yet the
 * exported StackWalk takes the 32-bit layout. */
#if defined(_WIN32) && !defined(_WIN64)
typedef ADDRESS ADDRESS32, *LPADDRESS32;
typedef KDHELP KDHELP32, *PKDHELP32;
typedef STACKFRAME STACKFRAME32, *LPSTACKFRAME32;
typedef PREAD_PROCESS_MEMORY_ROUTINE PREAD_PROCESS_MEMORY_ROUTINE32;
typedef PFUNCTION_TABLE_ACCESS_ROUTINE PFUNCTION_TABLE_ACCESS_ROUTINE32;
typedef PGET_MODULE_BASE_ROUTINE PGET_MODULE_BASE_ROUTINE32;
typedef PTRANSLATE_ADDRESS_ROUTINE PTRANSLATE_ADDRESS_ROUTINE32;
#else
typedef struct _tagADDRESS32 {
    DWORD Offset;
    WORD Segment;
    ADDRESS_MODE Mode;
} ADDRESS32, *LPADDRESS32;

/* Field order differs from KDHELP64: ThCallbackBStore moves to 0x1C. */
typedef struct _KDHELP32 {
    DWORD Thread;
    DWORD ThCallbackStack;
    DWORD NextCallback;
    DWORD FramePointer;
    DWORD KiCallUserMode;
    DWORD KeUserCallbackDispatcher;
    DWORD SystemRangeStart;
    DWORD ThCallbackBStore;
    DWORD KiUserExceptionDispatcher;
    DWORD StackBase;
    DWORD StackLimit;
    DWORD Reserved[5];
} KDHELP32, *PKDHELP32;

/* AddrBStore comes last here, unlike STACKFRAME64. FuncTableEntry is a
 * 32-bit target pointer, kept as a DWORD so the layout is host-independent. */
typedef struct _tagSTACKFRAME32 {
    ADDRESS32 AddrPC;
    ADDRESS32 AddrReturn;
    ADDRESS32 AddrFrame;
    ADDRESS32 AddrStack;
#if defined(__i386__)
    PVOID FuncTableEntry;
#else
    DWORD FuncTableEntry; /* a 64-bit host cannot hold a pointer here */
#endif
    DWORD Params[4];
    BOOL Far;
    BOOL Virtual;
    DWORD Reserved[3];
    KDHELP32 KdHelp;
    ADDRESS32 AddrBStore;
} STACKFRAME32, *LPSTACKFRAME32;

typedef BOOL (WINAPI *PREAD_PROCESS_MEMORY_ROUTINE32)(HANDLE hProcess, DWORD lpBaseAddress,
                                                      PVOID lpBuffer, DWORD nSize,
                                                      PDWORD lpNumberOfBytesRead);
typedef PVOID (WINAPI *PFUNCTION_TABLE_ACCESS_ROUTINE32)(HANDLE hProcess, DWORD AddrBase);
typedef DWORD (WINAPI *PGET_MODULE_BASE_ROUTINE32)(HANDLE hProcess, DWORD Address);
typedef DWORD (WINAPI *PTRANSLATE_ADDRESS_ROUTINE32)(HANDLE hProcess, HANDLE hThread,
                                                     LPADDRESS32 lpaddr);
#endif

#ifdef DBGWALK_PLAIN_NAMES_ARE_32BIT
typedef PREAD_PROCESS_MEMORY_ROUTINE32 PREAD_PROCESS_MEMORY_ROUTINE;
typedef PFUNCTION_TABLE_ACCESS_ROUTINE32 PFUNCTION_TABLE_ACCESS_ROUTINE;
typedef PGET_MODULE_BASE_ROUTINE32 PGET_MODULE_BASE_ROUTINE;
typedef PTRANSLATE_ADDRESS_ROUTINE32 PTRANSLATE_ADDRESS_ROUTINE;
#endif

/* ---- StackWalkEx / StackWalk2 flags and target attributes ---- */
#ifndef SYM_STKWALK_DEFAULT
#define SYM_STKWALK_DEFAULT 0x00000000
#endif
#ifndef SYM_STKWALK_FORCE_FRAMEPTR
#define SYM_STKWALK_FORCE_FRAMEPTR 0x00000001
#endif
#ifndef SYM_STKWALK_ZEROEXTEND_PTRS
#define SYM_STKWALK_ZEROEXTEND_PTRS 0x00000002
#endif
#ifndef TARGET_ATTRIBUTE_PACMASK
#define TARGET_ATTRIBUTE_PACMASK 0x00000001
#endif
#ifndef TARGET_ATTRIBUTE_PACMASK_LIVETARGET
#define TARGET_ATTRIBUTE_PACMASK_LIVETARGET 0xFFFFFFFFFFFFFFFFull
#endif

typedef BOOL (WINAPI *DBGWALK_PGET_TARGET_ATTRIBUTE_VALUE64)(HANDLE hProcess, DWORD Attribute,
                                                             DWORD64 AttributeData,
                                                             DWORD64 *AttributeValue);
#ifndef PGET_TARGET_ATTRIBUTE_VALUE64
#define PGET_TARGET_ATTRIBUTE_VALUE64 DBGWALK_PGET_TARGET_ATTRIBUTE_VALUE64
#endif

/* ---- entry points ---- */
#ifndef _WIN32
DBGWALK_API BOOL MiniDumpReadDumpStream(PVOID BaseOfDump, ULONG StreamNumber,
                                        PMINIDUMP_DIRECTORY *Dir, PVOID *StreamPointer,
                                        ULONG *StreamSize);
DBGWALK_API BOOL StackWalk64(DWORD MachineType, HANDLE hProcess, HANDLE hThread,
                             LPSTACKFRAME64 StackFrame, PVOID ContextRecord,
                             PREAD_PROCESS_MEMORY_ROUTINE64 ReadMemoryRoutine,
                             PFUNCTION_TABLE_ACCESS_ROUTINE64 FunctionTableAccessRoutine,
                             PGET_MODULE_BASE_ROUTINE64 GetModuleBaseRoutine,
                             PTRANSLATE_ADDRESS_ROUTINE64 TranslateAddress);

DBGWALK_API BOOL StackWalk(DWORD MachineType, HANDLE hProcess, HANDLE hThread,
                           LPSTACKFRAME32 StackFrame, PVOID ContextRecord,
                           PREAD_PROCESS_MEMORY_ROUTINE32 ReadMemoryRoutine,
                           PFUNCTION_TABLE_ACCESS_ROUTINE32 FunctionTableAccessRoutine,
                           PGET_MODULE_BASE_ROUTINE32 GetModuleBaseRoutine,
                           PTRANSLATE_ADDRESS_ROUTINE32 TranslateAddress);

/* The calling thread's last error, as on Windows (thread-local). */
DBGWALK_API DWORD GetLastError(void);
DBGWALK_API void SetLastError(DWORD dwErrCode);

/* ---- the symbol handler (sessions, modules, function tables) ---- */
DBGWALK_API BOOL SymInitialize(HANDLE hProcess, PCSTR UserSearchPath, BOOL fInvadeProcess);
DBGWALK_API BOOL SymInitializeW(HANDLE hProcess, PCWSTR UserSearchPath, BOOL fInvadeProcess);
DBGWALK_API BOOL SymCleanup(HANDLE hProcess);
DBGWALK_API DWORD SymSetOptions(DWORD SymOptions);
DBGWALK_API DWORD SymGetOptions(void);
DBGWALK_API DWORD IMAGEAPI UnDecorateSymbolName(PCSTR name, PSTR outputString, DWORD maxStringLength, DWORD flags);
DBGWALK_API DWORD IMAGEAPI UnDecorateSymbolNameW(PCWSTR name, PWSTR outputString, DWORD maxStringLength, DWORD flags);
DBGWALK_API BOOL SymGetSearchPath(HANDLE hProcess, PSTR SearchPath, DWORD SearchPathLength);
DBGWALK_API BOOL SymGetSearchPathW(HANDLE hProcess, PWSTR SearchPath, DWORD SearchPathLength);
DBGWALK_API BOOL SymSetSearchPath(HANDLE hProcess, PCSTR SearchPath);
DBGWALK_API BOOL SymSetSearchPathW(HANDLE hProcess, PCWSTR SearchPath);
DBGWALK_API LPAPI_VERSION ImagehlpApiVersion(void);
DBGWALK_API LPAPI_VERSION ImagehlpApiVersionEx(LPAPI_VERSION AppVersion);
DBGWALK_API BOOL SymRegisterCallback64(HANDLE hProcess, PSYMBOL_REGISTERED_CALLBACK64 Callback,
                                       ULONG64 UserContext);
DBGWALK_API BOOL SymRegisterCallbackW64(HANDLE hProcess, PSYMBOL_REGISTERED_CALLBACK64 Callback,
                                        ULONG64 UserContext);
DBGWALK_API BOOL SymRegisterFunctionEntryCallback64(HANDLE hProcess,
                                                    PSYMBOL_FUNCENTRY_CALLBACK64 Callback,
                                                    ULONG64 UserContext);
DBGWALK_API DWORD64 SymLoadModuleEx(HANDLE hProcess, HANDLE hFile, PCSTR ImageName,
                                    PCSTR ModuleName, DWORD64 BaseOfDll, DWORD DllSize,
                                    PMODLOAD_DATA Data, DWORD Flags);
DBGWALK_API DWORD64 SymLoadModuleExW(HANDLE hProcess, HANDLE hFile, PCWSTR ImageName,
                                     PCWSTR ModuleName, DWORD64 BaseOfDll, DWORD DllSize,
                                     PMODLOAD_DATA Data, DWORD Flags);
DBGWALK_API DWORD64 SymLoadModule64(HANDLE hProcess, HANDLE hFile, PCSTR ImageName,
                                    PCSTR ModuleName, DWORD64 BaseOfDll, DWORD SizeOfDll);
DBGWALK_API BOOL SymUnloadModule64(HANDLE hProcess, DWORD64 BaseOfDll);
DBGWALK_API BOOL SymGetModuleInfo64(HANDLE hProcess, DWORD64 qwAddr,
                                    PIMAGEHLP_MODULE64 ModuleInfo);
DBGWALK_API BOOL SymGetModuleInfoW64(HANDLE hProcess, DWORD64 qwAddr,
                                     PIMAGEHLP_MODULEW64 ModuleInfo);
DBGWALK_API BOOL SymEnumerateModules64(HANDLE hProcess, PSYM_ENUMMODULES_CALLBACK64 Callback,
                                       PVOID UserContext);
DBGWALK_API BOOL SymEnumerateModulesW64(HANDLE hProcess, PSYM_ENUMMODULES_CALLBACKW64 Callback,
                                        PVOID UserContext);
DBGWALK_API BOOL SymRefreshModuleList(HANDLE hProcess);
DBGWALK_API DWORD64 SymGetModuleBase64(HANDLE hProcess, DWORD64 qwAddr);
DBGWALK_API PVOID SymFunctionTableAccess64(HANDLE hProcess, DWORD64 AddrBase);
DBGWALK_API BOOL SymFromAddr(HANDLE hProcess, DWORD64 Address, PDWORD64 Displacement,
                             PSYMBOL_INFO Symbol);
DBGWALK_API BOOL SymFromAddrW(HANDLE hProcess, DWORD64 Address, PDWORD64 Displacement,
                              PSYMBOL_INFOW Symbol);
DBGWALK_API BOOL SymGetSymFromAddr64(HANDLE hProcess, DWORD64 qwAddr, PDWORD64 pdwDisplacement,
                                     PIMAGEHLP_SYMBOL64 Symbol);
DBGWALK_API BOOL SymGetLineFromAddr64(HANDLE hProcess, DWORD64 qwAddr, PDWORD pdwDisplacement,
                                      PIMAGEHLP_LINE64 Line64);
/* Lines (src/sym/api_lines.c). */
DBGWALK_API BOOL SymGetLineFromAddrW64(HANDLE hProcess, DWORD64 qwAddr, PDWORD pdwDisplacement,
                                       PIMAGEHLP_LINEW64 Line);
DBGWALK_API BOOL SymGetLineNext64(HANDLE hProcess, PIMAGEHLP_LINE64 Line);
DBGWALK_API BOOL SymGetLinePrev64(HANDLE hProcess, PIMAGEHLP_LINE64 Line);
DBGWALK_API BOOL SymGetLineNextW64(HANDLE hProcess, PIMAGEHLP_LINEW64 Line);
DBGWALK_API BOOL SymGetLinePrevW64(HANDLE hProcess, PIMAGEHLP_LINEW64 Line);
DBGWALK_API BOOL SymEnumLines(HANDLE hProcess, ULONG64 Base, PCSTR Obj, PCSTR File,
                              PSYM_ENUMLINES_CALLBACK EnumLinesCallback, PVOID UserContext);
DBGWALK_API BOOL SymEnumLinesW(HANDLE hProcess, ULONG64 Base, PCWSTR Obj, PCWSTR File,
                               PSYM_ENUMLINES_CALLBACKW EnumLinesCallback, PVOID UserContext);
DBGWALK_API BOOL SymEnumSourceFiles(HANDLE hProcess, ULONG64 ModBase, PCSTR Mask,
                                    PSYM_ENUMSOURCEFILES_CALLBACK cbSrcFiles, PVOID UserContext);
DBGWALK_API BOOL SymEnumSourceFilesW(HANDLE hProcess, ULONG64 ModBase, PCWSTR Mask,
                                     PSYM_ENUMSOURCEFILES_CALLBACKW cbSrcFiles,
                                     PVOID UserContext);
DBGWALK_API BOOL SymGetLineFromName64(HANDLE hProcess, PCSTR ModuleName, PCSTR FileName,
                                      DWORD dwLineNumber, PLONG plDisplacement,
                                      PIMAGEHLP_LINE64 Line);
DBGWALK_API BOOL SymGetLineFromNameW64(HANDLE hProcess, PCWSTR ModuleName, PCWSTR FileName,
                                       DWORD dwLineNumber, PLONG plDisplacement,
                                       PIMAGEHLP_LINEW64 Line);
/* Names and enumeration (src/sym/api_enum.c). */
DBGWALK_API BOOL SymFromName(HANDLE hProcess, PCSTR Name, PSYMBOL_INFO Symbol);
DBGWALK_API BOOL SymFromNameW(HANDLE hProcess, PCWSTR Name, PSYMBOL_INFOW Symbol);
DBGWALK_API BOOL SymGetSymFromName64(HANDLE hProcess, PCSTR Name, PIMAGEHLP_SYMBOL64 Symbol);
DBGWALK_API BOOL SymEnumSymbols(HANDLE hProcess, ULONG64 BaseOfDll, PCSTR Mask,
                                PSYM_ENUMERATESYMBOLS_CALLBACK EnumSymbolsCallback,
                                PVOID UserContext);
DBGWALK_API BOOL SymEnumSymbolsW(HANDLE hProcess, ULONG64 BaseOfDll, PCWSTR Mask,
                                 PSYM_ENUMERATESYMBOLS_CALLBACKW EnumSymbolsCallback,
                                 PVOID UserContext);
DBGWALK_API BOOL SymEnumSym(HANDLE hProcess, ULONG64 BaseOfDll,
                            PSYM_ENUMERATESYMBOLS_CALLBACK EnumSymbolsCallback, PVOID UserContext);
DBGWALK_API BOOL SymEnumerateSymbols64(HANDLE hProcess, DWORD64 BaseOfDll,
                                       PSYM_ENUMSYMBOLS_CALLBACK64 EnumSymbolsCallback,
                                       PVOID UserContext);
DBGWALK_API BOOL SymEnumerateSymbolsW64(HANDLE hProcess, DWORD64 BaseOfDll,
                                        PSYM_ENUMSYMBOLS_CALLBACK64W EnumSymbolsCallback,
                                        PVOID UserContext);
/* The number of inline frames at Address (src/sym/api_inline.c). */
DBGWALK_API DWORD SymAddrIncludeInlineTrace(HANDLE hProcess, DWORD64 Address);
DBGWALK_API BOOL SymFromInlineContext(HANDLE hProcess, DWORD64 Address, ULONG InlineContext,
                                      PDWORD64 Displacement, PSYMBOL_INFO Symbol);
#endif

/* mingw-w64 does not declare this one (DbgHelp 6.2+). */
DBGWALK_API PVOID IMAGEAPI SymFunctionTableAccess64AccessRoutines(
    HANDLE hProcess, DWORD64 AddrBase, PREAD_PROCESS_MEMORY_ROUTINE64 ReadMemoryRoutine,
    PGET_MODULE_BASE_ROUTINE64 GetModuleBaseRoutine);

/* mingw-w64 does not declare these. */
DBGWALK_API BOOL IMAGEAPI StackWalkEx(DWORD MachineType, HANDLE hProcess, HANDLE hThread,
                                      LPSTACKFRAME_EX StackFrame, PVOID ContextRecord,
                                      PREAD_PROCESS_MEMORY_ROUTINE64 ReadMemoryRoutine,
                                      PFUNCTION_TABLE_ACCESS_ROUTINE64 FunctionTableAccessRoutine,
                                      PGET_MODULE_BASE_ROUTINE64 GetModuleBaseRoutine,
                                      PTRANSLATE_ADDRESS_ROUTINE64 TranslateAddress, DWORD Flags);

#ifndef SYMENUM_OPTIONS_DEFAULT
#define SYMENUM_OPTIONS_DEFAULT 0x00000001
#define SYMENUM_OPTIONS_INLINE 0x00000002
#endif
DBGWALK_API BOOL IMAGEAPI SymEnumSymbolsEx(HANDLE hProcess, ULONG64 BaseOfDll, PCSTR Mask,
                                           PSYM_ENUMERATESYMBOLS_CALLBACK EnumSymbolsCallback,
                                           PVOID UserContext, DWORD Options);
DBGWALK_API BOOL IMAGEAPI SymEnumSymbolsExW(HANDLE hProcess, ULONG64 BaseOfDll, PCWSTR Mask,
                                            PSYM_ENUMERATESYMBOLS_CALLBACKW EnumSymbolsCallback,
                                            PVOID UserContext, DWORD Options);

DBGWALK_API BOOL IMAGEAPI StackWalk2(DWORD MachineType, HANDLE hProcess, HANDLE hThread,
                                     LPSTACKFRAME_EX StackFrame, PVOID ContextRecord,
                                     PREAD_PROCESS_MEMORY_ROUTINE64 ReadMemoryRoutine,
                                     PFUNCTION_TABLE_ACCESS_ROUTINE64 FunctionTableAccessRoutine,
                                     PGET_MODULE_BASE_ROUTINE64 GetModuleBaseRoutine,
                                     PTRANSLATE_ADDRESS_ROUTINE64 TranslateAddress,
                                     PGET_TARGET_ATTRIBUTE_VALUE64 GetTargetAttributeValue,
                                     DWORD Flags);

/* The inline-context functions (DbgHelp 6.2+; src/sym/api_inline.c). */
#ifndef SYM_INLINE_COMP_ERROR
#define SYM_INLINE_COMP_ERROR 0
#define SYM_INLINE_COMP_IDENTICAL 1
#define SYM_INLINE_COMP_STEPIN 2
#define SYM_INLINE_COMP_STEPOUT 3
#define SYM_INLINE_COMP_STEPOVER 4
#define SYM_INLINE_COMP_DIFFERENT 5
#endif
#ifndef STACK_FRAME_TYPE_INLINE
#define STACK_FRAME_TYPE_INIT 0x00
#define STACK_FRAME_TYPE_STACK 0x01
#define STACK_FRAME_TYPE_INLINE 0x02
#endif
#ifdef _WIN32
DBGWALK_API DWORD IMAGEAPI SymAddrIncludeInlineTrace(HANDLE hProcess, DWORD64 Address);
DBGWALK_API BOOL IMAGEAPI SymFromInlineContext(HANDLE hProcess, DWORD64 Address,
                                               ULONG InlineContext, PDWORD64 Displacement,
                                               PSYMBOL_INFO Symbol);
#endif
DBGWALK_API BOOL IMAGEAPI SymFromInlineContextW(HANDLE hProcess, DWORD64 Address,
                                                ULONG InlineContext, PDWORD64 Displacement,
                                                PSYMBOL_INFOW Symbol);
DBGWALK_API BOOL IMAGEAPI SymGetLineFromInlineContext(HANDLE hProcess, DWORD64 qwAddr,
                                                      ULONG InlineContext,
                                                      DWORD64 qwModuleBaseAddress,
                                                      PDWORD pdwDisplacement,
                                                      PIMAGEHLP_LINE64 Line64);
DBGWALK_API BOOL IMAGEAPI SymGetLineFromInlineContextW(HANDLE hProcess, DWORD64 dwAddr,
                                                       ULONG InlineContext,
                                                       DWORD64 qwModuleBaseAddress,
                                                       PDWORD pdwDisplacement,
                                                       PIMAGEHLP_LINEW64 Line);
DBGWALK_API BOOL IMAGEAPI SymQueryInlineTrace(HANDLE hProcess, DWORD64 StartAddress,
                                              DWORD StartContext, DWORD64 StartRetAddress,
                                              DWORD64 CurAddress, LPDWORD CurContext,
                                              LPDWORD CurFrameIndex);
DBGWALK_API DWORD IMAGEAPI SymCompareInlineTrace(HANDLE hProcess, DWORD64 Address1,
                                                 DWORD InlineContext1, DWORD64 RetAddress1,
                                                 DWORD64 Address2, DWORD64 RetAddress2);
DBGWALK_API BOOL IMAGEAPI SymSetScopeFromInlineContext(HANDLE hProcess, ULONG64 Address,
                                                       ULONG InlineContext);

#ifndef _WIN32
/* ---- dbgwalk's own extension (libdbghelp.so only; dbghelp.dll keeps
 * DbgHelp's exports exactly) ----
 * Why the last StackWalk* call on this thread ended the walk: StackWalk64
 * only says FALSE, and its last error stays DbgHelp's. A crash processor
 * (tools/dumpwalk) reports this instead of guessing. *Name (if Name is not
 * NULL) gets a short English description. DBGWALK_END_NONE: the last call
 * returned a frame, or no walk ran on this thread. */
#define DBGWALK_END_NONE 0                   /* not ended */
#define DBGWALK_END_NO_CALLER 1              /* the unwind rules end the walk here */
#define DBGWALK_END_LEAF_REFUSED 2           /* no function entry, and the leaf rule gives no caller */
#define DBGWALK_END_UNWIND_DATA_UNREADABLE 3 /* the unwind data (or code it needs) is unreadable */
#define DBGWALK_END_UNWIND_DATA_MALFORMED 4  /* the unwind data is malformed */
#define DBGWALK_END_STACK_UNREADABLE 5       /* a saved register or return address is unreadable */
#define DBGWALK_END_NO_MODULE_BASE 6         /* a function entry without a module base */
#define DBGWALK_END_PC_ZERO 7                /* the caller's PC is 0 */
#define DBGWALK_END_NO_PROGRESS 8            /* the stack pointer did not rise */
#define DBGWALK_END_FRAME_CAP 9              /* the walk reached its frame cap */
#define DBGWALK_END_BAD_ARGUMENT 10          /* the call's arguments could not start a walk */
DBGWALK_API DWORD DbgWalkLastEndReason(const char **Name);
#endif

#ifdef __cplusplus
}
#endif

#include "dbgwalk/surface.h"
#include "dbgwalk/files.h"

#endif /* DBGWALK_H */
