#include "postgres/testing/postgres_factory.h"

#include <cstdlib>
#include <iterator>

#include "base/ids.h"
#include "postgres/pg_conn.h"
#include "postgres/pg_retention.h"
#include "postgres/postgres_store.h"

namespace opsflow::postgres::testing {
namespace {

// The database name of a location URL (the path after the host).
std::string DatabaseOf(const std::string& url) {
  size_t scheme = url.find("://");
  size_t slash = url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  if (slash == std::string::npos) return "";
  size_t end = url.find('?', slash);
  return url.substr(slash + 1, end == std::string::npos ? std::string::npos : end - slash - 1);
}

base::Status Run(Conn* c, const char* name, const char* sql, const Params& p) {
  auto r = c->Run(name, sql, p);
  return r.ok() ? base::Status::Ok() : r.status();
}

// The rows of `b`, inserted with V0001's columns.
base::Status InsertRows(Conn* c, const store::WriteBatch& b) {
  for (const auto& wv : b.versions) {
    OPSFLOW_RETURN_IF_ERROR(Run(c, "v", "INSERT INTO workflow_versions(version, doc) VALUES($1, $2)",
                                Params().Add(wv.version).Add(wv.doc_json)));
  }
  for (const auto& r : b.new_jobs) {
    Params p;
    p.Add(r.id).Add(r.workflow_name).Add(r.workflow_version).Add(r.status).Add(r.description);
    p.Add(r.type).Add(r.created_by).Add(r.created_ms).Add(r.last_updated_ms).AddMs(r.start_ms);
    p.AddMs(r.end_ms).Add(r.progress).Add(r.groups_json).Add(r.variables_json);
    p.Add(r.errors_json).Add(r.state).Add(r.parent_json).Add(r.ancestors_json);
    p.Add(r.watchers_json);
    OPSFLOW_RETURN_IF_ERROR(
        Run(c, "j",
            "INSERT INTO jobs(id, workflow_name, workflow_version, status, description, type, "
            "created_by, created_ms, last_updated_ms, start_ms, end_ms, progress, groups, "
            "variables, errors, state, parent, ancestors, watchers) "
            "VALUES($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19)",
            p));
  }
  for (const auto& r : b.iterations) {
    Params p;
    p.Add(r.id).Add(r.job_id).Add(r.task_id).Add(int64_t{r.iteration}).Add(r.method);
    p.Add(r.status).Add(r.finish_state).AddMs(r.start_ms).AddMs(r.end_ms).Add(r.incoming_json);
    p.Add(r.outgoing_json);
    if (r.error.empty())
      p.AddNull();
    else
      p.Add(r.error);
    OPSFLOW_RETURN_IF_ERROR(
        Run(c, "i",
            "INSERT INTO iterations(id, job_id, task_id, iteration, method, status, "
            "finish_state, start_ms, end_ms, incoming, outgoing, error) "
            "VALUES($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12)",
            p));
  }
  for (const auto& d : b.doc_puts) {
    OPSFLOW_RETURN_IF_ERROR(
        Run(c, "d", "INSERT INTO docs(kind, key, doc, updated_ms) VALUES($1, $2, $3, 0)",
            Params().Add(d.kind).Add(d.key).Add(d.doc_json)));
  }
  return base::Status::Ok();
}

}  // namespace

std::string WithDatabase(const std::string& url, const std::string& db) {
  size_t scheme = url.find("://");
  size_t host = scheme == std::string::npos ? 0 : scheme + 3;
  size_t slash = url.find('/', host);
  size_t query = url.find('?', host);
  std::string rest = query == std::string::npos ? "" : url.substr(query);
  size_t end = slash != std::string::npos && (query == std::string::npos || slash < query)
                   ? slash
                   : (query == std::string::npos ? url.size() : query);
  return url.substr(0, end) + "/" + db + rest;
}

std::string PostgresStoreFactory::ServerUrl() {
  const char* v = std::getenv(kTestUrlEnv);
  return v ? v : "";
}

const PostgresStoreFactory* PostgresFactory() {
  static const PostgresStoreFactory f;
  return &f;
}

base::Result<std::string> PostgresStoreFactory::NewLocation() const {
  const std::string server = ServerUrl();
  if (server.empty()) return base::FailedPrecondition(std::string(kTestUrlEnv) + " is not set");
  OPSFLOW_ASSIGN_OR_RETURN(auto c, Conn::Open(server));
  std::string db = "opsflow_contract_" + base::NewObjectId();
  OPSFLOW_RETURN_IF_ERROR(c->Exec("CREATE DATABASE " + db));
  return WithDatabase(server, db);
}

base::Result<store::testing::StoreHandle> PostgresStoreFactory::Open(
    const std::string& location) const {
  auto s = PostgresStore::Open(location);
  if (!s.ok()) return s.status();
  std::shared_ptr<PostgresStore> shared = std::move(s).value();
  auto retention = PgRetention::Open(location);  // store/retention.h, its own connection
  if (!retention.ok()) return retention.status();
  return store::testing::StoreHandle{shared, shared, std::move(retention).value()};
}

void PostgresStoreFactory::Destroy(const std::string& location) const {
  std::string db = DatabaseOf(location);
  if (db.rfind("opsflow_contract_", 0) != 0) return;  // only what NewLocation made
  auto c = Conn::Open(ServerUrl());
  if (c.ok()) (void)(*c)->Exec("DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
}

int PostgresStoreFactory::SchemaVersions() const { return PostgresStore::SchemaVersions(); }

base::Status PostgresStoreFactory::CreateAtVersion(const std::string& location, int version,
                                                   const store::WriteBatch& rows) const {
  if (version < 1 || version >= SchemaVersions()) {
    return base::InvalidArgument("no older schema " + std::to_string(version));
  }
  OPSFLOW_ASSIGN_OR_RETURN(auto c, Conn::Open(location));
  OPSFLOW_RETURN_IF_ERROR(PostgresStore::MigrateTo(c.get(), version));
  OPSFLOW_RETURN_IF_ERROR(c->Exec("BEGIN"));
  base::Status st = InsertRows(c.get(), rows);
  if (st.ok() && version >= 2) {
    // From schema 2 on the store keeps the counts tables with its rows (as its commits do).
    st = c->Exec(
        "DELETE FROM job_counts; INSERT INTO job_counts SELECT workflow_name, status, COUNT(*) "
        "FROM jobs GROUP BY 1, 2; DELETE FROM iteration_counts; INSERT INTO iteration_counts "
        "SELECT status, COUNT(*) FROM iterations GROUP BY 1");
  }
  if (!st.ok()) {
    (void)c->Exec("ROLLBACK");
    return st;
  }
  return c->Exec("COMMIT");
}

base::Status PostgresStoreFactory::MarkNewerSchema(const std::string& location) const {
  OPSFLOW_ASSIGN_OR_RETURN(auto c, Conn::Open(location));
  return c->Exec("UPDATE opsflow_schema SET version = " + std::to_string(SchemaVersions() + 1));
}

}  // namespace opsflow::postgres::testing
