#include "runtime/events.h"

#include <algorithm>

namespace opsflow::runtime {

void EventBus::Recount() {
  size_t tasks = 0;
  for (const Sub& s : subs_) tasks += s.task_events ? 1 : 0;
  count_.store(subs_.size(), std::memory_order_release);
  task_count_.store(tasks, std::memory_order_release);
}

uint64_t EventBus::Subscribe(Callback cb, bool task_events) {
  std::lock_guard<std::mutex> l(mu_);
  uint64_t id = next_id_++;
  subs_.push_back(Sub{id, std::move(cb), task_events});
  Recount();
  return id;
}

void EventBus::Unsubscribe(uint64_t id) {
  std::lock_guard<std::mutex> l(mu_);
  subs_.erase(std::remove_if(subs_.begin(), subs_.end(), [id](const Sub& s) { return s.id == id; }),
              subs_.end());
  Recount();
}

void EventBus::Publish(Event e) {
  std::lock_guard<std::mutex> l(mu_);
  e.seq = next_seq_++;
  bool task = !e.task_id.empty();
  for (const Sub& s : subs_) {
    if (!task || s.task_events) s.cb(e);
  }
}

}  // namespace opsflow::runtime
