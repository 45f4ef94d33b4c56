#include "runtime/events.h"

#include <algorithm>

namespace opsflow::runtime {

uint64_t EventBus::Subscribe(Callback cb) {
  std::lock_guard<std::mutex> l(mu_);
  uint64_t id = next_id_++;
  subs_.push_back(Sub{id, std::move(cb)});
  count_.store(subs_.size(), std::memory_order_release);
  return id;
}

void EventBus::Unsubscribe(uint64_t id) {
  std::lock_guard<std::mutex> l(mu_);
  subs_.erase(std::remove_if(subs_.begin(), subs_.end(), [id](const Sub& s) { return s.id == id; }),
              subs_.end());
  count_.store(subs_.size(), std::memory_order_release);
}

void EventBus::Publish(Event e) {
  std::lock_guard<std::mutex> l(mu_);
  e.seq = next_seq_++;
  for (const Sub& s : subs_) s.cb(e);
}

}  // namespace opsflow::runtime
