// The table of built-in WorkFlowEngine tasks and the TaskResult helpers.
//
// Every Run function is wrapped so that no exception escapes it: a task that throws (a bug, or
// an allocation failure) finishes in error with the exception's message instead.
#include <boost/json.hpp>
#include <exception>
#include <string>

#include "tasks/builtins.h"
#include "tasks/task.h"
#include "tasks/transformation.h"

namespace opsflow::tasks {

namespace {

template <RunFn kFn>
TaskResult Guarded(const TaskContext& ctx) {
  try {
    return kFn(ctx);
  } catch (const std::exception& e) {
    return Error(std::string("internal error in task: ") + e.what());
  } catch (...) {
    return Error("internal error in task");
  }
}

}  // namespace

const std::vector<TaskDescriptor>& AllBuiltins() {
  using namespace internal;  // NOLINT: the Run functions
  static const std::vector<TaskDescriptor> kBuiltins = {
      {"evaluation", &Guarded<RunEvaluation>, false},
      {"query", &Guarded<RunQuery>, false},
      {"newVariable", &Guarded<RunNewVariable>, false},
      {"merge", &Guarded<RunMerge>, false},
      {"makeData", &Guarded<RunMakeData>, false},
      {"stub", &Guarded<RunStub>, false},
      {"delay", &Guarded<RunDelay>, false},
      {"setObjectKey", &Guarded<RunSetObjectKey>, false},
      {"push", &Guarded<RunPush>, true},
      {"pop", &Guarded<RunPop>, true},
      {"shift", &Guarded<RunShift>, true},
      {"arrayPush", &Guarded<RunArrayPush>, false},
      {"arrayLength", &Guarded<RunArrayLength>, false},
      {"arrayIndexOf", &Guarded<RunArrayIndexOf>, false},
      {"replace", &Guarded<RunReplace>, false},
      {"parse", &Guarded<RunParse>, false},
      {"join", &Guarded<RunJoin>, false},
      {"stringConcat", &Guarded<RunStringConcat>, false},
      {"substring", &Guarded<RunSubstring>, false},
      {"stringLength", &Guarded<RunStringLength>, false},
      {"numberToString", &Guarded<RunNumberToString>, false},
      {"getTime", &Guarded<RunGetTime>, false},
      {"calculateTimeDiff", &Guarded<RunCalculateTimeDiff>, false},
      {"modify", &Guarded<RunModify>, false},
      {"updateJobDescription", &Guarded<RunUpdateJobDescription>, false},
      {"transformation", &Guarded<RunTransformation>, false},
      {"restCall", &Guarded<RunRestCall>, false, /*external=*/true},
  };
  return kBuiltins;
}

const TaskDescriptor* FindBuiltin(std::string_view method) {
  for (const TaskDescriptor& d : AllBuiltins()) {
    if (d.method == method) return &d;
  }
  return nullptr;
}

TaskResult Success(boost::json::object outgoing) {
  TaskResult r;
  r.finish = Finish::kSuccess;
  r.outgoing = std::move(outgoing);
  return r;
}

TaskResult Failure(boost::json::object outgoing) {
  TaskResult r;
  r.finish = Finish::kFailure;
  r.outgoing = std::move(outgoing);
  return r;
}

TaskResult Error(std::string message) {
  TaskResult r;
  r.finish = Finish::kError;
  r.error = std::move(message);
  return r;
}

}  // namespace opsflow::tasks
