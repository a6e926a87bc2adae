/* Reads addresses (hex, one a line) and prints SymAddrIncludeInlineTrace for
 * each, through libdbghelp's public API over an image loaded from its file,
 * and each level's name (SymFromInlineContext); with "lines", each level's
 * name and FILE:LINE (SymGetLineFromInlineContext) on a line of its own.
 *   inline_count IMAGE BASE [lines] < addresses */
#include <dbgwalk.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    HANDLE process = (HANDLE)(uintptr_t)0x1234;
    char line[64];

    int lines = argc == 4 && strcmp(argv[3], "lines") == 0;

    if (argc != 3 && !lines)
        return 2;
    if (!SymInitialize(process, NULL, FALSE) ||
        !SymLoadModuleEx(process, NULL, argv[1], NULL, strtoull(argv[2], NULL, 0), 0, NULL, 0))
        return 3;
    /* per address: the depth, then each level's name innermost first
     * (SymFromInlineContext with each virtual frame's context, then INIT) */
    while (fgets(line, sizeof line, stdin)) {
        DWORD64 address = strtoull(line, NULL, 16), displacement;
        DWORD depth = SymAddrIncludeInlineTrace(process, address);
        union { SYMBOL_INFO info; char bytes[sizeof(SYMBOL_INFO) + 512]; } s;
        printf("%lu", (unsigned long)depth);
        for (DWORD i = 0; i <= depth; i++) {
            memset(&s, 0, sizeof s);
            s.info.SizeOfStruct = sizeof s.info;
            s.info.MaxNameLen = 512;
            /* a virtual frame's context, then the physical frame's as
             * StackWalkEx reports it (INIT when nothing is inlined) */
            DWORD context = i < depth ? 0x200u | i : depth ? 0x100u | depth : 0;
            IMAGEHLP_LINE64 l = {sizeof(l), NULL, 0, NULL, 0};
            DWORD line_displacement;
            if (SymFromInlineContext(process, address, context, &displacement, &s.info))
                printf(lines ? "\n%s" : " %s", s.info.Name);
            else
                printf(lines ? "\n??" : " ??");
            if (!lines)
                continue;
            if (SymGetLineFromInlineContext(process, address, context, 0, &line_displacement, &l))
                printf(" %s:%lu", l.FileName, (unsigned long)l.LineNumber);
            else
                printf(" ??:0");
        }
        printf("\n");
    }
    SymCleanup(process);
    return 0;
}
