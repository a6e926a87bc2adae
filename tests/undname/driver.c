/* Reads decorated names, one a line, and prints "name<TAB>undecorated"
 * with UnDecorateSymbolName's complete form ("<fail>" when it refuses). */
#include "dbgwalk.h"

#include <stdio.h>
#include <string.h>

int main(void)
{
    static char line[8192], out[8192];
    while (fgets(line, sizeof line, stdin)) {
        line[strcspn(line, "\r\n")] = 0;
        if (!line[0])
            continue;
        DWORD n = UnDecorateSymbolName(line, out, sizeof out, 0);
        printf("%s\t%s\n", line, n ? out : "<fail>");
    }
    return 0;
}
