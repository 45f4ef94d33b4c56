// PgEventFeed: the EventFeed port (store/event_feed.h) over PostgreSQL's LISTEN/NOTIFY, so that
// the event streams of every process of a cluster show every process's events (README "Cluster").
//
// One dedicated libpq connection per process (not one of the store's pool), driven by the feed's
// own thread: it LISTENs on the channel `opsflow_events`, sends the queued messages, and waits
// on its socket (poll, PQconsumeInput, PQnotifies) and on an eventfd that Publish signals.
// * A notification's payload is `<sender>.<counter><kind><body>`: `sender` is 16 hex digits
//   chosen at random per feed (a process skips its own notifications), `counter` counts its
//   notifications in hex (so that two equal ones in one transaction are not merged), `kind` is
//   'M' for messages inline, as `<length>:<bytes>` one after the other, as many as fit in
//   kMaxNotifyBytes (PostgreSQL takes less than 8000 bytes), or 'T' for one message kept in the
//   table opsflow_events (schema V0006) whose id is the body: the row is inserted and notified
//   in one statement, so a listener finds it. Rows older than a minute are deleted by their
//   publisher.
// * A batch of notifications is one statement (one transaction, in order); the connection runs
//   with synchronous_commit off: events are not stored state, losing one at a crash is fine.
// * A lost connection is logged, tried again each second, and logged when back; then OnGap
//   runs (what other processes sent meanwhile is gone), and what this process queued meanwhile
//   is sent (a batch whose answer was lost may go out twice).
// Thread-safety: as store::EventFeed.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "store/event_feed.h"

namespace opsflow::postgres {

struct PgEventFeedOptions {
  std::string channel = "opsflow_events";
  size_t max_notify_bytes = 7900;  // a larger notification goes through the table
  size_t max_queued = 100000;      // messages waiting to be sent; the oldest go first when full
  int64_t keep_rows_ms = 60000;    // rows of opsflow_events older than this are deleted
  int64_t retry_ms = 1000;         // between attempts to connect
};

// The framing of notification payloads (above), apart for tests.
namespace feed_wire {

struct Notification {
  bool table = false;     // 'T': `body` is the row's message and goes in the table
  std::string payload;    // the notification's payload ('T': without the id, appended by SQL)
  std::string body;       // 'T' only: the message
};

// Packs `messages` (in order) into notifications of at most `max_bytes`, each numbered from
// `*counter` on (which it advances).
std::vector<Notification> Pack(const std::string& sender, uint64_t* counter,
                               const std::vector<std::string>& messages, size_t max_bytes);

struct Unpacked {
  std::string sender;
  bool table = false;
  int64_t row_id = 0;                  // table
  std::vector<std::string> messages;   // inline
};

// Reads one payload; false when it is not one of ours.
bool Unpack(std::string_view payload, Unpacked* out);

}  // namespace feed_wire

class PgEventFeed final : public store::EventFeed {
 public:
  // `url` as given to `serve --store` (multi-host URIs with target_session_attrs=read-write
  // included: LISTEN needs the primary). Connects only in Start.
  explicit PgEventFeed(std::string url, PgEventFeedOptions opts = {});
  ~PgEventFeed() override;

  void Publish(std::string message) override;
  base::Status Start(OnMessage on_message, OnGap on_gap) override;
  void Stop() override;

  // For tests and /health: true while connected and listening.
  bool connected() const { return connected_.load(std::memory_order_acquire); }
  // The number of times a lost connection was made again.
  uint64_t reconnects() const { return reconnects_.load(std::memory_order_relaxed); }

 private:
  struct Conn;
  void Loop();
  bool Connect();               // opens and LISTENs; false on failure (logged once per outage)
  bool SendQueued();            // false when the connection failed
  bool ReadNotifications();     // false when the connection failed
  void Deliver(std::string_view payload);
  void Housekeep();
  void Wake();
  void WaitWake(int timeout_ms);  // waits on the eventfd alone (while disconnected)

  const std::string url_;
  const PgEventFeedOptions opts_;
  const std::string sender_;
  OnMessage on_message_;
  OnGap on_gap_;
  int wake_fd_ = -1;
  std::unique_ptr<Conn> conn_;  // the thread's
  uint64_t counter_ = 0;        // the thread's
  bool inserted_ = false;       // the thread's: a row since the last Housekeep
  int64_t next_housekeep_ms_ = 0;
  bool ever_connected_ = false, outage_logged_ = false;

  std::mutex mu_;
  std::deque<std::string> queue_;  // guarded by mu_
  bool dropped_logged_ = false;    // guarded by mu_
  std::atomic<bool> stop_{false}, connected_{false}, started_{false};
  std::atomic<uint64_t> reconnects_{0};
  std::thread thread_;
};

}  // namespace opsflow::postgres
