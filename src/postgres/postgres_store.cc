#include "postgres/postgres_store.h"

#include <chrono>
#include <iterator>
#include <map>
#include <optional>

#include "base/ids.h"
#include "base/log.h"
#include "base/metrics.h"
#include "postgres/migrations.h"
#include "postgres/pg_conn.h"
#include "postgres/pg_filter.h"
#include "postgres/store_internal.h"

namespace opsflow::postgres {
namespace {

// pg_advisory_lock key held while the schema is created or migrated ("opsflow" + 1).
constexpr const char* kMigrationLockSql = "SELECT pg_advisory_lock(8029759185311805185)";
constexpr const char* kMigrationUnlockSql = "SELECT pg_advisory_unlock(8029759185311805185)";

#define OPSFLOW_ITERATION_COLUMNS                                                              \
  "id, job_id, task_id, iteration, method, status, finish_state, start_ms, end_ms, incoming, " \
  "outgoing, error"

constexpr const char* kJobColumns = OPSFLOW_JOB_COLUMNS;
constexpr const char* kIterationColumns = OPSFLOW_ITERATION_COLUMNS;

// The statements, prepared on each connection the first time it runs them.
constexpr const char* kInsVersion =
    "INSERT INTO workflow_versions(version, doc) VALUES($1, $2) ON CONFLICT (version) DO NOTHING";
// The new jobs of a group commit in one statement: $1..$19 are arrays in OPSFLOW_JOB_COLUMNS
// order, $20 the owners (the committing process's lease token; NULL for a single process), one
// element per job; inserted in the batch's order (jobs.seq follows it).
constexpr const char* kInsJobs =
    "INSERT INTO jobs(" OPSFLOW_JOB_COLUMNS ", owner) SELECT " OPSFLOW_JOB_COLUMNS
    ", owner FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], "
    "$6::text[], $7::text[], $8::bigint[], $9::bigint[], $10::bigint[], $11::bigint[], "
    "$12::float8[], $13::text[], $14::text[], $15::text[], $16::text[], $17::text[], "
    "$18::text[], $19::text[], $20::bigint[]) WITH ORDINALITY AS t(" OPSFLOW_JOB_COLUMNS
    ", owner, ord) ORDER BY ord";
// Cluster (schema V0003): fails the transaction unless the lease $1 is held.
constexpr const char* kFence = "SELECT opsflow_fence($1)";
// Schema V0004: this store object's commit number, written by every group commit.
constexpr const char* kCommitMark =
    "INSERT INTO commit_marks(writer, seq, at_ms) VALUES($1, $2, $3) "
    "ON CONFLICT (writer) DO UPDATE SET seq = excluded.seq, at_ms = excluded.at_ms";
constexpr const char* kReadCommitMark = "SELECT seq FROM commit_marks WHERE writer = $1";
// The updates return what the counts tables need: the row's name and status before and after.
// (`old` reads the statement's snapshot, so it sees the row before this statement, whenever it
// is evaluated; a FOR UPDATE there would skip the row the statement itself updates. One writer
// per job at a time, so no other transaction moves it in between.) $10: the committing process's
// lease token; when not 0 only a job it owns (or that nobody owns) is updated (no row back: the
// commit is refused). A job that comes to rest (neither running nor paused) is owned by nobody
// from then on, so any process of a cluster may take it for a retry (Cluster::ClaimJob).
constexpr const char* kUpdJob =
    "WITH old AS (SELECT status FROM jobs WHERE id=$1) "
    "UPDATE jobs SET status=$2, state=$3, progress=$4, last_updated_ms=$5, "
    "end_ms=COALESCE($6, end_ms), variables=COALESCE($7, variables), "
    "errors=COALESCE($8, errors), description=COALESCE($9, description), "
    "owner=CASE WHEN $2::text IN ('running', 'paused') THEN owner ELSE NULL END "
    "WHERE id=$1 AND ($10::bigint = 0 OR owner = $10::bigint OR owner IS NULL) "
    "RETURNING workflow_name, (SELECT status FROM old), status";
// All the iterations of a group commit in one statement: $1..$12 are arrays, one element per
// row, in OPSFLOW_ITERATION_COLUMNS order (each id at most once: ON CONFLICT may not touch a row
// twice). Answers each row's status before (NULL for a new row; the sub-select is one primary
// key lookup per row, whatever plan the statement gets) and after.
constexpr const char* kUpsertIterations =
    "WITH input AS (SELECT t.*, (SELECT i.status FROM iterations i WHERE i.id = t.id) AS before "
    "FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::text[], $6::text[], "
    "$7::text[], $8::bigint[], $9::bigint[], $10::text[], $11::text[], $12::text[]) "
    "AS t(" OPSFLOW_ITERATION_COLUMNS
    ")), "
    "done AS (INSERT INTO iterations(" OPSFLOW_ITERATION_COLUMNS
    ") SELECT " OPSFLOW_ITERATION_COLUMNS
    " FROM input ON CONFLICT (id) DO UPDATE SET "
    "job_id=excluded.job_id, task_id=excluded.task_id, iteration=excluded.iteration, "
    "method=excluded.method, status=excluded.status, finish_state=excluded.finish_state, "
    "start_ms=excluded.start_ms, end_ms=excluded.end_ms, incoming=excluded.incoming, "
    "outgoing=excluded.outgoing, error=excluded.error RETURNING id, status) "
    "SELECT input.before, done.status FROM done JOIN input ON input.id = done.id";
constexpr const char* kCancelIteration =
    "UPDATE iterations SET status='canceled', end_ms=$2 WHERE id=$1 AND status='running' "
    "RETURNING 1";
constexpr const char* kAddJobCount =
    "INSERT INTO job_counts(workflow_name, status, n) VALUES($1, $2, $3) "
    "ON CONFLICT (workflow_name, status) DO UPDATE SET n = job_counts.n + excluded.n";
constexpr const char* kAddIterationCount =
    "INSERT INTO iteration_counts(status, n) VALUES($1, $2) "
    "ON CONFLICT (status) DO UPDATE SET n = iteration_counts.n + excluded.n";
constexpr const char* kPutDoc =
    "INSERT INTO docs(kind, key, doc, updated_ms) "
    "VALUES($1, $2, $3, (extract(epoch FROM clock_timestamp()) * 1000)::bigint) "
    "ON CONFLICT (kind, key) DO UPDATE SET doc=excluded.doc, updated_ms=excluded.updated_ms";
constexpr const char* kGetJob = "SELECT " OPSFLOW_JOB_COLUMNS " FROM jobs WHERE id=$1";
constexpr const char* kGetJobForUpdate =
    "SELECT " OPSFLOW_JOB_COLUMNS " FROM jobs WHERE id=$1 FOR UPDATE";
constexpr const char* kSetJobLists = "UPDATE jobs SET watchers=$2, groups=$3 WHERE id=$1";
constexpr const char* kGetVersion = "SELECT doc FROM workflow_versions WHERE version=$1";
constexpr const char* kActiveJobs =
    "SELECT " OPSFLOW_JOB_COLUMNS " FROM jobs WHERE status IN ('running','paused','error')";
// Uses the jobs_parent expression index.
constexpr const char* kChildJobs =
    "SELECT " OPSFLOW_JOB_COLUMNS " FROM jobs WHERE (parent::jsonb) ->> 'job' = $1 ORDER BY id";
constexpr const char* kIterationsOfJob =
    "SELECT " OPSFLOW_ITERATION_COLUMNS " FROM iterations WHERE id >= $1 AND id < $2 ORDER BY id";
constexpr const char* kGetIteration =
    "SELECT " OPSFLOW_ITERATION_COLUMNS " FROM iterations WHERE id=$1";
constexpr const char* kGetDoc = "SELECT doc FROM docs WHERE kind=$1 AND key=$2";
constexpr const char* kDeleteDoc = "DELETE FROM docs WHERE kind=$1 AND key=$2";
// DeleteJobTree: the rows it removes give back what the counts tables must lose.
constexpr const char* kDeleteJobIterations =
    "WITH d AS (DELETE FROM iterations WHERE id >= $1 AND id < $2 RETURNING status) "
    "SELECT status, COUNT(*) FROM d GROUP BY status";
constexpr const char* kDeleteJob = "DELETE FROM jobs WHERE id=$1 RETURNING workflow_name, status";
// Metrics: both read as (workflow, task_id, method, status, finish_state, count, run_ms), in
// byte order (the columns are COLLATE "C", as SQLite orders).
constexpr const char* kJobMetrics =
    "SELECT workflow_name, '', '', status, '', COUNT(*), "
    "COALESCE(SUM(CASE WHEN start_ms > 0 AND end_ms >= start_ms THEN end_ms - start_ms "
    "ELSE 0 END), 0)::bigint FROM jobs GROUP BY workflow_name, status "
    "ORDER BY workflow_name, status";
constexpr const char* kTaskMetrics =
    "SELECT j.workflow_name, i.task_id, COALESCE(i.method, ''), i.status, "
    "COALESCE(i.finish_state, ''), COUNT(*), "
    "COALESCE(SUM(CASE WHEN i.start_ms > 0 AND i.end_ms >= i.start_ms "
    "THEN i.end_ms - i.start_ms ELSE 0 END), 0)::bigint "
    "FROM iterations i JOIN jobs j ON j.id = i.job_id "
    "GROUP BY 1, 2, 3, 4, 5 "
    "ORDER BY 1, 2, 3, 4, 5";
constexpr const char* kListDocs = "SELECT key, doc FROM docs WHERE kind=$1 ORDER BY key";

model::IterationRecord ReadIteration(const PgResult& r, int row) {
  model::IterationRecord it;
  it.id = r.Text(row, 0);
  it.job_id = r.Text(row, 1);
  it.task_id = r.Text(row, 2);
  it.iteration = static_cast<int>(r.Int(row, 3));
  it.method = r.Text(row, 4);
  it.status = r.Text(row, 5);
  it.finish_state = r.Text(row, 6);
  it.start_ms = r.Int(row, 7);
  it.end_ms = r.Int(row, 8);
  it.incoming_json = r.Text(row, 9);
  it.outgoing_json = r.Text(row, 10);
  it.error = r.Text(row, 11);
  return it;
}

// The new jobs of `b` as the twenty array parameters of kInsJobs.
Params JobArrays(const store::WriteBatch& b) {
  constexpr int kColumns = 20;
  ArrayParam a[kColumns];
  for (const auto& r : b.new_jobs) {
    a[0].Add(r.id);
    a[1].Add(r.workflow_name);
    a[2].Add(r.workflow_version);
    a[3].Add(r.status);
    a[4].Add(r.description);
    a[5].Add(r.type);
    a[6].Add(r.created_by);
    a[7].Add(r.created_ms);
    a[8].Add(r.last_updated_ms);
    a[9].AddMs(r.start_ms);
    a[10].AddMs(r.end_ms);
    a[11].Add(r.progress);
    a[12].Add(r.groups_json);
    a[13].Add(r.variables_json);
    a[14].Add(r.errors_json);
    a[15].Add(r.state);
    a[16].Add(r.parent_json);
    a[17].Add(r.ancestors_json);
    a[18].Add(r.watchers_json);
    if (b.fence != 0 && (r.status == "running" || r.status == "paused"))  // as kUpdJob
      a[19].Add(b.fence);
    else
      a[19].AddNull();
  }
  Params p;
  for (auto& column : a) p.Add(column.Take());
  return p;
}

// The iterations of `b` as the twelve array parameters of kUpsertIterations. An iteration the
// batch holds more than once is sent once, as its last record (the state it commits).
Params IterationArrays(const store::WriteBatch& b) {
  std::map<std::string_view, const model::IterationRecord*> last;  // by id: one lock order
  for (const auto& r : b.iterations) last[r.id] = &r;
  constexpr int kColumns = 12;
  ArrayParam a[kColumns];
  for (const auto& [id, r] : last) {
    a[0].Add(r->id);
    a[1].Add(r->job_id);
    a[2].Add(r->task_id);
    a[3].Add(int64_t{r->iteration});
    a[4].Add(r->method);
    a[5].Add(r->status);
    a[6].Add(r->finish_state);
    a[7].AddMs(r->start_ms);
    a[8].AddMs(r->end_ms);
    a[9].Add(r->incoming_json);
    a[10].Add(r->outgoing_json);
    if (r->error.empty())
      a[11].AddNull();
    else
      a[11].Add(r->error);
  }
  Params p;
  for (auto& column : a) p.Add(column.Take());
  return p;
}

template <typename T, typename ReadFn>
std::vector<T> ReadAll(const PgResult& r, ReadFn read) {
  std::vector<T> out;
  out.reserve(static_cast<size_t>(r.rows()));
  for (int i = 0; i < r.rows(); ++i) out.push_back(read(r, i));
  return out;
}

// Creates the version table when missing and applies the migrations [version, target).
// REQUIRES: the migration lock is held on `c`.
base::Status MigrateLocked(Conn* c, int target) {
  OPSFLOW_RETURN_IF_ERROR(
      c->Exec("CREATE TABLE IF NOT EXISTS opsflow_schema ("
              "one BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (one), version INTEGER NOT NULL); "
              "INSERT INTO opsflow_schema(version) VALUES (0) ON CONFLICT DO NOTHING"));
  auto v = c->Query("SELECT version FROM opsflow_schema");
  if (!v.ok()) return v.status();
  const int version = v->rows() ? static_cast<int>(v->Int(0, 0)) : 0;
  const int n = static_cast<int>(std::size(kMigrations));
  if (version > n) {
    return base::FailedPrecondition("the database was written by a newer opsflow (schema " +
                                    std::to_string(version) + ", this build knows " +
                                    std::to_string(n) + ")");
  }
  for (int i = version; i < target; ++i) {
    base::Status st =
        c->Exec(std::string("BEGIN;\n") + kMigrations[i] +
                "\n;UPDATE opsflow_schema SET version = " + std::to_string(i + 1) + ";\nCOMMIT;");
    if (!st.ok()) {
      (void)c->Exec("ROLLBACK");
      return base::Status(st.code(),
                          "schema migration " + std::to_string(i + 1) + ": " + st.message());
    }
  }
  return base::Status::Ok();
}

base::Status WithMigrationLock(Conn* c, int target) {
  OPSFLOW_RETURN_IF_ERROR(c->Exec(kMigrationLockSql));
  base::Status st = MigrateLocked(c, target);
  base::Status unlocked = c->Exec(kMigrationUnlockSql);
  return st.ok() ? unlocked : st;
}

}  // namespace

int64_t WallMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

model::JobRecord ReadJob(const PgResult& r, int row) {
  model::JobRecord j;
  j.id = r.Text(row, 0);
  j.workflow_name = r.Text(row, 1);
  j.workflow_version = r.Text(row, 2);
  j.status = r.Text(row, 3);
  j.description = r.Text(row, 4);
  j.type = r.Text(row, 5);
  j.created_by = r.Text(row, 6);
  j.created_ms = r.Int(row, 7);
  j.last_updated_ms = r.Int(row, 8);
  j.start_ms = r.Int(row, 9);
  j.end_ms = r.Int(row, 10);
  j.progress = r.Real(row, 11);
  j.groups_json = r.Text(row, 12);
  j.variables_json = r.Text(row, 13);
  j.errors_json = r.Text(row, 14);
  j.state = r.Text(row, 15);
  j.parent_json = r.Text(row, 16);
  j.ancestors_json = r.Text(row, 17);
  j.watchers_json = r.Text(row, 18);
  return j;
}

bool IsPostgresUrl(const std::string& url) {
  return url.rfind("postgres://", 0) == 0 || url.rfind("postgresql://", 0) == 0;
}

std::string RedactUrl(const std::string& url) {
  size_t scheme = url.find("://");
  if (scheme == std::string::npos) return url;
  size_t at = url.find('@', scheme + 3);
  if (at == std::string::npos) return url;
  size_t colon = url.find(':', scheme + 3);
  if (colon == std::string::npos || colon > at) return url;
  return url.substr(0, colon + 1) + "***" + url.substr(at);
}

base::Result<std::unique_ptr<PostgresStore>> PostgresStore::Open(const std::string& url) {
  std::unique_ptr<PostgresStore> s(new PostgresStore(url));
  OPSFLOW_RETURN_IF_ERROR(s->Migrate());
  return s;
}

PostgresStore::PostgresStore(std::string url)
    : url_(std::move(url)), writer_id_(base::NewObjectId() + base::NewObjectId()) {}

PostgresStore::~PostgresStore() = default;

int PostgresStore::SchemaVersions() { return static_cast<int>(std::size(kMigrations)); }

base::Status PostgresStore::MigrateTo(Conn* conn, int version) {
  return WithMigrationLock(conn, version);
}

base::Status PostgresStore::Migrate() {
  OPSFLOW_LEASE(c);
  return WithMigrationLock(c.get(), SchemaVersions());
}

base::Result<Conn*> PostgresStore::Acquire() {
  std::unique_lock<std::mutex> l(mu_);
  idle_cv_.wait(l, [&] { return !idle_.empty() || all_.size() + opening_ < kMaxConnections; });
  if (!idle_.empty()) {
    Conn* c = idle_.back();
    idle_.pop_back();
    l.unlock();
    if (c->Broken()) {
      if (auto st = c->Reset(); !st.ok()) {
        Release(c);
        return st;
      }
    }
    return c;
  }
  ++opening_;
  l.unlock();
  auto c = Conn::Open(url_);
  l.lock();
  --opening_;
  if (!c.ok()) {
    idle_cv_.notify_one();
    return c.status();
  }
  Conn* raw = c->get();
  all_.push_back(std::move(c).value());
  return raw;
}

void PostgresStore::Release(Conn* c) {
  {
    std::lock_guard<std::mutex> l(mu_);
    idle_.push_back(c);
  }
  idle_cv_.notify_one();
}

base::Status PostgresStore::CommitOnce(Conn* c, const store::WriteBatch& b, std::string* xid,
                                       bool* commit_sent) {
  *commit_sent = false;
  std::vector<Queued> q;
  q.reserve(b.size() + 1);
  q.push_back({"xact_id", "SELECT pg_current_xact_id()::text", Params()});
  q.push_back(
      {"commit_mark", kCommitMark, Params().Add(writer_id_).Add(++commit_seq_).Add(WallMs())});
  if (b.fence != 0) q.push_back({"fence", kFence, Params().Add(b.fence)});
  for (const auto& wv : b.versions) {
    q.push_back({"ins_version", kInsVersion, Params().Add(wv.version).Add(wv.doc_json)});
  }
  if (!b.new_jobs.empty()) q.push_back({"ins_jobs", kInsJobs, JobArrays(b)});
  const size_t updates_at = q.size();
  for (const auto& r : b.job_updates) {
    Params p;
    p.Add(r.id).Add(r.status).Add(r.state).Add(r.progress).Add(r.last_updated_ms).AddMs(r.end_ms);
    p.AddOpt(r.variables_json).AddOpt(r.errors_json).AddOpt(r.description).Add(b.fence);
    q.push_back({"upd_job", kUpdJob, std::move(p)});
  }
  const size_t iterations_at = q.size();
  if (!b.iterations.empty())
    q.push_back({"upsert_iterations", kUpsertIterations, IterationArrays(b)});
  const size_t cancels_at = q.size();
  for (const auto& [id, end] : b.canceled_iterations) {
    q.push_back({"cancel_iteration", kCancelIteration, Params().Add(id).Add(end)});
  }
  for (const auto& d : b.doc_puts) {
    q.push_back({"put_doc", kPutDoc, Params().Add(d.kind).Add(d.key).Add(d.doc_json)});
  }
  std::vector<PgResult> results;
  // BEGIN alone first: on a connection the server dropped it reconnects and nothing is lost.
  OPSFLOW_RETURN_IF_ERROR(c->Exec("BEGIN"));
  OPSFLOW_RETURN_IF_ERROR(c->Pipeline(q, /*begin=*/false, /*commit=*/false, &results));
  if (results[0].rows()) *xid = results[0].Text(0, 0);

  // The counts tables (schema V0002) move by what the rows did: added once per batch, in key
  // order (two transactions never wait on each other's count rows in opposite orders).
  std::map<std::pair<std::string, std::string>, int64_t> job_counts;
  std::map<std::string, int64_t> iteration_counts;
  for (const auto& r : b.new_jobs) ++job_counts[{r.workflow_name, r.status}];
  for (size_t i = updates_at; i < iterations_at; ++i) {
    const PgResult& r = results[i];
    if (r.rows() == 0 && b.fence != 0) {
      return base::Aborted("postgres: job " + b.job_updates[i - updates_at].id +
                           " is not driven by this process (lease " + std::to_string(b.fence) +
                           ")");
    }
    if (r.rows() == 0 || r.Text(0, 1) == r.Text(0, 2)) continue;
    --job_counts[{r.Text(0, 0), r.Text(0, 1)}];
    ++job_counts[{r.Text(0, 0), r.Text(0, 2)}];
  }
  for (size_t i = iterations_at; i < cancels_at; ++i) {
    const PgResult& r = results[i];
    for (int row = 0; row < r.rows(); ++row) {
      if (!r.IsNull(row, 0)) {
        if (r.Text(row, 0) == r.Text(row, 1)) continue;
        --iteration_counts[r.Text(row, 0)];
      }
      ++iteration_counts[r.Text(row, 1)];
    }
  }
  for (size_t i = cancels_at; i < cancels_at + b.canceled_iterations.size(); ++i) {
    if (results[i].rows() == 0) continue;
    --iteration_counts["running"];
    ++iteration_counts["canceled"];
  }
  std::vector<Queued> counts;
  for (const auto& [key, n] : job_counts) {
    if (n != 0)
      counts.push_back(
          {"add_job_count", kAddJobCount, Params().Add(key.first).Add(key.second).Add(n)});
  }
  for (const auto& [status, n] : iteration_counts) {
    if (n != 0) {
      counts.push_back({"add_iteration_count", kAddIterationCount, Params().Add(status).Add(n)});
    }
  }
  *commit_sent = true;
  OPSFLOW_RETURN_IF_ERROR(c->Pipeline(counts, /*begin=*/false, /*commit=*/true, nullptr));
  if (lose_next_commit_reply_) {
    lose_next_commit_reply_ = false;
    (void)c->Reset();
    return base::Unavailable("postgres: connection lost after COMMIT (testing)");
  }
  return base::Status::Ok();
}

base::Result<bool> PostgresStore::SettleUnsureCommit(const store::WriteBatch& b) {
  if (unsure_batch_ == nullptr) return false;
  if (unsure_batch_ != &b) {  // another batch: the unsure one was given up
    unsure_batch_ = nullptr;
    return false;
  }
  OPSFLOW_LEASE(c);
  // Is the transaction still running on this server (the connection broke, the server did not)?
  // An id this server never gave out ("is in the future", 22023: after a failover) is not. Its
  // outcome is not read from here: after a failover another transaction may have that id.
  auto r = c->Query("SELECT pg_xact_status($1::xid8)", Params().Add(unsure_xid_));
  if (!r.ok() && c->last_sqlstate() != "22023") return r.status();
  if (r.ok() && r->rows() && r->Text(0, 0) == "in progress") {
    return base::Unavailable("postgres: the outcome of the last commit is not known yet");
  }
  // Ended: it committed if and only if its commit mark is there.
  auto m = c->Run("read_commit_mark", kReadCommitMark, Params().Add(writer_id_));
  if (!m.ok()) return m.status();
  unsure_batch_ = nullptr;
  return m->rows() > 0 && m->Int(0, 0) >= unsure_seq_;
}

base::Status PostgresStore::Commit(const store::WriteBatch& b) {
  std::lock_guard<std::mutex> l(commit_mu_);
  const int64_t t0 = base::metrics::NowNs();
  auto settled = SettleUnsureCommit(b);
  if (!settled.ok()) return settled.status();
  if (*settled) return base::Status::Ok();  // the earlier try committed it
  base::Status st;
  // A deadlock or serialization failure rolled everything back: the batch is tried again.
  for (int attempt = 0; attempt < 3; ++attempt) {
    OPSFLOW_LEASE(c);
    std::string xid;
    bool commit_sent = false;
    st = CommitOnce(c.get(), b, &xid, &commit_sent);
    if (st.ok()) break;
    if (commit_sent && st.code() == base::Code::kUnavailable && !xid.empty()) {
      unsure_xid_ = xid;
      unsure_seq_ = commit_seq_;
      unsure_batch_ = &b;
      break;
    }
    const std::string& code = c->last_sqlstate();
    if (code != "40P01" && code != "40001") break;  // (OFL01, a lost lease, is final)
    base::LogWarn(
        "postgres: group commit rolled back by a conflict; trying again",
        "\"sqlstate\":\"" + code + "\",\"error\":\"" + base::JsonEscape(st.message()) + "\"");
  }
  auto& m = base::metrics::Get();
  m.store_commit_seconds.Observe(base::metrics::SecondsSince(t0));
  m.store_commit_rows.Observe(static_cast<double>(b.size()));
  return st;
}

base::Result<model::JobRecord> PostgresStore::GetJob(const std::string& id) {
  OPSFLOW_LEASE(c);
  auto r = c->Run("get_job", kGetJob, Params().Add(id));
  if (!r.ok()) return r.status();
  if (r->rows() == 0) return base::NotFound("job " + id + " not found");
  return ReadJob(*r, 0);
}

base::Result<std::string> PostgresStore::GetWorkflowVersion(const std::string& version) {
  OPSFLOW_LEASE(c);
  auto r = c->Run("get_version", kGetVersion, Params().Add(version));
  if (!r.ok()) return r.status();
  if (r->rows() == 0) return base::NotFound("workflow version " + version + " not found");
  return r->Text(0, 0);
}

base::Result<std::vector<model::JobRecord>> PostgresStore::LoadActiveJobs() {
  OPSFLOW_LEASE(c);
  auto r = c->Run("active_jobs", kActiveJobs);
  if (!r.ok()) return r.status();
  return ReadAll<model::JobRecord>(*r, ReadJob);
}

base::Result<std::vector<model::JobRecord>> PostgresStore::ChildJobs(const std::string& parent_id) {
  OPSFLOW_LEASE(c);
  auto r = c->Run("child_jobs", kChildJobs, Params().Add(parent_id));
  if (!r.ok()) return r.status();
  return ReadAll<model::JobRecord>(*r, ReadJob);
}

base::Result<std::vector<model::IterationRecord>> PostgresStore::IterationsOfJob(
    const std::string& job_id) {
  OPSFLOW_LEASE(c);
  // Iteration ids begin with the job id (base::IterationUuid): read the key range.
  std::string prefix = base::IterationUuidPrefix(job_id);
  auto r = c->Run("iterations_of_job", kIterationsOfJob, Params().Add(prefix).Add(prefix + "~"));
  if (!r.ok()) return r.status();
  return ReadAll<model::IterationRecord>(*r, ReadIteration);
}

base::Result<model::IterationRecord> PostgresStore::GetIteration(const std::string& id) {
  OPSFLOW_LEASE(c);
  auto r = c->Run("get_iteration", kGetIteration, Params().Add(id));
  if (!r.ok()) return r.status();
  if (r->rows() == 0) return base::NotFound("task " + id + " not found");
  return ReadIteration(*r, 0);
}

namespace {

// The page and the total of a list: the counts table when it answers the query, COUNT(*) else.
template <typename T, typename ReadFn>
base::Result<store::Page<T>> RunList(Conn* c, const char* table, const char* columns,
                                     const SqlQuery& q, const std::optional<SqlQuery>& count,
                                     ReadFn read) {
  store::Page<T> page;
  const std::string where = q.where.empty() ? "" : " WHERE " + q.where;
  {
    auto r = count
                 ? c->Query(count->where, ToParams(count->args))
                 : c->Query(std::string("SELECT COUNT(*) FROM ") + table + where, ToParams(q.args));
    if (!r.ok()) return r.status();
    if (r->rows()) page.total = r->Int(0, 0);
  }
  auto r = c->Query(std::string("SELECT ") + columns + " FROM " + table + where + q.order_limit,
                    ToParams(q.args));
  if (!r.ok()) return r.status();
  page.items = ReadAll<T>(*r, read);
  return page;
}

}  // namespace

base::Result<store::Page<model::JobRecord>> PostgresStore::ListJobs(
    const model::ListQuery& q, std::vector<model::Expr>* residual) {
  SqlQuery sq = store::TranslateQuery(Dialect(), q, JobColumns(), residual);
  if (q.visible_groups) {
    std::string scope = store::GroupScopeSql(Dialect(), "jobs.groups", *q.visible_groups, &sq.args);
    sq.where = sq.where.empty() ? scope : "(" + sq.where + ") AND " + scope;
  }
  static const std::map<std::string, std::string> kCounted = {{"status", "status"},
                                                              {"name", "workflow_name"}};
  OPSFLOW_LEASE(c);
  return RunList<model::JobRecord>(c.get(), "jobs", kJobColumns, sq,
                                   store::CountFromTable(Dialect(), q, "job_counts", kCounted),
                                   ReadJob);
}

base::Result<store::Page<model::IterationRecord>> PostgresStore::ListIterations(
    const model::ListQuery& q, std::vector<model::Expr>* residual) {
  SqlQuery sq = store::TranslateQuery(Dialect(), q, IterationColumns(), residual);
  if (q.visible_groups) {
    // An iteration is visible when its job is (its id is the job's primary key).
    std::string scope =
        "EXISTS (SELECT 1 FROM jobs WHERE jobs.id = iterations.job_id AND " +
        store::GroupScopeSql(Dialect(), "jobs.groups", *q.visible_groups, &sq.args) + ")";
    sq.where = sq.where.empty() ? scope : "(" + sq.where + ") AND " + scope;
  }
  static const std::map<std::string, std::string> kCounted = {{"status", "status"}};
  OPSFLOW_LEASE(c);
  return RunList<model::IterationRecord>(
      c.get(), "iterations", kIterationColumns, sq,
      store::CountFromTable(Dialect(), q, "iteration_counts", kCounted), ReadIteration);
}

base::Result<model::JobRecord> PostgresStore::EditJobLists(
    const std::string& id, const std::function<base::Status(model::JobRecord*)>& edit) {
  OPSFLOW_LEASE(c);  // the lease rolls back whatever is left open
  OPSFLOW_RETURN_IF_ERROR(c->Exec("BEGIN"));
  auto r = c->Run("get_job_for_update", kGetJobForUpdate, Params().Add(id));
  if (!r.ok()) return r.status();
  if (r->rows() == 0) return base::NotFound("job " + id + " not found");
  model::JobRecord rec = ReadJob(*r, 0);
  OPSFLOW_RETURN_IF_ERROR(edit(&rec));
  auto u = c->Run("set_job_lists", kSetJobLists,
                  Params().Add(id).Add(rec.watchers_json).Add(rec.groups_json));
  if (!u.ok()) return u.status();
  OPSFLOW_RETURN_IF_ERROR(c->Exec("COMMIT"));
  return rec;
}

base::Result<store::DeletedJobs> PostgresStore::DeleteJobTree(
    const std::string& id,
    const std::function<base::Status(const std::vector<model::JobRecord>& tree)>& check) {
  // The counts tables change here too: one writer of them at a time, as in Commit.
  std::lock_guard<std::mutex> l(commit_mu_);
  OPSFLOW_LEASE(c);  // the lease rolls back whatever is left open
  OPSFLOW_RETURN_IF_ERROR(c->Exec("BEGIN"));
  auto root = c->Run("get_job_for_update", kGetJobForUpdate, Params().Add(id));
  if (!root.ok()) return root.status();
  if (root->rows() == 0) return base::NotFound("job " + id + " not found");
  std::vector<model::JobRecord> tree{ReadJob(*root, 0)};
  for (size_t i = 0; i < tree.size(); ++i) {  // breadth first, as ChildJobs lists them
    auto kids = c->Run("child_jobs", kChildJobs, Params().Add(tree[i].id));
    if (!kids.ok()) return kids.status();
    for (int k = 0; k < kids->rows(); ++k) tree.push_back(ReadJob(*kids, k));
  }
  OPSFLOW_RETURN_IF_ERROR(check(tree));
  store::DeletedJobs out;
  std::map<std::pair<std::string, std::string>, int64_t> job_counts;
  std::map<std::string, int64_t> iteration_counts;
  for (const model::JobRecord& r : tree) {
    std::string prefix = base::IterationUuidPrefix(r.id);
    auto its = c->Run("delete_job_iterations", kDeleteJobIterations,
                      Params().Add(prefix).Add(prefix + "~"));
    if (!its.ok()) return its.status();
    for (int k = 0; k < its->rows(); ++k) {
      int64_t n = its->Int(k, 1);
      iteration_counts[its->Text(k, 0)] -= n;
      out.tasks += n;
    }
    auto job = c->Run("delete_job", kDeleteJob, Params().Add(r.id));
    if (!job.ok()) return job.status();
    if (job->rows() == 0) continue;
    --job_counts[{job->Text(0, 0), job->Text(0, 1)}];
    ++out.jobs;
  }
  for (const auto& [key, n] : job_counts) {  // key order, as Commit
    auto u = c->Run("add_job_count", kAddJobCount, Params().Add(key.first).Add(key.second).Add(n));
    if (!u.ok()) return u.status();
  }
  for (const auto& [status, n] : iteration_counts) {
    auto u = c->Run("add_iteration_count", kAddIterationCount, Params().Add(status).Add(n));
    if (!u.ok()) return u.status();
  }
  OPSFLOW_RETURN_IF_ERROR(c->Exec("COMMIT"));
  return out;
}

base::Status PostgresStore::Put(const std::string& kind, const std::string& key,
                                const std::string& doc_json) {
  OPSFLOW_LEASE(c);
  auto r = c->Run("put_doc", kPutDoc, Params().Add(kind).Add(key).Add(doc_json));
  return r.ok() ? base::Status::Ok() : r.status();
}

base::Result<std::string> PostgresStore::Get(const std::string& kind, const std::string& key) {
  OPSFLOW_LEASE(c);
  auto r = c->Run("get_doc", kGetDoc, Params().Add(kind).Add(key));
  if (!r.ok()) return r.status();
  if (r->rows() == 0) return base::NotFound(kind + " '" + key + "' not found");
  return r->Text(0, 0);
}

base::Status PostgresStore::Delete(const std::string& kind, const std::string& key) {
  OPSFLOW_LEASE(c);
  auto r = c->Run("delete_doc", kDeleteDoc, Params().Add(kind).Add(key));
  if (!r.ok()) return r.status();
  if (r->affected() == 0) return base::NotFound(kind + " '" + key + "' not found");
  return base::Status::Ok();
}

base::Result<std::vector<store::StoredDoc>> PostgresStore::List(const std::string& kind) {
  OPSFLOW_LEASE(c);
  auto r = c->Run("list_docs", kListDocs, Params().Add(kind));
  if (!r.ok()) return r.status();
  std::vector<store::StoredDoc> out;
  out.reserve(static_cast<size_t>(r->rows()));
  for (int i = 0; i < r->rows(); ++i) out.push_back({r->Text(i, 0), r->Text(i, 1)});
  return out;
}

base::Result<std::vector<store::MetricRow>> PostgresStore::Metrics(
    store::MetricsOf of, const std::optional<std::vector<std::string>>& visible_groups) {
  const bool jobs = of == store::MetricsOf::kJobs;
  OPSFLOW_LEASE(c);
  base::Result<PgResult> r = base::Internal("unreachable");
  if (!visible_groups) {
    r = c->Run(jobs ? "job_metrics" : "task_metrics", jobs ? kJobMetrics : kTaskMetrics);
  } else {
    // A caller who may not see every job counts only the jobs (and iterations) it may.
    std::vector<store::SqlArg> args;
    const std::string scope =
        " WHERE " + store::GroupScopeSql(Dialect(), "jobs.groups", *visible_groups, &args);
    const std::string sql =
        jobs ? "SELECT workflow_name, '', '', status, '', COUNT(*), "
               "COALESCE(SUM(CASE WHEN start_ms > 0 AND end_ms >= start_ms THEN end_ms - "
               "start_ms ELSE 0 END), 0)::bigint FROM jobs" +
                   scope + " GROUP BY workflow_name, status ORDER BY workflow_name, status"
             : "SELECT jobs.workflow_name, i.task_id, COALESCE(i.method, ''), i.status, "
               "COALESCE(i.finish_state, ''), COUNT(*), "
               "COALESCE(SUM(CASE WHEN i.start_ms > 0 AND i.end_ms >= i.start_ms "
               "THEN i.end_ms - i.start_ms ELSE 0 END), 0)::bigint "
               "FROM iterations i JOIN jobs ON jobs.id = i.job_id" +
                   scope + " GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5";
    r = c->Query(sql, ToParams(args));
  }
  if (!r.ok()) return r.status();
  std::vector<store::MetricRow> rows;
  for (int i = 0; i < r->rows(); ++i) {
    rows.push_back(store::MetricRow{r->Text(i, 0), r->Text(i, 1), r->Text(i, 2), r->Text(i, 3),
                                    r->Text(i, 4), r->Int(i, 5), r->Int(i, 6)});
  }
  return rows;
}

}  // namespace opsflow::postgres
