// The compact runtime state of one job: a status per task and a decision per edge.
// It is what the engine reads and writes, and what the store keeps (encoded) per job.
// Thread-safety: a plain value.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "model/workflow.h"

namespace opsflow::engine {

enum class JobStatus : uint8_t { kRunning, kPaused, kComplete, kError, kCanceled };
enum class TaskStatus : uint8_t { kIncomplete, kScheduled, kRunning, kComplete, kError, kCanceled };
enum class EdgeState : uint8_t { kUndecided, kFired, kDead };

const char* JobStatusName(JobStatus s);
bool ParseJobStatus(std::string_view s, JobStatus* out);
const char* TaskStatusName(TaskStatus s);

struct TaskState {
  TaskStatus status = TaskStatus::kIncomplete;
  model::FinishState finish = model::FinishState::kNone;
  bool dead = false;     // every incoming edge died: it will not run in this pass
  uint32_t runs = 0;     // how many times it was started
  uint32_t retries = 0;  // automatic retries used in the current run
  int64_t start_ms = 0;
  int64_t end_ms = 0;
  int64_t due_ms = 0;       // a scheduled (retry) or running (delay) task's wake-up time; 0 = none
  uint32_t loop_index = 0;  // forEach: the element its body runs (or ran last)
};

struct JobState {
  JobStatus status = JobStatus::kRunning;
  std::vector<TaskState> tasks;
  std::vector<EdgeState> edges;
  // While paused: when and by whom (the account; "" when not known, e.g. paused with its parent
  // or by a request another process handed on). 0 / "" otherwise.
  int64_t paused_ms = 0;
  std::string paused_by;

  static JobState ForWorkflow(const model::Workflow& wf);
  // Fraction of tasks that are finished or dead, 1.0 when the job is complete.
  double Progress() const;
};

// A compact text encoding (a few bytes per task) for the store.
std::string EncodeState(const JobState& s);
base::Result<JobState> DecodeState(std::string_view text);

}  // namespace opsflow::engine
