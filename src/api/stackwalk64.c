/* StackWalk64, StackWalkEx and StackWalk2: the 64-bit entry points. */
#include "walk.h"

static struct walk_request request_64(DWORD machine, HANDLE process, HANDLE thread,
                                      STACKFRAME64 *frame, PVOID context,
                                      PREAD_PROCESS_MEMORY_ROUTINE64 read,
                                      PFUNCTION_TABLE_ACCESS_ROUTINE64 table,
                                      PGET_MODULE_BASE_ROUTINE64 module_base,
                                      PTRANSLATE_ADDRESS_ROUTINE64 translate)
{
    struct walk_request r = {
        .machine = machine,
        .process = process,
        .thread = thread,
        .frame = frame,
        .context = context,
        .read = read,
        .table = {.process = process, .entry_for = table, .module_base_for = module_base},
        .translate = translate,
    };
    return r;
}

DW_EXPORT BOOL IMAGEAPI StackWalk64(DWORD MachineType, HANDLE hProcess, HANDLE hThread,
                                    LPSTACKFRAME64 StackFrame, PVOID ContextRecord,
                                    PREAD_PROCESS_MEMORY_ROUTINE64 ReadMemoryRoutine,
                                    PFUNCTION_TABLE_ACCESS_ROUTINE64 FunctionTableAccessRoutine,
                                    PGET_MODULE_BASE_ROUTINE64 GetModuleBaseRoutine,
                                    PTRANSLATE_ADDRESS_ROUTINE64 TranslateAddress)
{
    struct walk_request r =
        request_64(MachineType, hProcess, hThread, StackFrame, ContextRecord, ReadMemoryRoutine,
                   FunctionTableAccessRoutine, GetModuleBaseRoutine, TranslateAddress);
    return walk_next_frame(&r);
}

/* STACKFRAME_EX starts with a STACKFRAME64; its size is checked here, and its
 * InlineFrameContext carries the walk's place among inline frames. */
static BOOL walk_ex(struct walk_request *r, LPSTACKFRAME_EX frame)
{
    if (!frame || frame->StackFrameSize != sizeof(STACKFRAME_EX)) {
        dw_set_last_error(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    r->frame = (STACKFRAME64 *)frame;
    r->inline_context = &frame->InlineFrameContext;
    return walk_next_frame(r);
}

DW_EXPORT BOOL IMAGEAPI StackWalkEx(DWORD MachineType, HANDLE hProcess, HANDLE hThread,
                                    LPSTACKFRAME_EX StackFrame, PVOID ContextRecord,
                                    PREAD_PROCESS_MEMORY_ROUTINE64 ReadMemoryRoutine,
                                    PFUNCTION_TABLE_ACCESS_ROUTINE64 FunctionTableAccessRoutine,
                                    PGET_MODULE_BASE_ROUTINE64 GetModuleBaseRoutine,
                                    PTRANSLATE_ADDRESS_ROUTINE64 TranslateAddress, DWORD Flags)
{
    struct walk_request r =
        request_64(MachineType, hProcess, hThread, NULL, ContextRecord, ReadMemoryRoutine,
                   FunctionTableAccessRoutine, GetModuleBaseRoutine, TranslateAddress);
    r.flags = Flags;
    return walk_ex(&r, StackFrame);
}

DW_EXPORT BOOL IMAGEAPI StackWalk2(DWORD MachineType, HANDLE hProcess, HANDLE hThread,
                                   LPSTACKFRAME_EX StackFrame, PVOID ContextRecord,
                                   PREAD_PROCESS_MEMORY_ROUTINE64 ReadMemoryRoutine,
                                   PFUNCTION_TABLE_ACCESS_ROUTINE64 FunctionTableAccessRoutine,
                                   PGET_MODULE_BASE_ROUTINE64 GetModuleBaseRoutine,
                                   PTRANSLATE_ADDRESS_ROUTINE64 TranslateAddress,
                                   PGET_TARGET_ATTRIBUTE_VALUE64 GetTargetAttributeValue,
                                   DWORD Flags)
{
    struct walk_request r =
        request_64(MachineType, hProcess, hThread, NULL, ContextRecord, ReadMemoryRoutine,
                   FunctionTableAccessRoutine, GetModuleBaseRoutine, TranslateAddress);
    r.flags = Flags;
    r.target_attribute = GetTargetAttributeValue;
    return walk_ex(&r, StackFrame);
}
