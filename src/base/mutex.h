// base::Mutex, base::SharedMutex and their scoped locks: std::mutex / std::shared_mutex with
// clang thread-safety annotations (base/thread_annotations.h), so GUARDED_BY members and
// REQUIRES functions are checked in the clang build. base::CondVar waits on a held MutexLock.
// Thread-safety: Mutex and SharedMutex are locks; a MutexLock / ReaderLock / WriterLock is used
// by the one thread that made it.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <shared_mutex>

#include "base/thread_annotations.h"

namespace opsflow::base {

class CAPABILITY("mutex") Mutex {
 public:
  Mutex() = default;
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  void Lock() ACQUIRE() { mu_.lock(); }
  void Unlock() RELEASE() { mu_.unlock(); }
  // For the analysis only: tells it the lock is held where it cannot see so (a lambda run by a
  // condition variable wait with the lock held).
  void AssertHeld() const OPSFLOW_THREAD_ANNOTATION(assert_capability(this)) {}

 private:
  friend class MutexLock;
  std::mutex mu_;
};

// Holds a Mutex for its scope; CondVar waits with it (and so re-takes it before returning).
class SCOPED_CAPABILITY MutexLock {
 public:
  explicit MutexLock(Mutex* mu) ACQUIRE(mu) : lock_(mu->mu_) {}
  ~MutexLock() RELEASE() {}
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

 private:
  friend class CondVar;
  std::unique_lock<std::mutex> lock_;
};

// std::condition_variable over a MutexLock. The predicate runs with the lock held: a lambda that
// reads GUARDED_BY members says so with `mu.AssertHeld()` (the analysis cannot see into waits).
class CondVar {
 public:
  void Wait(MutexLock* l) { cv_.wait(l->lock_); }
  template <typename Pred>
  void Wait(MutexLock* l, Pred pred) {
    cv_.wait(l->lock_, std::move(pred));
  }
  template <typename Rep, typename Period, typename Pred>
  bool WaitFor(MutexLock* l, std::chrono::duration<Rep, Period> d, Pred pred) {
    return cv_.wait_for(l->lock_, d, std::move(pred));
  }
  template <typename Rep, typename Period>
  void WaitFor(MutexLock* l, std::chrono::duration<Rep, Period> d) {
    cv_.wait_for(l->lock_, d);
  }
  template <typename Clock, typename Duration, typename Pred>
  bool WaitUntil(MutexLock* l, std::chrono::time_point<Clock, Duration> t, Pred pred) {
    return cv_.wait_until(l->lock_, t, std::move(pred));
  }
  void NotifyOne() { cv_.notify_one(); }
  void NotifyAll() { cv_.notify_all(); }

 private:
  std::condition_variable cv_;
};

// A reader-writer lock: many readers or one writer.
class CAPABILITY("shared_mutex") SharedMutex {
 public:
  SharedMutex() = default;
  SharedMutex(const SharedMutex&) = delete;
  SharedMutex& operator=(const SharedMutex&) = delete;

  void Lock() ACQUIRE() { mu_.lock(); }
  void Unlock() RELEASE() { mu_.unlock(); }
  void LockShared() ACQUIRE_SHARED() { mu_.lock_shared(); }
  void UnlockShared() RELEASE_SHARED() { mu_.unlock_shared(); }

 private:
  std::shared_mutex mu_;
};

class SCOPED_CAPABILITY WriterLock {
 public:
  explicit WriterLock(SharedMutex* mu) ACQUIRE(mu) : mu_(mu) { mu_->Lock(); }
  ~WriterLock() RELEASE() { mu_->Unlock(); }
  WriterLock(const WriterLock&) = delete;
  WriterLock& operator=(const WriterLock&) = delete;

 private:
  SharedMutex* mu_;
};

class SCOPED_CAPABILITY ReaderLock {
 public:
  explicit ReaderLock(SharedMutex* mu) ACQUIRE_SHARED(mu) : mu_(mu) { mu_->LockShared(); }
  ~ReaderLock() RELEASE() { mu_->UnlockShared(); }
  ReaderLock(const ReaderLock&) = delete;
  ReaderLock& operator=(const ReaderLock&) = delete;

 private:
  SharedMutex* mu_;
};

}  // namespace opsflow::base
