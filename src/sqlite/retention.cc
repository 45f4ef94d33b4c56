#include "sqlite/retention.h"

#include <charconv>
#include <chrono>
#include <climits>
#include <set>
#include <vector>

#include "base/log.h"
#include "sqlite/archive.h"
#include "sqlite/sqlite_store.h"

namespace opsflow::sqlite {
namespace {

// "YYYY-MM-DD" (UTC) of `ms`.
std::string Day(int64_t ms) { return base::IsoTime(ms).substr(0, 10); }

}  // namespace

base::Result<int64_t> ParseDuration(const std::string& text) {
  int64_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  std::string_view unit(end, static_cast<size_t>(text.data() + text.size() - end));
  int64_t scale = unit == "ms" ? 1
                  : unit == "" || unit == "s" ? 1000
                  : unit == "m"               ? 60'000
                  : unit == "h"               ? 3'600'000
                  : unit == "d"               ? 86'400'000
                                              : 0;
  if (ec != std::errc() || n <= 0 || scale == 0 || n > INT64_MAX / scale) {
    return base::InvalidArgument("'" + text +
                                 "' is not a duration (a positive number with ms, s, m, h or d, "
                                 "e.g. 30d)");
  }
  return n * scale;
}

Retention::Retention(SqliteStore* store, const base::Clock* clock, RetentionOptions opts)
    : store_(store), clock_(clock), opts_(std::move(opts)) {}

Retention::~Retention() { Stop(); }

base::Result<size_t> Retention::RunOnce() {
  if (opts_.retain_ms <= 0 && opts_.retain_error_ms <= 0) return size_t{0};
  const int64_t now = clock_->NowMs();
  const int64_t cutoff = opts_.retain_ms > 0 ? now - opts_.retain_ms : INT64_MIN;
  const int64_t error_cutoff = opts_.retain_error_ms > 0 ? now - opts_.retain_error_ms : 0;
  OPSFLOW_ASSIGN_OR_RETURN(auto roots, store_->PurgeCandidates(cutoff, error_cutoff, opts_.batch));
  std::vector<std::string> ids;
  std::vector<std::string> lines;
  std::set<std::string> versions;
  for (const std::string& root : roots) {
    // The root and every job below it, breadth first.
    std::vector<std::string> tree{root};
    for (size_t i = 0; i < tree.size(); ++i) {
      OPSFLOW_ASSIGN_OR_RETURN(auto children, store_->ChildJobs(tree[i]));
      for (const auto& c : children) tree.push_back(c.id);
    }
    if (!opts_.archive_dir.empty()) {
      for (const std::string& id : tree) {
        ArchivedJob a;
        OPSFLOW_ASSIGN_OR_RETURN(a.job, store_->GetJob(id));
        OPSFLOW_ASSIGN_OR_RETURN(a.iterations, store_->IterationsOfJob(id));
        if (versions.insert(a.job.workflow_version).second) {
          auto doc = store_->GetWorkflowVersion(a.job.workflow_version);
          if (doc.ok()) lines.push_back(VersionLine(a.job.workflow_version, *doc));
        }
        lines.push_back(JobLine(a));
      }
    }
    ids.insert(ids.end(), tree.begin(), tree.end());
  }
  if (ids.empty()) return size_t{0};
  if (!lines.empty()) {
    std::string path = opts_.archive_dir + "/opsflow-archive-" + Day(now) + ".jsonl.gz";
    OPSFLOW_RETURN_IF_ERROR(AppendArchive(path, lines));
  }
  OPSFLOW_RETURN_IF_ERROR(store_->DeleteJobs(ids));
  return ids.size();
}

void Retention::Start() {
  if (opts_.retain_ms <= 0 && opts_.retain_error_ms <= 0) return;
  thread_ = std::thread([this] {
    std::unique_lock<std::mutex> l(mu_);
    while (!stop_) {
      l.unlock();
      auto n = RunOnce();
      if (!n.ok()) {
        base::LogError("retention failed; nothing was deleted in this batch",
                       "\"error\":\"" + base::JsonEscape(n.status().message()) + "\"");
      } else if (*n > 0) {
        base::LogInfo("retention deleted finished jobs", "\"jobs\":" + std::to_string(*n));
      }
      bool more = n.ok() && *n >= opts_.batch;
      l.lock();
      // A full batch: go on right away (other writers got the lock in between); else wait.
      cv_.wait_for(l, std::chrono::milliseconds(more ? 1 : opts_.interval_ms),
                   [this] { return stop_; });
    }
  });
}

void Retention::Stop() {
  {
    std::lock_guard<std::mutex> l(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

}  // namespace opsflow::sqlite
