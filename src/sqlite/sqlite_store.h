// The embedded store: SQLite in WAL mode, one file, synchronous=FULL (every commit fsync'd).
// One write connection (guarded by a mutex; the runtime's single writer thread is its main
// user) and a pool of read connections, so reads never wait behind a group commit.
// Thread-safety: all methods are safe from any thread.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "store/job_store.h"
#include "store/retention.h"

struct sqlite3;

namespace opsflow::sqlite {

class Stmt;

class SqliteStore final : public store::JobStore,
                          public store::DocStore,
                          public store::RetentionPort {
 public:
  // Opens (creating if needed) `dir`/opsflow.db and applies the migrations.
  static base::Result<std::unique_ptr<SqliteStore>> Open(const std::string& dir);
  ~SqliteStore() override;

  base::Status Commit(const store::WriteBatch& batch) override;
  base::Result<model::JobRecord> GetJob(const std::string& id) override;
  base::Result<std::string> GetWorkflowVersion(const std::string& version) override;
  base::Result<std::vector<model::JobRecord>> LoadActiveJobs() override;
  base::Result<std::vector<model::JobRecord>> ChildJobs(const std::string& parent_id) override;
  base::Result<std::vector<model::IterationRecord>> IterationsOfJob(
      const std::string& job_id) override;
  base::Result<model::IterationRecord> GetIteration(const std::string& id) override;
  base::Result<store::Page<model::JobRecord>> ListJobs(const model::ListQuery& q,
                                                       std::vector<model::Expr>* residual) override;
  base::Result<store::Page<model::IterationRecord>> ListIterations(
      const model::ListQuery& q, std::vector<model::Expr>* residual) override;
  base::Result<model::JobRecord> EditJobLists(
      const std::string& id, const std::function<base::Status(model::JobRecord*)>& edit) override;
  base::Result<store::DeletedJobs> DeleteJobTree(
      const std::string& id,
      const std::function<base::Status(const std::vector<model::JobRecord>& tree)>& check) override;
  base::Result<std::vector<store::MetricRow>> Metrics(
      store::MetricsOf of, const std::optional<std::vector<std::string>>& visible_groups) override;

  base::Status Put(const std::string& kind, const std::string& key,
                   const std::string& doc_json) override;
  base::Result<std::string> Get(const std::string& kind, const std::string& key) override;
  base::Status Delete(const std::string& kind, const std::string& key) override;
  base::Result<std::vector<store::StoredDoc>> List(const std::string& kind) override;

  // Retention (store/retention.h): the root jobs q names, oldest end first.
  base::Result<std::vector<std::string>> PurgeCandidates(const store::PurgeQuery& q) override;
  // Deletes jobs `ids` and their task iterations in one transaction.
  base::Status DeleteJobs(const std::vector<std::string>& ids);

 private:
  class ReadLease;
  explicit SqliteStore(std::string path);
  base::Status Init();
  base::Status Migrate();
  base::Result<sqlite3*> OpenConnection();
  sqlite3* AcquireReader();
  void ReleaseReader(sqlite3* db);

  std::string path_;
  std::mutex write_mu_;
  sqlite3* writer_ = nullptr;
  // The group-commit statements, prepared once on the write connection.
  std::unique_ptr<Stmt> ins_version_, ins_job_, upd_job_, ins_iteration_;
  std::mutex read_mu_;
  std::vector<sqlite3*> idle_readers_;
  std::vector<sqlite3*> all_readers_;
};

}  // namespace opsflow::sqlite
