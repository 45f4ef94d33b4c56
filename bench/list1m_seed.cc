// opsflow_list1m_seed: fills a data folder with many finished jobs for scripts/bench
// scenario=list1m. It clones one real job (with its task iterations and workflow snapshot) that a
// server already ran into `--jobs` finished jobs, with spread-out times, workflow names and
// statuses. The store is opened once (its schema migrated, the template read); the clones are
// then written over a connection of its own with no rollback journal and no syncs (one
// transaction per `--batch` jobs, each job and its iterations copied from the template's rows by
// two prepared INSERT ... SELECT statements), and the WAL journal the server uses is set back at
// the end. The count tables are kept by the schema's triggers as for any insert.
//   * start times one `--spacing-ms` apart, ending now; each job runs 500 ms;
//   * workflow name `<template name>-NN`, NN = job index mod `--names` (two digits);
//   * status: every 100th job `error`, every 100th+1..+4 `canceled`, the rest `complete`.
// The server must not run on the folder while this writes. See bench/README.md.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "base/ids.h"
#include "sqlite/sqlite_store.h"
#include "sqlite/stmt.h"

namespace {

using opsflow::model::JobRecord;

struct Options {
  std::string data;
  std::string template_job;
  int64_t jobs = 1'000'000;
  int64_t names = 50;
  int64_t batch = 10000;
  int64_t spacing_ms = 2592;  // 1,000,000 jobs over 30 days
};

bool ParseArgs(int argc, char** argv, Options* o) {
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    char* end = nullptr;
    long long n = std::strtoll(v.c_str(), &end, 10);
    bool num = end && *end == '\0' && n > 0;
    if (k == "--data") {
      o->data = v;
    } else if (k == "--template-job") {
      o->template_job = v;
    } else if (k == "--jobs" && num) {
      o->jobs = n;
    } else if (k == "--names" && num && n <= 100) {
      o->names = n;
    } else if (k == "--batch" && num) {
      o->batch = n;
    } else if (k == "--spacing-ms" && num) {
      o->spacing_ms = n;
    } else {
      std::fprintf(stderr, "list1m_seed: bad argument %s %s\n", k.c_str(), v.c_str());
      return false;
    }
  }
  if (argc % 2 != 1 || o->data.empty() || !opsflow::base::IsObjectId(o->template_job)) {
    std::fprintf(stderr,
                 "usage: opsflow_list1m_seed --data DIR --template-job JOBID [--jobs N] "
                 "[--names N<=100] [--batch N] [--spacing-ms N]\n");
    return false;
  }
  return true;
}

// An ObjectId whose time part is `ms` (as MongoDB's would be) and whose tail is `n`.
std::string CloneId(int64_t ms, int64_t n) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%08x%016llx", static_cast<unsigned>(ms / 1000),
                static_cast<unsigned long long>(n));
  return buf;
}

}  // namespace

namespace {

using opsflow::sqlite::Stmt;

bool Exec(sqlite3* db, const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &err) == SQLITE_OK) return true;
  std::fprintf(stderr, "list1m_seed: %s: %s\n", sql, err ? err : "?");
  sqlite3_free(err);
  return false;
}

// A clone of the template job: its row with a new id, name, status and times.
constexpr const char* kInsertJob =
    "INSERT INTO jobs(id, workflow_name, workflow_version, status, description, type, "
    "created_by, created_ms, last_updated_ms, start_ms, end_ms, progress, groups, variables, "
    "errors, state, parent, ancestors, watchers) "
    "SELECT ?1, t.workflow_name || ?2, t.workflow_version, ?3, t.description, t.type, "
    "t.created_by, ?4, ?5, ?4, ?5, t.progress, t.groups, t.variables, t.errors, t.state, "
    "t.parent, t.ancestors, t.watchers FROM jobs t WHERE t.id = ?6";
// The template's iterations for the clone: ids with the clone's prefix and the template's
// sequence numbers (base::IterationUuid), times shifted by the clone's start.
constexpr const char* kInsertIterations =
    "INSERT INTO iterations(id, job_id, task_id, iteration, method, status, finish_state, "
    "start_ms, end_ms, incoming, outgoing, error) "
    "SELECT ?1 || substr(t.id, 31), ?2, t.task_id, t.iteration, t.method, t.status, "
    "t.finish_state, t.start_ms - ?3 + ?4, t.end_ms - ?3 + ?4, t.incoming, t.outgoing, t.error "
    "FROM iterations t WHERE t.id >= ?5 AND t.id < ?6 ORDER BY t.id";

int Seed(sqlite3* db, const Options& o, const JobRecord& tmpl, size_t iterations) {
  if (!Exec(db, "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA cache_size=-262144;"))
    return 1;
  Stmt job(db, kInsertJob), its(db, kInsertIterations);
  for (Stmt* st : {&job, &its}) {
    if (!st->status().ok()) {
      std::fprintf(stderr, "list1m_seed: %s\n", st->status().message().c_str());
      return 1;
    }
  }
  const std::string tprefix = opsflow::base::IterationUuidPrefix(tmpl.id);
  const std::string tend = tprefix + "~";
  const int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  const int64_t first = now - o.jobs * o.spacing_ms;
  const auto t0 = std::chrono::steady_clock::now();
  for (int64_t done = 0; done < o.jobs;) {
    if (!Exec(db, "BEGIN")) return 1;
    int64_t end = std::min(o.jobs, done + o.batch);
    for (int64_t i = done; i < end; ++i) {
      const int64_t start = first + i * o.spacing_ms;
      const std::string id = CloneId(start, i);
      const std::string prefix = opsflow::base::IterationUuidPrefix(id);
      char suffix[8];
      std::snprintf(suffix, sizeof suffix, "-%02d", static_cast<int>(i % o.names));
      const char* status = i % 100 == 0 ? "error" : i % 100 < 5 ? "canceled" : "complete";
      job.BindRef(1, id).BindRef(2, suffix).BindRef(3, status).Bind(4, start);
      job.Bind(5, start + 500).BindRef(6, tmpl.id);
      job.Step();
      its.BindRef(1, prefix).BindRef(2, id).Bind(3, tmpl.start_ms).Bind(4, start);
      its.BindRef(5, tprefix).BindRef(6, tend);
      if (job.Done().ok()) its.Step();
      for (Stmt* st : {&job, &its}) {
        if (!st->Done().ok()) {
          std::fprintf(stderr, "list1m_seed: insert: %s\n", st->Done().message().c_str());
          return 1;
        }
        st->Reset();
      }
    }
    if (!Exec(db, "COMMIT")) return 1;
    done = end;
    if (done % (o.batch * 20) == 0 || done == o.jobs) {
      double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      std::fprintf(stderr, "list1m_seed: %lld jobs (%zu iterations each) in %.1f s\n",
                   static_cast<long long>(done), iterations, s);
    }
  }
  return Exec(db, "PRAGMA journal_mode=WAL;") ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (!ParseArgs(argc, argv, &o)) return 2;
  std::optional<JobRecord> tmpl;
  size_t iterations = 0;
  {
    auto store = opsflow::sqlite::SqliteStore::Open(o.data);
    if (!store.ok()) {
      std::fprintf(stderr, "list1m_seed: %s\n", store.status().message().c_str());
      return 1;
    }
    auto job = (*store)->GetJob(o.template_job);
    auto iters = (*store)->IterationsOfJob(o.template_job);
    if (!job.ok() || !iters.ok() || job->start_ms == 0) {
      std::fprintf(stderr, "list1m_seed: cannot read template job %s\n", o.template_job.c_str());
      return 1;
    }
    tmpl = std::move(job).value();
    iterations = iters->size();
  }  // the store is closed: the seeder's own connection is the only one
  sqlite3* db = nullptr;
  const std::string path = o.data + "/opsflow.db";
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
    std::fprintf(stderr, "list1m_seed: cannot open %s: %s\n", path.c_str(), sqlite3_errmsg(db));
    sqlite3_close(db);
    return 1;
  }
  int rc = Seed(db, o, *tmpl, iterations);
  sqlite3_close(db);
  return rc;
}
