/*
 * SymGetModuleInfo64, MODLOAD_DATA and the symbol-load events through the
 * public API, for run-modinfo-tests.sh to compare with llvm-pdbutil and the
 * image's own bytes.
 *
 *   modinfo_query info IMAGE
 *       loads IMAGE and prints SymGetModuleInfo64's debug fields, one
 *       "name value" a line (GUID as llvm-pdbutil prints it); checks that
 *       SymGetModuleInfoW64 and the older struct sizes agree.
 *   modinfo_query modload dirs|cvmisc IMAGE SYMDIR ADDRESS
 *       reads IMAGE's debug directory itself and loads the module with no
 *       image (a NULL name, its base and size) and the record as
 *       MODLOAD_DATA (DBHHEADER_DEBUGDIRS: the entries then their data;
 *       DBHHEADER_CVMISC: the CodeView record), SYMDIR the search path;
 *       prints the info fields and SymFromAddr(ADDRESS)'s name.
 *   modinfo_query events eager|deferred narrow|wide IMAGE ADDRESS
 *       registers a callback and prints the events it gets at
 *       SymLoadModuleEx, at SymGetModuleInfo64, and at SymFromAddr(ADDRESS).
 */
#include <dbgwalk.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* the 32-bit API (no declaration in a 64-bit build's header) */
BOOL IMAGEAPI SymGetModuleInfo(HANDLE process, DWORD address, PVOID info);

static const HANDLE process = (HANDLE)(uintptr_t)0x4321;

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
           ((uint32_t)p[3] << 24);
}

static uint8_t *slurp(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    uint8_t *data;
    long n;

    if (!f || fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) ||
        !(data = malloc((size_t)n)) || fread(data, 1, (size_t)n, f) != (size_t)n) {
        fprintf(stderr, "cannot read %s\n", path);
        exit(1);
    }
    fclose(f);
    *size = (size_t)n;
    return data;
}

static const char *type_name(SYM_TYPE t)
{
    static const char *names[] = {"SymNone", "SymCoff",     "SymCv",  "SymPdb",    "SymExport",
                                  "SymDeferred", "SymSym", "SymDia", "SymVirtual"};
    return (unsigned)t < sizeof(names) / sizeof(names[0]) ? names[t] : "?";
}

static int print_info(DWORD64 address)
{
    IMAGEHLP_MODULE64 info, old;
    IMAGEHLP_MODULEW64 wide;
    const GUID *g;
    char pdb[256];

    memset(&info, 0, sizeof(info));
    info.SizeOfStruct = sizeof(info);
    if (!SymGetModuleInfo64(process, address, &info)) {
        fprintf(stderr, "SymGetModuleInfo64 failed: %lu\n", (unsigned long)GetLastError());
        return 1;
    }
    g = &info.PdbSig70;
    printf("SymType %s\n", type_name(info.SymType));
    printf("Guid {%08X-%04X-%04X-%02X%02X-%02X%02X%02X%02X%02X%02X}\n", (unsigned)g->Data1,
           g->Data2, g->Data3, g->Data4[0], g->Data4[1], g->Data4[2], g->Data4[3], g->Data4[4],
           g->Data4[5], g->Data4[6], g->Data4[7]);
    printf("Age %u\n", (unsigned)info.PdbAge);
    printf("LoadedPdbName %s\n", info.LoadedPdbName[0] ? info.LoadedPdbName : "-");
    printf("CVSig 0x%08x\n", (unsigned)info.CVSig);
    printf("CVData %s\n", info.CVData[0] ? info.CVData : "-");
    printf("PdbUnmatched %d\n", info.PdbUnmatched);
    printf("LineNumbers %d\n", info.LineNumbers);
    printf("GlobalSymbols %d\n", info.GlobalSymbols);
    printf("TypeInfo %d\n", info.TypeInfo);
    printf("Publics %d\n", info.Publics);

    /* the wide form carries the same facts */
    memset(&wide, 0, sizeof(wide));
    wide.SizeOfStruct = sizeof(wide);
    if (!SymGetModuleInfoW64(process, address, &wide)) {
        fprintf(stderr, "SymGetModuleInfoW64 failed\n");
        return 1;
    }
    for (unsigned i = 0; i < 256; i++) {
        pdb[i] = (char)wide.LoadedPdbName[i];
        if (!wide.LoadedPdbName[i])
            break;
    }
    pdb[255] = 0;
    if (wide.SymType != info.SymType || memcmp(&wide.PdbSig70, &info.PdbSig70, sizeof(GUID)) ||
        wide.PdbAge != info.PdbAge || strcmp(pdb, info.LoadedPdbName) ||
        wide.LineNumbers != info.LineNumbers || wide.CVSig != info.CVSig) {
        printf("FAIL: SymGetModuleInfoW64 differs\n");
        return 1;
    }
    /* the 32-bit IMAGEHLP_MODULE: its prefix, for a module below 4 GiB */
    if (info.BaseOfImage <= 0xFFFFFFFFu) {
        struct {
            DWORD SizeOfStruct, BaseOfImage, ImageSize, TimeDateStamp, CheckSum, NumSyms;
            SYM_TYPE SymType;
            CHAR ModuleName[32], ImageName[256], LoadedImageName[256];
        } small;
        memset(&small, 0, sizeof(small));
        small.SizeOfStruct = sizeof(small);
        if (!SymGetModuleInfo(process, (DWORD)address, &small) ||
            small.BaseOfImage != info.BaseOfImage || small.SymType != info.SymType ||
            strcmp(small.ModuleName, info.ModuleName) ||
            strcmp(small.LoadedImageName, info.LoadedImageName)) {
            printf("FAIL: SymGetModuleInfo (32-bit) differs\n");
            return 1;
        }
        printf("SymGetModuleInfo32 agrees\n");
    }
    /* DbgHelp 6.0's size (up to TypeInfo) gets the PDB fields, nothing past */
    memset(&old, 0xCC, sizeof(old));
    old.SizeOfStruct = 0x680;
    if (!SymGetModuleInfo64(process, address, &old) || old.PdbAge != info.PdbAge ||
        old.TypeInfo != info.TypeInfo || ((uint8_t *)&old)[0x680] != 0xCC) {
        printf("FAIL: the 0x680-byte IMAGEHLP_MODULE64\n");
        return 1;
    }
    return 0;
}

/* The PE's debug directory (file offsets) and image size. */
struct pe_facts {
    uint64_t image_base;
    uint32_t image_size, debug_offset, debug_size;
};

static uint32_t rva_to_offset(const uint8_t *pe, size_t size, uint32_t rva)
{
    uint32_t nt = le32(pe + 0x3C);
    unsigned sections = pe[nt + 6] | (pe[nt + 7] << 8);
    unsigned optional = pe[nt + 20] | (pe[nt + 21] << 8);
    const uint8_t *s = pe + nt + 24 + optional;

    for (unsigned i = 0; i < sections && (size_t)(s + 40 - pe) <= size; i++, s += 40) {
        uint32_t va = le32(s + 12), raw = le32(s + 16), ptr = le32(s + 20);
        if (rva >= va && rva < va + raw)
            return rva - va + ptr;
    }
    return 0;
}

static struct pe_facts pe_facts(const uint8_t *pe, size_t size)
{
    uint32_t nt = le32(pe + 0x3C);
    const uint8_t *opt = pe + nt + 24;
    int plus = opt[0] == 0x0B && opt[1] == 0x02;
    const uint8_t *dirs = opt + (plus ? 112 : 96);
    struct pe_facts f;

    f.image_base = plus ? ((uint64_t)le32(opt + 24) | ((uint64_t)le32(opt + 28) << 32))
                        : le32(opt + 28);
    f.image_size = le32(opt + 56);
    f.debug_offset = rva_to_offset(pe, size, le32(dirs + 6 * 8));
    f.debug_size = le32(dirs + 6 * 8 + 4);
    return f;
}

static int modload(const char *kind, const char *image, const char *symdir, DWORD64 address)
{
    size_t size;
    uint8_t *pe = slurp(image, &size), *buffer = NULL;
    struct pe_facts f = pe_facts(pe, size);
    MODLOAD_DATA data = {sizeof(MODLOAD_DATA), 0, NULL, 0, 0};
    char name[sizeof(SYMBOL_INFO) + 256];
    SYMBOL_INFO *symbol = (SYMBOL_INFO *)name;
    DWORD64 displacement = 0, base;
    unsigned count = f.debug_size / 28;

    if (!f.debug_offset || !count) {
        fprintf(stderr, "%s: no debug directory\n", image);
        return 1;
    }
    if (strcmp(kind, "dirs") == 0) {
        /* the entries, then each entry's data, PointerToRawData rewritten to
         * its offset in the buffer */
        size_t total = count * 28, at;
        for (unsigned i = 0; i < count; i++)
            total += le32(pe + f.debug_offset + i * 28 + 16);
        buffer = calloc(1, total);
        memcpy(buffer, pe + f.debug_offset, count * 28);
        at = count * 28;
        for (unsigned i = 0; i < count; i++) {
            uint8_t *e = buffer + i * 28;
            uint32_t n = le32(e + 16), from = le32(e + 24);
            if (from + (size_t)n > size)
                return 1;
            memcpy(buffer + at, pe + from, n);
            for (unsigned b = 0; b < 4; b++)
                e[24 + b] = (uint8_t)(at >> (8 * b));
            at += n;
        }
        data.ssig = DBHHEADER_DEBUGDIRS;
        data.data = buffer;
        data.size = (DWORD)total;
    } else {
        for (unsigned i = 0; i < count && !buffer; i++) {
            const uint8_t *e = pe + f.debug_offset + i * 28;
            if (le32(e + 12) == 2) { /* IMAGE_DEBUG_TYPE_CODEVIEW */
                buffer = malloc(le32(e + 16));
                memcpy(buffer, pe + le32(e + 24), le32(e + 16));
                data.size = le32(e + 16);
            }
        }
        data.ssig = DBHHEADER_CVMISC;
        data.data = buffer;
    }
    free(pe); /* the image is gone: only the record remains */
    if (!SymInitialize(process, symdir, FALSE))
        return 1;
    base = SymLoadModuleEx(process, NULL, NULL, "prog", f.image_base, f.image_size, &data, 0);
    free(buffer); /* the caller's buffer need not outlive the call */
    if (base != f.image_base) {
        fprintf(stderr, "SymLoadModuleEx gave 0x%llx: %lu\n", (unsigned long long)base,
                (unsigned long)GetLastError());
        return 1;
    }
    if (print_info(base))
        return 1;
    memset(name, 0, sizeof(name));
    symbol->SizeOfStruct = sizeof(SYMBOL_INFO);
    symbol->MaxNameLen = 256;
    printf("Symbol %s\n",
           SymFromAddr(process, address, &displacement, symbol) ? symbol->Name : "?");
    return 0;
}

/* ---- events ---- */

static char events[4096];

static BOOL CALLBACK on_event(HANDLE h, ULONG action, ULONG64 data, ULONG64 context)
{
    const char *name = action == CBA_DEFERRED_SYMBOL_LOAD_START      ? "START"
                       : action == CBA_DEFERRED_SYMBOL_LOAD_COMPLETE ? "COMPLETE"
                       : action == CBA_DEFERRED_SYMBOL_LOAD_FAILURE  ? "FAILURE"
                                                                     : NULL;
    char file[MAX_PATH + 1];
    DWORD64 base;

    if (h != process || !name)
        return FALSE;
    if (context) { /* wide: IMAGEHLP_DEFERRED_SYMBOL_LOADW64, FileName WCHAR[MAX_PATH + 1] */
        const uint8_t *p = (const uint8_t *)(uintptr_t)data;
        const WCHAR *w = (const WCHAR *)(p + 24);
        memcpy(&base, p + 8, 8);
        for (unsigned i = 0; i <= MAX_PATH; i++)
            if (!(file[i] = (char)w[i]))
                break;
        file[MAX_PATH] = 0;
    } else {
        const IMAGEHLP_DEFERRED_SYMBOL_LOAD64 *e =
            (const IMAGEHLP_DEFERRED_SYMBOL_LOAD64 *)(uintptr_t)data;
        base = e->BaseOfImage;
        snprintf(file, sizeof(file), "%s", e->FileName);
    }
    snprintf(events + strlen(events), sizeof(events) - strlen(events), " %s(0x%llx,%s)", name,
             (unsigned long long)base, file);
    return TRUE;
}

static void flush_events(const char *when)
{
    printf("%s:%s\n", when, events[0] ? events : " none");
    events[0] = 0;
}

static int events_test(const char *mode, const char *width, const char *image, DWORD64 address)
{
    char name[sizeof(SYMBOL_INFO) + 256];
    SYMBOL_INFO *symbol = (SYMBOL_INFO *)name;
    IMAGEHLP_MODULE64 info;
    DWORD64 displacement = 0, base;
    int wide = strcmp(width, "wide") == 0;

    SymSetOptions(strcmp(mode, "deferred") == 0 ? SymGetOptions() | SYMOPT_DEFERRED_LOADS
                                                : SymGetOptions() & ~SYMOPT_DEFERRED_LOADS);
    if (!SymInitialize(process, NULL, FALSE) ||
        !(wide ? SymRegisterCallbackW64(process, on_event, 1)
               : SymRegisterCallback64(process, on_event, 0)))
        return 1;
    base = SymLoadModuleEx(process, NULL, image, NULL, 0, 0, NULL, 0);
    if (!base)
        return 1;
    flush_events("load");
    memset(&info, 0, sizeof(info));
    info.SizeOfStruct = sizeof(info);
    if (!SymGetModuleInfo64(process, base, &info))
        return 1;
    flush_events("info");
    printf("info SymType %s\n", type_name(info.SymType));
    memset(name, 0, sizeof(name));
    symbol->SizeOfStruct = sizeof(SYMBOL_INFO);
    symbol->MaxNameLen = 256;
    printf("Symbol %s\n",
           SymFromAddr(process, address, &displacement, symbol) ? symbol->Name : "?");
    flush_events("lookup");
    if (!SymGetModuleInfo64(process, base, &info))
        return 1;
    printf("after SymType %s\n", type_name(info.SymType));
    (void)SymFromAddr(process, address, &displacement, symbol);
    flush_events("again");
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "info") == 0) {
        DWORD64 base;
        if (!SymInitialize(process, NULL, FALSE))
            return 1;
        base = SymLoadModuleEx(process, NULL, argv[2], NULL, 0, 0, NULL, 0);
        return base ? print_info(base) : 1;
    }
    if (argc == 6 && strcmp(argv[1], "modload") == 0)
        return modload(argv[2], argv[3], argv[4], strtoull(argv[5], NULL, 0));
    if (argc == 6 && strcmp(argv[1], "events") == 0)
        return events_test(argv[2], argv[3], argv[4], strtoull(argv[5], NULL, 0));
    fprintf(stderr, "usage: see the comment at the top of modinfo_query.c\n");
    return 2;
}
