// Internal to postgres/, shared by postgres_store.cc and pg_cluster.cc: PostgresStore::Lease (a
// pooled connection borrowed for one call) and how a job row is selected and read.
// Thread-safety: a Lease belongs to the thread that made it.
#pragma once

#include "postgres/pg_conn.h"
#include "postgres/postgres_store.h"

namespace opsflow::postgres {

#define OPSFLOW_JOB_COLUMNS                                                                  \
  "id, workflow_name, workflow_version, status, description, type, created_by, created_ms, " \
  "last_updated_ms, start_ms, end_ms, progress, groups, variables, errors, state, parent, "  \
  "ancestors, watchers"

// The job of row `row` of a result selected with OPSFLOW_JOB_COLUMNS.
model::JobRecord ReadJob(const PgResult& r, int row);

// Borrows a pooled connection; rolls back what it left open and gives it back.
class PostgresStore::Lease {
 public:
  explicit Lease(PostgresStore* s) : s_(s) {
    auto c = s->Acquire();
    if (c.ok())
      c_ = *c;
    else
      status_ = c.status();
  }
  ~Lease() {
    if (c_ == nullptr) return;
    if (!c_->Broken() && c_->InTransaction()) (void)c_->Exec("ROLLBACK");
    s_->Release(c_);
  }
  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;
  Conn* get() const { return c_; }
  Conn* operator->() const { return c_; }
  const base::Status& status() const { return status_; }

 private:
  PostgresStore* s_;
  Conn* c_ = nullptr;
  base::Status status_;
};

#define OPSFLOW_LEASE(lease) \
  Lease lease(this);         \
  if (lease.get() == nullptr) return lease.status()

}  // namespace opsflow::postgres
