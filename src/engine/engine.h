// The job state machine (SPEC §5): pure decisions over a JobState. No I/O, no clock, no threads.
// The runtime calls these functions and applies the returned actions after the resulting state
// is committed.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/job_state.h"
#include "model/workflow.h"

namespace opsflow::engine {

struct EngineOptions {
  uint32_t max_task_iterations = 1000;
};

// What the runtime must do once the new state is durable.
struct Decision {
  std::vector<int> start;     // tasks that became ready (status scheduled, due_ms set)
  bool job_complete = false;  // the job reached workflow_end and nothing is active
  bool job_error = false;     // the job went to status error
  std::string error_task;     // "job" or the task id for the error[] entry
  std::string error_message;  // the message for the job's error[] entry ("" = add none)
  bool error_handler_started = false;  // an unhandled task error scheduled the errorHandler
};

// Starts a new job: workflow_start is marked ready. REQUIRES: state built for `wf`.
Decision StartJob(const model::Workflow& wf, JobState* state, int64_t now_ms);

// Task `task` was started by the runtime at `now_ms` (scheduled -> running, one more run).
void MarkRunning(JobState* state, int task, int64_t now_ms);

// Task `task` finished with `finish`. Applies retries, fires and kills edges, evaluates joins,
// dead paths and reverts, and decides completion or the IAP "no available transitions" error.
Decision TaskFinished(const model::Workflow& wf, JobState* state, int task,
                      model::FinishState finish, int64_t now_ms, const EngineOptions& opts,
                      const std::string& task_error = "");

// Operator revert (SPEC §5 job control): resets the tasks on the paths from `to` to `from` (and
// the dead tasks downstream) and schedules `to` as a new iteration. InvalidArgument-style
// refusal (false) when `to` does not lead to `from`.
bool RevertTo(const model::Workflow& wf, JobState* state, int from, int to, int64_t now_ms,
              Decision* d);

// Operator continue: `task` is scheduled to run (a new iteration) whatever its predecessors.
void ContinueFrom(JobState* state, int task, int64_t now_ms, Decision* d);

// Whether anything is running or scheduled.
bool HasActiveTasks(const JobState& state);

}  // namespace opsflow::engine
