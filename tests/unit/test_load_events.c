/*
 * The registered callback's symbol-load events (src/sym/load_events.c and
 * its callers): START/COMPLETE for an image found; CBA_DEBUG_INFO lines
 * only under SYMOPT_DEBUG (narrow and, for SymRegisterCallbackW64, wide);
 * CBA_DEFERRED_SYMBOL_LOAD_CANCEL before a deferred load, a TRUE answer
 * cancelling it (and the next lookup asking again); for a module with no
 * image header anywhere PARTIAL, CBA_EVENT (resent as CBA_DEBUG_INFO when
 * unhandled) and FAILURE, and the FAILURE answer naming a file that the
 * loader then loads from (its exports become the module's); a callback that
 * always asks for a retry of a file that never loads is not followed forever;
 * NumSyms of an image with only exports.
 */
#include "walk_helpers.h"
#include "pe_builder.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wchar.h>

#define BASE 0x0000000180000000ull
#define SIZE 0x4000u
#define ABSENT_BASE 0x50000000ull

static uint8_t image[SIZE];
static char dir[64], path[128];
static struct fake_target t;

static const struct pe_export exports[] = {{"alpha", 0x1000}, {"beta", 0x1040},
                                           {"gamma", 0x1200}};

#define MAX_RECORDS 64
static struct record {
    ULONG action;
    char text[512]; /* FileName, the debug text, or the event's desc */
    DWORD severity;
} records[MAX_RECORDS];
static unsigned record_count;
static BOOL cancel_answer, event_handled;
static int retries_wanted; /* FAILURE answers that name `retry_file` */
static const char *retry_file;
static BOOL failure_answer; /* when no retry is wanted */

static void record(ULONG action, const char *text, DWORD severity)
{
    if (record_count < MAX_RECORDS) {
        records[record_count].action = action;
        snprintf(records[record_count].text, sizeof(records[record_count].text), "%s", text);
        records[record_count].severity = severity;
        record_count++;
    }
}

static BOOL CALLBACK narrow_events(HANDLE process, ULONG action, ULONG64 data, ULONG64 context)
{
    IMAGEHLP_DEFERRED_SYMBOL_LOAD64 *load = (IMAGEHLP_DEFERRED_SYMBOL_LOAD64 *)(uintptr_t)data;
    (void)process, (void)context;
    switch (action) {
    case CBA_READ_MEMORY:
        return FALSE; /* nothing is mapped */
    case CBA_DEBUG_INFO:
        record(action, (const char *)(uintptr_t)data, 0);
        return TRUE;
    case CBA_EVENT: {
        const IMAGEHLP_CBA_EVENT *e = (const IMAGEHLP_CBA_EVENT *)(uintptr_t)data;
        record(action, e->desc, e->severity);
        return event_handled;
    }
    case CBA_DEFERRED_SYMBOL_LOAD_START:
    case CBA_DEFERRED_SYMBOL_LOAD_COMPLETE:
    case CBA_DEFERRED_SYMBOL_LOAD_PARTIAL:
    case CBA_DEFERRED_SYMBOL_LOAD_CANCEL:
    case CBA_DEFERRED_SYMBOL_LOAD_FAILURE:
        assert_int_equal(load->SizeOfStruct, sizeof(*load));
        record(action, load->FileName, 0);
        if (action == CBA_DEFERRED_SYMBOL_LOAD_CANCEL)
            return cancel_answer;
        if (action == CBA_DEFERRED_SYMBOL_LOAD_FAILURE && retries_wanted > 0) {
            retries_wanted--;
            snprintf(load->FileName, sizeof(load->FileName), "%s", retry_file);
            load->Reparse = TRUE;
            return TRUE;
        }
        return action == CBA_DEFERRED_SYMBOL_LOAD_FAILURE ? failure_answer : FALSE;
    default:
        return FALSE;
    }
}

/* The W form: FileName is MAX_PATH + 1 wide characters, the text wide. */
typedef struct {
    DWORD SizeOfStruct;
    DWORD64 BaseOfImage;
    DWORD CheckSum;
    DWORD TimeDateStamp;
    WCHAR FileName[MAX_PATH + 1];
    BOOLEAN Reparse;
    HANDLE hFile;
    DWORD Flags;
} deferred_load_w;

static void narrow_copy(const WCHAR *in, char *out, size_t size)
{
    size_t i = 0;
    for (; in[i] && i + 1 < size; i++)
        out[i] = in[i] < 0x80 ? (char)in[i] : '?';
    out[i] = 0;
}

static BOOL CALLBACK wide_events(HANDLE process, ULONG action, ULONG64 data, ULONG64 context)
{
    char text[512];
    (void)process, (void)context;
    if (action == CBA_DEBUG_INFO) {
        narrow_copy((const WCHAR *)(uintptr_t)data, text, sizeof(text));
        record(action, text, 0);
        return TRUE;
    }
    if (action == CBA_EVENT) {
        const IMAGEHLP_CBA_EVENTW *e = (const IMAGEHLP_CBA_EVENTW *)(uintptr_t)data;
        narrow_copy(e->desc, text, sizeof(text));
        record(action, text, e->severity);
        return TRUE;
    }
    if (action == CBA_DEFERRED_SYMBOL_LOAD_START || action == CBA_DEFERRED_SYMBOL_LOAD_COMPLETE) {
        const deferred_load_w *load = (const deferred_load_w *)(uintptr_t)data;
        assert_int_equal(load->SizeOfStruct, sizeof(*load));
        narrow_copy(load->FileName, text, sizeof(text));
        record(action, text, 0);
    }
    return FALSE;
}

static unsigned count(ULONG action)
{
    unsigned n = 0;
    for (unsigned i = 0; i < record_count; i++)
        n += records[i].action == action;
    return n;
}

/* The index of the first record of `action` whose text contains `needle`;
 * -1 when there is none. */
static int find(ULONG action, const char *needle)
{
    for (unsigned i = 0; i < record_count; i++)
        if (records[i].action == action && strstr(records[i].text, needle))
            return (int)i;
    return -1;
}

static void reset(void)
{
    record_count = 0;
    cancel_answer = FALSE;
    event_handled = TRUE;
    retries_wanted = 0;
    retry_file = NULL;
    failure_answer = FALSE;
}

static int setup(void **state)
{
    (void)state;
    uint32_t export_size;
    memset(image, 0, sizeof(image));
    export_size = pe_write_exports(image, 0x3000, "test.dll", exports, 3);
    pe_build_headers(image, SIZE, 0x8664, BASE, 0, 0, 0x3000, export_size);
    snprintf(dir, sizeof(dir), "/tmp/dbgwalk-events-%d", (int)getpid());
    snprintf(path, sizeof(path), "%s/test.dll", dir);
    char command[128];
    snprintf(command, sizeof(command), "mkdir -p %s", dir);
    if (system(command) != 0 || pe_save(image, SIZE, path) != 0)
        return -1;
    test_target_init(&t);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    ft_free(&t);
    remove(path);
    rmdir(dir);
    return 0;
}

static int session_up(void **state)
{
    (void)state;
    reset();
    SymSetOptions(SYMOPT_UNDNAME);
    if (!SymInitialize(&t, dir, FALSE))
        return -1;
    return SymRegisterCallback64(&t, narrow_events, 0) ? 0 : -1;
}

static int session_down(void **state)
{
    (void)state;
    SymCleanup(&t);
    SymSetOptions(SYMOPT_UNDNAME);
    return 0;
}

static void module_info(DWORD64 base, IMAGEHLP_MODULE64 *info)
{
    memset(info, 0, sizeof(*info));
    info->SizeOfStruct = sizeof(*info);
    assert_true(SymGetModuleInfo64(&t, base, info));
}

static void found_image_debug_text(void **state)
{
    (void)state;
    IMAGEHLP_MODULE64 info;

    /* no SYMOPT_DEBUG: the load events, no text */
    assert_int_equal(SymLoadModuleEx(&t, NULL, path, NULL, BASE, 0, NULL, 0), BASE);
    assert_int_equal(count(CBA_DEFERRED_SYMBOL_LOAD_START), 1);
    assert_int_equal(count(CBA_DEFERRED_SYMBOL_LOAD_COMPLETE), 1);
    assert_int_equal(count(CBA_DEBUG_INFO), 0);
    assert_int_equal(count(CBA_EVENT), 0);
    assert_int_equal(count(CBA_DEFERRED_SYMBOL_LOAD_CANCEL), 0); /* not deferred */
    assert_int_equal(records[0].action, CBA_DEFERRED_SYMBOL_LOAD_START);
    assert_string_equal(records[0].text, path);
    module_info(BASE, &info);
    assert_int_equal(info.SymType, SymExport);
    assert_int_equal(info.NumSyms, 3); /* the exports */
    assert_true(SymUnloadModule64(&t, BASE));

    /* SYMOPT_DEBUG: what was loaded, in DbgHelp's words */
    reset();
    SymSetOptions(SYMOPT_UNDNAME | SYMOPT_DEBUG);
    assert_int_equal(SymLoadModuleEx(&t, NULL, path, NULL, BASE, 0, NULL, 0), BASE);
    assert_true(count(CBA_DEBUG_INFO) >= 1);
    int line = find(CBA_DEBUG_INFO, "DBGHELP: test - export symbols");
    assert_true(line >= 0);
    /* the text comes between START and COMPLETE */
    assert_true(line > find(CBA_DEFERRED_SYMBOL_LOAD_START, ""));
    assert_true(line < find(CBA_DEFERRED_SYMBOL_LOAD_COMPLETE, ""));
    assert_true(SymUnloadModule64(&t, BASE));

    /* the same, wide */
    reset();
    assert_true(SymRegisterCallbackW64(&t, wide_events, 0));
    assert_int_equal(SymLoadModuleEx(&t, NULL, path, NULL, BASE, 0, NULL, 0), BASE);
    assert_true(find(CBA_DEBUG_INFO, "DBGHELP: test - export symbols") >= 0);
    assert_int_equal(find(CBA_DEFERRED_SYMBOL_LOAD_COMPLETE, path), 1 + find(CBA_DEBUG_INFO, "export"));
    assert_true(SymUnloadModule64(&t, BASE));
}

static void deferred_cancel(void **state)
{
    (void)state;
    char buffer[sizeof(SYMBOL_INFO) + 64];
    SYMBOL_INFO *symbol = (SYMBOL_INFO *)buffer;
    IMAGEHLP_MODULE64 info;
    DWORD64 displacement;

    SymSetOptions(SYMOPT_UNDNAME | SYMOPT_DEFERRED_LOADS);
    assert_int_equal(SymLoadModuleEx(&t, NULL, path, NULL, BASE, 0, NULL, 0), BASE);
    assert_int_equal(record_count, 0); /* nothing loads yet */

    memset(buffer, 0, sizeof(buffer));
    symbol->SizeOfStruct = sizeof(SYMBOL_INFO);
    symbol->MaxNameLen = 64;
    cancel_answer = TRUE;
    (void)SymFromAddr(&t, BASE + 0x1000, &displacement, symbol);
    assert_int_equal(records[0].action, CBA_DEFERRED_SYMBOL_LOAD_START);
    assert_int_equal(records[1].action, CBA_DEFERRED_SYMBOL_LOAD_CANCEL);
    assert_string_equal(records[1].text, path);
    assert_int_equal(count(CBA_DEFERRED_SYMBOL_LOAD_COMPLETE), 0);
    assert_int_equal(count(CBA_DEFERRED_SYMBOL_LOAD_FAILURE), 1);
    module_info(BASE, &info);
    assert_int_equal(info.SymType, SymDeferred); /* still to load */

    /* the next lookup asks again; FALSE lets it load */
    reset();
    assert_true(SymFromAddr(&t, BASE + 0x1000, &displacement, symbol));
    assert_string_equal(symbol->Name, "alpha");
    assert_int_equal(count(CBA_DEFERRED_SYMBOL_LOAD_CANCEL), 1);
    assert_int_equal(count(CBA_DEFERRED_SYMBOL_LOAD_COMPLETE), 1);
    assert_int_equal(count(CBA_DEFERRED_SYMBOL_LOAD_FAILURE), 0);

    /* loaded once: no more events */
    reset();
    assert_true(SymFromAddr(&t, BASE + 0x1040, &displacement, symbol));
    assert_int_equal(record_count, 0);
}

static void no_header_partial_event_failure(void **state)
{
    (void)state;
    IMAGEHLP_MODULE64 info;

    /* no file, no memory: PARTIAL, then the event, then FAILURE */
    SymSetOptions(SYMOPT_UNDNAME | SYMOPT_DEBUG);
    event_handled = FALSE; /* resent as CBA_DEBUG_INFO */
    assert_int_equal(SymLoadModuleEx(&t, NULL, "absent.dll", NULL, ABSENT_BASE, 0x1000, NULL, 0),
                     ABSENT_BASE);
    int start = find(CBA_DEFERRED_SYMBOL_LOAD_START, "absent.dll");
    int partial = find(CBA_DEFERRED_SYMBOL_LOAD_PARTIAL, "absent.dll");
    int event = find(CBA_EVENT, "absent - no symbols loaded");
    int failure = find(CBA_DEFERRED_SYMBOL_LOAD_FAILURE, "absent.dll");
    assert_int_equal(start, 0);
    assert_true(partial > start);
    assert_true(event > partial);
    assert_true(failure > event);
    assert_int_equal(records[event].severity, 1); /* sevProblem */
    assert_true(find(CBA_DEBUG_INFO, "absent - no symbols loaded") > event);
    assert_int_equal(count(CBA_DEFERRED_SYMBOL_LOAD_COMPLETE), 0);
    module_info(ABSENT_BASE, &info);
    assert_int_equal(info.SymType, SymNone);
    assert_true(SymUnloadModule64(&t, ABSENT_BASE));

    /* handled: not resent; without SYMOPT_DEBUG the event still comes */
    reset();
    SymSetOptions(SYMOPT_UNDNAME);
    assert_int_equal(SymLoadModuleEx(&t, NULL, "absent.dll", NULL, ABSENT_BASE, 0x1000, NULL, 0),
                     ABSENT_BASE);
    assert_int_equal(count(CBA_EVENT), 1);
    assert_int_equal(count(CBA_DEBUG_INFO), 0);
    assert_true(SymUnloadModule64(&t, ABSENT_BASE));

    /* wide: IMAGEHLP_CBA_EVENTW, its text wide */
    reset();
    assert_true(SymRegisterCallbackW64(&t, wide_events, 0));
    assert_int_equal(SymLoadModuleEx(&t, NULL, "absent.dll", NULL, ABSENT_BASE, 0x1000, NULL, 0),
                     ABSENT_BASE);
    event = find(CBA_EVENT, "DBGHELP: absent - no symbols loaded");
    assert_true(event >= 0);
    assert_int_equal(records[event].severity, 1);
    assert_true(SymUnloadModule64(&t, ABSENT_BASE));
}

static void failure_answer_retries(void **state)
{
    (void)state;
    IMAGEHLP_MODULE64 info;
    char buffer[sizeof(SYMBOL_INFO) + 64];
    SYMBOL_INFO *symbol = (SYMBOL_INFO *)buffer;
    DWORD64 displacement;

    /* the callback names the real file: the load completes from it */
    retries_wanted = 1;
    retry_file = path;
    assert_int_equal(SymLoadModuleEx(&t, NULL, "absent.dll", NULL, BASE, SIZE, NULL, 0), BASE);
    assert_int_equal(count(CBA_DEFERRED_SYMBOL_LOAD_FAILURE), 1);
    int failure = find(CBA_DEFERRED_SYMBOL_LOAD_FAILURE, "absent.dll");
    int complete = find(CBA_DEFERRED_SYMBOL_LOAD_COMPLETE, path);
    assert_true(failure >= 0);
    assert_true(complete > failure);
    module_info(BASE, &info);
    assert_string_equal(info.LoadedImageName, path);
    assert_int_equal(info.SymType, SymExport);
    memset(buffer, 0, sizeof(buffer));
    symbol->SizeOfStruct = sizeof(SYMBOL_INFO);
    symbol->MaxNameLen = 64;
    assert_true(SymFromAddr(&t, BASE + 0x1044, &displacement, symbol));
    assert_string_equal(symbol->Name, "beta");
    assert_int_equal(displacement, 4);
    assert_true(SymUnloadModule64(&t, BASE));

    /* a file that never loads, asked for again and again: bounded */
    reset();
    char missing[160];
    snprintf(missing, sizeof(missing), "%s/also-absent.dll", dir);
    retries_wanted = 1000;
    retry_file = missing;
    assert_int_equal(SymLoadModuleEx(&t, NULL, "absent.dll", NULL, ABSENT_BASE, 0x1000, NULL, 0),
                     ABSENT_BASE);
    assert_true(count(CBA_DEFERRED_SYMBOL_LOAD_FAILURE) >= 2);
    assert_true(count(CBA_DEFERRED_SYMBOL_LOAD_FAILURE) <= 8);
    assert_int_equal(count(CBA_DEFERRED_SYMBOL_LOAD_COMPLETE), 0);
    module_info(ABSENT_BASE, &info);
    assert_int_equal(info.SymType, SymNone);
    assert_true(SymUnloadModule64(&t, ABSENT_BASE));

    /* TRUE without a new name is no retry */
    reset();
    failure_answer = TRUE;
    assert_int_equal(SymLoadModuleEx(&t, NULL, "absent.dll", NULL, ABSENT_BASE, 0x1000, NULL, 0),
                     ABSENT_BASE);
    assert_int_equal(count(CBA_DEFERRED_SYMBOL_LOAD_FAILURE), 1);
    assert_true(SymUnloadModule64(&t, ABSENT_BASE));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(found_image_debug_text, session_up, session_down),
        cmocka_unit_test_setup_teardown(deferred_cancel, session_up, session_down),
        cmocka_unit_test_setup_teardown(no_header_partial_event_failure, session_up,
                                        session_down),
        cmocka_unit_test_setup_teardown(failure_answer_retries, session_up, session_down),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
