#include "engine/job_control.h"

#include <array>

namespace opsflow::engine {
namespace {

using A = ControlAction;
using E = ControlEffect;
using S = JobStatus;

// docs/ENGINE.md "Job control" lists the same rows in the same order.
constexpr std::array<JobControlRow, 7> kTable{{
    {A::kPause, StatusSet({S::kRunning}), S::kPaused, E::kNone, true},
    {A::kResume, StatusSet({S::kPaused}), S::kRunning, E::kNone, true},
    {A::kCancel, StatusSet({S::kRunning, S::kPaused, S::kError}), S::kCanceled, E::kCancelTasks,
     true},
    {A::kRetry, StatusSet({S::kError}), S::kRunning, E::kRetryTask, false},
    {A::kContinue, StatusSet({S::kError}), S::kRunning, E::kContinueFrom, false},
    {A::kContinue, StatusSet({S::kPaused}), S::kPaused, E::kContinueFrom, false},
    {A::kRevert, StatusSet({S::kPaused}), S::kPaused, E::kRevert, false},
}};

// What follows "job <id> is <status>" when the table has no row for the pair.
const char* Refusal(ControlAction a) {
  switch (a) {
    case A::kPause:
      return "; only a running job can be paused";
    case A::kResume:
      return "; only a paused job can be resumed";
    case A::kCancel:
      return " and cannot be canceled";
    case A::kRetry:
      return "; only a job in error can be retried";
    case A::kContinue:
      return "; only a job in error or paused can be continued";
    case A::kRevert:
      return "; pause it before reverting";
  }
  return " and cannot change";
}

}  // namespace

const char* ControlActionName(ControlAction a) {
  switch (a) {
    case A::kPause:
      return "pause";
    case A::kResume:
      return "resume";
    case A::kCancel:
      return "cancel";
    case A::kRetry:
      return "retry";
    case A::kContinue:
      return "continue";
    case A::kRevert:
      return "revert";
  }
  return "pause";
}

base::Result<ControlAction> ParseControlAction(std::string_view s) {
  for (A a : {A::kPause, A::kResume, A::kCancel, A::kRetry, A::kContinue, A::kRevert}) {
    if (s == ControlActionName(a)) return a;
  }
  return base::InvalidArgument("unknown action " + std::string(s));
}

const char* ControlEffectName(ControlEffect e) {
  switch (e) {
    case E::kNone:
      return "none";
    case E::kCancelTasks:
      return "cancel tasks";
    case E::kRetryTask:
      return "retry task";
    case E::kContinueFrom:
      return "continue from";
    case E::kRevert:
      return "revert";
  }
  return "none";
}

std::span<const JobControlRow> JobControlTable() { return kTable; }

base::Result<JobControlDecision> DecideJobControl(ControlAction action, JobStatus status,
                                                  const std::string& job_id) {
  for (const JobControlRow& row : kTable) {
    if (row.action != action || !InSet(row.from, status)) continue;
    JobControlDecision d;
    d.to = row.to;
    d.effect = row.effect;
    d.reaches_children = row.reaches_children;
    return d;
  }
  return base::FailedPrecondition("job " + job_id + " is " + JobStatusName(status) +
                                  Refusal(action));
}

base::Result<JobControlDecision> DecideControl(const model::Workflow& wf, const JobState& state,
                                               const ControlRequest& req) {
  const std::string& id = req.job_id;
  int task = -1;
  if (req.action == A::kRetry || req.action == A::kContinue || req.action == A::kRevert) {
    task = wf.FindTask(req.task_id);
    if (task < 0) return base::NotFound("job " + id + " has no task " + req.task_id);
  }
  auto d = DecideJobControl(req.action, state.status, id);
  if (!d.ok()) return d;
  d->task = task;
  if (req.action == A::kRetry) {
    TaskStatus ts = state.tasks[task].status;
    if (ts != TaskStatus::kError) {
      return base::FailedPrecondition("task " + req.task_id + " of job " + id + " is " +
                                      TaskStatusName(ts) + "; only a task in error can be retried");
    }
  } else if (req.action == A::kContinue) {
    TaskStatus ts = state.tasks[task].status;
    if (ts == TaskStatus::kRunning || ts == TaskStatus::kScheduled) {
      return base::FailedPrecondition("task " + req.task_id + " of job " + id + " is already " +
                                      TaskStatusName(ts));
    }
  } else if (req.action == A::kRevert) {
    int to = wf.FindTask(req.to_task);
    if (to < 0) return base::NotFound("job " + id + " has no task " + req.to_task);
    for (const TaskState& ts : state.tasks) {
      if (ts.status == TaskStatus::kRunning) {
        return base::FailedPrecondition("job " + id +
                                        " still has a running task; revert when none runs");
      }
    }
    if (!wf.Reaches(to, task)) {
      return base::InvalidArgument("task " + req.to_task + " does not lead to task " + req.task_id +
                                   "; a revert goes back along the workflow");
    }
    d->to_task = to;
  }
  return d;
}

base::Status CheckControlAtRest(const std::string& job_id, std::string_view stored_status) {
  JobStatus s;
  if (ParseJobStatus(stored_status, &s) && s == JobStatus::kError) return base::Status::Ok();
  return base::FailedPrecondition("job " + job_id + " is " + std::string(stored_status) +
                                  " and can no longer change");
}

}  // namespace opsflow::engine
