/*
 * The symbol-load events DbgHelp sends a session's registered callback
 * (SymRegisterCallback64 / SymRegisterCallbackW64): CBA_DEFERRED_SYMBOL_LOAD_START
 * before a module's symbols are looked for, then ..._COMPLETE or ..._FAILURE,
 * each with an IMAGEHLP_DEFERRED_SYMBOL_LOAD64 (W64 for a callback registered
 * wide) naming the image. DbgHelp sends them whenever it loads a module's
 * symbols, at SymLoadModuleEx or, with SYMOPT_DEFERRED_LOADS, at the first
 * lookup that needs them; so do we. Around them, as DbgHelp does:
 * - CBA_DEFERRED_SYMBOL_LOAD_CANCEL after START of a deferred load (TRUE
 *   cancels it);
 * - CBA_DEFERRED_SYMBOL_LOAD_PARTIAL when no image header could be read
 *   (from the file or the target), and FAILURE when nothing was found: for
 *   both, a callback that answers TRUE having set FileName (or Reparse)
 *   makes the loader try again with that file (sym_load_event's `retry`);
 * - CBA_EVENT (IMAGEHLP_CBA_EVENT) for a failed load, resent as
 *   CBA_DEBUG_INFO when the callback does not handle it;
 * - CBA_DEBUG_INFO text lines, only under SYMOPT_DEBUG: the files tried and
 *   what was loaded ("DBGHELP: name - public symbols").
 * A callback registered wide (SymRegisterCallbackW64) gets wide text and
 * the W structures. Run with no lock held: the callback may call us again.
 */
#include "session.h"
#include "text.h"

#include <stdarg.h>
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

/* Whether the callback asks for another try, and with which file. */
static bool wants_retry(BOOL answer, BOOLEAN reparse, const char *file_name,
                        const struct load_event_module *module)
{
    return answer && module->retry && file_name[0] &&
           (reparse || strcmp(file_name, module->file_name) != 0);
}

bool sym_load_event(const struct load_event_sink *sink, ULONG action,
                    const struct load_event_module *module)
{
    BOOL answer;

    if (!sink->callback)
        return false;
    if (sink->wide) {
        struct deferred_load_wide event;
        char name[MAX_PATH * 3];
        memset(&event, 0, sizeof(event));
        event.SizeOfStruct = sizeof(event);
        event.BaseOfImage = module->base;
        event.CheckSum = module->checksum;
        event.TimeDateStamp = module->timestamp;
        text_widen(module->file_name, event.FileName, DW_ARRAY_SIZE(event.FileName));
        event.Flags = module->mismatched_pdb ? DSL_MISMATCHED_PDB : 0;
        answer = sink->callback(sink->process, action, (ULONG64)(uintptr_t)&event, sink->context);
        event.FileName[MAX_PATH] = 0; /* the callback may have written it */
        if (module->retry && text_narrow(event.FileName, name, sizeof(name)) &&
            wants_retry(answer, event.Reparse, name, module))
            snprintf(module->retry, module->retry_size, "%s", name);
    } else {
        struct deferred_load_narrow event;
        memset(&event, 0, sizeof(event));
        event.SizeOfStruct = sizeof(event);
        event.BaseOfImage = module->base;
        event.CheckSum = module->checksum;
        event.TimeDateStamp = module->timestamp;
        snprintf(event.FileName, sizeof(event.FileName), "%s", module->file_name);
        event.Flags = module->mismatched_pdb ? DSL_MISMATCHED_PDB : 0;
        answer = sink->callback(sink->process, action, (ULONG64)(uintptr_t)&event, sink->context);
        event.FileName[MAX_PATH - 1] = 0;
        if (wants_retry(answer, event.Reparse, event.FileName, module))
            snprintf(module->retry, module->retry_size, "%s", event.FileName);
    }
    return answer != FALSE;
}

/* The text events' payloads: a string (CBA_DEBUG_INFO), IMAGEHLP_CBA_EVENT(W). */
#define MAX_EVENT_TEXT 1024

static void send_text(const struct load_event_sink *sink, const char *text)
{
    if (sink->wide) {
        WCHAR wide[MAX_EVENT_TEXT];
        if (text_widen(text, wide, DW_ARRAY_SIZE(wide)))
            (void)sink->callback(sink->process, CBA_DEBUG_INFO, (ULONG64)(uintptr_t)wide,
                                 sink->context);
    } else {
        (void)sink->callback(sink->process, CBA_DEBUG_INFO, (ULONG64)(uintptr_t)text,
                             sink->context);
    }
}

void sym_debug_info(const struct load_event_sink *sink, const char *format, ...)
{
    char text[MAX_EVENT_TEXT];
    va_list args;

    if (!sink->callback || !(sym_options() & SYMOPT_DEBUG))
        return;
    va_start(args, format);
    vsnprintf(text, sizeof(text), format, args);
    va_end(args);
    send_text(sink, text);
}

void sym_event(const struct load_event_sink *sink, DWORD severity, DWORD code, void *object,
               const char *format, ...)
{
    char text[MAX_EVENT_TEXT];
    va_list args;
    BOOL handled;

    if (!sink->callback)
        return;
    va_start(args, format);
    vsnprintf(text, sizeof(text), format, args);
    va_end(args);
    if (sink->wide) {
        WCHAR wide[MAX_EVENT_TEXT];
        IMAGEHLP_CBA_EVENTW event = {severity, code, wide, object};
        if (!text_widen(text, wide, DW_ARRAY_SIZE(wide)))
            return;
        handled = sink->callback(sink->process, CBA_EVENT, (ULONG64)(uintptr_t)&event,
                                 sink->context);
    } else {
        IMAGEHLP_CBA_EVENT event = {severity, code, text, object};
        handled = sink->callback(sink->process, CBA_EVENT, (ULONG64)(uintptr_t)&event,
                                 sink->context);
    }
    /* "If you do not handle this event, the information is resent through
     * the CBA_DEBUG_INFO event." */
    if (!handled && (sym_options() & SYMOPT_DEBUG))
        send_text(sink, text);
}
