/*
 * fInvadeProcess / SymRefreshModuleList: register every module the target
 * process has loaded. Only a real Windows process has such a list; elsewhere
 * the handle is a token and there is nothing to enumerate.
 */
#include "session.h"

bool sym_invade_process(HANDLE process);

#ifdef _WIN32
#include <tlhelp32.h>

bool sym_invade_process(HANDLE process)
{
    DWORD pid = GetProcessId(process);
    MODULEENTRY32 entry;
    HANDLE snapshot;

    if (pid == 0)
        return false;
    snapshot = CreateToolhelp32Snapshot(TH32CS_SNAPMODULE | TH32CS_SNAPMODULE32, pid);
    if (snapshot == INVALID_HANDLE_VALUE)
        return false;
    entry.dwSize = sizeof(entry);
    for (BOOL more = Module32First(snapshot, &entry); more; more = Module32Next(snapshot, &entry)) {
        /* already known modules come back as 0 with ERROR_SUCCESS; the module
         * name comes from the path, without its extension, as DbgHelp gives */
        SymLoadModuleEx(process, NULL, entry.szExePath, NULL,
                        (DWORD64)(uintptr_t)entry.modBaseAddr, entry.modBaseSize, NULL, 0);
    }
    CloseHandle(snapshot);
    return true;
}
#else
bool sym_invade_process(HANDLE process)
{
    (void)process;
    return true;
}
#endif
