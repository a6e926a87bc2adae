/*
 * The symbol-load events DbgHelp sends a session's registered callback
 * (SymRegisterCallback64 / SymRegisterCallbackW64): CBA_DEFERRED_SYMBOL_LOAD_START
 * before a module's symbols are looked for, then ..._COMPLETE or ..._FAILURE,
 * each with an IMAGEHLP_DEFERRED_SYMBOL_LOAD64 (W64 for a callback registered
 * wide) naming the image. DbgHelp sends them whenever it loads a module's
 * symbols, at SymLoadModuleEx or, with SYMOPT_DEFERRED_LOADS, at the first
 * lookup that needs them; so do we. Run with no lock held: the callback may
 * call us again.
 */
#include "session.h"
#include "text.h"

#include <stdio.h>

/* dbghelp.h's layouts (mingw-w64 lacks the wide one): the same members,
 * the file name MAX_PATH + 1 wide characters. */
struct deferred_load_narrow {
    DWORD SizeOfStruct;
    DWORD64 BaseOfImage;
    DWORD CheckSum;
    DWORD TimeDateStamp;
    CHAR FileName[MAX_PATH];
    BOOLEAN Reparse;
    HANDLE hFile;
    DWORD Flags;
};

struct deferred_load_wide {
    DWORD SizeOfStruct;
    DWORD64 BaseOfImage;
    DWORD CheckSum;
    DWORD TimeDateStamp;
    WCHAR FileName[MAX_PATH + 1];
    BOOLEAN Reparse;
    HANDLE hFile;
    DWORD Flags;
};

#define DSL_MISMATCHED_PDB 0x1 /* DSLFLAG_MISMATCHED_PDB */

void sym_load_event(const struct load_event_sink *sink, ULONG action,
                    const struct load_event_module *module)
{
    if (!sink->callback)
        return;
    if (sink->wide) {
        struct deferred_load_wide event;
        memset(&event, 0, sizeof(event));
        event.SizeOfStruct = sizeof(event);
        event.BaseOfImage = module->base;
        event.CheckSum = module->checksum;
        event.TimeDateStamp = module->timestamp;
        text_widen(module->file_name, event.FileName, DW_ARRAY_SIZE(event.FileName));
        event.Flags = module->mismatched_pdb ? DSL_MISMATCHED_PDB : 0;
        (void)sink->callback(sink->process, action, (ULONG64)(uintptr_t)&event, sink->context);
    } else {
        struct deferred_load_narrow event;
        memset(&event, 0, sizeof(event));
        event.SizeOfStruct = sizeof(event);
        event.BaseOfImage = module->base;
        event.CheckSum = module->checksum;
        event.TimeDateStamp = module->timestamp;
        snprintf(event.FileName, sizeof(event.FileName), "%s", module->file_name);
        event.Flags = module->mismatched_pdb ? DSL_MISMATCHED_PDB : 0;
        (void)sink->callback(sink->process, action, (ULONG64)(uintptr_t)&event, sink->context);
    }
}
