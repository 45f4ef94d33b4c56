// opsflow_list1m_seed: fills a data folder with many finished jobs for scripts/bench
// scenario=list1m. It clones one real job (with its task iterations and workflow snapshot) that a
// server already ran into `--jobs` finished jobs, written directly through the store API (group
// commits of `--batch` jobs), with spread-out times, workflow names and statuses:
//   * start times one `--spacing-ms` apart, ending now; each job runs 500 ms;
//   * workflow name `<template name>-NN`, NN = job index mod `--names` (two digits);
//   * status: every 100th job `error`, every 100th+1..+4 `canceled`, the rest `complete`.
// The server must not run on the folder while this writes. See bench/README.md.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "base/ids.h"
#include "sqlite/sqlite_store.h"

namespace {

using opsflow::model::IterationRecord;
using opsflow::model::JobRecord;

struct Options {
  std::string data;
  std::string template_job;
  int64_t jobs = 1'000'000;
  int64_t names = 50;
  int64_t batch = 5000;
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

int main(int argc, char** argv) {
  Options o;
  if (!ParseArgs(argc, argv, &o)) return 2;
  auto store = opsflow::sqlite::SqliteStore::Open(o.data);
  if (!store.ok()) {
    std::fprintf(stderr, "list1m_seed: %s\n", store.status().message().c_str());
    return 1;
  }
  auto tmpl = (*store)->GetJob(o.template_job);
  auto iters = (*store)->IterationsOfJob(o.template_job);
  if (!tmpl.ok() || !iters.ok()) {
    std::fprintf(stderr, "list1m_seed: cannot read template job %s\n", o.template_job.c_str());
    return 1;
  }
  const int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  const int64_t first = now - o.jobs * o.spacing_ms;
  const auto t0 = std::chrono::steady_clock::now();
  for (int64_t done = 0; done < o.jobs;) {
    opsflow::store::WriteBatch b;
    int64_t end = std::min(o.jobs, done + o.batch);
    for (int64_t i = done; i < end; ++i) {
      JobRecord j = *tmpl;
      j.start_ms = first + i * o.spacing_ms;
      j.created_ms = j.start_ms;
      j.end_ms = j.start_ms + 500;
      j.last_updated_ms = j.end_ms;
      j.id = CloneId(j.start_ms, i);
      char suffix[8];
      std::snprintf(suffix, sizeof suffix, "-%02d", static_cast<int>(i % o.names));
      j.workflow_name = tmpl->workflow_name + suffix;
      j.status = i % 100 == 0 ? "error" : i % 100 < 5 ? "canceled" : "complete";
      uint32_t seq = 0;
      for (const IterationRecord& t : *iters) {
        IterationRecord c = t;
        c.id = opsflow::base::IterationUuid(j.id, seq++);
        c.job_id = j.id;
        c.start_ms = j.start_ms + (t.start_ms - tmpl->start_ms);
        c.end_ms = j.start_ms + (t.end_ms - tmpl->start_ms);
        b.iterations.push_back(std::move(c));
      }
      b.new_jobs.push_back(std::move(j));
    }
    auto st = (*store)->Commit(b);
    if (!st.ok()) {
      std::fprintf(stderr, "list1m_seed: commit: %s\n", st.message().c_str());
      return 1;
    }
    done = end;
    if (done % (o.batch * 40) == 0 || done == o.jobs) {
      double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      std::fprintf(stderr, "list1m_seed: %lld jobs (%zu iterations each) in %.1f s\n",
                   static_cast<long long>(done), iters->size(), s);
    }
  }
  return 0;
}
