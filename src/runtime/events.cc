#include "runtime/events.h"

#include <algorithm>
#include <chrono>

namespace opsflow::runtime {
namespace {

int64_t SteadyMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

int64_t WallMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

EventBus::EventBus(EventBusOptions opts) : opts_(opts), epoch_(WallMs()) {}

bool EventBus::Lingers() const {
  int64_t until = linger_until_.load(std::memory_order_relaxed);
  if (until == 0) return false;
  if (SteadyMs() < until) return true;
  linger_until_.compare_exchange_strong(until, 0, std::memory_order_relaxed);  // over: stop asking
  return false;
}

void EventBus::Recount() {
  size_t all = 0, tasks = 0, remote = 0;
  for (const Sub& s : subs_) {
    all += s.o.counts ? 1 : 0;
    tasks += s.o.counts && s.o.task_events ? 1 : 0;
    remote += s.o.remote_events ? 1 : 0;
  }
  if (tasks == 0 && task_count_.load(std::memory_order_relaxed) > 0 && opts_.history > 0) {
    linger_until_.store(SteadyMs() + opts_.linger_ms, std::memory_order_relaxed);
  }
  const bool first_remote = remote > 0 && remote_count_.load(std::memory_order_relaxed) == 0;
  count_.store(all, std::memory_order_release);
  task_count_.store(tasks, std::memory_order_release);
  remote_count_.store(remote, std::memory_order_release);
  if (first_remote && on_remote_wanted_) on_remote_wanted_();
}

void EventBus::NoteRemoteInterest(int64_t ttl_ms) {
  int64_t until = SteadyMs() + ttl_ms;
  int64_t cur = remote_until_.load(std::memory_order_relaxed);
  while (cur < until &&
         !remote_until_.compare_exchange_weak(cur, until, std::memory_order_relaxed)) {
  }
}

bool EventBus::RemoteInterest() const {
  int64_t until = remote_until_.load(std::memory_order_relaxed);
  return until != 0 && SteadyMs() < until;
}

void EventBus::SetOnRemoteWanted(std::function<void()> f) {
  base::MutexLock l(&mu_);
  on_remote_wanted_ = std::move(f);
}

void EventBus::ResolveGap() {
  if (gap_.exchange(false, std::memory_order_relaxed)) gap_before_ = next_seq_;
}

uint64_t EventBus::Subscribe(Callback cb, bool task_events) {
  SubscribeOptions o;
  o.task_events = task_events;
  return Subscribe(std::move(cb), o);
}

uint64_t EventBus::Subscribe(Callback cb, SubscribeOptions o) {
  base::MutexLock l(&mu_);
  uint64_t id = next_id_++;
  subs_.push_back(Sub{id, std::move(cb), o});
  Recount();
  return id;
}

uint64_t EventBus::SubscribeAfter(uint64_t after_seq, Callback cb, bool task_events,
                                  const std::function<void()>& on_gap, bool remote_events) {
  base::MutexLock l(&mu_);
  ResolveGap();
  uint64_t last = next_seq_ - 1;
  // Every event after `after_seq` must still be kept, and none may have been skipped since.
  bool kept = after_seq == last ||
              (!history_.empty() && history_.front().seq <= after_seq + 1 && after_seq < last);
  if (kept && after_seq >= gap_before_) {
    for (const Event& e : history_) {
      if (e.seq > after_seq && (e.task_id.empty() || task_events) && (!e.remote || remote_events)) {
        cb(e);
      }
    }
  } else {
    on_gap();
  }
  uint64_t id = next_id_++;
  SubscribeOptions o;
  o.task_events = task_events;
  o.remote_events = remote_events;
  subs_.push_back(Sub{id, std::move(cb), o});
  Recount();
  return id;
}

void EventBus::Unsubscribe(uint64_t id) {
  base::MutexLock l(&mu_);
  subs_.erase(std::remove_if(subs_.begin(), subs_.end(), [id](const Sub& s) { return s.id == id; }),
              subs_.end());
  Recount();
}

void EventBus::Publish(Event e) {
  base::MutexLock l(&mu_);
  e.remote = false;
  Deliver(std::move(e));
}

void EventBus::PublishRemote(Event e) {
  base::MutexLock l(&mu_);
  e.remote = true;
  Deliver(std::move(e));
}

void EventBus::Deliver(Event e) {
  ResolveGap();
  e.seq = next_seq_++;
  bool task = !e.task_id.empty();
  for (const Sub& s : subs_) {
    if ((!task || s.o.task_events) && (!e.remote || s.o.remote_events)) s.cb(e);
  }
  if (opts_.history == 0) return;
  if (history_.size() == opts_.history) history_.pop_front();
  history_.push_back(std::move(e));
}

}  // namespace opsflow::runtime
