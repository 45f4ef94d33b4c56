// Manual tasks (SPEC §5 "Manual tasks"): a manual task (`type: "manual"`, e.g. ViewData,
// ErrorHandling) waits in `running` until a person finishes it. This is the set of tasks now
// waiting, with who has claimed each. A waiting task costs this entry and no thread.
// Thread-safety: all methods are safe from any thread.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/mutex.h"
#include "base/status.h"
#include "runtime/waiting_work.h"

namespace opsflow::runtime {

struct ManualWork : WaitingWork {
  std::string view;   // the task's `view`, e.g. "/workflow_engine/task/ViewData"
  std::string owner;  // who claimed it ("" when unclaimed)
};

struct ManualFinish {
  std::string finish_state;  // "success" | "failure"
  boost::json::object variables;
};

// A change of who holds a waiting manual task (ManualTasks::Claim, Release, Assign).
enum class ManualChange { kClaim, kRelease, kAssign };
struct ManualChangeRequest {
  ManualChange change = ManualChange::kClaim;
  std::string id;    // the task iteration
  std::string user;  // claim, release: who acts; assign: the assignee
  std::string by;    // assign: who acts
  bool force = false;
};
std::string_view ManualChangeName(ManualChange c);
base::Result<ManualChange> ParseManualChange(std::string_view name);

// On a cluster each waiting manual task is also a document of this kind (key: the iteration id,
// doc: ManualWorkJson, kept current by the driving process), so any process can show it.
inline constexpr const char* kManualWorkKind = "manual_work";

// A ManualWork as JSON and back (a forwarded request's answer on a cluster).
boost::json::object ManualWorkJson(const ManualWork& w);
ManualWork ManualWorkFromJson(const boost::json::object& o);

class ManualTasks {
 public:
  using Deliver = std::function<void(const ManualWork&, ManualFinish)>;
  explicit ManualTasks(Deliver deliver) : deliver_(std::move(deliver)) {}

  void Add(ManualWork work);
  // The waiting task of `job_id` with task key `task_id` (NotFound when none is waiting).
  base::Result<ManualWork> Find(const std::string& job_id, const std::string& task_id) const;
  base::Result<ManualWork> Get(const std::string& id) const;
  // Claim: FailedPrecondition when someone else holds it. Release: only the holder (or
  // `force`). Assign: makes `user` the holder; a task held by someone else is reassigned only
  // by its holder `by` (or with `force`, an admin).
  base::Status Claim(const std::string& id, const std::string& user);
  base::Status Release(const std::string& id, const std::string& user, bool force);
  base::Status Assign(const std::string& id, const std::string& user, const std::string& by,
                      bool force);
  // Claim, Release or Assign as `r` says; the task as it is afterwards.
  base::Result<ManualWork> Change(const ManualChangeRequest& r);
  // Finishes the waiting task; FailedPrecondition when another user has claimed it.
  // `deliver` runs after the lock is released.
  base::Status Finish(const std::string& job_id, const std::string& task_id,
                      const std::string& user, ManualFinish finish) EXCLUDES(mu_);
  void RemoveJob(const std::string& job_id);
  size_t size() const;

 private:
  Deliver deliver_;
  mutable base::Mutex mu_;
  std::map<std::string, ManualWork> items_ GUARDED_BY(mu_);  // by iteration id (job-ordered)
};

}  // namespace opsflow::runtime
