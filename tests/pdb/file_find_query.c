/*
 * The file-finding and symbol-store index functions through the public API,
 * one command a run, printing what they answer for run-file-tests.sh to
 * compare with llvm-readobj and llvm-pdbutil (and with the files it laid out):
 *
 *   index FILE                 SymSrvGetFileIndexString/Info/Indexes, A and W
 *   find PATH NAME MODE ID TWO [exact] [reject-first]
 *                              SymFindFileInPath(W); MODE guid|dword|dwordptr;
 *                              ID 32 hex digits (GUID, as the store writes it)
 *                              or a hex DWORD
 *   exe|dbg|symexe PATH NAME [reject-first]
 *                              FindExecutableImageEx(W), FindDebugInfoFileEx(W),
 *                              SymFindExecutableImage(W) (PATH as the session's)
 *   types IMAGE                the type functions on a loaded image
 *
 * Each callback call prints "CANDIDATE path"; "reject-first" passes the first
 * candidate by.
 */
#include <dbgwalk.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static HANDLE const process = (HANDLE)(uintptr_t)0x5150;
static int reject_first, candidates;

static void widen(const char *in, WCHAR *out, size_t n)
{
    size_t i;
    for (i = 0; i + 1 < n && in[i]; i++)
        out[i] = (WCHAR)(unsigned char)in[i];
    out[i] = 0;
}

static void narrow(const WCHAR *in, char *out, size_t n)
{
    size_t i;
    for (i = 0; i + 1 < n && in[i]; i++)
        out[i] = (char)in[i];
    out[i] = 0;
}

static void guid_text(const GUID *g, char *out, size_t n)
{
    snprintf(out, n, "%08X%04X%04X%02X%02X%02X%02X%02X%02X%02X%02X", (unsigned)g->Data1, g->Data2,
             g->Data3, g->Data4[0], g->Data4[1], g->Data4[2], g->Data4[3], g->Data4[4],
             g->Data4[5], g->Data4[6], g->Data4[7]);
}

static int parse_guid(const char *s, GUID *g)
{
    unsigned v[11];
    if (strlen(s) != 32 ||
        sscanf(s, "%8x%4x%4x%2x%2x%2x%2x%2x%2x%2x%2x", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5],
               &v[6], &v[7], &v[8], &v[9], &v[10]) != 11)
        return 0;
    g->Data1 = v[0];
    g->Data2 = (unsigned short)v[1];
    g->Data3 = (unsigned short)v[2];
    for (int i = 0; i < 8; i++)
        g->Data4[i] = (unsigned char)v[3 + i];
    return 1;
}

static int index_of(const char *file)
{
    char s[128], g[40], text[MAX_PATH + 1], text2[MAX_PATH + 1];
    WCHAR wfile[MAX_PATH], ws[128];
    SYMSRV_INDEX_INFO info;
    SYMSRV_INDEX_INFOW winfo;
    GUID id;
    DWORD v1, v2;

    widen(file, wfile, MAX_PATH);
    if (SymSrvGetFileIndexString(process, NULL, file, s, sizeof s, 0))
        printf("STRING %s\n", s);
    else
        printf("STRING FAIL %lu\n", (unsigned long)GetLastError());
    if (SymSrvGetFileIndexStringW(process, NULL, wfile, ws, 128, 0)) {
        narrow(ws, s, sizeof s);
        printf("STRINGW %s\n", s);
    } else
        printf("STRINGW FAIL %lu\n", (unsigned long)GetLastError());
    if (SymSrvGetFileIndexString(process, NULL, file, s, 4, 0))
        printf("SHORT ok\n");
    else
        printf("SHORT FAIL %lu\n", (unsigned long)GetLastError());

    memset(&info, 0xCC, sizeof info);
    info.sizeofstruct = sizeof info;
    if (SymSrvGetFileIndexInfo(file, &info, 0)) {
        guid_text(&info.guid, g, sizeof g);
        printf("INFO %s %d %08X %X %s %s %X %u\n", info.file, info.stripped ? 1 : 0,
               (unsigned)info.timestamp, (unsigned)info.size, info.pdbfile[0] ? info.pdbfile : "-",
               g, (unsigned)info.sig, (unsigned)info.age);
    } else
        printf("INFO FAIL %lu\n", (unsigned long)GetLastError());
    memset(&winfo, 0xCC, sizeof winfo);
    winfo.sizeofstruct = sizeof winfo;
    if (SymSrvGetFileIndexInfoW(wfile, &winfo, 0)) {
        guid_text(&winfo.guid, g, sizeof g);
        narrow(winfo.file, text, sizeof text);
        narrow(winfo.pdbfile, text2, sizeof text2);
        printf("INFOW %s %d %08X %X %s %s %X %u\n", text, winfo.stripped ? 1 : 0,
               (unsigned)winfo.timestamp, (unsigned)winfo.size, text2[0] ? text2 : "-", g,
               (unsigned)winfo.sig, (unsigned)winfo.age);
    } else
        printf("INFOW FAIL %lu\n", (unsigned long)GetLastError());
    info.sizeofstruct = 12;
    {
        int bad_ok = SymSrvGetFileIndexInfo(file, &info, 0) ? 1 : 0;
        printf("BADSIZE %d %lu\n", bad_ok, (unsigned long)GetLastError());
    }

    if (SymSrvGetFileIndexes(file, &id, &v1, &v2, 0)) {
        guid_text(&id, g, sizeof g);
        printf("INDEXES %s %X %X\n", g, (unsigned)v1, (unsigned)v2);
    } else
        printf("INDEXES FAIL %lu\n", (unsigned long)GetLastError());
    if (SymSrvGetFileIndexesW(wfile, &id, &v1, NULL, 0)) {
        guid_text(&id, g, sizeof g);
        printf("INDEXESW %s %X\n", g, (unsigned)v1);
    } else
        printf("INDEXESW FAIL %lu\n", (unsigned long)GetLastError());
    return 0;
}

static BOOL CALLBACK in_path_cb(PCSTR name, PVOID context)
{
    (void)context;
    printf("CANDIDATE %s\n", name);
    return reject_first && candidates++ == 0; /* TRUE: go on searching */
}

static BOOL CALLBACK in_path_cbw(PCWSTR name, PVOID context)
{
    char text[MAX_PATH];
    (void)context;
    narrow(name, text, sizeof text);
    printf("CANDIDATEW %s\n", text);
    return reject_first && candidates++ == 0;
}

static int find(int argc, char **argv)
{
    const char *path = argv[2], *name = argv[3], *mode = argv[4];
    DWORD two = (DWORD)strtoul(argv[6], NULL, 16), flags, dword = 0;
    GUID guid;
    PVOID id;
    char found[MAX_PATH];
    WCHAR wpath[1024], wname[MAX_PATH], wfound[MAX_PATH];

    for (int i = 7; i < argc; i++) {
        if (!strcmp(argv[i], "exact"))
            SymSetOptions(SymGetOptions() | SYMOPT_EXACT_SYMBOLS);
        if (!strcmp(argv[i], "reject-first"))
            reject_first = 1;
    }
    if (!strcmp(mode, "guid")) {
        if (!parse_guid(argv[5], &guid))
            return 2;
        flags = SSRVOPT_GUIDPTR;
        id = &guid;
    } else {
        dword = (DWORD)strtoul(argv[5], NULL, 16);
        flags = !strcmp(mode, "dwordptr") ? SSRVOPT_DWORDPTR : SSRVOPT_DWORD;
        id = flags == SSRVOPT_DWORDPTR ? (PVOID)&dword : (PVOID)(uintptr_t)dword;
    }
    if (!SymInitialize(process, NULL, FALSE))
        return 1;
    if (SymFindFileInPath(process, path, name, id, two, 0, flags, found, in_path_cb, NULL))
        printf("FOUND %s\n", found);
    else
        printf("NOTFOUND %lu\n", (unsigned long)GetLastError());
    candidates = 0;
    widen(path, wpath, 1024);
    widen(name, wname, MAX_PATH);
    if (SymFindFileInPathW(process, wpath, wname, id, two, 0, flags, (PSTR)wfound, in_path_cbw,
                           NULL)) {
        narrow(wfound, found, sizeof found);
        printf("FOUNDW %s\n", found);
    } else
        printf("NOTFOUNDW %lu\n", (unsigned long)GetLastError());
    /* with no callback: the first candidate */
    if (SymFindFileInPath(process, path, name, id, two, 0, flags, found, NULL, NULL))
        printf("FIRST %s\n", found);
    else
        printf("NOFIRST %lu\n", (unsigned long)GetLastError());
    SymCleanup(process);
    return 0;
}

static BOOL CALLBACK open_cb(HANDLE file, PCSTR name, PVOID data)
{
    (void)data;
    printf("CANDIDATE %s %s\n", name, file ? "open" : "null");
    return !(reject_first && candidates++ == 0); /* TRUE: take it */
}

static BOOL CALLBACK open_cbw(HANDLE file, PCWSTR name, PVOID data)
{
    char text[MAX_PATH];
    (void)data;
    narrow(name, text, sizeof text);
    printf("CANDIDATEW %s %s\n", text, file ? "open" : "null");
    return !(reject_first && candidates++ == 0);
}

static void close_handle(HANDLE h)
{
#ifdef _WIN32
    CloseHandle(h);
#else
    fclose((FILE *)h);
#endif
}

static int find_open(int argc, char **argv)
{
    const char *kind = argv[1], *path = argv[2], *name = argv[3];
    char found[MAX_PATH];
    WCHAR wpath[1024], wname[MAX_PATH], wfound[MAX_PATH];
    HANDLE h, hw;

    reject_first = argc > 4 && !strcmp(argv[4], "reject-first");
    widen(path, wpath, 1024);
    widen(name, wname, MAX_PATH);
    if (!strcmp(kind, "exe")) {
        h = FindExecutableImageEx(name, path, found, open_cb, NULL);
        printf("%s %s\n", h ? "FOUND" : "NOTFOUND", h ? found : "");
        candidates = 0;
        hw = FindExecutableImageExW(wname, wpath, wfound, open_cbw, NULL);
    } else if (!strcmp(kind, "dbg")) {
        h = FindDebugInfoFileEx(name, path, found, open_cb, NULL);
        printf("%s %s\n", h ? "FOUND" : "NOTFOUND", h ? found : "");
        candidates = 0;
        hw = FindDebugInfoFileExW(wname, wpath, wfound, open_cbw, NULL);
    } else {
        if (!SymInitialize(process, path, FALSE))
            return 1;
        h = SymFindExecutableImage(process, name, found, open_cb, NULL);
        printf("%s %s\n", h ? "FOUND" : "NOTFOUND", h ? found : "");
        candidates = 0;
        hw = SymFindExecutableImageW(process, wname, wfound, open_cbw, NULL);
        SymCleanup(process);
    }
    if (hw) {
        narrow(wfound, found, sizeof found);
        printf("FOUNDW %s\n", found);
    } else
        printf("NOTFOUNDW %lu\n", (unsigned long)GetLastError());
    if (h)
        close_handle(h);
    if (hw)
        close_handle(hw);
    return 0;
}

static BOOL CALLBACK count_cb(PSYMBOL_INFO symbol, ULONG size, PVOID context)
{
    (void)symbol;
    (void)size;
    ++*(int *)context;
    return TRUE;
}

static int types(const char *image)
{
    char buffer[sizeof(SYMBOL_INFO) + 256];
    SYMBOL_INFO *symbol = (SYMBOL_INFO *)buffer;
    DWORD64 base;
    DWORD tag = 0;
    int count = 0;
    BOOL ok;

    if (!SymInitialize(process, NULL, FALSE))
        return 1;
    base = SymLoadModuleEx(process, NULL, image, NULL, 0x140000000, 0, NULL, 0);
    if (!base)
        return 1;
    ok = SymEnumTypes(process, base, count_cb, &count);
    printf("ENUMTYPES %d %d\n", ok ? 1 : 0, count);
    ok = SymEnumTypesByName(process, base, "*", count_cb, &count);
    printf("ENUMTYPESBYNAME %d %d\n", ok ? 1 : 0, count);
    SetLastError(0);
    ok = SymGetTypeInfo(process, base, 1, 0 /* TI_GET_SYMTAG */, &tag);
    printf("GETTYPEINFO %d %lu\n", ok ? 1 : 0, (unsigned long)GetLastError());
    memset(buffer, 0, sizeof buffer);
    symbol->SizeOfStruct = sizeof(SYMBOL_INFO);
    symbol->MaxNameLen = 256;
    SetLastError(0);
    ok = SymGetTypeFromName(process, base, "shape", symbol);
    printf("GETTYPEFROMNAME %d %lu\n", ok ? 1 : 0, (unsigned long)GetLastError());
    SetLastError(0);
    ok = SymEnumTypes(process, 0x10, count_cb, &count);
    printf("ENUMTYPES_NOMODULE %d %lu\n", ok ? 1 : 0, (unsigned long)GetLastError());
    SetLastError(0);
    ok = SymGetTypeInfo((HANDLE)(uintptr_t)0x777, base, 1, 0, &tag);
    printf("GETTYPEINFO_NOSESSION %d %lu\n", ok ? 1 : 0, (unsigned long)GetLastError());
    SymCleanup(process);
    return 0;
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    if (argc == 3 && !strcmp(argv[1], "index"))
        return index_of(argv[2]);
    if (argc >= 7 && !strcmp(argv[1], "find"))
        return find(argc, argv);
    if (argc >= 4 && (!strcmp(argv[1], "exe") || !strcmp(argv[1], "dbg") ||
                      !strcmp(argv[1], "symexe")))
        return find_open(argc, argv);
    if (argc == 3 && !strcmp(argv[1], "types"))
        return types(argv[2]);
    fprintf(stderr, "usage: see the comment at the top of %s\n", __FILE__);
    return 2;
}
