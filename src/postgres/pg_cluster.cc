// PostgresStore's store::Cluster: leases in `nodes`, job ownership in jobs.owner (schema V0003).
#include <algorithm>

#include "postgres/store_internal.h"

namespace opsflow::postgres {
namespace {

#define OPSFLOW_NOW_MS "(extract(epoch FROM clock_timestamp()) * 1000)::bigint"
#define OPSFLOW_ACTIVE "status IN ('running', 'paused')"
// A job whose owner holds no lease (nobody, or a process whose lease was taken over).
#define OPSFLOW_ORPHAN \
  "(j.owner IS NULL OR NOT EXISTS (SELECT 1 FROM nodes n WHERE n.token = j.owner))"

constexpr const char* kJoin =
    "INSERT INTO nodes(token, node_id, address, started_ms, renewed_ms, expires_at) "
    "VALUES (nextval('node_tokens'), $1, $2, " OPSFLOW_NOW_MS ", " OPSFLOW_NOW_MS
    ", clock_timestamp() + make_interval(secs => $3::double precision / 1000)) RETURNING token";
constexpr const char* kRenew =
    "UPDATE nodes SET renewed_ms = " OPSFLOW_NOW_MS
    ", expires_at = clock_timestamp() + make_interval(secs => $2::double precision / 1000), "
    "jobs = $3 WHERE token = $1";
constexpr const char* kReleaseJobs =
    "UPDATE jobs SET owner = NULL WHERE owner = $1 AND " OPSFLOW_ACTIVE;
constexpr const char* kDropNode = "DELETE FROM nodes WHERE token = $1";
// A takeover: the expired leases of other processes go. Deleting a row waits for the share lock
// a commit of that process holds (opsflow_fence), so no commit of it lands after this.
constexpr const char* kTakeOver =
    "DELETE FROM nodes WHERE expires_at < clock_timestamp() AND token <> $1";
// Orphaned root jobs, oldest first, locked (another claimer skips them), then every running or
// paused job of their trees becomes ours.
constexpr const char* kClaimTrees =
    "WITH roots AS (SELECT j.id FROM jobs j WHERE j." OPSFLOW_ACTIVE
    " AND j.id = j.root_id AND " OPSFLOW_ORPHAN
    " ORDER BY j.seq LIMIT $2 FOR UPDATE SKIP LOCKED) "
    "UPDATE jobs j SET owner = $1 WHERE j.root_id IN (SELECT id FROM roots) AND j." OPSFLOW_ACTIVE
    " AND " OPSFLOW_ORPHAN " RETURNING " OPSFLOW_JOB_COLUMNS;
// A job at rest (not running or paused) taken for job control: when no other live process
// drives it or a job of its tree.
constexpr const char* kClaimJob =
    "UPDATE jobs j SET owner = $1 WHERE j.id = $2 AND NOT j." OPSFLOW_ACTIVE
    " AND (j.owner = $1 OR " OPSFLOW_ORPHAN
    ") AND NOT EXISTS (SELECT 1 FROM jobs a "
    "JOIN nodes n ON n.token = a.owner WHERE a.root_id = j.root_id AND a." OPSFLOW_ACTIVE
    " AND a.owner <> $1) RETURNING 1";
// Why kClaimJob refused: no row (no such job), or the process driving it or its tree ("" when
// none: an orphan about to be claimed).
constexpr const char* kJobDriver =
    "SELECT COALESCE((SELECT n.node_id FROM jobs a JOIN nodes n ON n.token = a.owner "
    "WHERE a.root_id = j.root_id AND (a.id = j.id OR a." OPSFLOW_ACTIVE
    ") AND a.owner <> $2 "
    "LIMIT 1), '') FROM jobs j WHERE j.id = $1";
constexpr const char* kNodes =
    "SELECT token, node_id, address, started_ms, renewed_ms, jobs, "
    "expires_at < clock_timestamp() FROM nodes ORDER BY node_id, token";

constexpr const char* kSendCommand =
    "INSERT INTO commands(target, job_id, body, created_ms) "
    "SELECT j.owner, j.id, $2, " OPSFLOW_NOW_MS
    " FROM jobs j JOIN nodes n ON n.token = j.owner "
    "WHERE j.id = $1 AND j." OPSFLOW_ACTIVE " RETURNING id";
constexpr const char* kJobExists = "SELECT status FROM jobs WHERE id = $1";
// Uses jobs_status_start (the running and paused jobs only, a small part of the table).
constexpr const char* kRunningRootsByUser =
    "SELECT COALESCE(created_by, ''), COUNT(*) FROM jobs WHERE status IN ('running', 'paused') "
    "AND parent IN ('null', '') AND owner IS DISTINCT FROM $1 GROUP BY 1";
constexpr const char* kTakeCommands =
    "UPDATE commands SET taken = TRUE WHERE id IN (SELECT id FROM commands WHERE target = $1 "
    "AND NOT taken ORDER BY id LIMIT 100 FOR UPDATE SKIP LOCKED) RETURNING id, job_id, body";
constexpr const char* kReplyCommand =
    "UPDATE commands SET reply_code = $2, reply_message = $3 WHERE id = $1";
// Answered commands among $1 (deleted as they are read), then those whose target lease is gone.
constexpr const char* kCollectReplies =
    "DELETE FROM commands WHERE id = ANY($1::bigint[]) AND reply_code IS NOT NULL "
    "RETURNING id, reply_code, reply_message";
constexpr const char* kCollectOrphaned =
    "DELETE FROM commands c WHERE c.id = ANY($1::bigint[]) AND c.reply_code IS NULL AND "
    "NOT EXISTS (SELECT 1 FROM nodes n WHERE n.token = c.target) RETURNING id";

}  // namespace

base::Result<int64_t> PostgresStore::Join(const std::string& node_id, const std::string& address,
                                          int64_t ttl_ms) {
  OPSFLOW_LEASE(c);
  auto r = c->Run("join", kJoin, Params().Add(node_id).Add(address).Add(ttl_ms));
  if (!r.ok()) return r.status();
  return r->Int(0, 0);
}

base::Status PostgresStore::Renew(int64_t token, int64_t ttl_ms, int64_t jobs) {
  OPSFLOW_LEASE(c);
  auto r = c->Run("renew", kRenew, Params().Add(token).Add(ttl_ms).Add(jobs));
  if (!r.ok()) return r.status();
  if (r->affected() == 0) {
    return base::Aborted("the lease of this process (token " + std::to_string(token) +
                         ") was taken over by another process");
  }
  return base::Status::Ok();
}

base::Status PostgresStore::Leave(int64_t token) {
  OPSFLOW_LEASE(c);
  OPSFLOW_RETURN_IF_ERROR(c->Exec("BEGIN"));
  auto released = c->Run("release_jobs", kReleaseJobs, Params().Add(token));
  if (!released.ok()) return released.status();
  auto dropped = c->Run("drop_node", kDropNode, Params().Add(token));
  if (!dropped.ok()) return dropped.status();
  return c->Exec("COMMIT");
}

base::Result<std::vector<model::JobRecord>> PostgresStore::ClaimOrphans(int64_t token,
                                                                        size_t max_trees) {
  OPSFLOW_LEASE(c);
  OPSFLOW_RETURN_IF_ERROR(c->Exec("BEGIN"));
  auto gone = c->Run("take_over", kTakeOver, Params().Add(token));
  if (!gone.ok()) return gone.status();
  auto r =
      c->Run("claim_trees", kClaimTrees, Params().Add(token).Add(static_cast<int64_t>(max_trees)));
  if (!r.ok()) return r.status();
  OPSFLOW_RETURN_IF_ERROR(c->Exec("COMMIT"));
  std::vector<model::JobRecord> out;
  out.reserve(static_cast<size_t>(r->rows()));
  for (int i = 0; i < r->rows(); ++i) out.push_back(ReadJob(*r, i));
  return out;
}

base::Status PostgresStore::ClaimJob(int64_t token, const std::string& id) {
  OPSFLOW_LEASE(c);
  auto r = c->Run("claim_job", kClaimJob, Params().Add(token).Add(id));
  if (!r.ok()) return r.status();
  if (r->rows() > 0) return base::Status::Ok();
  auto who = c->Run("job_driver", kJobDriver, Params().Add(id).Add(token));
  if (!who.ok()) return who.status();
  if (who->rows() == 0) return base::NotFound("job " + id + " not found");
  if (who->Text(0, 0).empty()) {
    return base::Unavailable("job " + id +
                             " is being taken over by a process of the cluster; "
                             "try again in a moment");
  }
  return base::FailedPrecondition("job " + id + " is driven by process '" + who->Text(0, 0) +
                                  "' of the cluster; send the request there");
}

base::Result<std::vector<store::NodeInfo>> PostgresStore::Nodes() {
  OPSFLOW_LEASE(c);
  auto r = c->Run("nodes", kNodes);
  if (!r.ok()) return r.status();
  std::vector<store::NodeInfo> out;
  for (int i = 0; i < r->rows(); ++i) {
    store::NodeInfo n;
    n.token = r->Int(i, 0);
    n.node_id = r->Text(i, 1);
    n.address = r->Text(i, 2);
    n.started_ms = r->Int(i, 3);
    n.renewed_ms = r->Int(i, 4);
    n.jobs = r->Int(i, 5);
    n.expired = r->Text(i, 6) == "t";
    out.push_back(std::move(n));
  }
  return out;
}

base::Result<std::vector<std::pair<std::string, int64_t>>> PostgresStore::RunningRootsByUser(
    int64_t token) {
  OPSFLOW_LEASE(c);
  auto r = c->Run("running_roots_by_user", kRunningRootsByUser, Params().Add(token));
  if (!r.ok()) return r.status();
  std::vector<std::pair<std::string, int64_t>> out;
  for (int i = 0; i < r->rows(); ++i) out.emplace_back(r->Text(i, 0), r->Int(i, 1));
  return out;
}

base::Result<int64_t> PostgresStore::SendCommand(const std::string& job_id,
                                                 const std::string& body) {
  OPSFLOW_LEASE(c);
  auto r = c->Run("send_command", kSendCommand, Params().Add(job_id).Add(body));
  if (!r.ok()) return r.status();
  if (r->rows() > 0) return r->Int(0, 0);
  auto j = c->Run("job_exists", kJobExists, Params().Add(job_id));
  if (!j.ok()) return j.status();
  if (j->rows() == 0) return base::NotFound("job " + job_id + " not found");
  return base::FailedPrecondition("job " + job_id + " is " + j->Text(0, 0) +
                                  " and driven by no live process of the cluster");
}

base::Result<std::vector<store::Command>> PostgresStore::TakeCommands(int64_t token) {
  OPSFLOW_LEASE(c);
  auto r = c->Run("take_commands", kTakeCommands, Params().Add(token));
  if (!r.ok()) return r.status();
  std::vector<store::Command> out;
  for (int i = 0; i < r->rows(); ++i) out.push_back({r->Int(i, 0), r->Text(i, 1), r->Text(i, 2)});
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  return out;
}

base::Status PostgresStore::ReplyCommand(int64_t id, const store::CommandReply& reply) {
  OPSFLOW_LEASE(c);
  auto r = c->Run("reply_command", kReplyCommand,
                  Params().Add(id).Add(int64_t{reply.code}).Add(reply.message));
  return r.ok() ? base::Status::Ok() : r.status();
}

base::Status PostgresStore::CollectReplies(
    const std::vector<int64_t>& ids, std::vector<std::pair<int64_t, store::CommandReply>>* replies,
    std::vector<int64_t>* orphaned) {
  std::string arr = "{";
  for (size_t i = 0; i < ids.size(); ++i) arr += (i ? "," : "") + std::to_string(ids[i]);
  arr += "}";
  OPSFLOW_LEASE(c);
  auto r = c->Run("collect_replies", kCollectReplies, Params().Add(arr));
  if (!r.ok()) return r.status();
  for (int i = 0; i < r->rows(); ++i) {
    replies->push_back(
        {r->Int(i, 0), store::CommandReply{static_cast<int>(r->Int(i, 1)), r->Text(i, 2)}});
  }
  auto o = c->Run("collect_orphaned", kCollectOrphaned, Params().Add(arr));
  if (!o.ok()) return o.status();
  for (int i = 0; i < o->rows(); ++i) orphaned->push_back(o->Int(i, 0));
  return base::Status::Ok();
}

}  // namespace opsflow::postgres
