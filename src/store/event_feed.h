// EventFeed: the port through which the processes of a cluster (README "Cluster") hand each other
// messages that are not stored state, namely job and task events for the event streams of every
// process (runtime/event_relay.h says what the messages are). The feed moves opaque strings; it
// delivers each process's messages to every other process in the order they were published,
// never back to their publisher, at most a few milliseconds late, with no durability: a process
// that was not connected when a message went out does not get it (it is told of the gap), and
// around a lost connection a message may arrive twice. The PostgreSQL implementation is
// postgres/pg_events.h (LISTEN/NOTIFY).
// Thread-safety: Publish may be called from any thread at any time (also before Start and after
// Stop, when it drops the message); Start and Stop from one thread.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "base/status.h"

namespace opsflow::store {

class EventFeed {
 public:
  // A message from another process. Runs on the feed's own thread, one at a time, in each
  // publisher's order; it must return quickly.
  using OnMessage = std::function<void(std::string_view message)>;
  // Messages may have been missed (the feed lost its connection and is back).
  using OnGap = std::function<void()>;

  virtual ~EventFeed() = default;

  // Hands `message` (any bytes but NUL) to the other processes. Never blocks: it is queued and
  // sent by the feed's thread; a full queue drops its oldest message.
  virtual void Publish(std::string message) = 0;
  // Starts the feed's thread: connects, then delivers other processes' messages to `on_message`.
  // A failure to connect at first is not an error: it keeps trying (and logs it).
  virtual base::Status Start(OnMessage on_message, OnGap on_gap) = 0;
  // Stops the thread; no callback runs after it returns. Queued messages are sent first when the
  // connection is up (at most about a second).
  virtual void Stop() = 0;
};

}  // namespace opsflow::store
