// Retention on the embedded store, and the archive writer every store's retention uses.
// The rule and the batching are store-independent (store/retention.h); SqliteStore answers the
// due root jobs (its RetentionPort) and deletes each tree with DeleteJobTree. The archive writer
// (ArchiveWriter) reads through the JobStore port, so the PostgreSQL store uses it too: before
// deleting, it appends the jobs, their iterations and their workflow versions to the day's
// gzip JSON Lines file (sqlite/archive.h), which `opsflow import-archive` reads back.
// Thread-safety: as store::Retention.
#pragma once

#include <memory>
#include <string>

#include "base/clock.h"
#include "base/status.h"
#include "store/retention.h"

namespace opsflow::sqlite {

class SqliteStore;

using store::ParseDuration;

struct RetentionOptions : store::RetentionOptions {
  std::string archive_dir;  // "" = no archive; else opsflow-archive-YYYY-MM-DD.jsonl.gz
};

// An archive writer into `dir` (opsflow-archive-YYYY-MM-DD.jsonl.gz, the day of `now`, UTC).
store::ArchiveFn ArchiveWriter(std::string dir);

class Retention {
 public:
  Retention(SqliteStore* store, const base::Clock* clock, RetentionOptions opts);
  // One batch: the jobs deleted (roots and their descendants). Nothing is deleted when the
  // archive cannot be written.
  base::Result<size_t> RunOnce() { return impl_.RunOnce(); }
  void Start() { impl_.Start(); }
  void Stop() { impl_.Stop(); }

 private:
  store::Retention impl_;
};

}  // namespace opsflow::sqlite
