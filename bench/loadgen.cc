// opsflow_loadgen: starts many jobs of one workflow through the REST API, waits for them to
// finish and prints one RESULT line (see bench/README.md). A benchmark, not a test.
// This file is the seq10 scenario; loadgen_manual.cc is manual100k.
#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "loadgen_api.h"
#include "loadgen_http.h"
#include "loadgen_manual.h"
#include "loadgen_options.h"

namespace opsflow::bench {
namespace {

namespace json = boost::json;

// VmHWM of process `pid` in MiB, or nullopt when it cannot be read.
std::optional<double> PeakRssMb(int pid) {
  auto kb = ProcStatusField(pid, "VmHWM");
  return kb ? std::optional<double>(static_cast<double>(*kb) / 1024.0) : std::nullopt;
}

// metrics.end_time (epoch ms) of the job of this workflow that completed last, or nullopt.
std::optional<int64_t> LastEndTime(const Options& o, const std::string& token, std::string& error) {
  std::string target = std::string(kJobs) + "?equals%5Bname%5D=" + UrlEncode(o.workflow) +
                       "&equals%5Bstatus%5D=complete&sort=metrics.end_time&order=-1&limit=1";
  auto doc = GetJson(o, token, target, error);
  if (!doc) return std::nullopt;
  auto end = IntAt(*doc, "/data/0/metrics/end_time");
  if (!end) error = "GET " + target + " has no data[0].metrics.end_time";
  return end;
}

// Polls until no job of the workflow is running or paused; false (with `error`) on timeout.
bool WaitUntilFinished(const Options& o, const std::string& token, std::string& error) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(o.timeout_s);
  auto next_note = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  std::optional<int64_t> unfinished;
  while (std::chrono::steady_clock::now() < deadline) {
    unfinished = CountJobs(o, token, "&in%5Bstatus%5D=running&in%5Bstatus%5D=paused", error);
    if (unfinished && *unfinished == 0) return true;
    if (std::chrono::steady_clock::now() >= next_note) {
      std::fprintf(
          stderr, "loadgen: %s\n",
          unfinished ? (std::to_string(*unfinished) + " jobs unfinished").c_str() : error.c_str());
      next_note += std::chrono::seconds(5);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(o.poll_ms));
  }
  error = "Timed out after " + std::to_string(o.timeout_s) + " s with " +
          (unfinished ? std::to_string(*unfinished) : std::string("an unknown number of")) +
          " jobs still running or paused.";
  return false;
}

struct Measured {
  int64_t completed = 0;
  double seconds = 0;
  double p50_ms = 0;
  double p99_ms = 0;
  std::optional<double> peak_rss_mb;
};

std::string ResultLine(const Options& o, const Measured& m) {
  double wps = m.seconds > 0 ? static_cast<double>(m.completed) / m.seconds : 0;
  char rss[32] = "na";
  if (m.peak_rss_mb) std::snprintf(rss, sizeof rss, "%.1f", *m.peak_rss_mb);
  char line[512];
  std::snprintf(line, sizeof line,
                "RESULT name=%s scenario=%s workflows=%lld steps=%d seconds=%.3f "
                "workflows_per_s=%.1f steps_per_s=%.1f start_p50_ms=%.2f start_p99_ms=%.2f "
                "peak_rss_mb=%s",
                o.name.c_str(), o.scenario.c_str(), static_cast<long long>(m.completed), o.steps,
                m.seconds, wps, wps * o.steps, m.p50_ms, m.p99_ms, rss);
  return line;
}

int Fail(const std::string& sentence) {
  std::fprintf(stderr, "opsflow_loadgen: %s\n", sentence.c_str());
  return 1;
}

int Run(const Options& o) {
  boost::system::error_code ec;
  json::value variables = json::parse(o.variables, ec);
  if (ec || !variables.is_object()) return Fail("--variables must be a JSON object.");
  std::string start_body = json::serialize(
      json::object{{"workflow", o.workflow}, {"options", json::object{{"variables", variables}}}});

  std::string error;
  auto token = Login(o, error);
  if (!token) return Fail(error);
  auto baseline = CountJobs(o, *token, "&equals%5Bstatus%5D=complete", error);
  if (!baseline) return Fail("Cannot list jobs: " + error);

  StartStats starts = RunStarts(o, start_body, *token);
  std::fprintf(stderr, "loadgen: %zu of %d starts answered in %.3f s (%d failed)\n",
               starts.latencies_ms.size(), o.jobs, starts.elapsed_s, starts.errors);
  for (const std::string& s : starts.error_samples) {
    std::fprintf(stderr, "loadgen: start failed: %s\n", s.c_str());
  }

  std::vector<std::string> problems;
  if (starts.errors > 0) {
    problems.push_back(std::to_string(starts.errors) + " of " + std::to_string(o.jobs) +
                       " job starts failed.");
  }
  if (!WaitUntilFinished(o, *token, error)) problems.push_back(error);

  Measured m;
  m.p50_ms = Percentile(starts.latencies_ms, 0.50);
  m.p99_ms = Percentile(starts.latencies_ms, 0.99);
  m.peak_rss_mb = PeakRssMb(o.server_pid);
  if (o.server_pid > 0 && !m.peak_rss_mb) {
    problems.push_back("Cannot read VmHWM of pid " + std::to_string(o.server_pid) + ".");
  }
  auto complete = CountJobs(o, *token, "&equals%5Bstatus%5D=complete", error);
  if (!complete) {
    problems.push_back(error);
  } else {
    m.completed = *complete - *baseline;
    auto started = static_cast<int64_t>(starts.latencies_ms.size());
    if (m.completed < started) {
      auto errored = CountJobs(o, *token, "&equals%5Bstatus%5D=error", error);
      problems.push_back("Only " + std::to_string(m.completed) + " of " + std::to_string(started) +
                         " started jobs completed" +
                         (errored ? " (" + std::to_string(*errored) + " in error)" : "") + ".");
    }
  }
  if (m.completed > 0) {
    auto last_end = LastEndTime(o, *token, error);
    if (!last_end) problems.push_back(error);
    if (last_end) m.seconds = static_cast<double>(*last_end - starts.first_start_epoch_ms) / 1e3;
    if (last_end && m.seconds <= 0) {
      problems.push_back("The last end_time precedes the first start.");
    }
  }

  std::string line = ResultLine(o, m);
  if (!problems.empty()) {
    std::fprintf(stderr, "measured (not a valid result): %s\n", line.c_str());
    std::string all;
    for (const std::string& p : problems) all += (all.empty() ? "" : " ") + p;
    return Fail(all);
  }
  std::printf("%s\n", line.c_str());
  return 0;
}

}  // namespace
}  // namespace opsflow::bench

int main(int argc, char** argv) {
  opsflow::bench::Options options;
  std::string error;
  if (!opsflow::bench::ParseOptions(argc, argv, options, error)) {
    if (error.empty()) {
      std::fputs(opsflow::bench::Usage().data(), stdout);
      return 0;
    }
    std::fprintf(stderr, "opsflow_loadgen: %s\n%s", error.c_str(), opsflow::bench::Usage().data());
    return 2;
  }
  try {
    if (options.scenario == opsflow::bench::kManualScenario) {
      return opsflow::bench::RunManual(options);
    }
    return opsflow::bench::Run(options);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "opsflow_loadgen: unexpected failure: %s\n", e.what());
    return 1;
  }
}
