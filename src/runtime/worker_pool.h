// A small pool of threads that run built-in tasks and hand their results back.
// Thread-safety: Submit is safe from any thread.
#pragma once

#include <deque>
#include <functional>
#include <thread>
#include <vector>

#include "base/mutex.h"

namespace opsflow::runtime {

class WorkerPool {
 public:
  explicit WorkerPool(int threads);
  ~WorkerPool();
  void Submit(std::function<void()> work) EXCLUDES(mu_);
  void Stop() EXCLUDES(mu_);  // runs what is already queued, refuses new work, joins the threads

 private:
  void Loop() EXCLUDES(mu_);
  base::Mutex mu_;
  base::CondVar cv_;
  std::deque<std::function<void()>> queue_ GUARDED_BY(mu_);
  bool stop_ GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_;  // made by the constructor, joined by Stop
};

}  // namespace opsflow::runtime
