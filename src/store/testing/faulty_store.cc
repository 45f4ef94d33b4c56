#include "store/testing/faulty_store.h"

#include <chrono>

namespace opsflow::store::testing {

void FaultyStore::FailCommits(int64_t first, int64_t count, base::Status error) {
  std::lock_guard<std::mutex> l(mu_);
  fail_first_ = first;
  fail_count_ = count;
  fail_error_ = std::move(error);
}

void FaultyStore::CrashAtCommit(int64_t n, CrashPoint point) {
  std::lock_guard<std::mutex> l(mu_);
  crash_at_ = n;
  crash_point_ = point;
}

void FaultyStore::MarkCrashed() {
  crashed_ = true;
  crashed_cv_.notify_all();
}

bool FaultyStore::WaitCrashed(int64_t timeout_ms) {
  std::unique_lock<std::mutex> l(mu_);
  crashed_cv_.wait_for(l, std::chrono::milliseconds(timeout_ms), [&] { return crashed_.load(); });
  return crashed_.load();
}

base::Status FaultyStore::Commit(const WriteBatch& batch) {
  // Commits are serialized here, so "the nth" is well defined even with several writers.
  std::lock_guard<std::mutex> l(mu_);
  const int64_t n = ++commits_;
  if (crashed_) return base::Status::Ok();  // dropped: nobody is left to see it
  if (n == crash_at_) {
    if (crash_point_ == CrashPoint::kAfterDurable) (void)jobs_->Commit(batch);
    MarkCrashed();
    return base::Status::Ok();
  }
  if (fail_count_ > 0 && n >= fail_first_ && n < fail_first_ + fail_count_) {
    ++failed_;
    return fail_error_;
  }
  return jobs_->Commit(batch);
}

base::Result<model::JobRecord> FaultyStore::GetJob(const std::string& id) {
  if (crashed_) return Dead();
  return jobs_->GetJob(id);
}

base::Result<std::string> FaultyStore::GetWorkflowVersion(const std::string& version) {
  if (crashed_) return Dead();
  return jobs_->GetWorkflowVersion(version);
}

base::Result<std::vector<model::JobRecord>> FaultyStore::LoadActiveJobs() {
  if (crashed_) return Dead();
  return jobs_->LoadActiveJobs();
}

base::Result<std::vector<model::JobRecord>> FaultyStore::ChildJobs(const std::string& parent_id) {
  if (crashed_) return Dead();
  return jobs_->ChildJobs(parent_id);
}

base::Result<std::vector<model::IterationRecord>> FaultyStore::IterationsOfJob(
    const std::string& job_id) {
  if (crashed_) return Dead();
  return jobs_->IterationsOfJob(job_id);
}

base::Result<model::IterationRecord> FaultyStore::GetIteration(const std::string& id) {
  if (crashed_) return Dead();
  return jobs_->GetIteration(id);
}

base::Result<Page<model::JobRecord>> FaultyStore::ListJobs(const model::ListQuery& q,
                                                           std::vector<model::Expr>* residual) {
  if (crashed_) return Dead();
  return jobs_->ListJobs(q, residual);
}

base::Result<Page<model::IterationRecord>> FaultyStore::ListIterations(
    const model::ListQuery& q, std::vector<model::Expr>* residual) {
  if (crashed_) return Dead();
  return jobs_->ListIterations(q, residual);
}

base::Result<model::JobRecord> FaultyStore::EditJobLists(
    const std::string& id, const std::function<base::Status(model::JobRecord*)>& edit) {
  if (crashed_) return Dead();
  return jobs_->EditJobLists(id, edit);
}

base::Result<DeletedJobs> FaultyStore::DeleteJobTree(
    const std::string& id,
    const std::function<base::Status(const std::vector<model::JobRecord>& tree)>& check) {
  if (crashed_) return Dead();
  return jobs_->DeleteJobTree(id, check);
}

base::Result<std::vector<MetricRow>> FaultyStore::Metrics(
    MetricsOf of, const std::optional<std::vector<std::string>>& visible_groups) {
  if (crashed_) return Dead();
  return jobs_->Metrics(of, visible_groups);
}

base::Status FaultyStore::Put(const std::string& kind, const std::string& key,
                              const std::string& doc_json) {
  if (crashed_) return base::Status::Ok();
  if (!docs_) return NoDocs();
  return docs_->Put(kind, key, doc_json);
}

base::Result<std::string> FaultyStore::Get(const std::string& kind, const std::string& key) {
  if (crashed_) return Dead();
  if (!docs_) return NoDocs();
  return docs_->Get(kind, key);
}

base::Status FaultyStore::Delete(const std::string& kind, const std::string& key) {
  if (crashed_) return base::Status::Ok();
  if (!docs_) return NoDocs();
  return docs_->Delete(kind, key);
}

base::Result<std::vector<StoredDoc>> FaultyStore::List(const std::string& kind) {
  if (crashed_) return Dead();
  if (!docs_) return NoDocs();
  return docs_->List(kind);
}

}  // namespace opsflow::store::testing
