// Retention: deletes finished jobs older than a duration, with their child jobs and task
// iterations, in small batches (one short write transaction each, so the engine's group commits
// run in between), optionally writing them first to a daily archive file (sqlite/archive.h).
//
// Rule: a root job (no parent) goes with every job below it when it is complete or canceled and
// ended more than `retain_ms` ago, or, only when `retain_error_ms` > 0, when it is in error and
// nothing touched it (no retry, no edit) for `retain_error_ms`: an abandoned error. Child jobs
// never go alone. Roots with a child still running or paused wait.
// Thread-safety: RunOnce from one thread at a time; Start/Stop from the owning thread.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

#include "base/clock.h"
#include "base/status.h"

namespace opsflow::sqlite {

class SqliteStore;

// "30d", "12h", "15m", "90s", "500ms" or a number of seconds, as milliseconds (> 0).
base::Result<int64_t> ParseDuration(const std::string& text);

struct RetentionOptions {
  int64_t retain_ms = 0;        // finished (complete, canceled) jobs; 0 = keep forever
  int64_t retain_error_ms = 0;  // abandoned error jobs; 0 = keep forever
  std::string archive_dir;      // "" = no archive; else opsflow-archive-YYYY-MM-DD.jsonl.gz
  size_t batch = 100;           // root jobs per transaction
  int64_t interval_ms = 60'000;  // pause between runs once nothing is left to delete
};

class Retention {
 public:
  Retention(SqliteStore* store, const base::Clock* clock, RetentionOptions opts);
  ~Retention();  // Stop()
  // One batch: the jobs deleted (roots and their descendants). Nothing is deleted when the
  // archive cannot be written.
  base::Result<size_t> RunOnce();
  // A background thread running batches back to back while they are full, then every
  // interval_ms.
  void Start();
  void Stop();

 private:
  SqliteStore* store_;
  const base::Clock* clock_;
  RetentionOptions opts_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace opsflow::sqlite
