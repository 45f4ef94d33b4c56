#include "sqlite/retention.h"

#include <set>
#include <vector>

#include "sqlite/archive.h"
#include "sqlite/sqlite_store.h"

namespace opsflow::sqlite {

store::ArchiveFn ArchiveWriter(std::string dir) {
  if (dir.empty()) return nullptr;
  return [dir = std::move(dir)](store::JobStore* jobs, const std::vector<std::string>& ids,
                                int64_t now) -> base::Status {
    std::vector<std::string> lines;
    std::set<std::string> versions;
    for (const std::string& id : ids) {
      ArchivedJob a;
      OPSFLOW_ASSIGN_OR_RETURN(a.job, jobs->GetJob(id));
      OPSFLOW_ASSIGN_OR_RETURN(a.iterations, jobs->IterationsOfJob(id));
      if (versions.insert(a.job.workflow_version).second) {
        auto doc = jobs->GetWorkflowVersion(a.job.workflow_version);
        if (doc.ok()) lines.push_back(VersionLine(a.job.workflow_version, *doc));
      }
      lines.push_back(JobLine(a));
    }
    if (lines.empty()) return base::Status::Ok();
    std::string day = base::IsoTime(now).substr(0, 10);  // YYYY-MM-DD, UTC
    return AppendArchive(dir + "/opsflow-archive-" + day + ".jsonl.gz", lines);
  };
}

Retention::Retention(SqliteStore* store, const base::Clock* clock, RetentionOptions opts)
    : impl_(store, store, clock, static_cast<const store::RetentionOptions&>(opts),
            ArchiveWriter(opts.archive_dir)) {}

}  // namespace opsflow::sqlite
