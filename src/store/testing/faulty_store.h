// FaultyStore: a JobStore/DocStore that forwards to another one and injects faults at a chosen
// Commit, for tests of what sits above the store (the runtime's retries and its recovery).
//   FailCommits(n, k): Commits n .. n+k-1 (counting every Commit through this wrapper from 1)
//     return `error` and write nothing; the ones after pass again.
//   CrashAtCommit(n, point): the process "dies" at Commit n. kBeforeDurable drops that commit;
//     kAfterDurable writes it but the caller is not the wiser (the process died before it
//     could act on the answer). From then on every call is dropped: writes (Commit, Put,
//     Delete) return Ok without reaching the store, so a dead runtime's threads drain and it
//     can be stopped; reads (Metrics too), EditJobLists and DeleteJobTree return Unavailable.
//     crashed() turns true before Commit n returns, so an answer the caller gives a client after a
//     commit is "sent" only while crashed() is false.
// Thread-safety: all methods are safe from any thread; the wrapped stores must be too.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>

#include "store/job_store.h"

namespace opsflow::store::testing {

class FaultyStore final : public JobStore, public DocStore {
 public:
  enum class CrashPoint { kBeforeDurable, kAfterDurable };

  // Neither is owned; `docs` may be null (the DocStore calls then return Unavailable).
  FaultyStore(JobStore* jobs, DocStore* docs) : jobs_(jobs), docs_(docs) {}

  void FailCommits(int64_t first, int64_t count = 1,
                   base::Status error = base::Unavailable("injected commit failure"));
  void CrashAtCommit(int64_t n, CrashPoint point = CrashPoint::kBeforeDurable);
  bool crashed() const { return crashed_.load(); }
  // Commit calls seen so far (failed, dropped and crashed ones included).
  int64_t commits() const { return commits_.load(); }
  // Commits that failed with the injected error.
  int64_t failed_commits() const { return failed_.load(); }
  // Blocks until crashed() or `timeout_ms` passed; returns crashed().
  bool WaitCrashed(int64_t timeout_ms);

  base::Status Commit(const WriteBatch& batch) override;
  base::Result<model::JobRecord> GetJob(const std::string& id) override;
  base::Result<std::string> GetWorkflowVersion(const std::string& version) override;
  base::Result<std::vector<model::JobRecord>> LoadActiveJobs() override;
  base::Result<std::vector<model::JobRecord>> ChildJobs(const std::string& parent_id) override;
  base::Result<std::vector<model::IterationRecord>> IterationsOfJob(
      const std::string& job_id) override;
  base::Result<model::IterationRecord> GetIteration(const std::string& id) override;
  base::Result<Page<model::JobRecord>> ListJobs(const model::ListQuery& q,
                                                std::vector<model::Expr>* residual) override;
  base::Result<Page<model::IterationRecord>> ListIterations(
      const model::ListQuery& q, std::vector<model::Expr>* residual) override;
  base::Result<model::JobRecord> EditJobLists(
      const std::string& id, const std::function<base::Status(model::JobRecord*)>& edit) override;
  base::Result<DeletedJobs> DeleteJobTree(
      const std::string& id,
      const std::function<base::Status(const std::vector<model::JobRecord>& tree)>& check) override;
  base::Result<std::vector<MetricRow>> Metrics(
      MetricsOf of, const std::optional<std::vector<std::string>>& visible_groups) override;

  base::Status Put(const std::string& kind, const std::string& key,
                   const std::string& doc_json) override;
  base::Result<std::string> Get(const std::string& kind, const std::string& key) override;
  base::Status Delete(const std::string& kind, const std::string& key) override;
  base::Result<std::vector<StoredDoc>> List(const std::string& kind) override;

 private:
  base::Status Dead() const { return base::Unavailable("the store's process crashed"); }
  base::Status NoDocs() const { return base::Unavailable("no document store"); }
  void MarkCrashed();

  JobStore* const jobs_;
  DocStore* const docs_;
  std::mutex mu_;  // orders Commits and guards the fault plan below
  std::condition_variable crashed_cv_;
  int64_t fail_first_ = 0, fail_count_ = 0;
  base::Status fail_error_;
  int64_t crash_at_ = 0;
  CrashPoint crash_point_ = CrashPoint::kBeforeDurable;
  std::atomic<bool> crashed_{false};
  std::atomic<int64_t> commits_{0}, failed_{0};
};

}  // namespace opsflow::store::testing
