/*
 * tests/abi/layout.c — the ABI of every DbgHelp type dbgwalk.h names, as an
 * object file's symbol table.
 *
 * Compiled with -c -fcommon (never linked, never run) against mingw-w64's
 * headers (via <dbgwalk.h>, which pulls <windows.h>/<dbghelp.h>) and against
 * our Linux header. Every fact becomes the size of a common symbol, which
 * `nm -P` prints for ELF and COFF objects alike:
 *
 *   <g>_size__T            sizeof(T)
 *   <g>_align__T           _Alignof(T)
 *   <g>_off__T__f          offsetof(T, f) + 1          (+1: no zero-size arrays)
 *   <g>_fsize__T__f        sizeof(((T *)0)->f)
 *   <g>_const__N__wK       16-bit chunk K of (unsigned long long)N, + 1
 *
 * <g> groups the facts by which targets have them:
 *   abi        every target (x86_64 and i686, mingw-w64 and Linux)
 *   abi64      the x64 CONTEXT family: a 64-bit Windows target, or any Linux
 *              target (whose CONTEXT is always the x64 layout)
 *   abiplain   the plain 32-bit names ADDRESS/KDHELP/STACKFRAME: i386 only
 *              (a 64-bit Windows header maps them to the 64-bit structures)
 *
 * Bitfields have no offsetof; their placement is recorded instead as
 * initialised objects (a name and the raw bytes of the structure with one
 * field set) in the section "abibits", read back with objcopy.
 *
 * check-layout.sh turns all of it into a table and diffs the tables.
 */
#include <dbgwalk.h>

#include <stddef.h>

#if defined(_WIN32) && !defined(DBGWALK_HAVE_ARM64_NT_CONTEXT) &&                                 \
    __MINGW64_VERSION_MAJOR <= 10 && !defined(__aarch64__)
/* dbgwalk.h supplied ARM64_NT_CONTEXT itself: the script then relies on the
 * documented table for an independent reference. */
char abimeta_arm64_ctx_from_dbgwalk[1];
#endif

#define ABI_SIZE(g, T)                                                                            \
    char g##_size__##T[sizeof(T)];                                                                \
    char g##_align__##T[_Alignof(T)];

#define ABI_FIELD(g, T, f)                                                                        \
    char g##_off__##T##__##f[offsetof(T, f) + 1];                                                 \
    char g##_fsize__##T##__##f[sizeof(((T *)0)->f)];

#define ABI_CHUNK(v, k) ((((unsigned long long)(v)) >> (16 * (k))) & 0xFFFFu)
#define ABI_CONST(g, N)                                                                           \
    char g##_const__##N##__w0[ABI_CHUNK(N, 0) + 1];                                               \
    char g##_const__##N##__w1[ABI_CHUNK(N, 1) + 1];                                               \
    char g##_const__##N##__w2[ABI_CHUNK(N, 2) + 1];                                               \
    char g##_const__##N##__w3[ABI_CHUNK(N, 3) + 1];

/* ------------------------------------------------------------------ */
/* Scalar types                                                        */
/* ------------------------------------------------------------------ */
ABI_SIZE(abi, BYTE)
ABI_SIZE(abi, BOOLEAN)
ABI_SIZE(abi, CHAR)
ABI_SIZE(abi, WCHAR)
ABI_SIZE(abi, WORD)
ABI_SIZE(abi, USHORT)
ABI_SIZE(abi, DWORD)
ABI_SIZE(abi, ULONG)
ABI_SIZE(abi, LONG)
ABI_SIZE(abi, UINT)
ABI_SIZE(abi, INT)
ABI_SIZE(abi, BOOL)
ABI_SIZE(abi, DWORD64)
ABI_SIZE(abi, ULONG64)
ABI_SIZE(abi, ULONGLONG)
ABI_SIZE(abi, LONG64)
ABI_SIZE(abi, LONGLONG)
ABI_SIZE(abi, PVOID)
ABI_SIZE(abi, HANDLE)
ABI_SIZE(abi, ADDRESS_MODE)

/* ------------------------------------------------------------------ */
/* ADDRESS64 / KDHELP64 / STACKFRAME64 / STACKFRAME_EX                 */
/* ------------------------------------------------------------------ */
ABI_SIZE(abi, ADDRESS64)
ABI_FIELD(abi, ADDRESS64, Offset)
ABI_FIELD(abi, ADDRESS64, Segment)
ABI_FIELD(abi, ADDRESS64, Mode)

ABI_SIZE(abi, KDHELP64)
ABI_FIELD(abi, KDHELP64, Thread)
ABI_FIELD(abi, KDHELP64, ThCallbackStack)
ABI_FIELD(abi, KDHELP64, ThCallbackBStore)
ABI_FIELD(abi, KDHELP64, NextCallback)
ABI_FIELD(abi, KDHELP64, FramePointer)
ABI_FIELD(abi, KDHELP64, KiCallUserMode)
ABI_FIELD(abi, KDHELP64, KeUserCallbackDispatcher)
ABI_FIELD(abi, KDHELP64, SystemRangeStart)
ABI_FIELD(abi, KDHELP64, KiUserExceptionDispatcher)
ABI_FIELD(abi, KDHELP64, StackBase)
ABI_FIELD(abi, KDHELP64, StackLimit)
ABI_FIELD(abi, KDHELP64, BuildVersion)
ABI_FIELD(abi, KDHELP64, RetpolineStubFunctionTableSize)
ABI_FIELD(abi, KDHELP64, RetpolineStubFunctionTable)
ABI_FIELD(abi, KDHELP64, RetpolineStubOffset)
ABI_FIELD(abi, KDHELP64, RetpolineStubSize)
ABI_FIELD(abi, KDHELP64, Reserved0)

#define STACKFRAME64_FIELDS(g, T)                                                                 \
    ABI_FIELD(g, T, AddrPC)                                                                           \
    ABI_FIELD(g, T, AddrReturn)                                                                       \
    ABI_FIELD(g, T, AddrFrame)                                                                        \
    ABI_FIELD(g, T, AddrStack)                                                                        \
    ABI_FIELD(g, T, AddrBStore)                                                                       \
    ABI_FIELD(g, T, FuncTableEntry)                                                                   \
    ABI_FIELD(g, T, Params)                                                                           \
    ABI_FIELD(g, T, Far)                                                                              \
    ABI_FIELD(g, T, Virtual)                                                                          \
    ABI_FIELD(g, T, Reserved)                                                                         \
    ABI_FIELD(g, T, KdHelp)

ABI_SIZE(abi, STACKFRAME64)
STACKFRAME64_FIELDS(abi, STACKFRAME64)

ABI_SIZE(abi, STACKFRAME_EX)
STACKFRAME64_FIELDS(abi, STACKFRAME_EX)
ABI_FIELD(abi, STACKFRAME_EX, StackFrameSize)
ABI_FIELD(abi, STACKFRAME_EX, InlineFrameContext)

/* ------------------------------------------------------------------ */
/* The 32-bit structures under their explicit names (every host)       */
/* ------------------------------------------------------------------ */
#define ADDRESS32_FIELDS(g, T)                                                                    \
    ABI_FIELD(g, T, Offset)                                                                           \
    ABI_FIELD(g, T, Segment)                                                                          \
    ABI_FIELD(g, T, Mode)

#define KDHELP32_FIELDS(g, T)                                                                     \
    ABI_FIELD(g, T, Thread)                                                                           \
    ABI_FIELD(g, T, ThCallbackStack)                                                                  \
    ABI_FIELD(g, T, NextCallback)                                                                     \
    ABI_FIELD(g, T, FramePointer)                                                                     \
    ABI_FIELD(g, T, KiCallUserMode)                                                                   \
    ABI_FIELD(g, T, KeUserCallbackDispatcher)                                                         \
    ABI_FIELD(g, T, SystemRangeStart)                                                                 \
    ABI_FIELD(g, T, ThCallbackBStore)                                                                 \
    ABI_FIELD(g, T, KiUserExceptionDispatcher)                                                        \
    ABI_FIELD(g, T, StackBase)                                                                        \
    ABI_FIELD(g, T, StackLimit)                                                                       \
    ABI_FIELD(g, T, Reserved)

#define STACKFRAME32_FIELDS(g, T)                                                                 \
    ABI_FIELD(g, T, AddrPC)                                                                           \
    ABI_FIELD(g, T, AddrReturn)                                                                       \
    ABI_FIELD(g, T, AddrFrame)                                                                        \
    ABI_FIELD(g, T, AddrStack)                                                                        \
    ABI_FIELD(g, T, FuncTableEntry)                                                                   \
    ABI_FIELD(g, T, Params)                                                                           \
    ABI_FIELD(g, T, Far)                                                                              \
    ABI_FIELD(g, T, Virtual)                                                                          \
    ABI_FIELD(g, T, Reserved)                                                                         \
    ABI_FIELD(g, T, KdHelp)                                                                           \
    ABI_FIELD(g, T, AddrBStore)

ABI_SIZE(abi, ADDRESS32)
ADDRESS32_FIELDS(abi, ADDRESS32)
ABI_SIZE(abi, KDHELP32)
KDHELP32_FIELDS(abi, KDHELP32)
ABI_SIZE(abi, STACKFRAME32)
STACKFRAME32_FIELDS(abi, STACKFRAME32)

/* The plain names are the 32-bit structures only on i386 (on a 64-bit
 * Windows target <dbghelp.h> #defines them to the 64-bit ones). */
#if defined(__i386__)
ABI_SIZE(abiplain, ADDRESS)
ADDRESS32_FIELDS(abiplain, ADDRESS)
ABI_SIZE(abiplain, KDHELP)
KDHELP32_FIELDS(abiplain, KDHELP)
ABI_SIZE(abiplain, STACKFRAME)
STACKFRAME32_FIELDS(abiplain, STACKFRAME)
#endif

ABI_SIZE(abi, API_VERSION)
ABI_FIELD(abi, API_VERSION, MajorVersion)
ABI_FIELD(abi, API_VERSION, MinorVersion)
ABI_FIELD(abi, API_VERSION, Revision)
ABI_FIELD(abi, API_VERSION, Reserved)

/* ------------------------------------------------------------------ */
/* Function-table entries and FPO_DATA                                 */
/* ------------------------------------------------------------------ */
ABI_SIZE(abi, IMAGE_RUNTIME_FUNCTION_ENTRY)
ABI_FIELD(abi, IMAGE_RUNTIME_FUNCTION_ENTRY, BeginAddress)
ABI_FIELD(abi, IMAGE_RUNTIME_FUNCTION_ENTRY, EndAddress)
ABI_FIELD(abi, IMAGE_RUNTIME_FUNCTION_ENTRY, UnwindInfoAddress)
ABI_FIELD(abi, IMAGE_RUNTIME_FUNCTION_ENTRY, UnwindData)

ABI_SIZE(abi, IMAGE_ARM64_RUNTIME_FUNCTION_ENTRY)
ABI_FIELD(abi, IMAGE_ARM64_RUNTIME_FUNCTION_ENTRY, BeginAddress)
ABI_FIELD(abi, IMAGE_ARM64_RUNTIME_FUNCTION_ENTRY, UnwindData)

ABI_SIZE(abi, FPO_DATA)
ABI_FIELD(abi, FPO_DATA, ulOffStart)
ABI_FIELD(abi, FPO_DATA, cbProcSize)
ABI_FIELD(abi, FPO_DATA, cdwLocals)
ABI_FIELD(abi, FPO_DATA, cdwParams)

/* ------------------------------------------------------------------ */
/* x86 context (WOW64_CONTEXT) — every target                          */
/* ------------------------------------------------------------------ */
ABI_SIZE(abi, M128A)
ABI_FIELD(abi, M128A, Low)
ABI_FIELD(abi, M128A, High)

ABI_SIZE(abi, WOW64_FLOATING_SAVE_AREA)
ABI_FIELD(abi, WOW64_FLOATING_SAVE_AREA, ControlWord)
ABI_FIELD(abi, WOW64_FLOATING_SAVE_AREA, StatusWord)
ABI_FIELD(abi, WOW64_FLOATING_SAVE_AREA, TagWord)
ABI_FIELD(abi, WOW64_FLOATING_SAVE_AREA, ErrorOffset)
ABI_FIELD(abi, WOW64_FLOATING_SAVE_AREA, ErrorSelector)
ABI_FIELD(abi, WOW64_FLOATING_SAVE_AREA, DataOffset)
ABI_FIELD(abi, WOW64_FLOATING_SAVE_AREA, DataSelector)
ABI_FIELD(abi, WOW64_FLOATING_SAVE_AREA, RegisterArea)
ABI_FIELD(abi, WOW64_FLOATING_SAVE_AREA, Cr0NpxState)

ABI_SIZE(abi, WOW64_CONTEXT)
ABI_FIELD(abi, WOW64_CONTEXT, ContextFlags)
ABI_FIELD(abi, WOW64_CONTEXT, Dr0)
ABI_FIELD(abi, WOW64_CONTEXT, Dr1)
ABI_FIELD(abi, WOW64_CONTEXT, Dr2)
ABI_FIELD(abi, WOW64_CONTEXT, Dr3)
ABI_FIELD(abi, WOW64_CONTEXT, Dr6)
ABI_FIELD(abi, WOW64_CONTEXT, Dr7)
ABI_FIELD(abi, WOW64_CONTEXT, FloatSave)
ABI_FIELD(abi, WOW64_CONTEXT, SegGs)
ABI_FIELD(abi, WOW64_CONTEXT, SegFs)
ABI_FIELD(abi, WOW64_CONTEXT, SegEs)
ABI_FIELD(abi, WOW64_CONTEXT, SegDs)
ABI_FIELD(abi, WOW64_CONTEXT, Edi)
ABI_FIELD(abi, WOW64_CONTEXT, Esi)
ABI_FIELD(abi, WOW64_CONTEXT, Ebx)
ABI_FIELD(abi, WOW64_CONTEXT, Edx)
ABI_FIELD(abi, WOW64_CONTEXT, Ecx)
ABI_FIELD(abi, WOW64_CONTEXT, Eax)
ABI_FIELD(abi, WOW64_CONTEXT, Ebp)
ABI_FIELD(abi, WOW64_CONTEXT, Eip)
ABI_FIELD(abi, WOW64_CONTEXT, SegCs)
ABI_FIELD(abi, WOW64_CONTEXT, EFlags)
ABI_FIELD(abi, WOW64_CONTEXT, Esp)
ABI_FIELD(abi, WOW64_CONTEXT, SegSs)
ABI_FIELD(abi, WOW64_CONTEXT, ExtendedRegisters)

/* ------------------------------------------------------------------ */
/* ARM64_NT_CONTEXT — every target                                     */
/* ------------------------------------------------------------------ */
ABI_SIZE(abi, ARM64_NT_NEON128)
ABI_FIELD(abi, ARM64_NT_NEON128, Low)
ABI_FIELD(abi, ARM64_NT_NEON128, High)
ABI_FIELD(abi, ARM64_NT_NEON128, D)
ABI_FIELD(abi, ARM64_NT_NEON128, S)
ABI_FIELD(abi, ARM64_NT_NEON128, H)
ABI_FIELD(abi, ARM64_NT_NEON128, B)

ABI_SIZE(abi, ARM64_NT_CONTEXT)
ABI_FIELD(abi, ARM64_NT_CONTEXT, ContextFlags)
ABI_FIELD(abi, ARM64_NT_CONTEXT, Cpsr)
ABI_FIELD(abi, ARM64_NT_CONTEXT, X0)
ABI_FIELD(abi, ARM64_NT_CONTEXT, X1)
ABI_FIELD(abi, ARM64_NT_CONTEXT, X2)
ABI_FIELD(abi, ARM64_NT_CONTEXT, X3)
ABI_FIELD(abi, ARM64_NT_CONTEXT, X4)
ABI_FIELD(abi, ARM64_NT_CONTEXT, X5)
ABI_FIELD(abi, ARM64_NT_CONTEXT, X6)
ABI_FIELD(abi, ARM64_NT_CONTEXT, X7)
ABI_FIELD(abi, ARM64_NT_CONTEXT, X8)
ABI_FIELD(abi, ARM64_NT_CONTEXT, X9)
ABI_FIELD(abi, ARM64_NT_CONTEXT, X10)
ABI_FIELD(abi, ARM64_NT_CONTEXT, X11)
ABI_FIELD(abi, ARM64_NT_CONTEXT, X12)
ABI_FIELD(abi, ARM64_NT_CONTEXT, X13)
ABI_FIELD(abi, ARM64_NT_CONTEXT, X14)
ABI_FIELD(abi, ARM64_NT_CONTEXT, X15)
ABI_FIELD(abi, ARM64_NT_CONTEXT, X16)
ABI_FIELD(abi, ARM64_NT_CONTEXT, X17)
ABI_FIELD(abi, ARM64_NT_CONTEXT, X18)
ABI_FIELD(abi, ARM64_NT_CONTEXT, X19)
ABI_FIELD(abi, ARM64_NT_CONTEXT, X20)
ABI_FIELD(abi, ARM64_NT_CONTEXT, X21)
ABI_FIELD(abi, ARM64_NT_CONTEXT, X22)
ABI_FIELD(abi, ARM64_NT_CONTEXT, X23)
ABI_FIELD(abi, ARM64_NT_CONTEXT, X24)
ABI_FIELD(abi, ARM64_NT_CONTEXT, X25)
ABI_FIELD(abi, ARM64_NT_CONTEXT, X26)
ABI_FIELD(abi, ARM64_NT_CONTEXT, X27)
ABI_FIELD(abi, ARM64_NT_CONTEXT, X28)
ABI_FIELD(abi, ARM64_NT_CONTEXT, Fp)
ABI_FIELD(abi, ARM64_NT_CONTEXT, Lr)
ABI_FIELD(abi, ARM64_NT_CONTEXT, X)
ABI_FIELD(abi, ARM64_NT_CONTEXT, Sp)
ABI_FIELD(abi, ARM64_NT_CONTEXT, Pc)
ABI_FIELD(abi, ARM64_NT_CONTEXT, V)
ABI_FIELD(abi, ARM64_NT_CONTEXT, Fpcr)
ABI_FIELD(abi, ARM64_NT_CONTEXT, Fpsr)
ABI_FIELD(abi, ARM64_NT_CONTEXT, Bcr)
ABI_FIELD(abi, ARM64_NT_CONTEXT, Bvr)
ABI_FIELD(abi, ARM64_NT_CONTEXT, Wcr)
ABI_FIELD(abi, ARM64_NT_CONTEXT, Wvr)

/* ------------------------------------------------------------------ */
/* x64 CONTEXT — 64-bit Windows targets and every Linux target         */
/* ------------------------------------------------------------------ */
#if !defined(_WIN32) || defined(_WIN64)
ABI_SIZE(abi64, XMM_SAVE_AREA32)
ABI_FIELD(abi64, XMM_SAVE_AREA32, ControlWord)
ABI_FIELD(abi64, XMM_SAVE_AREA32, StatusWord)
ABI_FIELD(abi64, XMM_SAVE_AREA32, TagWord)
ABI_FIELD(abi64, XMM_SAVE_AREA32, Reserved1)
ABI_FIELD(abi64, XMM_SAVE_AREA32, ErrorOpcode)
ABI_FIELD(abi64, XMM_SAVE_AREA32, ErrorOffset)
ABI_FIELD(abi64, XMM_SAVE_AREA32, ErrorSelector)
ABI_FIELD(abi64, XMM_SAVE_AREA32, Reserved2)
ABI_FIELD(abi64, XMM_SAVE_AREA32, DataOffset)
ABI_FIELD(abi64, XMM_SAVE_AREA32, DataSelector)
ABI_FIELD(abi64, XMM_SAVE_AREA32, Reserved3)
ABI_FIELD(abi64, XMM_SAVE_AREA32, MxCsr)
ABI_FIELD(abi64, XMM_SAVE_AREA32, MxCsr_Mask)
ABI_FIELD(abi64, XMM_SAVE_AREA32, FloatRegisters)
ABI_FIELD(abi64, XMM_SAVE_AREA32, XmmRegisters)
ABI_FIELD(abi64, XMM_SAVE_AREA32, Reserved4)

ABI_SIZE(abi64, CONTEXT)
ABI_FIELD(abi64, CONTEXT, P1Home)
ABI_FIELD(abi64, CONTEXT, P2Home)
ABI_FIELD(abi64, CONTEXT, P3Home)
ABI_FIELD(abi64, CONTEXT, P4Home)
ABI_FIELD(abi64, CONTEXT, P5Home)
ABI_FIELD(abi64, CONTEXT, P6Home)
ABI_FIELD(abi64, CONTEXT, ContextFlags)
ABI_FIELD(abi64, CONTEXT, MxCsr)
ABI_FIELD(abi64, CONTEXT, SegCs)
ABI_FIELD(abi64, CONTEXT, SegDs)
ABI_FIELD(abi64, CONTEXT, SegEs)
ABI_FIELD(abi64, CONTEXT, SegFs)
ABI_FIELD(abi64, CONTEXT, SegGs)
ABI_FIELD(abi64, CONTEXT, SegSs)
ABI_FIELD(abi64, CONTEXT, EFlags)
ABI_FIELD(abi64, CONTEXT, Dr0)
ABI_FIELD(abi64, CONTEXT, Dr1)
ABI_FIELD(abi64, CONTEXT, Dr2)
ABI_FIELD(abi64, CONTEXT, Dr3)
ABI_FIELD(abi64, CONTEXT, Dr6)
ABI_FIELD(abi64, CONTEXT, Dr7)
ABI_FIELD(abi64, CONTEXT, Rax)
ABI_FIELD(abi64, CONTEXT, Rcx)
ABI_FIELD(abi64, CONTEXT, Rdx)
ABI_FIELD(abi64, CONTEXT, Rbx)
ABI_FIELD(abi64, CONTEXT, Rsp)
ABI_FIELD(abi64, CONTEXT, Rbp)
ABI_FIELD(abi64, CONTEXT, Rsi)
ABI_FIELD(abi64, CONTEXT, Rdi)
ABI_FIELD(abi64, CONTEXT, R8)
ABI_FIELD(abi64, CONTEXT, R9)
ABI_FIELD(abi64, CONTEXT, R10)
ABI_FIELD(abi64, CONTEXT, R11)
ABI_FIELD(abi64, CONTEXT, R12)
ABI_FIELD(abi64, CONTEXT, R13)
ABI_FIELD(abi64, CONTEXT, R14)
ABI_FIELD(abi64, CONTEXT, R15)
ABI_FIELD(abi64, CONTEXT, Rip)
ABI_FIELD(abi64, CONTEXT, FltSave)
ABI_FIELD(abi64, CONTEXT, FloatSave)
ABI_FIELD(abi64, CONTEXT, Header)
ABI_FIELD(abi64, CONTEXT, Legacy)
ABI_FIELD(abi64, CONTEXT, Xmm0)
ABI_FIELD(abi64, CONTEXT, Xmm1)
ABI_FIELD(abi64, CONTEXT, Xmm2)
ABI_FIELD(abi64, CONTEXT, Xmm3)
ABI_FIELD(abi64, CONTEXT, Xmm4)
ABI_FIELD(abi64, CONTEXT, Xmm5)
ABI_FIELD(abi64, CONTEXT, Xmm6)
ABI_FIELD(abi64, CONTEXT, Xmm7)
ABI_FIELD(abi64, CONTEXT, Xmm8)
ABI_FIELD(abi64, CONTEXT, Xmm9)
ABI_FIELD(abi64, CONTEXT, Xmm10)
ABI_FIELD(abi64, CONTEXT, Xmm11)
ABI_FIELD(abi64, CONTEXT, Xmm12)
ABI_FIELD(abi64, CONTEXT, Xmm13)
ABI_FIELD(abi64, CONTEXT, Xmm14)
ABI_FIELD(abi64, CONTEXT, Xmm15)
ABI_FIELD(abi64, CONTEXT, VectorRegister)
ABI_FIELD(abi64, CONTEXT, VectorControl)
ABI_FIELD(abi64, CONTEXT, DebugControl)
ABI_FIELD(abi64, CONTEXT, LastBranchToRip)
ABI_FIELD(abi64, CONTEXT, LastBranchFromRip)
ABI_FIELD(abi64, CONTEXT, LastExceptionToRip)
ABI_FIELD(abi64, CONTEXT, LastExceptionFromRip)

ABI_CONST(abi64, CONTEXT_AMD64)
ABI_CONST(abi64, CONTEXT_CONTROL)
ABI_CONST(abi64, CONTEXT_INTEGER)
ABI_CONST(abi64, CONTEXT_SEGMENTS)
ABI_CONST(abi64, CONTEXT_FLOATING_POINT)
ABI_CONST(abi64, CONTEXT_DEBUG_REGISTERS)
ABI_CONST(abi64, CONTEXT_FULL)
ABI_CONST(abi64, CONTEXT_ALL)
#endif

/* ------------------------------------------------------------------ */
/* Constants. A name one header lacks shows up as a missing row.       */
/* ------------------------------------------------------------------ */
#ifdef IMAGE_FILE_MACHINE_UNKNOWN
ABI_CONST(abi, IMAGE_FILE_MACHINE_UNKNOWN)
#endif
#ifdef IMAGE_FILE_MACHINE_TARGET_HOST
ABI_CONST(abi, IMAGE_FILE_MACHINE_TARGET_HOST)
#endif
#ifdef IMAGE_FILE_MACHINE_I386
ABI_CONST(abi, IMAGE_FILE_MACHINE_I386)
#endif
#ifdef IMAGE_FILE_MACHINE_ARM
ABI_CONST(abi, IMAGE_FILE_MACHINE_ARM)
#endif
#ifdef IMAGE_FILE_MACHINE_THUMB
ABI_CONST(abi, IMAGE_FILE_MACHINE_THUMB)
#endif
#ifdef IMAGE_FILE_MACHINE_ARMNT
ABI_CONST(abi, IMAGE_FILE_MACHINE_ARMNT)
#endif
#ifdef IMAGE_FILE_MACHINE_IA64
ABI_CONST(abi, IMAGE_FILE_MACHINE_IA64)
#endif
#ifdef IMAGE_FILE_MACHINE_AMD64
ABI_CONST(abi, IMAGE_FILE_MACHINE_AMD64)
#endif
#ifdef IMAGE_FILE_MACHINE_ARM64
ABI_CONST(abi, IMAGE_FILE_MACHINE_ARM64)
#endif
#ifdef IMAGE_FILE_MACHINE_ARM64EC
ABI_CONST(abi, IMAGE_FILE_MACHINE_ARM64EC)
#endif
#ifdef IMAGE_FILE_MACHINE_ARM64X
ABI_CONST(abi, IMAGE_FILE_MACHINE_ARM64X)
#endif
#ifdef IMAGE_FILE_MACHINE_CHPE_X86
ABI_CONST(abi, IMAGE_FILE_MACHINE_CHPE_X86)
#endif

/* enumerators: always present */
ABI_CONST(abi, AddrMode1616)
ABI_CONST(abi, AddrMode1632)
ABI_CONST(abi, AddrModeReal)
ABI_CONST(abi, AddrModeFlat)

#ifdef SYM_STKWALK_DEFAULT
ABI_CONST(abi, SYM_STKWALK_DEFAULT)
#endif
#ifdef SYM_STKWALK_FORCE_FRAMEPTR
ABI_CONST(abi, SYM_STKWALK_FORCE_FRAMEPTR)
#endif
#ifdef SYM_STKWALK_ZEROEXTEND_PTRS
ABI_CONST(abi, SYM_STKWALK_ZEROEXTEND_PTRS)
#endif
#ifdef INLINE_FRAME_CONTEXT_INIT
ABI_CONST(abi, INLINE_FRAME_CONTEXT_INIT)
#endif
#ifdef INLINE_FRAME_CONTEXT_IGNORE
ABI_CONST(abi, INLINE_FRAME_CONTEXT_IGNORE)
#endif
#ifdef TARGET_ATTRIBUTE_PACMASK
ABI_CONST(abi, TARGET_ATTRIBUTE_PACMASK)
#endif
#ifdef TARGET_ATTRIBUTE_PACMASK_LIVETARGET
ABI_CONST(abi, TARGET_ATTRIBUTE_PACMASK_LIVETARGET)
#endif
#ifdef API_VERSION_NUMBER
ABI_CONST(abi, API_VERSION_NUMBER)
#endif

#ifdef ERROR_SUCCESS
ABI_CONST(abi, ERROR_SUCCESS)
#endif
#ifdef ERROR_INVALID_FUNCTION
ABI_CONST(abi, ERROR_INVALID_FUNCTION)
#endif
#ifdef ERROR_NOT_ENOUGH_MEMORY
ABI_CONST(abi, ERROR_NOT_ENOUGH_MEMORY)
#endif
#ifdef ERROR_INVALID_DATA
ABI_CONST(abi, ERROR_INVALID_DATA)
#endif
#ifdef ERROR_NOT_SUPPORTED
ABI_CONST(abi, ERROR_NOT_SUPPORTED)
#endif
#ifdef ERROR_INVALID_PARAMETER
ABI_CONST(abi, ERROR_INVALID_PARAMETER)
#endif
#ifdef ERROR_CALL_NOT_IMPLEMENTED
ABI_CONST(abi, ERROR_CALL_NOT_IMPLEMENTED)
#endif
#ifdef ERROR_INSUFFICIENT_BUFFER
ABI_CONST(abi, ERROR_INSUFFICIENT_BUFFER)
#endif
#ifdef ERROR_MOD_NOT_FOUND
ABI_CONST(abi, ERROR_MOD_NOT_FOUND)
#endif
#ifdef ERROR_PARTIAL_COPY
ABI_CONST(abi, ERROR_PARTIAL_COPY)
#endif
#ifdef ERROR_INVALID_ADDRESS
ABI_CONST(abi, ERROR_INVALID_ADDRESS)
#endif
#ifdef ERROR_NOACCESS
ABI_CONST(abi, ERROR_NOACCESS)
#endif

#ifdef FRAME_FPO
ABI_CONST(abi, FRAME_FPO)
#endif
#ifdef FRAME_TRAP
ABI_CONST(abi, FRAME_TRAP)
#endif
#ifdef FRAME_TSS
ABI_CONST(abi, FRAME_TSS)
#endif
#ifdef FRAME_NONFPO
ABI_CONST(abi, FRAME_NONFPO)
#endif
#ifdef SIZEOF_RFPO_DATA
ABI_CONST(abi, SIZEOF_RFPO_DATA)
#endif

#ifdef CONTEXT_UNWOUND_TO_CALL
ABI_CONST(abi, CONTEXT_UNWOUND_TO_CALL)
#endif
#ifdef WOW64_CONTEXT_i386
ABI_CONST(abi, WOW64_CONTEXT_i386)
#endif
#ifdef WOW64_CONTEXT_CONTROL
ABI_CONST(abi, WOW64_CONTEXT_CONTROL)
#endif
#ifdef WOW64_CONTEXT_INTEGER
ABI_CONST(abi, WOW64_CONTEXT_INTEGER)
#endif
#ifdef WOW64_CONTEXT_SEGMENTS
ABI_CONST(abi, WOW64_CONTEXT_SEGMENTS)
#endif
#ifdef WOW64_CONTEXT_FULL
ABI_CONST(abi, WOW64_CONTEXT_FULL)
#endif
#ifdef WOW64_SIZE_OF_80387_REGISTERS
ABI_CONST(abi, WOW64_SIZE_OF_80387_REGISTERS)
#endif
#ifdef WOW64_MAXIMUM_SUPPORTED_EXTENSION
ABI_CONST(abi, WOW64_MAXIMUM_SUPPORTED_EXTENSION)
#endif

#ifdef ARM64_MAX_BREAKPOINTS
ABI_CONST(abi, ARM64_MAX_BREAKPOINTS)
#endif
#ifdef ARM64_MAX_WATCHPOINTS
ABI_CONST(abi, ARM64_MAX_WATCHPOINTS)
#endif
#ifdef CONTEXT_ARM64
ABI_CONST(abi, CONTEXT_ARM64)
#endif
#ifdef CONTEXT_ARM64_CONTROL
ABI_CONST(abi, CONTEXT_ARM64_CONTROL)
#endif
#ifdef CONTEXT_ARM64_INTEGER
ABI_CONST(abi, CONTEXT_ARM64_INTEGER)
#endif
#ifdef CONTEXT_ARM64_FLOATING_POINT
ABI_CONST(abi, CONTEXT_ARM64_FLOATING_POINT)
#endif
#ifdef CONTEXT_ARM64_DEBUG_REGISTERS
ABI_CONST(abi, CONTEXT_ARM64_DEBUG_REGISTERS)
#endif
#ifdef CONTEXT_ARM64_X18
ABI_CONST(abi, CONTEXT_ARM64_X18)
#endif
#ifdef CONTEXT_ARM64_FULL
ABI_CONST(abi, CONTEXT_ARM64_FULL)
#endif

#ifdef TRUE
ABI_CONST(abi, TRUE)
#endif
#ifdef FALSE
ABI_CONST(abi, FALSE)
#endif

/* ------------------------------------------------------------------ */
/* Bitfields: the raw bytes of a structure with one field set, first   */
/* to 1 (its lowest bit) and then to all ones (its width).             */
/* ------------------------------------------------------------------ */
#if defined(__clang__)
#pragma clang diagnostic ignored "-Wconstant-conversion"
#pragma clang diagnostic ignored "-Wbitfield-constant-conversion"
#elif defined(__GNUC__)
#pragma GCC diagnostic ignored "-Woverflow"
#endif

#define ABI_BITS_NAME 64 /* bytes of the record's name */
#define ABI_BITS_DATA 16 /* bytes of the record's structure image */
#define ABI_BITS(T, f)                                                                            \
    __attribute__((section("abibits"), used, aligned(16))) static const struct {                 \
        char name[ABI_BITS_NAME];                                                                 \
        union {                                                                                   \
            T v;                                                                                  \
            unsigned char raw[ABI_BITS_DATA];                                                     \
        } u;                                                                                      \
    } abibits_lo_##T##__##f = {#T "." #f "=1", {.v = {.f = 1}}},                                  \
      abibits_hi_##T##__##f = {#T "." #f "=~0", {.v = {.f = ~0u}}};

_Static_assert(sizeof(FPO_DATA) <= ABI_BITS_DATA, "FPO_DATA image too large");
_Static_assert(sizeof(IMAGE_ARM64_RUNTIME_FUNCTION_ENTRY) <= ABI_BITS_DATA, "image too large");

ABI_BITS(FPO_DATA, cbProlog)
ABI_BITS(FPO_DATA, cbRegs)
ABI_BITS(FPO_DATA, fHasSEH)
ABI_BITS(FPO_DATA, fUseBP)
ABI_BITS(FPO_DATA, reserved)
ABI_BITS(FPO_DATA, cbFrame)

ABI_BITS(IMAGE_ARM64_RUNTIME_FUNCTION_ENTRY, Flag)
ABI_BITS(IMAGE_ARM64_RUNTIME_FUNCTION_ENTRY, FunctionLength)
ABI_BITS(IMAGE_ARM64_RUNTIME_FUNCTION_ENTRY, RegF)
ABI_BITS(IMAGE_ARM64_RUNTIME_FUNCTION_ENTRY, RegI)
ABI_BITS(IMAGE_ARM64_RUNTIME_FUNCTION_ENTRY, H)
ABI_BITS(IMAGE_ARM64_RUNTIME_FUNCTION_ENTRY, CR)
ABI_BITS(IMAGE_ARM64_RUNTIME_FUNCTION_ENTRY, FrameSize)
