// Job control (SPEC §5): pause, resume, cancel, retry, continue and revert as a table of rows
// {action, from statuses, to status, effect}, and pure decisions over it. No I/O, no clock, no
// threads: the runtime asks DecideControl and applies the decision (cancels the tasks, schedules
// the task, reaches the children...). docs/ENGINE.md "Job control" is the same table.
// Thread-safety: plain functions over values; the table is immutable.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>

#include "base/status.h"
#include "engine/job_state.h"
#include "model/workflow.h"

namespace opsflow::engine {

enum class ControlAction : uint8_t { kPause, kResume, kCancel, kRetry, kContinue, kRevert };

const char* ControlActionName(ControlAction a);
// InvalidArgument("unknown action <s>") for anything else.
base::Result<ControlAction> ParseControlAction(std::string_view s);

// What applying a row does besides setting the job's status.
enum class ControlEffect : uint8_t {
  kNone,          // pause / resume: running tasks finish; nothing else changes
  kCancelTasks,   // running and scheduled tasks are canceled; the job ends (end time set)
  kRetryTask,     // the task in error is scheduled again (a new iteration), retries reset
  kContinueFrom,  // fromTask is scheduled, whatever came before it (engine::ContinueFrom)
  kRevert,        // the loop from toTask to fromTask is reset, toTask scheduled (engine::RevertTo)
};

const char* ControlEffectName(ControlEffect e);

// A set of job statuses (bit 1 << status).
using JobStatusSet = uint8_t;
constexpr JobStatusSet StatusSet(std::initializer_list<JobStatus> statuses) {
  JobStatusSet set = 0;
  for (JobStatus s : statuses) set = static_cast<JobStatusSet>(set | (1u << static_cast<int>(s)));
  return set;
}
constexpr bool InSet(JobStatusSet set, JobStatus s) { return (set >> static_cast<int>(s)) & 1u; }

// One row of the job control table.
struct JobControlRow {
  ControlAction action;
  JobStatusSet from;  // the statuses the row applies to
  JobStatus to;
  ControlEffect effect;
  bool reaches_children;  // the same action is applied to the job's children not ended
};

// The rows, in the order of docs/ENGINE.md. An (action, status) pair not in the table is refused.
std::span<const JobControlRow> JobControlTable();

// The decision for one request: the job's new status and what the runtime must do.
struct JobControlDecision {
  JobStatus to = JobStatus::kRunning;
  ControlEffect effect = ControlEffect::kNone;
  bool reaches_children = false;
  int task = -1;     // retry: the task; continue and revert: fromTask (an index in the workflow)
  int to_task = -1;  // revert: toTask
};

// The table alone: the row for (action, status), or FailedPrecondition
// "job <id> is <status>; only a running job can be paused" (one message per action).
base::Result<JobControlDecision> DecideJobControl(ControlAction action, JobStatus status,
                                                  const std::string& job_id);

struct ControlRequest {
  ControlAction action = ControlAction::kPause;
  std::string job_id;
  std::string task_id;  // retry: the task; continue and revert: fromTask
  std::string to_task;  // revert: toTask
};

// The table plus the task-level checks, in the order the API has always answered them:
// NotFound for a task the workflow lacks (retry, continue, revert: fromTask first), then the
// table, then retry: the task must be in error; continue: fromTask not running or scheduled;
// revert: toTask exists, nothing runs, and toTask leads to fromTask (InvalidArgument).
// The job's status is state.status.
base::Result<JobControlDecision> DecideControl(const model::Workflow& wf, const JobState& state,
                                               const ControlRequest& req);

// A job that is not in memory (finished, or in error) can be controlled only in error:
// FailedPrecondition "job <id> is <status> and can no longer change" otherwise. `stored_status`
// is the store's column (JobRecord::status).
base::Status CheckControlAtRest(const std::string& job_id, std::string_view stored_status);

}  // namespace opsflow::engine
