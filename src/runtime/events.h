// Job and task events (SPEC §5, IAP-REFERENCE §5 "Events"). The runtime publishes one event per
// job or task state change once that change is durable (never before its commit); subscribers
// are the server-sent-event streams (api/) and event triggers.
// In a cluster (README "Cluster") the bus also carries other processes' events: EventRelay
// (runtime/event_relay.h) forwards this process's events to the others and publishes theirs here
// with PublishRemote. A subscriber gets remote events only when it asks (`remote_events`: the
// streams); event triggers do not, so each event starts its triggers on one process only, the
// one where it happened.
// Thread-safety: every method is safe from any thread. Callbacks run on the publishing thread
// (the runtime thread) in publication order: they must return quickly and must not block (hand
// the event to a queue, post to an executor, or call Runtime methods, which only enqueue).
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "base/mutex.h"

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
  std::vector<std::string> ancestors;  // child jobs: the job ids from the root to the parent
  int64_t time_ms = 0;
  int64_t run_time_ms = 0;   // jobSlaBreach: how long the job took
  int64_t sla_delta_ms = 0;  // jobSlaBreach: by how much it overran its workflow's `sla`
  bool remote = false;       // published by another process of the cluster (PublishRemote)
};

struct SubscribeOptions {
  bool task_events = true;     // false: job events only
  bool remote_events = false;  // also other processes' events (PublishRemote)
  // false: a passive subscriber gets the events built for the others but does not make the
  // runtime build any (the relay, which has its own reason: NoteRemoteInterest).
  bool counts = true;
};

struct EventBusOptions {
  // Replay (SSE Last-Event-ID): how many of the latest events are kept; 0 keeps none.
  size_t history = 10000;
  // After the last subscriber that wants task events leaves, events are still built (into the
  // history) this long, so a client that reconnects within it misses nothing.
  int64_t linger_ms = 30000;
};

class EventBus {
 public:
  using Callback = std::function<void(const Event&)>;

  explicit EventBus(EventBusOptions opts = {});

  // Registers a callback; returns its id for Unsubscribe. With `task_events` false it gets only
  // job events (and the runtime skips building task events while no one wants them).
  uint64_t Subscribe(Callback cb, bool task_events = true) EXCLUDES(mu_);
  uint64_t Subscribe(Callback cb, SubscribeOptions o) EXCLUDES(mu_);
  // Subscribes like Subscribe, first handing `cb` every kept event after `after_seq` (a client's
  // last seen seq), in order, with nothing missed or repeated between replay and live events.
  // When some events after `after_seq` are gone (older than the history, or never built because
  // no one listened), `on_gap` runs instead of the replay, and `cb` then gets live events only.
  // The replay holds remote events only when `remote_events`.
  uint64_t SubscribeAfter(uint64_t after_seq, Callback cb, bool task_events,
                          const std::function<void()>& on_gap, bool remote_events = false)
      EXCLUDES(mu_);
  // Stops delivering to `id`. After it returns the callback is not running and will not run.
  void Unsubscribe(uint64_t id) EXCLUDES(mu_);
  // Cheap checks so the publisher builds events only when someone listens (or may reconnect:
  // the linger after the last subscriber left).
  bool HasSubscribers() const {
    return count_.load(std::memory_order_acquire) > 0 || Lingers() || RemoteInterest();
  }
  bool WantsTaskEvents() const {
    return task_count_.load(std::memory_order_acquire) > 0 || Lingers() || RemoteInterest();
  }
  // Cluster: another process streams events, so this one builds its events (all of them) for
  // the next `ttl_ms` (the relay calls it on each of that process's heartbeats).
  void NoteRemoteInterest(int64_t ttl_ms);
  bool RemoteInterest() const;
  // Cluster: some subscriber here wants other processes' events (or may reconnect: the linger).
  bool WantsRemoteEvents() const {
    return remote_count_.load(std::memory_order_acquire) > 0 || Lingers();
  }
  // Runs (under the bus's lock: it must only signal) when the first subscriber that wants remote
  // events arrives. Set once, before any subscriber.
  void SetOnRemoteWanted(std::function<void()> f) EXCLUDES(mu_);
  // The publisher skipped building events (no one listened): a replay across this point is
  // incomplete.
  void MarkGap() { gap_.store(true, std::memory_order_relaxed); }
  // Assigns `e.seq`, keeps it in the history and delivers it to every subscriber.
  void Publish(Event e) EXCLUDES(mu_);
  // An event of another process (the relay): assigns `e.seq`, keeps it in the history, and
  // delivers it to the subscribers that want remote events only.
  void PublishRemote(Event e) EXCLUDES(mu_);
  // Milliseconds since the epoch when this bus was made: clients' event ids carry it, so an id
  // from an earlier process is recognised (seq starts again at 1).
  int64_t epoch() const { return epoch_; }

 private:
  struct Sub {
    uint64_t id;
    Callback cb;
    SubscribeOptions o;
  };
  void Deliver(Event e) REQUIRES(mu_);
  void Recount() REQUIRES(mu_);
  bool Lingers() const;
  void ResolveGap() REQUIRES(mu_);
  // Publish holds mu_ while calling back, so Unsubscribe waits for a running callback.
  mutable base::Mutex mu_;
  std::vector<Sub> subs_ GUARDED_BY(mu_);
  uint64_t next_id_ GUARDED_BY(mu_) = 1;
  uint64_t next_seq_ GUARDED_BY(mu_) = 1;
  std::atomic<size_t> count_{0}, task_count_{0}, remote_count_{0};
  std::function<void()> on_remote_wanted_ GUARDED_BY(mu_);
  std::atomic<int64_t> remote_until_{0};  // steady-clock ms (NoteRemoteInterest)
  const EventBusOptions opts_;
  const int64_t epoch_;
  std::deque<Event> history_ GUARDED_BY(mu_);
  uint64_t gap_before_ GUARDED_BY(mu_) = 0;  // the first seq after the latest gap (0: none)
  std::atomic<bool> gap_{false};
  mutable std::atomic<int64_t> linger_until_{0};  // steady-clock ms; 0: not lingering
};

}  // namespace opsflow::runtime
