#include "runtime/worker_pool.h"

#include <pthread.h>

namespace opsflow::runtime {

WorkerPool::WorkerPool(int threads) {
  for (int i = 0; i < threads; ++i) {
    threads_.emplace_back([this] {
      pthread_setname_np(pthread_self(), "of-task");
      Loop();
    });
  }
}

WorkerPool::~WorkerPool() { Stop(); }

void WorkerPool::Submit(std::function<void()> work) {
  {
    base::MutexLock l(&mu_);
    if (stop_) return;
    queue_.push_back(std::move(work));
  }
  cv_.NotifyOne();
}

void WorkerPool::Stop() {
  {
    base::MutexLock l(&mu_);
    stop_ = true;
  }
  cv_.NotifyAll();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
}

void WorkerPool::Loop() {
  while (true) {
    std::function<void()> work;
    {
      base::MutexLock l(&mu_);
      while (!stop_ && queue_.empty()) cv_.Wait(&l);
      if (queue_.empty()) return;  // stopped, and everything queued has run
      work = std::move(queue_.front());
      queue_.pop_front();
    }
    work();
  }
}

}  // namespace opsflow::runtime
