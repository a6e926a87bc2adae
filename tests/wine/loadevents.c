/*
 * The events a registered callback (SymRegisterCallback64) receives while
 * DbgHelp loads symbols, run once with our dbghelp.dll and once with Wine's
 * builtin (run-loadevent-tests.sh compares them). SYMOPT_DEBUG is on, so
 * CBA_DEBUG_INFO text may come; each case prints its events in order:
 *
 *   case NAME
 *   event START|COMPLETE|FAILURE|PARTIAL|CANCEL file=BASENAME reparse=N
 *   event EVENT severity=N code=N desc=TEXT
 *   event DEBUG_INFO TEXT
 *   event OTHER 0xACTION
 *   load ok|FAIL <error>
 *   module symtype=N numsyms=N image=BASENAME loaded=BASENAME
 *
 * Cases: the program's own image (found, DWARF symbols); a missing image;
 * SYMOPT_DEFERRED_LOADS with the callback answering TRUE to
 * CBA_DEFERRED_SYMBOL_LOAD_CANCEL; a missing image whose FAILURE the callback
 * answers by naming the program's own file (Reparse).
 *
 * With arguments, instead: MapDebugInformation on each image named (one
 * line each, "map FILE machine=0x.. ..." or "map FILE FAIL <error>"), for
 * run-loadevent-tests.sh to check against llvm-readobj. <dbghelp.h>
 * declares it for 32-bit x86 only; the SDK's layout is declared here.
 */
#include <windows.h>
#include <dbghelp.h>
#include <stdio.h>
#include <string.h>

#include "loaded_dbghelp.h"

#define MISSING_BASE 0x10000000ull
#define SELF_BASE 0x30000000ull

static char self_path[MAX_PATH];
static int cancel_answer, retry_on_failure;

typedef struct {
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
    PVOID ReservedFunctionTableEntries;
    DWORD ReservedLowestFunctionStartingAddress;
    DWORD ReservedHighestFunctionEndingAddress;
    DWORD ReservedNumberOfFpoTableEntries;
    PVOID ReservedFpoTableEntries;
    DWORD SizeOfCoffSymbols;
    PVOID CoffSymbols;
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
} debug_information;

typedef debug_information *(WINAPI *map_fn)(HANDLE, PSTR, PSTR, DWORD);
typedef BOOL(WINAPI *unmap_fn)(debug_information *);

static const char *base_name(const char *path);

static int map_images(int argc, char **argv)
{
    HMODULE dbghelp = GetModuleHandleA("dbghelp.dll");
    map_fn map = (map_fn)(void (*)(void))GetProcAddress(dbghelp, "MapDebugInformation");
    unmap_fn unmap = (unmap_fn)(void (*)(void))GetProcAddress(dbghelp, "UnmapDebugInformation");

    if (!map || !unmap) {
        printf("map none\n");
        return 0;
    }
    for (int i = 1; i < argc; i++) {
        debug_information *info;
        unsigned names = 0;
        SetLastError(0);
        info = map(NULL, argv[i], NULL, 0);
        if (!info) {
            printf("map %s FAIL %lu\n", base_name(argv[i]), GetLastError());
            continue;
        }
        for (const char *p = info->ReservedExportedNames; p && *p; p += strlen(p) + 1)
            names++;
        printf("map %s machine=0x%X characteristics=0x%X checksum=0x%lX imagebase=0x%lX "
               "sizeofimage=%lu sections=%lu timestamp=0x%lX debugdirs=%lu exports=%u "
               "codeview=%s name=%s\n",
               base_name(argv[i]), info->ReservedMachine, info->ReservedCharacteristics,
               info->ReservedCheckSum, info->ImageBase, info->SizeOfImage,
               info->ReservedNumberOfSections, info->ReservedTimeDateStamp,
               info->ReservedNumberOfDebugDirectories, names,
               info->ReservedCodeViewSymbols &&
                       memcmp(info->ReservedCodeViewSymbols, "RSDS", 4) == 0
                   ? "RSDS"
                   : "none",
               info->ImageFileName ? info->ImageFileName : "(null)");
        if (!unmap(info))
            printf("unmap FAIL %lu\n", GetLastError());
    }
    return 0;
}

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '\\'), *fwd = strrchr(path, '/');
    if (fwd > slash)
        slash = fwd;
    return slash ? slash + 1 : path;
}

static void print_text(const char *text)
{
    /* one line: newlines and carriage returns become spaces */
    for (const char *p = text; *p; p++)
        putchar(*p == '\n' || *p == '\r' ? ' ' : *p);
}

static BOOL CALLBACK on_event(HANDLE process, ULONG action, ULONG64 data, ULONG64 context)
{
    IMAGEHLP_DEFERRED_SYMBOL_LOAD64 *load = (IMAGEHLP_DEFERRED_SYMBOL_LOAD64 *)(ULONG_PTR)data;
    const char *name = NULL;
    (void)process;
    (void)context;

    switch (action) {
    case CBA_DEFERRED_SYMBOL_LOAD_START: name = "START"; break;
    case CBA_DEFERRED_SYMBOL_LOAD_COMPLETE: name = "COMPLETE"; break;
    case CBA_DEFERRED_SYMBOL_LOAD_FAILURE: name = "FAILURE"; break;
    case CBA_DEFERRED_SYMBOL_LOAD_PARTIAL: name = "PARTIAL"; break;
    case CBA_DEFERRED_SYMBOL_LOAD_CANCEL: name = "CANCEL"; break;
    case CBA_EVENT: {
        const IMAGEHLP_CBA_EVENT *e = (const IMAGEHLP_CBA_EVENT *)(ULONG_PTR)data;
        printf("event EVENT severity=%lu code=%lu desc=", (unsigned long)e->severity,
               (unsigned long)e->code);
        print_text(e->desc ? e->desc : "");
        putchar('\n');
        return TRUE; /* handled: not resent as CBA_DEBUG_INFO */
    }
    case CBA_DEBUG_INFO:
        printf("event DEBUG_INFO ");
        print_text((const char *)(ULONG_PTR)data);
        putchar('\n');
        return TRUE;
    case CBA_SET_OPTIONS:
        return FALSE; /* not a load event */
    default:
        printf("event OTHER 0x%lx\n", (unsigned long)action);
        return FALSE;
    }
    printf("event %s file=%s reparse=%d\n", name, base_name(load->FileName), load->Reparse);
    if (action == CBA_DEFERRED_SYMBOL_LOAD_CANCEL)
        return cancel_answer;
    if (action == CBA_DEFERRED_SYMBOL_LOAD_FAILURE && retry_on_failure) {
        retry_on_failure = 0;
        snprintf(load->FileName, sizeof(load->FileName), "%s", self_path);
        load->Reparse = TRUE;
        return TRUE;
    }
    return FALSE;
}

static void show_module(HANDLE process, DWORD64 base)
{
    IMAGEHLP_MODULE64 info;
    memset(&info, 0, sizeof(info));
    info.SizeOfStruct = sizeof(info);
    if (!SymGetModuleInfo64(process, base, &info)) {
        printf("module FAIL %lu\n", GetLastError());
        return;
    }
    printf("module symtype=%d numsyms=%s image=%s loaded=%s\n", (int)info.SymType,
           info.NumSyms ? "nonzero" : "0", base_name(info.ImageName),
           base_name(info.LoadedImageName));
    printf("numsyms %lu\n", (unsigned long)info.NumSyms);
}

static BOOL CALLBACK print_symbol(PSYMBOL_INFO symbol, ULONG size, PVOID context)
{
    (void)size;
    ++*(unsigned *)context;
    printf("symbol %s tag=%lu\n", symbol->Name, (unsigned long)symbol->Tag);
    return TRUE;
}

static DWORD64 load(HANDLE process, const char *image, DWORD64 base, DWORD size)
{
    DWORD64 got = SymLoadModuleEx(process, NULL, image, NULL, base, size, NULL, 0);
    if (got)
        printf("load ok\n");
    else
        printf("load FAIL %lu\n", GetLastError());
    return got;
}

int main(int argc, char **argv)
{
    HANDLE process = GetCurrentProcess();
    DWORD64 base;
    HMODULE dbghelp = GetModuleHandleA("dbghelp.dll");

    setvbuf(stdout, NULL, _IONBF, 0);
    fprintf(stderr, "dbghelp: %s\n", dbghelp && is_wine_builtin(dbghelp) ? "builtin" : "native");
    printf("DBGHELP_BUILTIN %d\n", dbghelp && is_wine_builtin(dbghelp) ? 1 : 0);
    if (argc > 1)
        return map_images(argc, argv);
    GetModuleFileNameA(NULL, self_path, sizeof(self_path));
    SymSetOptions(SYMOPT_DEBUG | SYMOPT_UNDNAME);
    if (!SymInitialize(process, ".", FALSE)) {
        printf("SymInitialize FAIL %lu\n", GetLastError());
        return 1;
    }
    SymRegisterCallback64(process, on_event, 0);

    printf("case found\n");
    base = load(process, self_path, SELF_BASE, 0);
    if (base) {
        unsigned symbols = 0;
        show_module(process, base);
        SymEnumSymbols(process, base, "*", print_symbol, &symbols);
        printf("enumerated %u\n", symbols);
        SymUnloadModule64(process, base);
    }

    printf("case missing\n");
    base = load(process, "nosuch_image.dll", MISSING_BASE, 0x10000);
    if (base) {
        show_module(process, base);
        SymUnloadModule64(process, base);
    }

    printf("case deferred_cancel\n");
    SymSetOptions(SYMOPT_DEBUG | SYMOPT_UNDNAME | SYMOPT_DEFERRED_LOADS);
    cancel_answer = 1;
    base = load(process, self_path, SELF_BASE, 0);
    if (base) {
        char buffer[sizeof(SYMBOL_INFO) + 256];
        SYMBOL_INFO *symbol = (SYMBOL_INFO *)buffer;
        memset(buffer, 0, sizeof(buffer));
        symbol->SizeOfStruct = sizeof(SYMBOL_INFO);
        symbol->MaxNameLen = 255;
        printf("lookup %s\n", SymFromAddr(process, base + 0x1000, NULL, symbol) ? "ok" : "FAIL");
        show_module(process, base);
        SymUnloadModule64(process, base);
    }
    cancel_answer = 0;

    printf("case deferred\n");
    base = load(process, self_path, SELF_BASE, 0);
    if (base) {
        char buffer[sizeof(SYMBOL_INFO) + 256];
        SYMBOL_INFO *symbol = (SYMBOL_INFO *)buffer;
        memset(buffer, 0, sizeof(buffer));
        symbol->SizeOfStruct = sizeof(SYMBOL_INFO);
        symbol->MaxNameLen = 255;
        printf("lookup %s\n", SymFromAddr(process, base + 0x1000, NULL, symbol) ? "ok" : "FAIL");
        show_module(process, base);
        SymUnloadModule64(process, base);
    }
    SymSetOptions(SYMOPT_DEBUG | SYMOPT_UNDNAME);

    printf("case failure_retry\n");
    retry_on_failure = 1;
    base = load(process, "nosuch_retry.dll", MISSING_BASE, 0x10000);
    if (base) {
        show_module(process, base);
        SymUnloadModule64(process, base);
    }
    retry_on_failure = 0;

    SymCleanup(process);
    printf("done\n");
    return 0;
}
