// EventRelay: the job and task events of a cluster (README "Cluster"). It joins this process's
// EventBus to the other processes' through a store::EventFeed (postgres/pg_events.h on
// PostgreSQL):
// * Interest. A process whose bus has subscribers that want remote events (the event streams,
//   or their linger) says so to the others at once and then each second (`{"want":1}`). A
//   process that heard it in the last kInterestTtlMs builds all its events (even with no local
//   stream) and forwards them. So a cluster with no open stream sends nothing; a stream sees
//   other processes' events from the moment they heard of it, a few milliseconds after it opened.
// * Forwarding. A passive subscriber (it makes the runtime build nothing by itself) serializes
//   each local event (`{"e":{...}}`, every field of Event but seq) and hands it to the feed, in
//   publication order; the feed keeps each process's order.
// * Receiving. Another process's event is published on this bus with PublishRemote: the streams
//   get it (same shape, a seq of this bus, the same GBAC filter on the job's groups); event
//   triggers do not (they run where the event happened), and it is not forwarded again. A lost
//   feed connection marks a gap on the bus (a Last-Event-ID replay across it answers `reset`).
// * Documents. A process that changed a stored document others cache (a workflow) says so
//   (`{"doc":kind,"key":key}`); the others read it again (SetOnDocChange).
// Thread-safety: Start and Stop from one thread; the rest runs on the runtime's, the feed's and
// the relay's own (heartbeat) thread.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "base/status.h"
#include "runtime/events.h"
#include "store/event_feed.h"

namespace opsflow::runtime {

// The wire form of an event between processes, apart for tests.
std::string EncodeRemoteEvent(const Event& e);
// Reads a message of the feed: an event (true, `*e` set), or an interest heartbeat (true,
// `*interest` set); false when it is neither.
bool DecodeRemoteMessage(std::string_view message, Event* e, bool* interest);

class EventRelay {
 public:
  static constexpr int64_t kHeartbeatMs = 1000;
  static constexpr int64_t kInterestTtlMs = 3500;

  EventRelay(EventBus* bus, store::EventFeed* feed) : bus_(bus), feed_(feed) {}
  ~EventRelay() { Stop(); }
  EventRelay(const EventRelay&) = delete;
  EventRelay& operator=(const EventRelay&) = delete;

  // Documents another process changed (README "Cluster"): `kind` and `key` of each, as that
  // process published them (PublishDocChange); an empty kind when some may have been missed
  // (the feed lost its connection). Runs on the feed's thread. Set before Start.
  using OnDocChange = std::function<void(const std::string& kind, const std::string& key)>;
  void SetOnDocChange(OnDocChange f) { on_doc_change_ = std::move(f); }
  // Tells the other processes that document `kind`/`key` changed here (`{"doc":..,"key":..}`).
  void PublishDocChange(const std::string& kind, const std::string& key);

  base::Status Start();
  // Stops forwarding and receiving (and the feed).
  void Stop();

 private:
  void OnLocal(const Event& e);
  void OnMessage(std::string_view m);
  void HeartbeatLoop();

  EventBus* const bus_;
  store::EventFeed* const feed_;
  OnDocChange on_doc_change_;
  std::optional<uint64_t> sub_id_;
  std::thread heartbeat_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;    // guarded by mu_
  bool wanted_ = false;  // guarded by mu_: a stream arrived, say so at once
};

}  // namespace opsflow::runtime
