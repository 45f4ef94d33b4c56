// Job archive files: what retention (sqlite/retention.h) writes before it deletes finished jobs,
// and what `opsflow import-archive` reads back. gzip-compressed JSON Lines, appended to (each
// append is one gzip member; zcat and gzread read them as one stream). Two kinds of line:
//   {"kind":"workflow_version","version":V,"doc":{...}}   the workflow snapshot jobs refer to
//   {"kind":"job","job":{...the job's columns...},"iterations":[{...}, ...]}
// Thread-safety: stateless functions.
#pragma once

#include <string>
#include <vector>

#include "base/status.h"
#include "model/records.h"

namespace opsflow::sqlite {

class SqliteStore;

struct ArchivedJob {
  model::JobRecord job;
  std::vector<model::IterationRecord> iterations;
};

// The archive line of `j` (no newline).
std::string JobLine(const ArchivedJob& j);
// The archive line of a workflow snapshot (no newline).
std::string VersionLine(const std::string& version, const std::string& doc_json);

// Appends `lines` (each followed by a newline) to the gzip file `path`, creating it.
base::Status AppendArchive(const std::string& path, const std::vector<std::string>& lines);

// Reads `path` into `store`: workflow snapshots (kept when present) and jobs with their
// iterations (a job already in the store is skipped). `imported` gets the jobs written.
// InvalidArgument naming the line when the file is not an archive.
base::Status ImportArchive(const std::string& path, SqliteStore* store, size_t* imported);

}  // namespace opsflow::sqlite
