#include "loadgen_manual.h"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "loadgen_api.h"
#include "loadgen_http.h"

namespace opsflow::bench {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::string_view kFinishBody =
    R"({"taskData":{"finish_state":"success","variables":{}}})";

// What the server's /proc/PID/status says at one moment (kB and a count; nullopt: unknown).
struct ProcFigures {
  std::optional<int64_t> rss_kb;
  std::optional<int64_t> hwm_kb;
  std::optional<int64_t> threads;
  std::optional<int64_t> anon_kb;  // RssAnon: heap and stacks
  std::optional<int64_t> file_kb;  // RssFile: mapped files (binary, libraries)
};

ProcFigures ReadProc(int pid) {
  return {ProcStatusField(pid, "VmRSS"), ProcStatusField(pid, "VmHWM"),
          ProcStatusField(pid, "Threads"), ProcStatusField(pid, "RssAnon"),
          ProcStatusField(pid, "RssFile")};
}

std::string Mb(std::optional<int64_t> kb) {
  return kb ? Printf("%.1f", static_cast<double>(*kb) / 1024.0) : "na";
}

// The counts the scenario watches, net of what the server already had before the run.
struct Counts {
  std::optional<int64_t> running;   // jobs of the workflow in `running`
  std::optional<int64_t> waiting;   // iterations of the manual task in `running`
  std::optional<int64_t> complete;  // jobs of the workflow in `complete`
};

class Counter {
 public:
  Counter(const Options& o, const std::string& token) : o_(o), token_(token) {}

  Counts Read(std::string& error) const {
    Counts c;
    c.running = CountJobs(o_, token_, "&equals%5Bstatus%5D=running", error);
    c.waiting = CountList(
        o_, token_, kTasks,
        "equals%5Bjob.task%5D=" + UrlEncode(o_.manual_task) + "&equals%5Bstatus%5D=running", error);
    c.complete = CountJobs(o_, token_, "&equals%5Bstatus%5D=complete", error);
    return c;
  }

 private:
  const Options& o_;
  const std::string& token_;
};

int64_t Net(std::optional<int64_t> now, std::optional<int64_t> before) {
  return now && before ? *now - *before : -1;
}

// Polls until `done(counts net of base)` holds; false (with `error`) after o.timeout_s.
template <typename Done>
bool WaitFor(const Options& o, const Counter& counter, const Counts& base, std::string_view what,
             Done done, std::string& error) {
  int64_t running = -1, waiting = -1, complete = -1;
  bool reached = PollUntil(
      o,
      [&] {
        Counts c = counter.Read(error);
        running = Net(c.running, base.running);
        waiting = Net(c.waiting, base.waiting);
        complete = Net(c.complete, base.complete);
        return running >= 0 && waiting >= 0 && complete >= 0 && done(running, waiting, complete);
      },
      [&] {
        return "waiting for " + std::string(what) + ": " + std::to_string(running) + " running, " +
               std::to_string(waiting) + " waiting, " + std::to_string(complete) + " complete";
      });
  if (reached) return true;
  error = "Timed out after " + std::to_string(o.timeout_s) + " s waiting for " + std::string(what) +
          " (" + std::to_string(running) + " running, " + std::to_string(waiting) + " waiting, " +
          std::to_string(complete) + " complete).";
  return false;
}

// `count` of `ids`, spread evenly over them (first, ..., near the last).
std::vector<std::string> FinishTargets(const Options& o, const std::vector<std::string>& ids,
                                       int count) {
  std::vector<std::string> targets;
  if (ids.empty() || count <= 0) return targets;
  size_t n = std::min(ids.size(), static_cast<size_t>(count));
  for (size_t i = 0; i < n; ++i) {
    const std::string& id = ids[i * ids.size() / n];
    targets.push_back(std::string(kJobs) + "/" + UrlEncode(id) + "/tasks/" +
                      UrlEncode(o.manual_task) + "/finish");
  }
  return targets;
}

struct Measured {
  int64_t jobs = 0;  // jobs waiting when memory was read
  double start_seconds = 0;
  ProcFigures before, waiting;
  int64_t finished = 0;  // sample tasks finished (200)
  double finish_p50_ms = 0;
};

std::string ResultLine(const Options& o, const Measured& m) {
  std::string bytes = "na";
  if (m.before.rss_kb && m.waiting.rss_kb && m.jobs > 0) {
    bytes = Printf("%.0f", static_cast<double>(*m.waiting.rss_kb - *m.before.rss_kb) * 1024.0 /
                               static_cast<double>(m.jobs));
  }
  std::string threads = m.waiting.threads ? std::to_string(*m.waiting.threads) : "na";
  return FormatResult(
      o, Printf("jobs=%lld start_seconds=%.3f waiting_rss_mb=%s baseline_rss_mb=%s "
                "bytes_per_waiting_job=%s threads=%s finish_sample=%lld finish_p50_ms=%.2f",
                static_cast<long long>(m.jobs), m.start_seconds, Mb(m.waiting.rss_kb).c_str(),
                Mb(m.before.rss_kb).c_str(), bytes.c_str(), threads.c_str(),
                static_cast<long long>(m.finished), m.finish_p50_ms));
}

}  // namespace

int RunManual(const Options& o) {
  auto session = BeginSession(o);
  if (!session) return 1;
  const std::string& token = session->token;
  std::string error;
  Counter counter(o, token);
  Counts base = counter.Read(error);
  if (!base.running || !base.waiting || !base.complete) return Fail("Cannot count: " + error);

  Measured m;
  std::vector<std::string> problems;
  m.before = ReadProc(o.server_pid);
  StartStats starts = RunStarts(o, session->start_body, token);
  auto started = static_cast<int64_t>(starts.job_ids.size());
  std::fprintf(stderr, "loadgen: %lld of %d starts answered in %.3f s (%d failed, p50 %.2f ms)\n",
               static_cast<long long>(started), o.jobs, starts.elapsed_s, starts.errors,
               Percentile(starts.latencies_ms, 0.5));
  NoteFailures("start", "job starts", o.jobs, starts, problems);

  auto t0 = Clock::now();
  bool all_waiting = WaitFor(
      o, counter, base, "every started job to wait",
      [&](int64_t running, int64_t waiting, int64_t) {
        return running >= started && waiting >= started;
      },
      error);
  if (!all_waiting) problems.push_back(error);
  m.jobs = started;
  m.start_seconds = starts.elapsed_s;
  m.waiting = ReadProc(o.server_pid);
  std::fprintf(
      stderr,
      "loadgen: all waiting %.3f s after the last start reply; VmRSS %s -> %s MiB "
      "(RssAnon %s -> %s, RssFile %s -> %s), VmHWM %s MiB, threads %s -> %s\n",
      std::chrono::duration<double>(Clock::now() - t0).count(), Mb(m.before.rss_kb).c_str(),
      Mb(m.waiting.rss_kb).c_str(), Mb(m.before.anon_kb).c_str(), Mb(m.waiting.anon_kb).c_str(),
      Mb(m.before.file_kb).c_str(), Mb(m.waiting.file_kb).c_str(), Mb(m.waiting.hwm_kb).c_str(),
      m.before.threads ? std::to_string(*m.before.threads).c_str() : "na",
      m.waiting.threads ? std::to_string(*m.waiting.threads).c_str() : "na");
  if (o.server_pid > 0 && (!m.before.rss_kb || !m.waiting.rss_kb || !m.waiting.threads)) {
    problems.push_back("Cannot read VmRSS or Threads of pid " + std::to_string(o.server_pid) + ".");
  }

  if (all_waiting && o.finish_sample > 0) {
    std::vector<std::string> targets = FinishTargets(o, starts.job_ids, o.finish_sample);
    StartStats fin = RunPosts(o, targets, std::string(kFinishBody), token);
    m.finished = static_cast<int64_t>(fin.latencies_ms.size());
    m.finish_p50_ms = Percentile(fin.latencies_ms, 0.5);
    std::fprintf(stderr, "loadgen: %lld of %zu finishes answered in %.3f s (p99 %.2f ms)\n",
                 static_cast<long long>(m.finished), targets.size(), fin.elapsed_s,
                 Percentile(fin.latencies_ms, 0.99));
    NoteFailures("finish", "finish requests", static_cast<int64_t>(targets.size()), fin, problems);
    int64_t finished = m.finished;
    if (!WaitFor(
            o, counter, base, "the finished sample to complete",
            [&](int64_t running, int64_t waiting, int64_t complete) {
              return complete >= finished && running <= started - finished &&
                     waiting <= started - finished;
            },
            error)) {
      problems.push_back(error);
    }
    auto after = ReadProc(o.server_pid);
    std::fprintf(stderr, "loadgen: after the sample: VmRSS %s MiB, VmHWM %s MiB, threads %s\n",
                 Mb(after.rss_kb).c_str(), Mb(after.hwm_kb).c_str(),
                 after.threads ? std::to_string(*after.threads).c_str() : "na");
  }

  return Conclude(ResultLine(o, m), problems);
}

}  // namespace opsflow::bench
