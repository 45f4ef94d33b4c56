#include "sqlite/testing/sqlite_factory.h"

#include <sqlite3.h>
#include <stdlib.h>

#include <filesystem>
#include <iterator>

#include "sqlite/migrations.h"
#include "sqlite/sqlite_store.h"
#include "sqlite/stmt.h"

namespace opsflow::sqlite::testing {
namespace {

base::Status Exec(sqlite3* db, const std::string& sql) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "unknown";
    sqlite3_free(err);
    return base::Internal("sqlite: " + msg);
  }
  return base::Status::Ok();
}

// A raw connection to `dir`/opsflow.db, closed on scope exit.
class RawDb {
 public:
  explicit RawDb(const std::string& dir) {
    if (sqlite3_open((dir + "/opsflow.db").c_str(), &db_) != SQLITE_OK) {
      sqlite3_close(db_);
      db_ = nullptr;
    }
  }
  ~RawDb() { sqlite3_close(db_); }
  RawDb(const RawDb&) = delete;
  RawDb& operator=(const RawDb&) = delete;
  sqlite3* get() const { return db_; }

 private:
  sqlite3* db_ = nullptr;
};

// Runs a prepared insert once. (Stmt::status() reports the last step's code after a Step, so the
// statements are checked once, right after they are prepared.)
base::Status Step(Stmt& s) {
  s.Step();
  base::Status st = s.Done();
  s.Reset();
  return st;
}

// The rows of `b`, inserted with the columns every schema version has had (V0001's tables).
base::Status InsertRows(sqlite3* db, const store::WriteBatch& b) {
  Stmt v(db, "INSERT INTO workflow_versions(version, doc) VALUES(?1, ?2)");
  OPSFLOW_RETURN_IF_ERROR(v.status());
  for (const auto& wv : b.versions) {
    v.Bind(1, wv.version).Bind(2, wv.doc_json);
    OPSFLOW_RETURN_IF_ERROR(Step(v));
  }
  Stmt j(db,
         "INSERT INTO jobs(id, workflow_name, workflow_version, status, description, type, "
         "created_by, created_ms, last_updated_ms, start_ms, end_ms, progress, groups, "
         "variables, errors, state, parent, ancestors, watchers) "
         "VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18,?19)");
  OPSFLOW_RETURN_IF_ERROR(j.status());
  for (const auto& r : b.new_jobs) {
    j.Bind(1, r.id).Bind(2, r.workflow_name).Bind(3, r.workflow_version).Bind(4, r.status);
    j.Bind(5, r.description).Bind(6, r.type).Bind(7, r.created_by).Bind(8, r.created_ms);
    j.Bind(9, r.last_updated_ms).BindMs(10, r.start_ms).BindMs(11, r.end_ms);
    j.Bind(12, r.progress).Bind(13, r.groups_json).Bind(14, r.variables_json);
    j.Bind(15, r.errors_json).Bind(16, r.state).Bind(17, r.parent_json);
    j.Bind(18, r.ancestors_json).Bind(19, r.watchers_json);
    OPSFLOW_RETURN_IF_ERROR(Step(j));
  }
  Stmt it(db,
          "INSERT INTO iterations(id, job_id, task_id, iteration, method, status, finish_state, "
          "start_ms, end_ms, incoming, outgoing, error) "
          "VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12)");
  OPSFLOW_RETURN_IF_ERROR(it.status());
  for (const auto& r : b.iterations) {
    it.Bind(1, r.id).Bind(2, r.job_id).Bind(3, r.task_id).Bind(4, int64_t{r.iteration});
    it.Bind(5, r.method).Bind(6, r.status).Bind(7, r.finish_state).BindMs(8, r.start_ms);
    it.BindMs(9, r.end_ms).Bind(10, r.incoming_json).Bind(11, r.outgoing_json);
    if (r.error.empty())
      it.BindNull(12);
    else
      it.Bind(12, r.error);
    OPSFLOW_RETURN_IF_ERROR(Step(it));
  }
  Stmt d(db, "INSERT INTO docs(kind, key, doc, updated_ms) VALUES(?1, ?2, ?3, 0)");
  OPSFLOW_RETURN_IF_ERROR(d.status());
  for (const auto& p : b.doc_puts) {
    d.Bind(1, p.kind).Bind(2, p.key).Bind(3, p.doc_json);
    OPSFLOW_RETURN_IF_ERROR(Step(d));
  }
  return base::Status::Ok();
}

const store::testing::RegisterStoreFactory kRegistered(SqliteFactory());

}  // namespace

const SqliteStoreFactory* SqliteFactory() {
  static const SqliteStoreFactory f;
  return &f;
}

base::Result<std::string> SqliteStoreFactory::NewLocation() const {
  std::string tmpl = (std::filesystem::temp_directory_path() / "opsflow-contract-XXXXXX").string();
  if (!mkdtemp(tmpl.data())) return base::Unavailable("mkdtemp failed");
  return tmpl;
}

base::Result<store::testing::StoreHandle> SqliteStoreFactory::Open(
    const std::string& location) const {
  auto s = SqliteStore::Open(location);
  if (!s.ok()) return s.status();
  std::shared_ptr<SqliteStore> shared = std::move(s).value();
  return store::testing::StoreHandle{shared, shared, shared};
}

void SqliteStoreFactory::Destroy(const std::string& location) const {
  std::error_code ec;
  std::filesystem::remove_all(location, ec);
}

int SqliteStoreFactory::SchemaVersions() const { return static_cast<int>(std::size(kMigrations)); }

base::Status SqliteStoreFactory::CreateAtVersion(const std::string& location, int version,
                                                 const store::WriteBatch& rows) const {
  if (version < 1 || version >= SchemaVersions()) {
    return base::InvalidArgument("no older schema " + std::to_string(version));
  }
  RawDb db(location);
  if (!db.get()) return base::Unavailable("cannot open " + location);
  OPSFLOW_RETURN_IF_ERROR(Exec(db.get(), "BEGIN"));
  for (int i = 0; i < version; ++i) OPSFLOW_RETURN_IF_ERROR(Exec(db.get(), kMigrations[i]));
  OPSFLOW_RETURN_IF_ERROR(Exec(db.get(), "PRAGMA user_version=" + std::to_string(version)));
  OPSFLOW_RETURN_IF_ERROR(InsertRows(db.get(), rows));
  return Exec(db.get(), "COMMIT");
}

base::Status SqliteStoreFactory::MarkNewerSchema(const std::string& location) const {
  RawDb db(location);
  if (!db.get()) return base::Unavailable("cannot open " + location);
  return Exec(db.get(), "PRAGMA user_version=" + std::to_string(SchemaVersions() + 1));
}

}  // namespace opsflow::sqlite::testing
