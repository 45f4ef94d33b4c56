// Clang thread-safety annotations (-Wthread-safety): which lock guards which member, and which
// functions need it held. They expand to nothing for other compilers (g++ builds ignore them;
// the clang build of scripts/fuzz checks them as errors for runtime/ and http/).
// Thread-safety: macros only.
#pragma once

#if defined(__clang__)
#define OPSFLOW_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define OPSFLOW_THREAD_ANNOTATION(x)
#endif

// A type that is a lock (base::Mutex).
#define CAPABILITY(x) OPSFLOW_THREAD_ANNOTATION(capability(x))
// An RAII type that holds a lock for its lifetime (base::MutexLock).
#define SCOPED_CAPABILITY OPSFLOW_THREAD_ANNOTATION(scoped_lockable)
// The member is read and written only with the lock held.
#define GUARDED_BY(x) OPSFLOW_THREAD_ANNOTATION(guarded_by(x))
// The pointer member's target is read and written only with the lock held.
#define PT_GUARDED_BY(x) OPSFLOW_THREAD_ANNOTATION(pt_guarded_by(x))
// The caller must hold the lock (exclusively / at least shared).
#define REQUIRES(...) OPSFLOW_THREAD_ANNOTATION(requires_capability(__VA_ARGS__))
#define REQUIRES_SHARED(...) OPSFLOW_THREAD_ANNOTATION(requires_shared_capability(__VA_ARGS__))
// The caller must not hold the lock (the function takes it).
#define EXCLUDES(...) OPSFLOW_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))
// The function takes / releases the lock (exclusively or shared).
#define ACQUIRE(...) OPSFLOW_THREAD_ANNOTATION(acquire_capability(__VA_ARGS__))
#define ACQUIRE_SHARED(...) OPSFLOW_THREAD_ANNOTATION(acquire_shared_capability(__VA_ARGS__))
#define RELEASE(...) OPSFLOW_THREAD_ANNOTATION(release_capability(__VA_ARGS__))
#define RELEASE_SHARED(...) OPSFLOW_THREAD_ANNOTATION(release_shared_capability(__VA_ARGS__))
#define RELEASE_GENERIC(...) OPSFLOW_THREAD_ANNOTATION(release_generic_capability(__VA_ARGS__))
// The function returns a reference to the lock.
#define RETURN_CAPABILITY(x) OPSFLOW_THREAD_ANNOTATION(lock_returned(x))
// Opts a function out of the analysis (say why where it is used).
#define NO_THREAD_SAFETY_ANALYSIS OPSFLOW_THREAD_ANNOTATION(no_thread_safety_analysis)
