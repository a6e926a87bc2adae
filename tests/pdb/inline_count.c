/* Reads addresses (hex, one a line) and prints SymAddrIncludeInlineTrace for
 * each, through libdbghelp's public API over an image loaded from its file.
 *   inline_count IMAGE BASE < addresses */
#include <dbgwalk.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    HANDLE process = (HANDLE)(uintptr_t)0x1234;
    char line[64];

    if (argc != 3)
        return 2;
    if (!SymInitialize(process, NULL, FALSE) ||
        !SymLoadModuleEx(process, NULL, argv[1], NULL, strtoull(argv[2], NULL, 0), 0, NULL, 0))
        return 3;
    while (fgets(line, sizeof line, stdin))
        printf("%lu\n", (unsigned long)SymAddrIncludeInlineTrace(process, strtoull(line, NULL, 16)));
    SymCleanup(process);
    return 0;
}
