/* The DWARF tests' C program: static and inline functions across files, so
 * that -O2 inlines some (with call_file/call_line) and keeps others. */
#include "util.h"

#include <stdio.h>

static int square(int x)
{
    return x * x;
}

static inline int twice_square(int x)
{
    return 2 * square(x) + clamp(x, 0, 9);
}

static __attribute__((noinline)) int walk(const int *values, int count)
{
    int total = 0;
    for (int i = 0; i < count; i++)
        total += twice_square(values[i]) - checksum(values, i);
    return total;
}

int main(int argc, char **argv)
{
    int values[8];
    (void)argv;
    for (int i = 0; i < 8; i++)
        values[i] = argc * i + 3;
    printf("%d\n", walk(values, 8));
    printf("%d\n", fold(values, 8, argc));
    return 0;
}
