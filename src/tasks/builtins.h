// The Run functions of the built-in WorkFlowEngine tasks, one per file; registry.cc lists them.
// Internal to the tasks module. Thread-safety: all reentrant.
#pragma once

#include "tasks/task.h"

namespace opsflow::tasks::internal {

TaskResult RunEvaluation(const TaskContext& ctx);
TaskResult RunQuery(const TaskContext& ctx);
TaskResult RunNewVariable(const TaskContext& ctx);
TaskResult RunMerge(const TaskContext& ctx);
TaskResult RunMakeData(const TaskContext& ctx);
TaskResult RunStub(const TaskContext& ctx);
TaskResult RunDelay(const TaskContext& ctx);
TaskResult RunSetObjectKey(const TaskContext& ctx);
TaskResult RunPush(const TaskContext& ctx);
TaskResult RunPop(const TaskContext& ctx);
TaskResult RunShift(const TaskContext& ctx);
TaskResult RunArrayPush(const TaskContext& ctx);
TaskResult RunArrayLength(const TaskContext& ctx);
TaskResult RunArrayIndexOf(const TaskContext& ctx);
TaskResult RunReplace(const TaskContext& ctx);
TaskResult RunParse(const TaskContext& ctx);
TaskResult RunJoin(const TaskContext& ctx);
TaskResult RunStringConcat(const TaskContext& ctx);
TaskResult RunSubstring(const TaskContext& ctx);
TaskResult RunStringLength(const TaskContext& ctx);
TaskResult RunNumberToString(const TaskContext& ctx);
TaskResult RunGetTime(const TaskContext& ctx);
TaskResult RunCalculateTimeDiff(const TaskContext& ctx);
TaskResult RunModify(const TaskContext& ctx);
TaskResult RunUpdateJobDescription(const TaskContext& ctx);
TaskResult RunRestCall(const TaskContext& ctx);  // rest_call.cc

}  // namespace opsflow::tasks::internal
