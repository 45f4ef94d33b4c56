// `opsflow events [--job ID]... [--topic T]...`: follows GET /operations-manager/events and
// prints one line per event until interrupted. When the stream ends or the connection drops it
// reconnects (every 3 s, for up to a minute) with Last-Event-ID, so nothing is missed.
// Thread-safety: stateless functions; RunEvents blocks the calling thread.
#pragma once

#include <atomic>
#include <functional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "cli/api_client.h"

namespace opsflow::cli {

// The stream's path and query for these filters (values percent-encoded).
std::string EventsPath(const std::vector<std::string>& jobs,
                       const std::vector<std::string>& topics);

// Splits server-sent-event text into complete event blocks: appends each finished block's
// one-line rendering to `lines` and leaves an unfinished tail in `*pending`. Comments
// (": keep-alive") print nothing; `event: overflow` and `event: reset` print a warning line.
// `last_id` (optional) gets the id of the latest finished event block.
void ConsumeEventText(std::string_view text, std::string* pending, std::vector<std::string>* lines,
                      std::string* last_id = nullptr);

// "2024-05-01T12:00:00.123Z taskComplete job=<id> task=a1b2 (merge) status=complete success".
std::string FormatEventLine(std::string_view topic, std::string_view data_json);

// One connection to the event stream at `path` (no reconnect): `on_open` runs once the server
// has subscribed it (the end of a 200's headers), then `on_event(topic, data)` for each event
// until it returns false. Ok when `on_event` stopped it or `cancel` became true (checked about
// once a second); Unavailable when the stream could not be opened or ended by itself.
// `cs` as ResolveConnection gives it (a token, or a user to log in as).
base::Status StreamEvents(const ConnectionSettings& cs, const std::string& path,
                          const std::function<void()>& on_open,
                          const std::function<bool(std::string_view, std::string_view)>& on_event,
                          const std::atomic<bool>& cancel);

// args[0] is "events". Returns the process exit code.
int RunEvents(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace opsflow::cli
