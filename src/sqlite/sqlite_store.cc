#include "sqlite/sqlite_store.h"

#include <sqlite3.h>
#include <sys/stat.h>

#include <chrono>
#include <iterator>
#include <map>
#include <optional>
#include <thread>

#include "base/ids.h"
#include "base/metrics.h"
#include "sqlite/list_counts.h"
#include "sqlite/migrations.h"
#include "sqlite/sql_filter.h"
#include "sqlite/stmt.h"

namespace opsflow::sqlite {
namespace {

constexpr const char* kJobColumns =
    "id, workflow_name, workflow_version, status, description, type, created_by, created_ms, "
    "last_updated_ms, start_ms, end_ms, progress, groups, variables, errors, state, parent, "
    "ancestors, watchers";

constexpr const char* kIterationColumns =
    "id, job_id, task_id, iteration, method, status, finish_state, start_ms, end_ms, incoming, "
    "outgoing, error";

model::JobRecord ReadJob(const Stmt& s) {
  model::JobRecord r;
  r.id = s.Text(0);
  r.workflow_name = s.Text(1);
  r.workflow_version = s.Text(2);
  r.status = s.Text(3);
  r.description = s.Text(4);
  r.type = s.Text(5);
  r.created_by = s.Text(6);
  r.created_ms = s.Int(7);
  r.last_updated_ms = s.Int(8);
  r.start_ms = s.Int(9);
  r.end_ms = s.Int(10);
  r.progress = s.Real(11);
  r.groups_json = s.Text(12);
  r.variables_json = s.Text(13);
  r.errors_json = s.Text(14);
  r.state = s.Text(15);
  r.parent_json = s.Text(16);
  r.ancestors_json = s.Text(17);
  r.watchers_json = s.Text(18);
  return r;
}

model::IterationRecord ReadIteration(const Stmt& s) {
  model::IterationRecord r;
  r.id = s.Text(0);
  r.job_id = s.Text(1);
  r.task_id = s.Text(2);
  r.iteration = static_cast<int>(s.Int(3));
  r.method = s.Text(4);
  r.status = s.Text(5);
  r.finish_state = s.Text(6);
  r.start_ms = s.Int(7);
  r.end_ms = s.Int(8);
  r.incoming_json = s.Text(9);
  r.outgoing_json = s.Text(10);
  r.error = s.Text(11);
  return r;
}

base::Status Exec(sqlite3* db, const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "unknown";
    sqlite3_free(err);
    return base::Internal("sqlite: " + msg);
  }
  return base::Status::Ok();
}

// Exec for statements SQLite may refuse with SQLITE_BUSY without calling the busy handler (a
// journal-mode change while another connection opens the same fresh file: SQLite returns at once
// rather than risk a deadlock). Retries for up to 10 s.
base::Status ExecRetryingBusy(sqlite3* db, const char* sql) {
  for (int attempt = 0;; ++attempt) {
    base::Status st = Exec(db, sql);
    int code = sqlite3_errcode(db);
    if (st.ok() || (code != SQLITE_BUSY && code != SQLITE_LOCKED) || attempt >= 1000) return st;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

}  // namespace

// Borrows a read connection for the lifetime of the lease.
class SqliteStore::ReadLease {
 public:
  explicit ReadLease(SqliteStore* s) : s_(s), db_(s->AcquireReader()) {}
  ~ReadLease() {
    if (db_) s_->ReleaseReader(db_);
  }
  sqlite3* db() const { return db_; }

 private:
  SqliteStore* s_;
  sqlite3* db_;
};

base::Result<std::unique_ptr<SqliteStore>> SqliteStore::Open(const std::string& dir) {
  if (mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return base::Unavailable("cannot create data directory " + dir);
  }
  std::unique_ptr<SqliteStore> s(new SqliteStore(dir + "/opsflow.db"));
  OPSFLOW_RETURN_IF_ERROR(s->Init());
  return s;
}

SqliteStore::SqliteStore(std::string path) : path_(std::move(path)) {}

SqliteStore::~SqliteStore() {
  ins_version_.reset();
  ins_job_.reset();
  upd_job_.reset();
  ins_iteration_.reset();
  for (sqlite3* db : all_readers_) sqlite3_close(db);
  if (writer_) sqlite3_close(writer_);
}

base::Result<sqlite3*> SqliteStore::OpenConnection() {
  sqlite3* db = nullptr;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  if (sqlite3_open_v2(path_.c_str(), &db, flags, nullptr) != SQLITE_OK) {
    std::string msg = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    return base::Unavailable("cannot open " + path_ + ": " + msg);
  }
  sqlite3_busy_timeout(db, 10000);
  base::Status st = ExecRetryingBusy(db,
                                     "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; "
                                     "PRAGMA foreign_keys=OFF; PRAGMA cache_size=-65536;");
  if (!st.ok()) {
    sqlite3_close(db);
    return st;
  }
  return db;
}

// Applies the migrations newer than the database's user_version, each with the version bump
// in one transaction, reading the version inside that transaction, so connections (or
// processes) opening one database at once apply each migration exactly once. (Databases written
// before user_version was kept report 0; V0001 is idempotent, so it simply runs again.)
base::Status SqliteStore::Migrate() {
  const int n = static_cast<int>(std::size(kMigrations));
  while (true) {
    OPSFLOW_RETURN_IF_ERROR(ExecRetryingBusy(writer_, "BEGIN IMMEDIATE"));
    sqlite3_stmt* q = nullptr;
    int version = 0;
    if (sqlite3_prepare_v2(writer_, "PRAGMA user_version", -1, &q, nullptr) == SQLITE_OK &&
        sqlite3_step(q) == SQLITE_ROW) {
      version = sqlite3_column_int(q, 0);
    }
    sqlite3_finalize(q);
    if (version >= n) {
      (void)Exec(writer_, "ROLLBACK");
      if (version == n) return base::Status::Ok();
      return base::FailedPrecondition("the data directory was written by a newer opsflow (schema " +
                                      std::to_string(version) + ", this build knows " +
                                      std::to_string(n) + ")");
    }
    std::string bump = "PRAGMA user_version=" + std::to_string(version + 1);
    base::Status st = Exec(writer_, kMigrations[version]);
    if (st.ok()) st = Exec(writer_, bump.c_str());
    if (st.ok()) st = Exec(writer_, "COMMIT");
    if (!st.ok()) {
      (void)Exec(writer_, "ROLLBACK");
      return st;
    }
  }
}

base::Status SqliteStore::Init() {
  OPSFLOW_ASSIGN_OR_RETURN(writer_, OpenConnection());
  OPSFLOW_RETURN_IF_ERROR(Exec(writer_, "PRAGMA wal_autocheckpoint=10000;"));
  OPSFLOW_RETURN_IF_ERROR(Migrate());
  ins_version_ = std::make_unique<Stmt>(
      writer_, "INSERT OR IGNORE INTO workflow_versions(version, doc) VALUES(?1, ?2)");
  ins_job_ = std::make_unique<Stmt>(
      writer_, std::string("INSERT INTO jobs(") + kJobColumns +
                   ") VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18,?19)");
  upd_job_ = std::make_unique<Stmt>(
      writer_,
      "UPDATE jobs SET status=?2, state=?3, progress=?4, last_updated_ms=?5, "
      "end_ms=COALESCE(?6, end_ms), variables=COALESCE(?7, variables), "
      "errors=COALESCE(?8, errors), description=COALESCE(?9, description) WHERE id=?1");
  ins_iteration_ = std::make_unique<Stmt>(
      writer_, std::string("INSERT INTO iterations(") + kIterationColumns +
                   ") VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12) ON CONFLICT(id) DO UPDATE SET "
                   "job_id=excluded.job_id, task_id=excluded.task_id, "
                   "iteration=excluded.iteration, method=excluded.method, "
                   "status=excluded.status, finish_state=excluded.finish_state, "
                   "start_ms=excluded.start_ms, end_ms=excluded.end_ms, "
                   "incoming=excluded.incoming, outgoing=excluded.outgoing, "
                   "error=excluded.error");
  for (Stmt* st : {ins_version_.get(), ins_job_.get(), upd_job_.get(), ins_iteration_.get()}) {
    OPSFLOW_RETURN_IF_ERROR(st->status());
  }
  return base::Status::Ok();
}

sqlite3* SqliteStore::AcquireReader() {
  {
    std::lock_guard<std::mutex> l(read_mu_);
    if (!idle_readers_.empty()) {
      sqlite3* db = idle_readers_.back();
      idle_readers_.pop_back();
      return db;
    }
  }
  auto db = OpenConnection();
  if (!db.ok()) return nullptr;
  std::lock_guard<std::mutex> l(read_mu_);
  all_readers_.push_back(*db);
  return *db;
}

void SqliteStore::ReleaseReader(sqlite3* db) {
  std::lock_guard<std::mutex> l(read_mu_);
  idle_readers_.push_back(db);
}

base::Status SqliteStore::Commit(const store::WriteBatch& b) {
  std::lock_guard<std::mutex> l(write_mu_);
  const int64_t t0 = base::metrics::NowNs();
  OPSFLOW_RETURN_IF_ERROR(Exec(writer_, "BEGIN IMMEDIATE"));
  auto fail = [&](Stmt& st) {
    base::Status status = st.Done();
    st.Reset();
    (void)Exec(writer_, "ROLLBACK");
    return status;
  };
  Stmt& v = *ins_version_;
  for (const auto& wv : b.versions) {
    v.BindRef(1, wv.version).BindRef(2, wv.doc_json);
    v.Step();
    if (!v.Done().ok()) return fail(v);
    v.Reset();
  }
  Stmt& j = *ins_job_;
  for (const auto& r : b.new_jobs) {
    j.BindRef(1, r.id).BindRef(2, r.workflow_name).BindRef(3, r.workflow_version);
    j.BindRef(4, r.status).BindRef(5, r.description).BindRef(6, r.type);
    j.BindRef(7, r.created_by).Bind(8, r.created_ms).Bind(9, r.last_updated_ms);
    j.BindMs(10, r.start_ms).BindMs(11, r.end_ms).Bind(12, r.progress);
    j.BindRef(13, r.groups_json).BindRef(14, r.variables_json).BindRef(15, r.errors_json);
    j.BindRef(16, r.state).BindRef(17, r.parent_json).BindRef(18, r.ancestors_json);
    j.BindRef(19, r.watchers_json);
    j.Step();
    if (!j.Done().ok()) return fail(j);
    j.Reset();
  }
  Stmt& u = *upd_job_;
  for (const auto& r : b.job_updates) {
    u.BindRef(1, r.id).BindRef(2, r.status).BindRef(3, r.state).Bind(4, r.progress);
    u.Bind(5, r.last_updated_ms).BindMs(6, r.end_ms);
    if (r.variables_json) u.BindRef(7, *r.variables_json);
    if (r.errors_json) u.BindRef(8, *r.errors_json);
    if (r.description) u.BindRef(9, *r.description);
    u.Step();
    if (!u.Done().ok()) return fail(u);
    u.Reset();
  }
  Stmt& it = *ins_iteration_;
  for (const auto& r : b.iterations) {
    it.BindRef(1, r.id).BindRef(2, r.job_id).BindRef(3, r.task_id);
    it.Bind(4, int64_t{r.iteration}).BindRef(5, r.method).BindRef(6, r.status);
    it.BindRef(7, r.finish_state).BindMs(8, r.start_ms).BindMs(9, r.end_ms);
    it.BindRef(10, r.incoming_json).BindRef(11, r.outgoing_json);
    if (r.error.empty())
      it.BindNull(12);
    else
      it.BindRef(12, r.error);
    it.Step();
    if (!it.Done().ok()) return fail(it);
    it.Reset();
  }
  if (!b.canceled_iterations.empty()) {
    Stmt c(writer_,
           "UPDATE iterations SET status='canceled', end_ms=?2 "
           "WHERE id=?1 AND status='running'");
    for (const auto& [id, end] : b.canceled_iterations) {
      c.BindRef(1, id).Bind(2, end);
      c.Step();
      if (!c.Done().ok()) return fail(c);
      c.Reset();
    }
  }
  if (!b.doc_puts.empty()) {
    Stmt d(writer_,
           "INSERT OR REPLACE INTO docs(kind, key, doc, updated_ms) "
           "VALUES(?1, ?2, ?3, CAST(strftime('%s','now') AS INTEGER) * 1000)");
    for (const auto& p : b.doc_puts) {
      d.BindRef(1, p.kind).BindRef(2, p.key).BindRef(3, p.doc_json);
      d.Step();
      if (!d.Done().ok()) return fail(d);
      d.Reset();
    }
  }
  base::Status committed = Exec(writer_, "COMMIT");
  auto& m = base::metrics::Get();
  m.store_commit_seconds.Observe(base::metrics::SecondsSince(t0));
  m.store_commit_rows.Observe(static_cast<double>(b.size()));
  return committed;
}

base::Result<model::JobRecord> SqliteStore::GetJob(const std::string& id) {
  ReadLease lease(this);
  if (!lease.db()) return base::Unavailable("store unavailable");
  Stmt s(lease.db(), std::string("SELECT ") + kJobColumns + " FROM jobs WHERE id=?1");
  s.Bind(1, id);
  if (!s.Step()) {
    OPSFLOW_RETURN_IF_ERROR(s.Done());
    return base::NotFound("job " + id + " not found");
  }
  return ReadJob(s);
}

base::Result<std::string> SqliteStore::GetWorkflowVersion(const std::string& version) {
  ReadLease lease(this);
  if (!lease.db()) return base::Unavailable("store unavailable");
  Stmt s(lease.db(), "SELECT doc FROM workflow_versions WHERE version=?1");
  s.Bind(1, version);
  if (!s.Step()) return base::NotFound("workflow version " + version + " not found");
  return s.Text(0);
}

base::Result<std::vector<model::JobRecord>> SqliteStore::LoadActiveJobs() {
  ReadLease lease(this);
  if (!lease.db()) return base::Unavailable("store unavailable");
  Stmt s(lease.db(), std::string("SELECT ") + kJobColumns +
                         " FROM jobs WHERE status IN ('running','paused','error')");
  std::vector<model::JobRecord> out;
  while (s.Step()) out.push_back(ReadJob(s));
  OPSFLOW_RETURN_IF_ERROR(s.Done());
  return out;
}

base::Result<std::vector<model::JobRecord>> SqliteStore::ChildJobs(const std::string& parent_id) {
  ReadLease lease(this);
  if (!lease.db()) return base::Unavailable("store unavailable");
  // Uses the jobs_parent expression index (schema V0002).
  Stmt s(lease.db(), std::string("SELECT ") + kJobColumns +
                         " FROM jobs WHERE json_extract(parent, '$.job') = ?1 ORDER BY id");
  s.Bind(1, parent_id);
  std::vector<model::JobRecord> out;
  while (s.Step()) out.push_back(ReadJob(s));
  OPSFLOW_RETURN_IF_ERROR(s.Done());
  return out;
}

base::Result<std::vector<model::IterationRecord>> SqliteStore::IterationsOfJob(
    const std::string& job_id) {
  ReadLease lease(this);
  if (!lease.db()) return base::Unavailable("store unavailable");
  // Iteration ids begin with the job id (base::IterationUuid): read the key range.
  std::string prefix = base::IterationUuidPrefix(job_id);
  Stmt s(lease.db(), std::string("SELECT ") + kIterationColumns +
                         " FROM iterations WHERE id >= ?1 AND id < ?2 ORDER BY id");
  s.Bind(1, prefix).Bind(2, prefix + "~");
  std::vector<model::IterationRecord> out;
  while (s.Step()) out.push_back(ReadIteration(s));
  OPSFLOW_RETURN_IF_ERROR(s.Done());
  return out;
}

base::Result<model::IterationRecord> SqliteStore::GetIteration(const std::string& id) {
  ReadLease lease(this);
  if (!lease.db()) return base::Unavailable("store unavailable");
  Stmt s(lease.db(), std::string("SELECT ") + kIterationColumns + " FROM iterations WHERE id=?1");
  s.Bind(1, id);
  if (!s.Step()) return base::NotFound("task " + id + " not found");
  return ReadIteration(s);
}

// How a list runs: its table, the counts table that holds the table's size, whether the page's
// order is an index's, and the rows the page needs (skip + limit).
struct ListPlan {
  const char* table;
  const char* counts_table;
  bool sort_indexed;
  int64_t need;
  int64_t skip = 0;
  bool rowid_table = false;  // a table with rowids (jobs; iterations is WITHOUT ROWID)
};

// From this `skip` on, a page of a rowid table is found by its rowids first (the skipped rows
// walked in the order's index alone), then read: `skip=150000` of 1,000,000 jobs took ~2x the
// CPU reading the skipped rows.
constexpr int64_t kDeferredReadSkip = 1000;

// Sums the counts table `table` (the size of its rows' table); -1 on failure.
static int64_t TableSize(sqlite3* db, const char* table) {
  Stmt c(db, std::string("SELECT COALESCE(SUM(n), 0) FROM ") + table);
  return c.status().ok() && c.Step() ? c.Int(0) : -1;
}

template <typename T, typename ReadFn>
static base::Result<store::Page<T>> RunList(sqlite3* db, const ListPlan& plan,
                                            const std::string& columns, const SqlQuery& q,
                                            const std::optional<SqlQuery>& count, ReadFn read) {
  store::Page<T> page;
  const std::string table = plan.table;
  std::string where = q.where.empty() ? "" : " WHERE " + store::PlanRanges(q.where, true);
  {
    // The counts table (a few rows) when it answers this query; COUNT(*) with the indexes else.
    const SqlQuery& cq = count ? *count : q;
    Stmt c(db, count ? count->where : "SELECT COUNT(*) FROM " + table + where);
    OPSFLOW_RETURN_IF_ERROR(c.status());
    for (size_t i = 0; i < cq.args.size(); ++i) BindArg(c, static_cast<int>(i + 1), cq.args[i]);
    if (c.Step()) page.total = c.Int(0);
    OPSFLOW_RETURN_IF_ERROR(c.Done());
  }
  if (q.where.find(store::kRangeMark) != std::string::npos && plan.sort_indexed &&
      !q.order_limit.empty() && page.total > 0) {
    // A range (starts-with) matching many rows: walking the order's index finds the page after
    // about need * size / total rows, far fewer than the `total` rows reading the range and
    // sorting it takes. Few matches: the range's index, then sort.
    int64_t size = TableSize(db, plan.counts_table);
    if (size > 0 && static_cast<double>(plan.need) * static_cast<double>(size) /
                            static_cast<double>(page.total) <
                        static_cast<double>(page.total)) {
      where = " WHERE " + store::PlanRanges(q.where, false);
    }
  }
  std::string sql = "SELECT " + columns + " FROM " + table + where + q.order_limit;
  if (plan.rowid_table && plan.skip >= kDeferredReadSkip && !q.order_limit.empty()) {
    const size_t limit = q.order_limit.find(" LIMIT ");
    if (limit != std::string::npos) {
      sql = "SELECT " + columns + " FROM " + table + " WHERE rowid IN (SELECT rowid FROM " + table +
            where + q.order_limit + ")" + q.order_limit.substr(0, limit);
    }
  }
  Stmt s(db, sql);
  OPSFLOW_RETURN_IF_ERROR(s.status());
  for (size_t i = 0; i < q.args.size(); ++i) BindArg(s, static_cast<int>(i + 1), q.args[i]);
  while (s.Step()) page.items.push_back(read(s));
  OPSFLOW_RETURN_IF_ERROR(s.Done());
  return page;
}

base::Result<store::Page<model::JobRecord>> SqliteStore::ListJobs(
    const model::ListQuery& q, std::vector<model::Expr>* residual) {
  ReadLease lease(this);
  if (!lease.db()) return base::Unavailable("store unavailable");
  SqlQuery sq = store::TranslateQuery(Dialect(), q, JobColumns(), residual);
  if (q.visible_groups) {
    std::string scope = store::GroupScopeSql(Dialect(), "jobs.groups", *q.visible_groups, &sq.args);
    sq.where = sq.where.empty() ? scope : "(" + sq.where + ") AND " + scope;
  }
  static const std::map<std::string, std::string> kCounted = {{"status", "status"},
                                                              {"name", "workflow_name"}};
  const bool sort_indexed =
      q.sort.empty() || q.sort == "metrics.start_time" || q.sort == "metrics.end_time";
  auto count = store::CountFromTable(Dialect(), q, "job_counts", kCounted);
  if (!count) count = JobCountFromCounts(q);  // list_counts.h
  return RunList<model::JobRecord>(
      lease.db(), ListPlan{"jobs", "job_counts", sort_indexed, q.skip + q.limit, q.skip, true},
      kJobColumns, sq, count, ReadJob);
}

base::Result<store::Page<model::IterationRecord>> SqliteStore::ListIterations(
    const model::ListQuery& q, std::vector<model::Expr>* residual) {
  ReadLease lease(this);
  if (!lease.db()) return base::Unavailable("store unavailable");
  SqlQuery sq = store::TranslateQuery(Dialect(), q, IterationColumns(), residual);
  if (q.visible_groups) {
    // An iteration is visible when its job is (its id is the job's primary key).
    std::string scope =
        "EXISTS (SELECT 1 FROM jobs WHERE jobs.id = iterations.job_id AND " +
        store::GroupScopeSql(Dialect(), "jobs.groups", *q.visible_groups, &sq.args) + ")";
    sq.where = sq.where.empty() ? scope : "(" + sq.where + ") AND " + scope;
  }
  static const std::map<std::string, std::string> kCounted = {{"status", "status"}};
  const bool sort_indexed = q.sort.empty() || q.sort == "_id";
  return RunList<model::IterationRecord>(
      lease.db(), ListPlan{"iterations", "iteration_counts", sort_indexed, q.skip + q.limit},
      kIterationColumns, sq, store::CountFromTable(Dialect(), q, "iteration_counts", kCounted),
      ReadIteration);
}

base::Result<std::vector<std::string>> SqliteStore::PurgeCandidates(const store::PurgeQuery& q) {
  ReadLease lease(this);
  if (!lease.db()) return base::Unavailable("store unavailable");
  // jobs_end serves the range; the few children are found with jobs_parent.
  std::string sql =
      "SELECT id FROM jobs r WHERE r.parent = 'null' AND ("
      "(r.end_ms < ?1 AND r.status IN ('complete', 'canceled')) OR "
      "(?2 > 0 AND r.status = 'error' AND r.last_updated_ms < ?2)) AND NOT EXISTS ("
      "SELECT 1 FROM jobs c WHERE json_extract(c.parent, '$.job') = r.id "
      "AND c.status IN ('running', 'paused'))";
  int next = 4;
  if (!q.workflow.empty()) sql += " AND r.workflow_name = ?" + std::to_string(next++);
  if (!q.except.empty()) {
    sql += " AND r.workflow_name NOT IN (";
    for (size_t i = 0; i < q.except.size(); ++i) {
      sql += (i ? ", ?" : "?") + std::to_string(next++);
    }
    sql += ")";
  }
  sql += " ORDER BY r.end_ms LIMIT ?3";
  Stmt s(lease.db(), sql);
  OPSFLOW_RETURN_IF_ERROR(s.status());
  s.Bind(1, q.cutoff_ms).Bind(2, q.error_cutoff_ms).Bind(3, static_cast<int64_t>(q.max));
  int k = 4;
  if (!q.workflow.empty()) s.Bind(k++, q.workflow);
  for (const std::string& w : q.except) s.Bind(k++, w);
  std::vector<std::string> ids;
  while (s.Step()) ids.push_back(s.Text(0));
  OPSFLOW_RETURN_IF_ERROR(s.Done());
  return ids;
}

base::Status SqliteStore::DeleteJobs(const std::vector<std::string>& ids) {
  std::lock_guard<std::mutex> l(write_mu_);
  OPSFLOW_RETURN_IF_ERROR(Exec(writer_, "BEGIN IMMEDIATE"));
  Stmt its(writer_, "DELETE FROM iterations WHERE id >= ?1 AND id < ?2");
  Stmt job(writer_, "DELETE FROM jobs WHERE id = ?1");
  for (Stmt* st : {&its, &job}) {
    if (!st->status().ok()) {
      (void)Exec(writer_, "ROLLBACK");
      return st->status();
    }
  }
  for (const std::string& id : ids) {
    // Iteration ids begin with their job's id (base::IterationUuid): a primary-key range.
    std::string prefix = base::IterationUuidPrefix(id);
    its.Bind(1, prefix).Bind(2, prefix + "~");
    its.Step();
    base::Status st = its.Done();
    its.Reset();
    if (st.ok()) {
      job.Bind(1, id);
      job.Step();
      st = job.Done();
      job.Reset();
    }
    if (!st.ok()) {
      (void)Exec(writer_, "ROLLBACK");
      return st;
    }
  }
  return Exec(writer_, "COMMIT");
}

base::Result<model::JobRecord> SqliteStore::EditJobLists(
    const std::string& id, const std::function<base::Status(model::JobRecord*)>& edit) {
  std::lock_guard<std::mutex> l(write_mu_);
  OPSFLOW_RETURN_IF_ERROR(Exec(writer_, "BEGIN IMMEDIATE"));
  model::JobRecord rec;
  {
    Stmt s(writer_, std::string("SELECT ") + kJobColumns + " FROM jobs WHERE id=?1");
    s.Bind(1, id);
    if (!s.Step()) {
      (void)Exec(writer_, "ROLLBACK");
      return base::NotFound("job " + id + " not found");
    }
    rec = ReadJob(s);
  }
  base::Status st = edit(&rec);
  if (!st.ok()) {
    (void)Exec(writer_, "ROLLBACK");
    return st;
  }
  Stmt u(writer_, "UPDATE jobs SET watchers=?2, groups=?3 WHERE id=?1");
  u.Bind(1, id).Bind(2, rec.watchers_json).Bind(3, rec.groups_json);
  u.Step();
  if (auto done = u.Done(); !done.ok()) {
    (void)Exec(writer_, "ROLLBACK");
    return done;
  }
  OPSFLOW_RETURN_IF_ERROR(Exec(writer_, "COMMIT"));
  return rec;
}

base::Result<store::DeletedJobs> SqliteStore::DeleteJobTree(
    const std::string& id,
    const std::function<base::Status(const std::vector<model::JobRecord>& tree)>& check) {
  std::lock_guard<std::mutex> l(write_mu_);
  OPSFLOW_RETURN_IF_ERROR(Exec(writer_, "BEGIN IMMEDIATE"));
  auto fail = [&](base::Status st) {
    (void)Exec(writer_, "ROLLBACK");
    return st;
  };
  std::vector<model::JobRecord> tree;
  {
    Stmt root(writer_, std::string("SELECT ") + kJobColumns + " FROM jobs WHERE id=?1");
    // The children of one job, with the jobs_parent index (as ChildJobs).
    Stmt kids(writer_, std::string("SELECT ") + kJobColumns +
                           " FROM jobs WHERE json_extract(parent, '$.job') = ?1 ORDER BY id");
    for (Stmt* st : {&root, &kids}) {
      if (!st->status().ok()) return fail(st->status());
    }
    root.Bind(1, id);
    if (!root.Step()) {
      if (auto st = root.Done(); !st.ok()) return fail(st);
      return fail(base::NotFound("job " + id + " not found"));
    }
    tree.push_back(ReadJob(root));
    for (size_t i = 0; i < tree.size(); ++i) {
      kids.Bind(1, tree[i].id);
      while (kids.Step()) tree.push_back(ReadJob(kids));
      base::Status st = kids.Done();
      kids.Reset();
      if (!st.ok()) return fail(st);
    }
  }
  if (base::Status st = check(tree); !st.ok()) return fail(st);
  store::DeletedJobs out;
  // The statements of DeleteJobs (retention): iterations by their job-prefixed key range.
  Stmt its(writer_, "DELETE FROM iterations WHERE id >= ?1 AND id < ?2");
  Stmt job(writer_, "DELETE FROM jobs WHERE id = ?1");
  for (Stmt* st : {&its, &job}) {
    if (!st->status().ok()) return fail(st->status());
  }
  for (const model::JobRecord& r : tree) {
    std::string prefix = base::IterationUuidPrefix(r.id);
    its.Bind(1, prefix).Bind(2, prefix + "~");
    its.Step();
    base::Status st = its.Done();
    its.Reset();
    if (!st.ok()) return fail(st);
    out.tasks += sqlite3_changes(writer_);
    job.Bind(1, r.id);
    job.Step();
    st = job.Done();
    job.Reset();
    if (!st.ok()) return fail(st);
    out.jobs += sqlite3_changes(writer_);
  }
  OPSFLOW_RETURN_IF_ERROR(Exec(writer_, "COMMIT"));
  return out;
}

base::Status SqliteStore::Put(const std::string& kind, const std::string& key,
                              const std::string& doc_json) {
  std::lock_guard<std::mutex> l(write_mu_);
  Stmt s(writer_,
         "INSERT OR REPLACE INTO docs(kind, key, doc, updated_ms) "
         "VALUES(?1, ?2, ?3, CAST(strftime('%s','now') AS INTEGER) * 1000)");
  s.Bind(1, kind).Bind(2, key).Bind(3, doc_json);
  s.Step();
  return s.Done();
}

base::Result<std::string> SqliteStore::Get(const std::string& kind, const std::string& key) {
  ReadLease lease(this);
  if (!lease.db()) return base::Unavailable("store unavailable");
  Stmt s(lease.db(), "SELECT doc FROM docs WHERE kind=?1 AND key=?2");
  s.Bind(1, kind).Bind(2, key);
  if (!s.Step()) {
    OPSFLOW_RETURN_IF_ERROR(s.Done());
    return base::NotFound(kind + " '" + key + "' not found");
  }
  return s.Text(0);
}

base::Status SqliteStore::Delete(const std::string& kind, const std::string& key) {
  std::lock_guard<std::mutex> l(write_mu_);
  Stmt s(writer_, "DELETE FROM docs WHERE kind=?1 AND key=?2");
  s.Bind(1, kind).Bind(2, key);
  s.Step();
  OPSFLOW_RETURN_IF_ERROR(s.Done());
  if (sqlite3_changes(writer_) == 0) return base::NotFound(kind + " '" + key + "' not found");
  return base::Status::Ok();
}

base::Result<std::vector<store::StoredDoc>> SqliteStore::List(const std::string& kind) {
  ReadLease lease(this);
  if (!lease.db()) return base::Unavailable("store unavailable");
  Stmt s(lease.db(), "SELECT key, doc FROM docs WHERE kind=?1 ORDER BY key");
  s.Bind(1, kind);
  std::vector<store::StoredDoc> out;
  while (s.Step()) out.push_back({s.Text(0), s.Text(1)});
  OPSFLOW_RETURN_IF_ERROR(s.Done());
  return out;
}

base::Result<std::vector<store::MetricRow>> SqliteStore::Metrics(
    store::MetricsOf of, const std::optional<std::vector<std::string>>& visible_groups) {
  ReadLease lease(this);
  if (!lease.db()) return base::Unavailable("store unavailable");
  // Both shapes read as (workflow, task_id, method, status, finish_state, count, run_ms); a
  // caller who may not see every job counts only the jobs (and their iterations) it may.
  std::vector<store::SqlArg> args;
  const std::string scope =
      visible_groups
          ? " WHERE " + store::GroupScopeSql(Dialect(), "jobs.groups", *visible_groups, &args)
          : "";
  const std::string job_metrics =
      "SELECT workflow_name, '', '', status, '', COUNT(*), "
      "COALESCE(SUM(CASE WHEN start_ms > 0 AND end_ms >= start_ms THEN end_ms - start_ms "
      "ELSE 0 END), 0) FROM jobs" +
      scope + " GROUP BY workflow_name, status ORDER BY workflow_name, status";
  const std::string task_metrics =
      "SELECT jobs.workflow_name, i.task_id, COALESCE(i.method, ''), i.status, "
      "COALESCE(i.finish_state, ''), COUNT(*), "
      "COALESCE(SUM(CASE WHEN i.start_ms > 0 AND i.end_ms >= i.start_ms "
      "THEN i.end_ms - i.start_ms ELSE 0 END), 0) "
      "FROM iterations i JOIN jobs ON jobs.id = i.job_id" +
      scope + " GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5";
  Stmt s(lease.db(), of == store::MetricsOf::kJobs ? job_metrics : task_metrics);
  OPSFLOW_RETURN_IF_ERROR(s.status());
  for (size_t i = 0; i < args.size(); ++i) BindArg(s, static_cast<int>(i + 1), args[i]);
  std::vector<store::MetricRow> rows;
  while (s.Step()) {
    rows.push_back(store::MetricRow{s.Text(0), s.Text(1), s.Text(2), s.Text(3), s.Text(4), s.Int(5),
                                    s.Int(6)});
  }
  OPSFLOW_RETURN_IF_ERROR(s.Done());
  return rows;
}

}  // namespace opsflow::sqlite
