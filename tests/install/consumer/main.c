/* Links a walk against the installed library: StackWalk64 over a frame with
 * no readable memory must fail cleanly, and the symbol options answer. */
#include <dbgwalk.h>
#include <stdio.h>
#include <string.h>

static BOOL WINAPI no_memory(HANDLE p, DWORD64 a, PVOID b, DWORD n, LPDWORD got)
{
    (void)p; (void)a; (void)b; (void)n;
    if (got)
        *got = 0;
    return FALSE;
}

int main(void)
{
    STACKFRAME64 frame;
    CONTEXT context;
    int token;

    memset(&frame, 0, sizeof(frame));
    memset(&context, 0, sizeof(context));
    frame.AddrPC.Offset = 0x1000;
    frame.AddrPC.Mode = AddrModeFlat;
    frame.AddrStack.Offset = 0x2000;
    frame.AddrStack.Mode = AddrModeFlat;
    context.Rip = 0x1000;
    context.Rsp = 0x2000;
    if (!SymInitialize(&token, NULL, FALSE))
        return 1;
    BOOL walked = StackWalk64(IMAGE_FILE_MACHINE_AMD64, &token, NULL, &frame, &context,
                              no_memory, NULL, NULL, NULL);
    printf("walk %d options 0x%x match %d\n", (int)walked, (unsigned)SymGetOptions(),
           (int)SymMatchStringA("consumer", "con*", TRUE));
    SymCleanup(&token);
    return SymMatchStringA("consumer", "con*", TRUE) ? 0 : 1;
}
