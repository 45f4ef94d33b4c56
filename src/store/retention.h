// Retention, store-independent part: deletes finished jobs older than a duration, with their
// child jobs and task iterations, in small batches, optionally handing them first to an archive
// writer. Each store answers which root jobs are due (RetentionPort, its own SQL:
// sqlite::SqliteStore, postgres::PgRetention); the deletion is JobStore::DeleteJobTree, one short
// transaction per root job, so the engine's group commits run in between.
//
// Rule: a root job (no parent) goes with every job below it when it is complete or canceled and
// ended more than the retention of its workflow ago (RetentionOptions::per_workflow, else
// retain_ms), or, only when retain_error_ms > 0, when it is in error and nothing touched it (no
// retry, no edit) for retain_error_ms: an abandoned error. Child jobs never go alone. Roots with
// a child still running or paused wait. A per-workflow retention applies to the root job's
// workflow (its children go with it whatever their workflow).
// Thread-safety: RunOnce from one thread at a time; Start/Stop from the owning thread.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "base/clock.h"
#include "base/status.h"
#include "store/job_store.h"

namespace opsflow::store {

// "30d", "12h", "15m", "90s", "500ms" or a number of seconds, as milliseconds (> 0).
base::Result<int64_t> ParseDuration(const std::string& text);
// "NAME=DURATION" (the name may itself hold '='; the duration follows the last one).
base::Result<std::pair<std::string, int64_t>> ParseWorkflowRetention(const std::string& text);

// Which root jobs are due: complete or canceled, ended before cutoff_ms; or (error_cutoff_ms >
// 0) in error and last updated before error_cutoff_ms; with no child running or paused. Only
// workflow `workflow` when set; else every workflow but those in `except`.
struct PurgeQuery {
  int64_t cutoff_ms = 0;        // INT64_MIN: none complete/canceled
  int64_t error_cutoff_ms = 0;  // 0: no error jobs
  size_t max = 100;
  std::string workflow;
  std::vector<std::string> except;
};

// A store's side of retention. Thread-safety: as the store's reads.
class RetentionPort {
 public:
  virtual ~RetentionPort() = default;
  // Up to q.max root job ids, oldest end first.
  virtual base::Result<std::vector<std::string>> PurgeCandidates(const PurgeQuery& q) = 0;
};

struct RetentionOptions {
  int64_t retain_ms = 0;        // finished (complete, canceled) jobs; 0 = keep forever
  int64_t retain_error_ms = 0;  // abandoned error jobs; 0 = keep forever
  // Workflow name -> its retention of finished jobs (overrides retain_ms, longer or shorter).
  std::map<std::string, int64_t> per_workflow;
  size_t batch = 100;            // root jobs per run
  int64_t interval_ms = 60'000;  // pause between runs once nothing is left to delete
  bool enabled() const { return retain_ms > 0 || retain_error_ms > 0 || !per_workflow.empty(); }
};

// Writes the jobs `ids` (roots and what is below them), read from `jobs`, to an archive before
// they are deleted; an error deletes nothing.
using ArchiveFn =
    std::function<base::Status(JobStore* jobs, const std::vector<std::string>& ids, int64_t now)>;

class Retention {
 public:
  // `active`, when set, is asked before each run (a cluster runs retention on its leader only).
  Retention(JobStore* jobs, RetentionPort* port, const base::Clock* clock, RetentionOptions opts,
            ArchiveFn archive = nullptr, std::function<bool()> active = nullptr);
  ~Retention();  // Stop()
  // One batch: the jobs deleted (roots and their descendants).
  base::Result<size_t> RunOnce();
  // A background thread running batches back to back while they are full, then every
  // interval_ms.
  void Start();
  void Stop();

 private:
  // Due roots: those of each per-workflow rule, then the others.
  base::Result<std::vector<std::string>> Candidates(int64_t now);

  JobStore* jobs_;
  RetentionPort* port_;
  const base::Clock* clock_;
  RetentionOptions opts_;
  ArchiveFn archive_;
  std::function<bool()> active_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace opsflow::store
