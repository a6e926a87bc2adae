/*
 * A reader-writer lock on both hosts: SRWLOCK on Windows, pthread elsewhere.
 * Readers never wait for each other, so concurrent walks that only look up
 * modules never serialise.
 */
#ifndef DBGWALK_LOCK_H
#define DBGWALK_LOCK_H

#include "../platform.h"

#ifdef _WIN32
typedef SRWLOCK dw_lock;
#define DW_LOCK_INIT SRWLOCK_INIT
static inline void dw_lock_init(dw_lock *l) { InitializeSRWLock(l); }
static inline void dw_lock_destroy(dw_lock *l) { (void)l; }
static inline void dw_lock_shared(dw_lock *l) { AcquireSRWLockShared(l); }
static inline void dw_unlock_shared(dw_lock *l) { ReleaseSRWLockShared(l); }
static inline void dw_lock_exclusive(dw_lock *l) { AcquireSRWLockExclusive(l); }
static inline void dw_unlock_exclusive(dw_lock *l) { ReleaseSRWLockExclusive(l); }
static inline void dw_yield(void) { SwitchToThread(); }
#else
#include <pthread.h>
#include <sched.h>
typedef pthread_rwlock_t dw_lock;
#define DW_LOCK_INIT PTHREAD_RWLOCK_INITIALIZER
static inline void dw_lock_init(dw_lock *l) { pthread_rwlock_init(l, NULL); }
static inline void dw_lock_destroy(dw_lock *l) { pthread_rwlock_destroy(l); }
static inline void dw_lock_shared(dw_lock *l) { pthread_rwlock_rdlock(l); }
static inline void dw_unlock_shared(dw_lock *l) { pthread_rwlock_unlock(l); }
static inline void dw_lock_exclusive(dw_lock *l) { pthread_rwlock_wrlock(l); }
static inline void dw_unlock_exclusive(dw_lock *l) { pthread_rwlock_unlock(l); }
static inline void dw_yield(void) { sched_yield(); }
#endif

#endif
