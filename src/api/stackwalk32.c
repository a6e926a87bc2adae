/*
 * StackWalk: the 32-bit STACKFRAME and DWORD-address callbacks, converted at
 * the boundary to the 64-bit walk. Addresses are zero-extended: a
 * large-address-aware x86 target lives above 2 GB.
 */
#include "walk.h"

#ifdef StackWalk
#undef StackWalk /* a 64-bit Windows header maps it to StackWalk64 */
#endif

static void widen(ADDRESS64 *wide, const ADDRESS32 *narrow)
{
    wide->Offset = narrow->Offset;
    wide->Segment = narrow->Segment;
    wide->Mode = narrow->Mode;
}

static void narrow_to(ADDRESS32 *narrow, const ADDRESS64 *wide)
{
    narrow->Offset = (DWORD)wide->Offset;
    narrow->Segment = wide->Segment;
    narrow->Mode = wide->Mode;
}

DW_EXPORT BOOL IMAGEAPI StackWalk(DWORD MachineType, HANDLE hProcess, HANDLE hThread,
                                  LPSTACKFRAME32 StackFrame, PVOID ContextRecord,
                                  PREAD_PROCESS_MEMORY_ROUTINE32 ReadMemoryRoutine,
                                  PFUNCTION_TABLE_ACCESS_ROUTINE32 FunctionTableAccessRoutine,
                                  PGET_MODULE_BASE_ROUTINE32 GetModuleBaseRoutine,
                                  PTRANSLATE_ADDRESS_ROUTINE32 TranslateAddress)
{
    STACKFRAME64 wide;
    struct walk_request r = {
        .machine = MachineType,
        .process = hProcess,
        .thread = hThread,
        .frame = &wide,
        .context = ContextRecord,
        .read32 = ReadMemoryRoutine,
        .table = {.process = hProcess,
                  .entry_for32 = FunctionTableAccessRoutine,
                  .module_base_for32 = GetModuleBaseRoutine},
        .translate32 = TranslateAddress,
    };
    BOOL ok;

    if (!StackFrame) {
        dw_set_last_error(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    memset(&wide, 0, sizeof(wide));
    widen(&wide.AddrPC, &StackFrame->AddrPC);
    widen(&wide.AddrReturn, &StackFrame->AddrReturn);
    widen(&wide.AddrFrame, &StackFrame->AddrFrame);
    widen(&wide.AddrStack, &StackFrame->AddrStack);
    /* Our state: the 64-bit walk id in Reserved[0..1], the rest in [2]. */
    wide.Reserved[0] = StackFrame->Reserved[0] | ((uint64_t)StackFrame->Reserved[1] << 32);
    wide.Reserved[1] = StackFrame->Reserved[2];

    ok = walk_next_frame(&r);

    narrow_to(&StackFrame->AddrPC, &wide.AddrPC);
    narrow_to(&StackFrame->AddrReturn, &wide.AddrReturn);
    narrow_to(&StackFrame->AddrFrame, &wide.AddrFrame);
    narrow_to(&StackFrame->AddrStack, &wide.AddrStack);
    for (unsigned i = 0; i < 4; i++)
        StackFrame->Params[i] = (DWORD)wide.Params[i];
    StackFrame->Far = wide.Far;
    StackFrame->Virtual = wide.Virtual;
#if defined(__i386__)
    StackFrame->FuncTableEntry = wide.FuncTableEntry;
#else
    StackFrame->FuncTableEntry = 0; /* a host pointer does not fit in 32 bits */
#endif
    StackFrame->Reserved[0] = (DWORD)wide.Reserved[0];
    StackFrame->Reserved[1] = (DWORD)(wide.Reserved[0] >> 32);
    StackFrame->Reserved[2] = (DWORD)wide.Reserved[1];
    return ok;
}
