/*
 * GetLastError/SetLastError for non-Windows hosts: DbgHelp reports failures
 * through the calling thread's last error, so a Linux client needs the same.
 */
#include "platform.h"
#include "walk_state.h"

#ifndef _WIN32
/* Kept in the walk layer's per-thread state, so that a walk, which holds a
 * pointer to it already, saves and restores it without another
 * thread-local access. */
void dw_set_last_error(DWORD error) { walk_thread_state()->last_error = error; }

DW_EXPORT DWORD GetLastError(void) { return walk_thread_state()->last_error; }

DW_EXPORT void SetLastError(DWORD dwErrCode) { walk_thread_state()->last_error = dwErrCode; }
#endif
