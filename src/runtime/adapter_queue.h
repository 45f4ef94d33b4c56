// External adapter workers (SPEC §7): adapter tasks wait here until a worker that serves their
// adapter polls for them. A worker gets a lease on each task it takes; if the lease runs out
// before it reports, the task is handed out again, and a report under an expired or foreign
// lease is refused. The runtime ends a task that no worker finishes in time with an error.
// Thread-safety: all methods are safe from any thread.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/mutex.h"
#include "base/status.h"
#include "runtime/waiting_work.h"

namespace opsflow::runtime {

struct AdapterWork : WaitingWork {
  std::string app;                  // the task's app, e.g. "Awsec2"
  std::string adapter_id;           // incoming adapter_id (the adapter instance), may be ""
  std::vector<std::string> groups;  // the job's groups: whose workers may take it (GBAC)
  // Lease state.
  std::string lease;  // token of the current lease, "" when not leased
  std::string worker;
  int64_t lease_until_ms = 0;
};

enum class AdapterOutcome { kComplete, kFail, kError };

struct AdapterReport {
  AdapterOutcome outcome = AdapterOutcome::kComplete;
  boost::json::object outgoing;
  std::string message;
};

class AdapterQueue {
 public:
  // `deliver` hands a finished task to the runtime.
  using Deliver = std::function<void(const AdapterWork&, AdapterReport)>;
  explicit AdapterQueue(Deliver deliver) : deliver_(std::move(deliver)) {}

  void Add(AdapterWork work);
  // Leases up to `max` tasks whose app or adapter_id is in `apps` (an empty list serves all),
  // that are not leased (or whose lease ran out) and whose job's groups `may_take` allows (null:
  // any) to `worker` for `lease_ms`.
  using GroupsFilter = std::function<bool(const std::vector<std::string>& job_groups)>;
  std::vector<AdapterWork> Poll(const std::string& worker, const std::vector<std::string>& apps,
                                int64_t lease_ms, size_t max, int64_t now_ms,
                                const GroupsFilter& may_take = nullptr);
  // The job's groups changed: its waiting tasks follow.
  void SetJobGroups(const std::string& job_id, const std::vector<std::string>& groups);
  // A worker's report. NotFound: no such task waiting; FailedPrecondition: the lease is not
  // this one or it ran out.
  // `deliver` runs after the lock is released.
  base::Status Report(const std::string& id, const std::string& lease, AdapterReport report,
                      int64_t now_ms) EXCLUDES(mu_);
  // The task `task_id` of job `job_id` waiting here (leased or not), for the waiting
  // explanation; NotFound when it is not waiting here.
  base::Result<AdapterWork> Find(const std::string& job_id, const std::string& task_id) const
      EXCLUDES(mu_);
  // Removes a task (it timed out or its job ended); true when it was waiting.
  bool Remove(const std::string& id);
  // Removes every task of a job (it ended).
  void RemoveJob(const std::string& job_id);
  size_t size() const;

 private:
  Deliver deliver_;
  mutable base::Mutex mu_;
  std::map<std::string, AdapterWork> items_ GUARDED_BY(mu_);  // by id: sorted by job, creation
};

}  // namespace opsflow::runtime
