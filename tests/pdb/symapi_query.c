/*
 * Reads addresses (one hex number a line) and prints, for each, what
 * SymFromAddr and SymGetLineFromAddr64 answer through the public API:
 * "ADDR NAME+DISP FILE:LINE" ("?" where there is no answer), for the
 * symbol-API test to compare with llvm-symbolizer.
 * Usage: symapi_query IMAGE BASE < addresses
 */
#include <dbgwalk.h>

#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    HANDLE process = (HANDLE)(uintptr_t)0x1234;
    char buffer[sizeof(SYMBOL_INFO) + 512];
    SYMBOL_INFO *symbol = (SYMBOL_INFO *)buffer;
    char text[64];
    DWORD64 base;

    if (argc != 3) {
        fprintf(stderr, "usage: %s IMAGE BASE < addresses\n", argv[0]);
        return 2;
    }
    SymSetOptions(SymGetOptions() | SYMOPT_UNDNAME);
    if (!SymInitialize(process, NULL, FALSE))
        return 1;
    base = SymLoadModuleEx(process, NULL, argv[1], NULL, strtoull(argv[2], NULL, 0), 0, NULL, 0);
    if (!base) {
        fprintf(stderr, "SymLoadModuleEx failed: %lu\n", (unsigned long)GetLastError());
        return 1;
    }
    while (fgets(text, sizeof(text), stdin)) {
        DWORD64 address = strtoull(text, NULL, 16), displacement = 0;
        IMAGEHLP_LINE64 line = {sizeof(line), 0, 0, 0, 0};
        DWORD line_displacement = 0;

        symbol->SizeOfStruct = sizeof(SYMBOL_INFO);
        symbol->MaxNameLen = 512;
        printf("0x%llx ", (unsigned long long)address);
        if (SymFromAddr(process, address, &displacement, symbol))
            printf("%s+0x%llx ", symbol->Name, (unsigned long long)displacement);
        else
            printf("? ");
        if (SymGetLineFromAddr64(process, address, &line_displacement, &line))
            printf("%s:%lu\n", line.FileName, (unsigned long)line.LineNumber);
        else
            printf("?\n");
    }
    SymCleanup(process);
    return 0;
}
