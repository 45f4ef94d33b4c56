// Internal to api/: group-based access for the route handlers (access_checks.cc; the policy
// itself is auth/access.h). Every handler that reads or changes a job, a task or a workflow goes
// through these, so the rules live in one place.
// Thread-safety: stateless functions over thread-safe services.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "api/api.h"
#include "api/routes.h"
#include "model/query.h"
#include "model/records.h"
#include "model/workflow.h"

namespace opsflow::api {

// True for admins; otherwise replies 403 "only an admin may <what>; '<user>' is not an admin".
bool RequireAdmin(Call& c, const std::string& what);
// What a caller gets for a job it may not see: exactly what it gets for a job that does not exist.
base::Status JobNotFound(const std::string& id);
// Job `id`'s record when it exists and the caller may see it; JobNotFound otherwise.
base::Result<model::JobRecord> VisibleJob(Api::State& s, const Call& c, const std::string& id);
bool CanSeeWorkflow(const Call& c, const model::Workflow& wf);
// The workflow named `name` when it exists and the caller may see it; null otherwise.
std::shared_ptr<const model::Workflow> FindVisibleWorkflow(Api::State& s, const Call& c,
                                                           const std::string& name);
// Limits a list query to the jobs (or tasks of jobs) the caller may see.
void ScopeToCaller(const Call& c, model::ListQuery* q);
// Account `a` may act on manual task `task_id` of the (visible) job `rec`: PermissionDenied when
// the task definition has groups and `a` is in none of them.
base::Status CheckManualTaskGroups(Api::State& s, const auth::Account& a,
                                   const model::JobRecord& rec, const std::string& task_id);
// Whether manual task `task_id` of job `job_id` may be assigned to `user` (a username or an
// account `_id`): the account exists, may see the job and is in the task's groups. Gives the
// assignee's username; InvalidArgument naming the reason otherwise.
base::Result<std::string> CheckAssignee(Api::State& s, const std::string& job_id,
                                        const std::string& task_id, const std::string& user);
// A stored workflow's `groups` going from `before` to `after` (an update or a re-import) under
// the rules of a job's groups: a non-admin adds only existing groups they belong to, removes
// only their own groups, and never leaves a restricted workflow open to everyone.
base::Status CheckGroupsChange(Api::State& s, const Call& c, const std::vector<std::string>& before,
                               const std::vector<std::string>& after);

}  // namespace opsflow::api
