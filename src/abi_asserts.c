/*
 * The ABI the library was compiled against, pinned at compile time: every
 * size and offset contract.md lists, on whatever host builds us (a naive
 * -m32 Linux build gets STACKFRAME_EX wrong without these).
 */
#include "platform.h"

#define AT(type, field, offset) _Static_assert(offsetof(type, field) == (offset), #type "." #field)
#define SIZE(type, size) _Static_assert(sizeof(type) == (size), "sizeof " #type)

SIZE(ADDRESS64, 0x10);
AT(ADDRESS64, Segment, 0x08);
AT(ADDRESS64, Mode, 0x0C);

SIZE(KDHELP64, 0x70);
AT(KDHELP64, ThCallbackStack, 0x08);
AT(KDHELP64, ThCallbackBStore, 0x0C);
AT(KDHELP64, NextCallback, 0x10);
AT(KDHELP64, FramePointer, 0x14);
AT(KDHELP64, KiCallUserMode, 0x18);
AT(KDHELP64, KeUserCallbackDispatcher, 0x20);
AT(KDHELP64, SystemRangeStart, 0x28);
AT(KDHELP64, KiUserExceptionDispatcher, 0x30);
AT(KDHELP64, StackBase, 0x38);
AT(KDHELP64, StackLimit, 0x40);
AT(KDHELP64, BuildVersion, 0x48);
AT(KDHELP64, RetpolineStubFunctionTable, 0x50);
AT(KDHELP64, Reserved0, 0x60);

SIZE(STACKFRAME64, 0x108);
AT(STACKFRAME64, AddrReturn, 0x10);
AT(STACKFRAME64, AddrFrame, 0x20);
AT(STACKFRAME64, AddrStack, 0x30);
AT(STACKFRAME64, AddrBStore, 0x40);
AT(STACKFRAME64, FuncTableEntry, 0x50);
AT(STACKFRAME64, Params, 0x58);
AT(STACKFRAME64, Far, 0x78);
AT(STACKFRAME64, Virtual, 0x7C);
AT(STACKFRAME64, Reserved, 0x80);
AT(STACKFRAME64, KdHelp, 0x98);

SIZE(STACKFRAME_EX, 0x110);
AT(STACKFRAME_EX, Params, 0x58);
AT(STACKFRAME_EX, KdHelp, 0x98);
AT(STACKFRAME_EX, StackFrameSize, 0x108);
AT(STACKFRAME_EX, InlineFrameContext, 0x10C);

SIZE(ADDRESS32, 0x0C);
AT(ADDRESS32, Mode, 0x08);
SIZE(KDHELP32, 0x40);
AT(KDHELP32, ThCallbackBStore, 0x1C);
AT(KDHELP32, Reserved, 0x2C);
SIZE(STACKFRAME32, 0xA4);
AT(STACKFRAME32, FuncTableEntry, 0x30);
AT(STACKFRAME32, Params, 0x34);
AT(STACKFRAME32, Far, 0x44);
AT(STACKFRAME32, Virtual, 0x48);
AT(STACKFRAME32, Reserved, 0x4C);
AT(STACKFRAME32, KdHelp, 0x58);
AT(STACKFRAME32, AddrBStore, 0x98);

SIZE(API_VERSION, 8);
SIZE(FPO_DATA, 16);
AT(FPO_DATA, cdwParams, 0x0C);
SIZE(IMAGE_RUNTIME_FUNCTION_ENTRY, 12);
SIZE(IMAGE_ARM64_RUNTIME_FUNCTION_ENTRY, 8);

SIZE(WOW64_CONTEXT, 0x2CC);
AT(WOW64_CONTEXT, FloatSave, 0x1C);
AT(WOW64_CONTEXT, SegGs, 0x8C);
AT(WOW64_CONTEXT, Edi, 0x9C);
AT(WOW64_CONTEXT, Ebx, 0xA4);
AT(WOW64_CONTEXT, Ebp, 0xB4);
AT(WOW64_CONTEXT, Eip, 0xB8);
AT(WOW64_CONTEXT, Esp, 0xC4);
AT(WOW64_CONTEXT, ExtendedRegisters, 0xCC);

SIZE(ARM64_NT_CONTEXT, 0x390);
AT(ARM64_NT_CONTEXT, X, 0x008);
AT(ARM64_NT_CONTEXT, Fp, 0x0F0);
AT(ARM64_NT_CONTEXT, Lr, 0x0F8);
AT(ARM64_NT_CONTEXT, Sp, 0x100);
AT(ARM64_NT_CONTEXT, Pc, 0x108);
AT(ARM64_NT_CONTEXT, V, 0x110);
AT(ARM64_NT_CONTEXT, Fpcr, 0x310);
AT(ARM64_NT_CONTEXT, Bcr, 0x318);
AT(ARM64_NT_CONTEXT, Bvr, 0x338);
AT(ARM64_NT_CONTEXT, Wcr, 0x378);
AT(ARM64_NT_CONTEXT, Wvr, 0x380);

/* The x64 CONTEXT under its name on every host: CONTEXT on a 64-bit Windows
 * or a non-Windows build (where it is always the x64 layout). */
#if !defined(_WIN32) || defined(_WIN64)
SIZE(CONTEXT, 0x4D0);
AT(CONTEXT, ContextFlags, 0x30);
AT(CONTEXT, SegCs, 0x38);
AT(CONTEXT, SegSs, 0x42);
AT(CONTEXT, EFlags, 0x44);
AT(CONTEXT, Rax, 0x78);
AT(CONTEXT, Rbx, 0x90);
AT(CONTEXT, Rsp, 0x98);
AT(CONTEXT, Rbp, 0xA0);
AT(CONTEXT, R15, 0xF0);
AT(CONTEXT, Rip, 0xF8);
AT(CONTEXT, FltSave, 0x100);
AT(CONTEXT, Xmm0, 0x1A0);
AT(CONTEXT, Xmm15, 0x290);
AT(CONTEXT, VectorRegister, 0x300);
AT(CONTEXT, VectorControl, 0x4A0);
AT(CONTEXT, LastExceptionFromRip, 0x4C8);
#endif
