#include "postgres/pg_retention.h"

#include "postgres/pg_conn.h"

namespace opsflow::postgres {

base::Result<std::unique_ptr<PgRetention>> PgRetention::Open(const std::string& url) {
  OPSFLOW_ASSIGN_OR_RETURN(auto conn, Conn::Open(url));
  return std::unique_ptr<PgRetention>(new PgRetention(std::move(conn)));
}

PgRetention::PgRetention(std::unique_ptr<Conn> conn) : conn_(std::move(conn)) {}
PgRetention::~PgRetention() = default;

base::Result<std::vector<std::string>> PgRetention::PurgeCandidates(const store::PurgeQuery& q) {
  // jobs_end serves the range; the children with jobs_parent. $4: one workflow or NULL; $5: the
  // workflows left out (a text array). Planned each time (the shape is fixed, the arrays vary).
  static constexpr const char* kSql =
      "SELECT r.id FROM jobs r WHERE r.parent = 'null' AND ("
      "(r.end_ms < $1::bigint AND r.status IN ('complete', 'canceled')) OR "
      "($2::bigint > 0 AND r.status = 'error' AND r.last_updated_ms < $2::bigint)) "
      "AND ($4::text IS NULL OR r.workflow_name = $4) "
      "AND NOT (r.workflow_name = ANY($5::text[])) "
      "AND NOT EXISTS (SELECT 1 FROM jobs c WHERE (c.parent::jsonb) ->> 'job' = r.id "
      "AND c.status IN ('running', 'paused')) "
      "ORDER BY r.end_ms LIMIT $3::bigint";
  // A PostgreSQL text[] literal: every element quoted, '"' and '\' escaped.
  std::string except = "{";
  for (size_t i = 0; i < q.except.size(); ++i) {
    if (i) except += ',';
    except += '"';
    for (char ch : q.except[i]) {
      if (ch == '"' || ch == '\\') except += '\\';
      except += ch;
    }
    except += '"';
  }
  except += '}';
  Params p;
  p.Add(q.cutoff_ms).Add(q.error_cutoff_ms).Add(static_cast<int64_t>(q.max));
  if (q.workflow.empty()) {
    p.AddNull();
  } else {
    p.Add(q.workflow);
  }
  p.Add(except);
  std::lock_guard<std::mutex> l(mu_);
  OPSFLOW_ASSIGN_OR_RETURN(auto r, conn_->Query(kSql, p));
  std::vector<std::string> ids;
  ids.reserve(static_cast<size_t>(r.rows()));
  for (int i = 0; i < r.rows(); ++i) ids.push_back(r.Text(i, 0));
  return ids;
}

}  // namespace opsflow::postgres
