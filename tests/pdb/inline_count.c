/* Reads addresses (hex, one a line) and prints SymAddrIncludeInlineTrace for
 * each, through libdbghelp's public API over an image loaded from its file.
 *   inline_count IMAGE BASE < addresses */
#include <dbgwalk.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    HANDLE process = (HANDLE)(uintptr_t)0x1234;
    char line[64];

    if (argc != 3)
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
            if (SymFromInlineContext(process, address, i < depth ? 0x200u | i : 0, &displacement,
                                     &s.info))
                printf(" %s", s.info.Name);
            else
                printf(" ??");
        }
        printf("\n");
    }
    SymCleanup(process);
    return 0;
}
