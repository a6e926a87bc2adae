/*
 * debuggee: the program debugger.exe starts under DEBUG_ONLY_THIS_PROCESS.
 *
 *   main -> debuggee_deep_1 -> debuggee_deep_2 -> ... -> debuggee_deep_6
 *
 * and debuggee_deep_6 calls DebugBreak(): the debugger sees a first-chance
 * EXCEPTION_BREAKPOINT (after the loader's initial one), walks this thread's
 * stack from outside and terminates this process. The functions and main are
 * exported (__declspec(dllexport)), so the debugger finds their addresses in
 * this image's export table, and SymFromAddr can name them without debug
 * information. It links nothing of dbghelp.
 *
 * Run without a debugger, DebugBreak() is an unhandled breakpoint; the exit
 * status is then not 0.
 */
#include <windows.h>

__declspec(dllexport) int debuggee_deep_1(int x);
__declspec(dllexport) int debuggee_deep_2(int x);
__declspec(dllexport) int debuggee_deep_3(int x);
__declspec(dllexport) int debuggee_deep_4(int x);
__declspec(dllexport) int debuggee_deep_5(int x);
__declspec(dllexport) int debuggee_deep_6(int x);
__declspec(dllexport) int main(int argc, char **argv);

static volatile int sink;

/* Each keeps a use of its callee's result after the call: no tail calls. */
__declspec(dllexport) __attribute__((noinline, noipa)) int debuggee_deep_6(int x)
{
    DebugBreak();
    sink = x;
    return x + sink;
}

__declspec(dllexport) __attribute__((noinline, noipa)) int debuggee_deep_5(int x)
{
    int r = debuggee_deep_6(x + 6);
    sink = r;
    return r ^ sink;
}

__declspec(dllexport) __attribute__((noinline, noipa)) int debuggee_deep_4(int x)
{
    int r = debuggee_deep_5(x * 5);
    sink = r;
    return r + sink + 4;
}

__declspec(dllexport) __attribute__((noinline, noipa)) int debuggee_deep_3(int x)
{
    volatile char buffer[200]; /* a larger frame */
    int r;
    buffer[x & 127] = (char)x;
    r = debuggee_deep_4(x + buffer[x & 127]);
    sink = r;
    return r - sink + 3;
}

__declspec(dllexport) __attribute__((noinline, noipa)) int debuggee_deep_2(int x)
{
    int r = debuggee_deep_3(x | 2);
    sink = r;
    return r * 2 + sink;
}

__declspec(dllexport) __attribute__((noinline, noipa)) int debuggee_deep_1(int x)
{
    int r = debuggee_deep_2(x + 1);
    sink = r;
    return r + sink;
}

__declspec(dllexport) int main(int argc, char **argv)
{
    int r;
    (void)argv;
    r = debuggee_deep_1(argc);
    sink = r;
    return 0;
}
