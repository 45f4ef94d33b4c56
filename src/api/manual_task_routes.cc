// Manual tasks (SPEC §5): claim, release, assign, the manual controller and finish. Each needs a
// job the caller may see (404 otherwise, as for an unknown task) and, when the task definition
// has `groups`, membership in one of them (403).
#include <optional>

#include "api/large_data.h"
#include "api/state.h"
#include "runtime/manual_tasks.h"

namespace opsflow::api {
namespace {

// Large incoming values are answered as markers (large_data.h), as in the task document.
bj::value ManualDoc(const runtime::ManualWork& w, size_t large_data_bytes) {
  bj::value doc = bj::object{
      {"_id", w.id},
      {"job", bj::object{{"_id", w.job_id}, {"task", w.task_id}}},
      {"name", w.method},
      {"view", w.view},
      {"status", "running"},
      {"metrics", bj::object{{"owner", w.owner}, {"start_time", w.created_ms}}},
      {"variables", bj::object{{"incoming", w.incoming}}}};
  MarkTaskLargeData(doc, large_data_bytes);
  return doc;
}

// True when the caller may act on task `task_id` of job `job_id`; otherwise replies (404 when the
// job is unknown or hidden, 403 when outside the task's groups).
bool MayActOn(Api::State& s, Call& c, const std::string& job_id, const std::string& task_id,
              const base::Status& missing) {
  // Admins see every job and task: a task waiting in the (in-memory) registry needs no store
  // read, which keeps finishing tasks fast; anything else is answered as for everyone.
  if (c.account->admin && s.deps.runtime->manual()->Find(job_id, task_id).ok()) return true;
  auto rec = VisibleJob(s, c, job_id);
  if (!rec.ok()) {
    ReplyError(c, rec.status().code() == base::Code::kNotFound ? missing : rec.status());
    return false;
  }
  base::Status st = CheckManualTaskGroups(s, *c.account, *rec, task_id);
  if (!st.ok()) ReplyError(c, st);
  return st.ok();
}

// The waiting manual task with iteration id `id` when the caller may act on it; otherwise
// replies and returns nothing. A hidden task answers as an unknown one (ManualTasks::Get). On a
// cluster the task may wait on another process (Runtime::WaitingManualTask reads it from the
// store; the change itself goes to that process, Runtime::ChangeManualTask).
std::optional<runtime::ManualWork> ActionableTask(Api::State& s, Call& c, const std::string& id) {
  auto w = s.deps.runtime->WaitingManualTask(id);
  if (!w.ok()) {
    ReplyError(c, w.status());
    return std::nullopt;
  }
  base::Status missing =
      base::NotFound("task " + id + " is not a manual task waiting for a person");
  if (!MayActOn(s, c, w->job_id, w->task_id, missing)) return std::nullopt;
  return std::move(w).value();
}

// Applies `r` to task `w` wherever it waits and replies with the task afterwards.
void ChangeTask(Api::State& s, Call& c, const runtime::ManualWork& w,
                runtime::ManualChangeRequest r, std::string message) {
  s.deps.runtime->ChangeManualTask(
      w.job_id, std::move(r),
      [done = std::move(c.done), message = std::move(message),
       large = s.opts.large_data_bytes](base::Result<runtime::ManualWork> after) {
        if (!after.ok()) {
          done(ErrorResponse(HttpStatus(after.status().code()), after.status().message()));
          return;
        }
        done(EnvelopeResponse(200, message, ManualDoc(*after, large)));
      });
}

void GetManualController(Api::State& s, Call& c) {
  if (!CheckJobId(c, c.params[0]) ||
      !MayActOn(s, c, c.params[0], c.params[1], JobNotFound(c.params[0]))) {
    return;
  }
  auto w = s.deps.runtime->FindManualTask(c.params[0], c.params[1]);
  if (!w.ok()) {
    ReplyError(c, w.status());
    return;
  }
  ReplyEnvelope(c, "Successfully retrieved item", ManualDoc(*w, s.opts.large_data_bytes));
}

// {taskData:{finish_state: "success"|"failure", variables:{...}}}; both keys are required.
void FinishManualTask(Api::State& s, Call& c) {
  if (!CheckJobId(c, c.params[0]) ||
      !MayActOn(s, c, c.params[0], c.params[1], JobNotFound(c.params[0]))) {
    return;
  }
  bj::object body;
  if (!ParseBodyObject(s, c, &body)) return;
  const bj::value* td = body.if_contains("taskData");
  if (!td || !td->is_object()) {
    ReplyError(c, 400, "body must be {\"taskData\":{\"finish_state\":...,\"variables\":{...}}}");
    return;
  }
  const bj::object& data = td->get_object();
  const bj::value* fs = data.if_contains("finish_state");
  const bj::value* vars = data.if_contains("variables");
  if (!fs || !fs->is_string() || (fs->get_string() != "success" && fs->get_string() != "failure")) {
    ReplyError(c, 400, "taskData.finish_state is required: \"success\" or \"failure\"");
    return;
  }
  if (!vars || !vars->is_object()) {
    ReplyError(c, 400, "taskData.variables is required and must be an object");
    return;
  }
  runtime::ManualFinish f{std::string(fs->get_string()), vars->get_object()};
  // On a cluster the task may wait on the process that drives the job: the runtime hands the
  // request there (README "Cluster").
  std::string job = c.params[0], task = c.params[1];
  s.deps.runtime->FinishManualTask(
      job, task, c.account->username, std::move(f),
      [done = std::move(c.done), job, task](base::Status st) {
        if (!st.ok()) {
          done(ErrorResponse(HttpStatus(st.code()), st.message()));
          return;
        }
        done(EnvelopeResponse(200, "Successfully finished task " + task,
                              bj::object{{"job", job}, {"task", task}}));
      });
}

void ClaimTask(Api::State& s, Call& c) {
  auto w = ActionableTask(s, c, c.params[0]);
  if (!w) return;
  ChangeTask(s, c, *w, {runtime::ManualChange::kClaim, w->id, c.account->username, "", false},
             "Task claimed");
}

void ReleaseTask(Api::State& s, Call& c) {
  auto w = ActionableTask(s, c, c.params[0]);
  if (!w) return;
  ChangeTask(s, c, *w,
             {runtime::ManualChange::kRelease, w->id, c.account->username, "", c.account->admin},
             "Task released");
}

// {userId}: a username or an account `_id`. The assignee must exist and be allowed to act on the
// task (400 otherwise); a task claimed by someone else is reassigned only by them or an admin.
void AssignTask(Api::State& s, Call& c) {
  auto w = ActionableTask(s, c, c.params[0]);
  if (!w) return;
  bj::object body;
  if (!ParseBodyObject(s, c, &body)) return;
  const bj::value* user = body.if_contains("userId");
  if (!user || !user->is_string() || user->get_string().empty()) {
    ReplyError(c, 400, "body must be {\"userId\": <the user to assign>}");
    return;
  }
  auto assignee = CheckAssignee(s, w->job_id, w->task_id, std::string(user->get_string()));
  if (!assignee.ok()) {
    ReplyError(c, assignee.status());
    return;
  }
  ChangeTask(
      s, c, *w,
      {runtime::ManualChange::kAssign, w->id, *assignee, c.account->username, c.account->admin},
      "Task assigned");
}

}  // namespace

std::span<const Route> ManualTaskRoutes() {
  static const Route kRoutes[] = {
      {"GET", "/operations-manager/jobs/:jobId/tasks/:taskId/manual-controller",
       GetManualController, true},
      {"POST", "/operations-manager/jobs/:jobId/tasks/:taskId/finish", FinishManualTask, true},
      {"POST", "/operations-manager/tasks/:id/claim", ClaimTask, true},
      {"POST", "/operations-manager/tasks/:id/release", ReleaseTask, true},
      {"POST", "/operations-manager/tasks/:id/assign", AssignTask, true},
  };
  return kRoutes;
}

}  // namespace opsflow::api
