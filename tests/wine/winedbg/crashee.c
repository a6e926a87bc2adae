/* A program that crashes three calls deep, for winedbg: run directly, Wine's
 * AeDebug starts `winedbg --auto` on it; run under `winedbg`, the test's
 * commands stop and inspect it. The frame functions are exported, so every
 * dbghelp names them from the export table, and `break wd_level1` resolves. */
#include <stdio.h>

__declspec(dllexport) __attribute__((noinline)) void wd_crash_here(volatile int *p)
{
    *p = 1;
}

__declspec(dllexport) __attribute__((noinline)) void wd_level1(volatile int *p)
{
    wd_crash_here(p);
    puts("not reached");
}

int main(void)
{
    puts("about to crash");
    fflush(stdout);
    wd_level1(NULL);
    return 0;
}
