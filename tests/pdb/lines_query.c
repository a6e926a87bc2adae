/*
 * The line functions through the public API, for the line test to compare
 * with llvm-pdbutil / llvm-dwarfdump (run-lines-tests.sh).
 *   lines_query enum IMAGE BASE: SymEnumLines' records ("L 0xADDR LINE FILE")
 *     and SymEnumSourceFiles' files ("F FILE"), then the W forms' ("WL",
 *     with SymGetLineFromAddrW64 of each address, and "WF").
 *   lines_query step IMAGE BASE < entries ("0xADDR LINE FILE" a line): for
 *     each, what SymGetLineNext64 and SymGetLinePrev64 step to from it
 *     ("END" where they fail with ERROR_NO_MORE_ITEMS), the W forms' answers
 *     when they differ from these ("WDIFF"), and SymGetLineFromName64 of its
 *     file and line.
 */
#include <dbgwalk.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static BOOL CALLBACK print_line(PSRCCODEINFO info, PVOID context)
{
    (void)context;
    printf("L 0x%llx %lu %s\n", (unsigned long long)info->Address, (unsigned long)info->LineNumber,
           info->FileName);
    return TRUE;
}

static BOOL CALLBACK print_file(PSOURCEFILE file, PVOID context)
{
    (void)context;
    printf("F %s\n", file->FileName);
    return TRUE;
}

static void narrow(const WCHAR *in, char *out, size_t size)
{
    size_t i = 0;
    for (; in && in[i] && i + 1 < size; i++)
        out[i] = in[i] < 0x80 ? (char)in[i] : '?';
    out[i] = 0;
}

/* SymEnumLinesW's records, and SymGetLineFromAddrW64 of each address
 * ("WL 0xADDR LINE FILE FROMADDR-LINE FROMADDR-FILE"). */
static BOOL CALLBACK print_line_wide(PSRCCODEINFOW info, PVOID context)
{
    IMAGEHLP_LINEW64 line = {sizeof(line), NULL, 0, NULL, 0};
    DWORD displacement;
    char file[1024], at[1024] = "?";

    narrow(info->FileName, file, sizeof(file));
    if (SymGetLineFromAddrW64((HANDLE)context, info->Address, &displacement, &line))
        narrow(line.FileName, at, sizeof(at));
    printf("WL 0x%llx %lu %s\t%lu %s\n", (unsigned long long)info->Address,
           (unsigned long)info->LineNumber, file, (unsigned long)line.LineNumber, at);
    return TRUE;
}

static BOOL CALLBACK print_file_wide(PSOURCEFILEW file, PVOID context)
{
    char name[1024];
    (void)context;
    narrow(file->FileName, name, sizeof(name));
    printf("WF %s\n", name);
    return TRUE;
}

static void widen(const char *in, WCHAR *out, size_t count)
{
    size_t i = 0;
    for (; in[i] && i + 1 < count; i++)
        out[i] = (unsigned char)in[i];
    out[i] = 0;
}

/* Prints the step from (address, line, file) and checks the W form agrees. */
static void step(HANDLE process, DWORD64 address, DWORD number, char *file, int direction)
{
    IMAGEHLP_LINE64 line = {sizeof(line), NULL, number, file, address};
    IMAGEHLP_LINEW64 wline = {sizeof(wline), NULL, number, NULL, address};
    WCHAR wfile[1024];
    char back[1024];
    BOOL ok, wok;

    widen(file, wfile, 1024);
    wline.FileName = wfile;
    ok = direction > 0 ? SymGetLineNext64(process, &line) : SymGetLinePrev64(process, &line);
    wok = direction > 0 ? SymGetLineNextW64(process, &wline) : SymGetLinePrevW64(process, &wline);
    if (ok) {
        printf(" 0x%llx %lu %s", (unsigned long long)line.Address, (unsigned long)line.LineNumber,
               line.FileName);
    } else {
        printf(" %s", GetLastError() == ERROR_NO_MORE_ITEMS ? "END" : "ERROR");
    }
    narrow(wline.FileName, back, sizeof(back));
    if (ok != wok || (ok && (wline.Address != line.Address ||
                             wline.LineNumber != line.LineNumber || strcmp(back, line.FileName))))
        printf(" WDIFF");
}

int main(int argc, char **argv)
{
    HANDLE process = (HANDLE)(uintptr_t)0x1234;
    DWORD64 base;
    char text[2048];

    if (argc != 4) {
        fprintf(stderr, "usage: %s enum|step IMAGE BASE\n", argv[0]);
        return 2;
    }
    if (!SymInitialize(process, NULL, FALSE))
        return 1;
    base = SymLoadModuleEx(process, NULL, argv[2], NULL, strtoull(argv[3], NULL, 0), 0, NULL, 0);
    if (!base) {
        fprintf(stderr, "SymLoadModuleEx failed: %lu\n", (unsigned long)GetLastError());
        return 1;
    }
    if (strcmp(argv[1], "enum") == 0) {
        if (!SymEnumLines(process, base, NULL, NULL, print_line, NULL))
            printf("SymEnumLines failed %lu\n", (unsigned long)GetLastError());
        if (!SymEnumSourceFiles(process, base, NULL, print_file, NULL))
            printf("SymEnumSourceFiles failed %lu\n", (unsigned long)GetLastError());
        if (!SymEnumLinesW(process, base, NULL, NULL, print_line_wide, process))
            printf("SymEnumLinesW failed %lu\n", (unsigned long)GetLastError());
        if (!SymEnumSourceFilesW(process, base, NULL, print_file_wide, NULL))
            printf("SymEnumSourceFilesW failed %lu\n", (unsigned long)GetLastError());
        SymCleanup(process);
        return 0;
    }
    while (fgets(text, sizeof(text), stdin)) {
        unsigned long long address;
        unsigned long number;
        char file[1024];
        IMAGEHLP_LINE64 found = {sizeof(found), NULL, 0, NULL, 0};
        LONG displacement = -1;

        if (sscanf(text, "%llx %lu %1023[^\n]", &address, &number, file) != 3)
            continue;
        printf("0x%llx %lu %s |", address, number, file);
        step(process, address, (DWORD)number, file, 1);
        printf(" |");
        step(process, address, (DWORD)number, file, -1);
        if (SymGetLineFromName64(process, NULL, file, (DWORD)number, &displacement, &found))
            printf(" | 0x%llx %lu %ld\n", (unsigned long long)found.Address,
                   (unsigned long)found.LineNumber, (long)displacement);
        else
            printf(" | ERROR %lu\n", (unsigned long)GetLastError());
    }
    SymCleanup(process);
    return 0;
}
