// `opsflow start WORKFLOW --wait`: follows a job to its end. Live progress comes from the event
// stream (GET /operations-manager/events?jobId=): one line on stderr each time it changes, "job
// <id>: running (3/12 tasks done, running: <task>, 4.2 s)". The stream is opened before the job
// is read once for a baseline, so no event is missed in between. When the stream cannot be opened
// or drops, the job is read every second instead (the same lines, from the job document).
// Thread-safety: WaitForJob blocks the calling thread (it runs the stream on a thread of its own).
#pragma once

#include <boost/json/value.hpp>
#include <ostream>
#include <string>

#include "cli/api_client.h"

namespace opsflow::cli {

// Waits for job `id` to end (not running or paused) and returns its final document (the
// envelope's data); an error when the job cannot be read.
base::Result<boost::json::value> WaitForJob(ApiClient& client, const std::string& id,
                                            std::ostream& err);

// The progress line: "job <id>: <status> (<done>/<total> tasks done, running: <task>, <s> s)".
std::string ProgressLine(const std::string& id, const std::string& status, size_t done,
                         size_t total, const std::string& running, double seconds);

}  // namespace opsflow::cli
