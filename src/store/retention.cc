#include "store/retention.h"

#include <charconv>
#include <chrono>
#include <climits>

#include "base/log.h"

namespace opsflow::store {

base::Result<int64_t> ParseDuration(const std::string& text) {
  int64_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  std::string_view unit(end, static_cast<size_t>(text.data() + text.size() - end));
  int64_t scale = unit == "ms"                ? 1
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

base::Result<std::pair<std::string, int64_t>> ParseWorkflowRetention(const std::string& text) {
  size_t eq = text.rfind('=');
  if (eq == std::string::npos || eq == 0) {
    return base::InvalidArgument("'" + text + "' is not NAME=DURATION (e.g. nightly-backup=7d)");
  }
  auto d = ParseDuration(text.substr(eq + 1));
  if (!d.ok()) return d.status();
  return std::make_pair(text.substr(0, eq), *d);
}

Retention::Retention(JobStore* jobs, RetentionPort* port, const base::Clock* clock,
                     RetentionOptions opts, ArchiveFn archive, std::function<bool()> active)
    : jobs_(jobs),
      port_(port),
      clock_(clock),
      opts_(std::move(opts)),
      archive_(std::move(archive)),
      active_(std::move(active)) {}

Retention::~Retention() { Stop(); }

base::Result<std::vector<std::string>> Retention::Candidates(int64_t now) {
  const int64_t error_cutoff = opts_.retain_error_ms > 0 ? now - opts_.retain_error_ms : 0;
  std::vector<std::string> roots;
  PurgeQuery q;
  q.error_cutoff_ms = error_cutoff;
  for (const auto& [workflow, ms] : opts_.per_workflow) {
    if (roots.size() >= opts_.batch) return roots;
    q.cutoff_ms = now - ms;
    q.workflow = workflow;
    q.max = opts_.batch - roots.size();
    OPSFLOW_ASSIGN_OR_RETURN(auto some, port_->PurgeCandidates(q));
    roots.insert(roots.end(), some.begin(), some.end());
    q.except.push_back(workflow);
  }
  if (roots.size() >= opts_.batch || (opts_.retain_ms <= 0 && error_cutoff == 0)) return roots;
  q.cutoff_ms = opts_.retain_ms > 0 ? now - opts_.retain_ms : INT64_MIN;
  q.workflow.clear();
  q.max = opts_.batch - roots.size();
  OPSFLOW_ASSIGN_OR_RETURN(auto rest, port_->PurgeCandidates(q));
  roots.insert(roots.end(), rest.begin(), rest.end());
  return roots;
}

base::Result<size_t> Retention::RunOnce() {
  if (!opts_.enabled()) return size_t{0};
  if (active_ && !active_()) return size_t{0};
  const int64_t now = clock_->NowMs();
  OPSFLOW_ASSIGN_OR_RETURN(auto roots, Candidates(now));
  if (roots.empty()) return size_t{0};
  if (archive_) {
    std::vector<std::string> ids;
    for (const std::string& root : roots) {
      // The root and every job below it, breadth first.
      size_t first = ids.size();
      ids.push_back(root);
      for (size_t i = first; i < ids.size(); ++i) {
        OPSFLOW_ASSIGN_OR_RETURN(auto children, jobs_->ChildJobs(ids[i]));
        for (const auto& c : children) ids.push_back(c.id);
      }
    }
    OPSFLOW_RETURN_IF_ERROR(archive_(jobs_, ids, now));
  }
  // One transaction per tree; a tree that changed since it was chosen (a retry started a job
  // of it again, another process or a user deleted it) is left alone.
  auto still_finished = [](const std::vector<model::JobRecord>& tree) {
    for (const model::JobRecord& r : tree) {
      if (r.status != "complete" && r.status != "canceled" && r.status != "error") {
        return base::FailedPrecondition("job " + r.id + " is " + r.status);
      }
    }
    return base::Status::Ok();
  };
  size_t deleted = 0;
  for (const std::string& root : roots) {
    auto d = jobs_->DeleteJobTree(root, still_finished);
    if (d.ok()) {
      deleted += static_cast<size_t>(d->jobs);
    } else if (d.status().code() != base::Code::kNotFound &&
               d.status().code() != base::Code::kFailedPrecondition) {
      return d.status();
    }
  }
  return deleted;
}

void Retention::Start() {
  if (!opts_.enabled()) return;
  thread_ = std::thread([this] {
    std::unique_lock<std::mutex> l(mu_);
    while (!stop_) {
      l.unlock();
      auto n = RunOnce();
      if (!n.ok()) {
        base::LogError("retention failed; nothing more was deleted in this batch",
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

}  // namespace opsflow::store
