/*
 * GetLastError/SetLastError for non-Windows hosts: DbgHelp reports failures
 * through the calling thread's last error, so a Linux client needs the same.
 */
#include "platform.h"

#ifndef _WIN32
static _Thread_local DWORD last_error;

void dw_set_last_error(DWORD error) { last_error = error; }

DW_EXPORT DWORD GetLastError(void) { return last_error; }

DW_EXPORT void SetLastError(DWORD dwErrCode) { last_error = dwErrCode; }
#endif
