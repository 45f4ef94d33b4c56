// The PostgreSQL store: the JobStore and DocStore ports (store/job_store.h) over libpq, for a
// database given as a postgres:// URL (`serve --store`). A small pool of connections (opened on
// demand, at most kMaxConnections; a caller waits when all are busy) with statements prepared
// once per connection; a group commit (WriteBatch) is one transaction. The schema is created
// and migrated on open from schema/postgres/ under an advisory lock, so processes starting
// together on an empty database are safe. Many processes may share one database: the Cluster
// port (store/cluster.h; leases, fencing, claims) is in pg_cluster.cc.
// Thread-safety: all methods are safe from any thread.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "store/cluster.h"
#include "store/job_store.h"

namespace opsflow::postgres {

class Conn;

// True when `url` names a PostgreSQL database (postgres:// or postgresql://).
bool IsPostgresUrl(const std::string& url);

// `url` with its password (if any) replaced by "***", for logs and messages.
std::string RedactUrl(const std::string& url);

class PostgresStore final : public store::JobStore, public store::DocStore, public store::Cluster {
 public:
  static constexpr size_t kMaxConnections = 8;

  // Connects to `url` and creates or migrates the schema.
  static base::Result<std::unique_ptr<PostgresStore>> Open(const std::string& url);
  ~PostgresStore() override;

  // When the connection is lost after COMMIT went out, the outcome is unknown: Unavailable, and
  // the store remembers the transaction. Committing the same batch object again (the runtime
  // retries it) first settles it: Unavailable while PostgreSQL says it still runs, then Ok when
  // its commit mark (schema V0004) is there, committed anew when not. Exact after a failover to
  // a standby too.
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

  // store::Cluster (pg_cluster.cc).
  base::Result<int64_t> Join(const std::string& node_id, const std::string& address,
                             int64_t ttl_ms) override;
  base::Status Renew(int64_t token, int64_t ttl_ms, int64_t jobs) override;
  base::Status Leave(int64_t token) override;
  base::Result<std::vector<model::JobRecord>> ClaimOrphans(int64_t token,
                                                           size_t max_trees) override;
  base::Status ClaimJob(int64_t token, const std::string& id) override;
  base::Result<std::vector<store::NodeInfo>> Nodes() override;
  base::Result<std::vector<std::pair<std::string, int64_t>>> RunningRootsByUser(
      int64_t token) override;
  base::Result<int64_t> SendCommand(const std::string& job_id, const std::string& body) override;
  base::Result<std::vector<store::Command>> TakeCommands(int64_t token) override;
  base::Status ReplyCommand(int64_t id, const store::CommandReply& reply) override;
  base::Status CollectReplies(const std::vector<int64_t>& ids,
                              std::vector<std::pair<int64_t, store::CommandReply>>* replies,
                              std::vector<int64_t>* orphaned) override;

  // The schema versions this build knows (the files of schema/postgres/).
  static int SchemaVersions();
  // Applies the migrations [0, version) to the connection's database (testing: older schemas).
  static base::Status MigrateTo(Conn* conn, int version);
  // Testing: the next commit that succeeds is reported as a lost connection after COMMIT.
  void LoseNextCommitReplyForTesting() {
    std::lock_guard<std::mutex> l(commit_mu_);
    lose_next_commit_reply_ = true;
  }

 private:
  class Lease;
  explicit PostgresStore(std::string url);
  base::Status Migrate();
  base::Result<Conn*> Acquire();
  void Release(Conn* c);
  // One try of Commit. `xid` receives the transaction's id, `commit_sent` whether COMMIT went
  // out (a failure after that is of unknown outcome).
  base::Status CommitOnce(Conn* c, const store::WriteBatch& b, std::string* xid, bool* commit_sent);
  // Decides a commit of unknown outcome (unsure_*) for a retry of batch `b`: true when `b` is
  // that batch and it committed; an error while that cannot be known yet.
  base::Result<bool> SettleUnsureCommit(const store::WriteBatch& b);

  const std::string url_;
  // Serializes group commits within this process (the counts tables' rows are updated in the
  // order of each batch; two batches at once could wait on each other).
  std::mutex commit_mu_;
  // The commit of unknown outcome (guarded by commit_mu_): its transaction id and batch.
  std::string unsure_xid_;
  int64_t unsure_seq_ = 0;
  const store::WriteBatch* unsure_batch_ = nullptr;
  // This object's row in commit_marks (schema V0004) and the number of its latest commit
  // attempt (guarded by commit_mu_): a batch committed iff the row holds at least its number.
  const std::string writer_id_;
  int64_t commit_seq_ = 0;
  bool lose_next_commit_reply_ = false;
  std::mutex mu_;
  std::condition_variable idle_cv_;
  std::vector<Conn*> idle_;
  size_t opening_ = 0;  // connections being opened (counted against kMaxConnections)
  std::vector<std::unique_ptr<Conn>> all_;
};

}  // namespace opsflow::postgres
