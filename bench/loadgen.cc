// opsflow_loadgen: starts many jobs of one workflow through the REST API, waits for them to
// finish and prints one RESULT line (see bench/README.md). A benchmark, not a test.
// This file is the seq10 scenario; loadgen_manual.cc is manual100k.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <optional>
#include <string>
#include <vector>

#include "loadgen_api.h"
#include "loadgen_http.h"
#include "loadgen_manual.h"
#include "loadgen_options.h"

namespace opsflow::bench {
namespace {

// The largest VmHWM of processes `pids` in MiB, or nullopt when one cannot be read.
std::optional<double> PeakRssMb(const std::vector<int>& pids) {
  std::optional<double> peak;
  for (int pid : pids) {
    auto kb = ProcStatusField(pid, "VmHWM");
    if (!kb) return std::nullopt;
    peak = std::max(peak.value_or(0), static_cast<double>(*kb) / 1024.0);
  }
  return peak;
}

// metrics.end_time (epoch ms) of the job of this workflow that completed last, or nullopt.
std::optional<int64_t> LastEndTime(const Options& o, const std::string& token, std::string& error) {
  std::string target = std::string(kJobs) + "?equals%5Bname%5D=" + UrlEncode(o.workflow) +
                       "&equals%5Bstatus%5D=complete&sort=metrics.end_time&order=-1&limit=1";
  return GetInt(o, token, target, "/data/0/metrics/end_time", "data[0].metrics.end_time", error);
}

// Polls until no job of the workflow is running or paused; false (with `error`) on timeout.
bool WaitUntilFinished(const Options& o, const std::string& token, std::string& error) {
  std::optional<int64_t> unfinished;
  bool finished = PollUntil(
      o,
      [&] {
        unfinished = CountJobs(o, token, "&in%5Bstatus%5D=running&in%5Bstatus%5D=paused", error);
        return unfinished && *unfinished == 0;
      },
      [&] { return unfinished ? std::to_string(*unfinished) + " jobs unfinished" : error; });
  if (finished) return true;
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
  std::string rss = m.peak_rss_mb ? Printf("%.1f", *m.peak_rss_mb) : "na";
  return FormatResult(
      o, Printf("workflows=%lld steps=%d seconds=%.3f workflows_per_s=%.1f steps_per_s=%.1f "
                "start_p50_ms=%.2f start_p99_ms=%.2f peak_rss_mb=%s",
                static_cast<long long>(m.completed), o.steps, m.seconds, wps, wps * o.steps,
                m.p50_ms, m.p99_ms, rss.c_str()) +
             (o.processes > 0 ? Printf(" processes=%d", o.processes) : std::string()));
}

int Run(const Options& o) {
  auto session = BeginSession(o);
  if (!session) return 1;
  const std::string& token = session->token;
  std::string error;
  auto baseline = CountJobs(o, token, "&equals%5Bstatus%5D=complete", error);
  if (!baseline) return Fail("Cannot list jobs: " + error);

  StartStats starts = RunStarts(o, session->start_body, token);
  std::fprintf(stderr, "loadgen: %zu of %d starts answered in %.3f s (%d failed)\n",
               starts.latencies_ms.size(), o.jobs, starts.elapsed_s, starts.errors);
  std::vector<std::string> problems;
  NoteFailures("start", "job starts", o.jobs, starts, problems);
  if (!WaitUntilFinished(o, token, error)) problems.push_back(error);

  Measured m;
  m.p50_ms = Percentile(starts.latencies_ms, 0.50);
  m.p99_ms = Percentile(starts.latencies_ms, 0.99);
  m.peak_rss_mb = PeakRssMb(o.server_pids);
  if (!o.server_pids.empty() && !m.peak_rss_mb) {
    problems.push_back("Cannot read VmHWM of the server pids.");
  }
  auto complete = CountJobs(o, token, "&equals%5Bstatus%5D=complete", error);
  if (!complete) {
    problems.push_back(error);
  } else {
    m.completed = *complete - *baseline;
    auto started = static_cast<int64_t>(starts.latencies_ms.size());
    if (m.completed < started) {
      auto errored = CountJobs(o, token, "&equals%5Bstatus%5D=error", error);
      problems.push_back("Only " + std::to_string(m.completed) + " of " + std::to_string(started) +
                         " started jobs completed" +
                         (errored ? " (" + std::to_string(*errored) + " in error)" : "") + ".");
    }
  }
  if (m.completed > 0) {
    auto last_end = LastEndTime(o, token, error);
    if (!last_end) problems.push_back(error);
    if (last_end) m.seconds = static_cast<double>(*last_end - starts.first_start_epoch_ms) / 1e3;
    if (last_end && m.seconds <= 0) {
      problems.push_back("The last end_time precedes the first start.");
    }
  }

  return Conclude(ResultLine(o, m), problems);
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
