/*
 * The name side of the symbol API through the public API, for the symbol
 * enumeration test to compare with llvm-pdbutil / llvm-dwarfdump:
 *   "E ADDR NAME" for every symbol SymEnumSymbols(base, "*") lists, then
 *   "N NAME ADDR" (or "N NAME ?") for each name read from stdin, as
 *   SymFromName answers it ("N NAME ? ERROR" when it fails). With -i,
 *   SYMOPT_CASE_INSENSITIVE is set first. For an image below 4 GiB the 32-bit
 *   forms answer too: "E32 ADDR NAME" (SymEnumerateSymbols) and
 *   "N32 NAME ADDR" (SymGetSymFromName).
 * Usage: symenum_query IMAGE BASE [-i] < names
 */
#include <dbgwalk.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The 32-bit forms (no header declares them for a 64-bit caller). */
typedef struct {
    DWORD SizeOfStruct, Address, Size, Flags, MaxNameLength;
    CHAR Name[1];
} symbol32;
BOOL SymGetSymFromName(HANDLE process, PCSTR name, symbol32 *symbol);
BOOL SymEnumerateSymbols(HANDLE process, ULONG base,
                         BOOL (*callback)(PCSTR, ULONG, ULONG, PVOID), PVOID context);

static BOOL print_symbol32(PCSTR name, ULONG address, ULONG size, PVOID context)
{
    (void)size;
    (void)context;
    printf("E32 0x%lx %s\n", (unsigned long)address, name);
    return TRUE;
}

static BOOL CALLBACK print_symbol(PSYMBOL_INFO symbol, ULONG size, PVOID context)
{
    (void)size;
    (void)context;
    printf("E 0x%llx %s\n", (unsigned long long)symbol->Address, symbol->Name);
    return TRUE;
}

int main(int argc, char **argv)
{
    HANDLE process = (HANDLE)(uintptr_t)0x1234;
    char buffer[sizeof(SYMBOL_INFO) + 512];
    SYMBOL_INFO *symbol = (SYMBOL_INFO *)buffer;
    char text[600];
    DWORD64 base;

    if (argc != 3 && !(argc == 4 && strcmp(argv[3], "-i") == 0)) {
        fprintf(stderr, "usage: %s IMAGE BASE [-i] < names\n", argv[0]);
        return 2;
    }
    SymSetOptions(SymGetOptions() | SYMOPT_UNDNAME | (argc == 4 ? SYMOPT_CASE_INSENSITIVE : 0));
    if (!SymInitialize(process, NULL, FALSE))
        return 1;
    base = SymLoadModuleEx(process, NULL, argv[1], NULL, strtoull(argv[2], NULL, 0), 0, NULL, 0);
    if (!base) {
        fprintf(stderr, "SymLoadModuleEx failed: %lu\n", (unsigned long)GetLastError());
        return 1;
    }
    if (!SymEnumSymbols(process, base, "*", print_symbol, NULL)) {
        fprintf(stderr, "SymEnumSymbols failed: %lu\n", (unsigned long)GetLastError());
        return 1;
    }
    if (base <= 0xFFFFFFFFu && !SymEnumerateSymbols(process, (ULONG)base, print_symbol32, NULL)) {
        fprintf(stderr, "SymEnumerateSymbols failed: %lu\n", (unsigned long)GetLastError());
        return 1;
    }
    while (fgets(text, sizeof(text), stdin)) {
        text[strcspn(text, "\r\n")] = 0;
        if (!*text)
            continue;
        symbol->SizeOfStruct = sizeof(SYMBOL_INFO);
        symbol->MaxNameLen = 512;
        if (SymFromName(process, text, symbol))
            printf("N %s 0x%llx\n", text, (unsigned long long)symbol->Address);
        else
            printf("N %s ? %lu\n", text, (unsigned long)GetLastError());
        if (base <= 0xFFFFFFFFu) {
            union {
                symbol32 info;
                char bytes[sizeof(symbol32) + 512];
            } old;
            old.info.SizeOfStruct = sizeof(symbol32);
            old.info.MaxNameLength = 512;
            if (SymGetSymFromName(process, text, &old.info))
                printf("N32 %s 0x%lx\n", text, (unsigned long)old.info.Address);
            else
                printf("N32 %s ? %lu\n", text, (unsigned long)GetLastError());
        }
    }
    SymCleanup(process);
    return 0;
}
