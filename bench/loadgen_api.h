// Helpers of opsflow_loadgen shared by its scenarios: login, JSON GETs, list counts, the
// server's /proc figures and percentiles, the polling loop, and how a run fails or ends.
// Thread-safety: free functions without shared state; each request uses its own connection.
#pragma once

#include <boost/json/fwd.hpp>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "loadgen_http.h"
#include "loadgen_options.h"

namespace opsflow::bench {

inline constexpr std::string_view kJobs = "/operations-manager/jobs";
inline constexpr std::string_view kTasks = "/operations-manager/tasks";

// The percentile `p` (0..1) of `values` by nearest rank; 0 when empty.
double Percentile(std::vector<double> values, double p);

// A "Key:  <number> ..." field of /proc/PID/status (e.g. "VmRSS", "VmHWM" in kB, "Threads"),
// or nullopt when it cannot be read.
std::optional<int64_t> ProcStatusField(int pid, std::string_view key);

// Logs in and returns the token, or nullopt with `error` set.
std::optional<std::string> Login(const Options& o, std::string& error);

// GETs `target` and returns the parsed JSON body, or nullopt (with `error` set) on any failure.
std::optional<boost::json::value> GetJson(const Options& o, const std::string& token,
                                          const std::string& target, std::string& error);

// metadata.total of `collection` (kJobs or kTasks) listed with `query` (already URL-encoded,
// without the leading '?'; "&limit=1" is added), or nullopt with `error` set.
std::optional<int64_t> CountList(const Options& o, const std::string& token,
                                 std::string_view collection, const std::string& query,
                                 std::string& error);

// CountList of o.workflow's jobs with `filter` (already URL-encoded, starting with '&').
std::optional<int64_t> CountJobs(const Options& o, const std::string& token,
                                 const std::string& filter, std::string& error);

// The integer at `pointer` in `doc`, or nullopt.
std::optional<int64_t> IntAt(const boost::json::value& doc, std::string_view pointer);

// GETs `target` and returns the integer at `pointer` in its body, or nullopt with `error` set
// (naming `field`, e.g. "metadata.total", when the body lacks it).
std::optional<int64_t> GetInt(const Options& o, const std::string& token, const std::string& target,
                              std::string_view pointer, std::string_view field, std::string& error);

// What every scenario needs before it starts jobs.
struct Session {
  std::string start_body;  // of POST /operations-manager/jobs/start: o.workflow, o.variables
  std::string token;       // from Login
};

// Builds the start body (o.variables must be a JSON object) and logs in. On failure prints
// the reason as Fail does and returns nullopt (the run then exits 1).
std::optional<Session> BeginSession(const Options& o);

// Calls `done` every o.poll_ms until it returns true, for at most o.timeout_s; every 5 s
// prints "loadgen: <note()>" on stderr. Returns false on timeout (the caller says why).
bool PollUntil(const Options& o, const std::function<bool()>& done,
               const std::function<std::string()>& note);

// Prints "loadgen: <what> failed: <sample>" on stderr for each of s.error_samples and, when
// s.errors > 0, adds "<errors> of <total> <requests> failed." to `problems`.
void NoteFailures(std::string_view what, std::string_view requests, int64_t total,
                  const StartStats& s, std::vector<std::string>& problems);

// printf into a string (the compiler checks `format` against the arguments).
[[gnu::format(printf, 1, 2)]] std::string Printf(const char* format, ...);

// "RESULT name=<o.name> scenario=<o.scenario> <fields>": the line a run prints on stdout.
std::string FormatResult(const Options& o, std::string_view fields);

// Prints "opsflow_loadgen: <sentence>" on stderr and returns 1 (a failed run's exit status).
int Fail(const std::string& sentence);

// Without `problems`: prints `line` on stdout and returns 0. Otherwise prints it on stderr as
// "measured (not a valid result): <line>" and fails with the problems joined by spaces.
int Conclude(const std::string& line, const std::vector<std::string>& problems);

}  // namespace opsflow::bench
