// `opsflow events [--job ID]... [--topic T]...`: follows GET /operations-manager/events and
// prints one line per event until interrupted. When the stream ends or the connection drops it
// reconnects (every 3 s, for up to a minute) with Last-Event-ID, so nothing is missed.
// Thread-safety: stateless functions; RunEvents blocks the calling thread.
#pragma once

#include <ostream>
#include <string>
#include <string_view>
#include <vector>

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

// args[0] is "events". Returns the process exit code.
int RunEvents(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace opsflow::cli
