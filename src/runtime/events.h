// Job and task events (SPEC §5, IAP-REFERENCE §5 "Events"). The runtime publishes one event per
// job or task state change once that change is durable (never before its commit); subscribers
// are the server-sent-event streams (api/) and event triggers.
// Thread-safety: every method is safe from any thread. Callbacks run on the publishing thread
// (the runtime thread) in publication order: they must return quickly and must not block (hand
// the event to a queue, post to an executor, or call Runtime methods, which only enqueue).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace opsflow::runtime {

struct Event {
  uint64_t seq = 0;   // assigned by the bus: 1, 2, 3 ... per process
  std::string topic;  // job: jobStart jobComplete jobError jobPause jobResume jobCancel jobFix
                      // jobSlaBreach; task: taskStart taskComplete
  std::string job_id;
  std::string workflow;             // the job's workflow name
  std::string status;               // job events: the job's status; task events: the task's status
  std::string task_id;              // task events only
  std::string task_name;            // task events: the task's method name (e.g. "childJob")
  std::string finish_state;         // taskComplete: success | failure | error
  std::vector<std::string> groups;  // the job's groups (who may see the event)
  std::string parent_job_id;        // child jobs: the parent's id
  int64_t time_ms = 0;
  int64_t run_time_ms = 0;   // jobSlaBreach: how long the job took
  int64_t sla_delta_ms = 0;  // jobSlaBreach: by how much it overran its workflow's `sla`
};

class EventBus {
 public:
  using Callback = std::function<void(const Event&)>;

  // Registers a callback; returns its id for Unsubscribe. With `task_events` false it gets only
  // job events (and the runtime skips building task events while no one wants them).
  uint64_t Subscribe(Callback cb, bool task_events = true);
  // Stops delivering to `id`. After it returns the callback is not running and will not run.
  void Unsubscribe(uint64_t id);
  // Cheap check so the publisher builds events only when someone listens.
  bool HasSubscribers() const { return count_.load(std::memory_order_acquire) > 0; }
  bool WantsTaskEvents() const { return task_count_.load(std::memory_order_acquire) > 0; }
  // Assigns `e.seq` and delivers it to every subscriber.
  void Publish(Event e);

 private:
  struct Sub {
    uint64_t id;
    Callback cb;
    bool task_events;
  };
  void Recount();
  // Publish holds mu_ while calling back, so Unsubscribe waits for a running callback.
  mutable std::mutex mu_;
  std::vector<Sub> subs_;
  uint64_t next_id_ = 1;
  uint64_t next_seq_ = 1;
  std::atomic<size_t> count_{0}, task_count_{0};
};

}  // namespace opsflow::runtime
