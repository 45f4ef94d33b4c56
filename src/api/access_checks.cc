// Group-based access for the route handlers: reads the groups of a job, a workflow or a task
// definition and asks auth/access.h. Every handler that reads or changes a job, a task or a
// workflow goes through these, so the rules live in one place.
#include <algorithm>

#include "api/state.h"
#include "auth/access.h"

namespace opsflow::api {

bool RequireAdmin(Call& c, const std::string& what) {
  if (c.account && c.account->admin) return true;
  ReplyError(c, 403,
             "only an admin may " + what + "; '" +
                 (c.account ? c.account->username : std::string()) + "' is not an admin");
  return false;
}

base::Status JobNotFound(const std::string& id) {
  // The store's own answer for an unknown job (SqliteStore::GetJob); keep the two equal.
  return base::NotFound("job " + id + " not found");
}

base::Result<model::JobRecord> VisibleJob(Api::State& s, const Call& c, const std::string& id) {
  auto rec = s.deps.jobs->GetJob(id);
  if (!rec.ok()) {
    if (rec.status().code() == base::Code::kNotFound) return JobNotFound(id);
    return rec.status();
  }
  if (!auth::CanSee(*c.account, auth::ParseGroupsJson(rec->groups_json))) return JobNotFound(id);
  return rec;
}

bool CanSeeWorkflow(const Call& c, const model::Workflow& wf) {
  return auth::CanSee(*c.account, auth::GroupsOfDoc(wf.doc()));
}

std::shared_ptr<const model::Workflow> FindVisibleWorkflow(Api::State& s, const Call& c,
                                                           const std::string& name) {
  auto wf = s.workflows.Find(name);
  return wf && CanSeeWorkflow(c, *wf) ? wf : nullptr;
}

void ScopeToCaller(const Call& c, model::ListQuery* q) {
  q->visible_groups = auth::VisibleGroups(*c.account);
}

base::Status CheckManualTaskGroups(Api::State& s, const auth::Account& a,
                                   const model::JobRecord& rec, const std::string& task_id) {
  if (a.admin) return base::Status::Ok();
  // The job runs the workflow snapshot it started with: its task definitions decide.
  auto wf = s.deps.runtime->WorkflowVersion(rec.workflow_version);
  if (!wf.ok()) return wf.status();
  const bj::value* tasks = (*wf)->doc().if_contains("tasks");
  const bj::value* task =
      tasks && tasks->is_object() ? tasks->get_object().if_contains(task_id) : nullptr;
  if (!task || !task->is_object()) return base::Status::Ok();
  std::vector<std::string> groups = auth::GroupsOfDoc(task->get_object());
  if (auth::CanSee(a, groups)) return base::Status::Ok();
  std::string list;
  for (const std::string& g : groups) list += (list.empty() ? "" : ", ") + g;
  return base::PermissionDenied("'" + a.username + "' is in none of the groups of task " + task_id +
                                " (" + list +
                                "); only their members may claim, assign, release, read or "
                                "finish it");
}

base::Result<std::string> CheckAssignee(Api::State& s, const std::string& job_id,
                                        const std::string& task_id, const std::string& user) {
  auto who = s.deps.accounts->Find(user);
  if (!who.ok() && who.status().code() == base::Code::kNotFound) who = s.deps.accounts->Get(user);
  if (!who.ok()) {
    if (who.status().code() != base::Code::kNotFound) return who.status();
    return base::InvalidArgument("cannot assign task " + task_id + " to '" + user +
                                 "': no such account");
  }
  auto rec = s.deps.jobs->GetJob(job_id);
  if (!rec.ok()) return rec.status();
  if (!auth::CanSee(*who, auth::ParseGroupsJson(rec->groups_json))) {
    return base::InvalidArgument("cannot assign task " + task_id + " to '" + who->username +
                                 "': they may not see job " + job_id);
  }
  base::Status st = CheckManualTaskGroups(s, *who, *rec, task_id);
  if (!st.ok()) {
    if (st.code() != base::Code::kPermissionDenied) return st;
    return base::InvalidArgument("cannot assign task " + task_id + " to '" + who->username +
                                 "': " + st.message());
  }
  return who->username;
}

base::Status CheckGroupsChange(Api::State& s, const Call& c, const std::vector<std::string>& before,
                               const std::vector<std::string>& after) {
  auto exists = [&](const std::string& g) { return s.deps.accounts->groups().Get(g).ok(); };
  return auth::CheckGroupsChange(*c.account, before, after, exists);
}

}  // namespace opsflow::api
