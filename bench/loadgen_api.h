// Helpers of opsflow_loadgen shared by its scenarios: login, JSON GETs, list counts, the
// server's /proc figures and percentiles.
// Thread-safety: free functions without shared state; each request uses its own connection.
#pragma once

#include <boost/json/fwd.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

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

}  // namespace opsflow::bench
