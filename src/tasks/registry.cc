// The table of WorkFlowEngine methods (built-in tasks, runtime tasks, manual views), task
// classification, and the TaskResult helpers.
//
// Every Run function is wrapped so that no exception escapes it: a task that throws (a bug, or
// an allocation failure) finishes in error with the exception's message instead.
#include <boost/json.hpp>
#include <exception>
#include <string>
#include <unordered_map>

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

const std::vector<TaskDescriptor>& AllMethods() {
  using namespace internal;  // NOLINT: the Run functions
  constexpr TaskKind kPure = TaskKind::kPure;
  constexpr bool kReadsVars = true;
  static const std::vector<TaskDescriptor> kMethods = {
      {"evaluation", kPure, &Guarded<RunEvaluation>},
      {"query", kPure, &Guarded<RunQuery>},
      {"newVariable", kPure, &Guarded<RunNewVariable>},
      {"merge", kPure, &Guarded<RunMerge>},
      {"makeData", kPure, &Guarded<RunMakeData>},
      {"stub", kPure, &Guarded<RunStub>},
      {"delay", kPure, &Guarded<RunDelay>},
      {"setObjectKey", kPure, &Guarded<RunSetObjectKey>},
      {"push", kPure, &Guarded<RunPush>, kReadsVars},
      {"pop", kPure, &Guarded<RunPop>, kReadsVars},
      {"shift", kPure, &Guarded<RunShift>, kReadsVars},
      {"arrayPush", kPure, &Guarded<RunArrayPush>},
      {"arrayLength", kPure, &Guarded<RunArrayLength>},
      {"arrayIndexOf", kPure, &Guarded<RunArrayIndexOf>},
      {"replace", kPure, &Guarded<RunReplace>},
      {"parse", kPure, &Guarded<RunParse>},
      {"join", kPure, &Guarded<RunJoin>},
      {"stringConcat", kPure, &Guarded<RunStringConcat>},
      {"substring", kPure, &Guarded<RunSubstring>},
      {"stringLength", kPure, &Guarded<RunStringLength>},
      {"numberToString", kPure, &Guarded<RunNumberToString>},
      {"getTime", kPure, &Guarded<RunGetTime>},
      {"calculateTimeDiff", kPure, &Guarded<RunCalculateTimeDiff>},
      {"modify", kPure, &Guarded<RunModify>},
      {"updateJobDescription", kPure, &Guarded<RunUpdateJobDescription>},
      {"transformation", kPure, &Guarded<RunTransformation>, false, /*reads_transformation=*/true},
      {"restCall", TaskKind::kExternal, &Guarded<RunRestCall>},
      // The runtime does the work of these.
      {"forEach", TaskKind::kForEach},
      {"childJob", TaskKind::kChildJob},
      {"getJobs", TaskKind::kJobQuery},
      {"getTasks", TaskKind::kJobQuery},
      // Views a person works in (as `type: "manual"` tasks).
      {"ViewData", TaskKind::kManual},
      {"ViewHTML", TaskKind::kManual},
      {"ErrorHandling", TaskKind::kManual},
      {"deepmerge", TaskKind::kNotBuiltIn},
  };
  return kMethods;
}

const TaskDescriptor* FindMethod(std::string_view method) {
  static const std::unordered_map<std::string_view, const TaskDescriptor*> kByMethod = [] {
    std::unordered_map<std::string_view, const TaskDescriptor*> m;
    for (const TaskDescriptor& d : AllMethods()) m.emplace(d.method, &d);
    return m;
  }();
  auto it = kByMethod.find(method);
  return it == kByMethod.end() ? nullptr : it->second;
}

const std::vector<TaskDescriptor>& AllBuiltins() {
  static const std::vector<TaskDescriptor> kBuiltins = [] {
    std::vector<TaskDescriptor> v;
    for (const TaskDescriptor& d : AllMethods()) {
      if (d.run) v.push_back(d);
    }
    return v;
  }();
  return kBuiltins;
}

const TaskDescriptor* FindBuiltin(std::string_view method) {
  const TaskDescriptor* d = FindMethod(method);
  return d && d->run ? d : nullptr;
}

bool AtAdapter(const model::TaskDef& def) { return def.location == "Adapter"; }

TaskKind ClassifyTask(const model::TaskDef& def) {
  if (def.is_start || def.is_end) return TaskKind::kBoundary;
  if (def.is_for_each && !AtAdapter(def)) return TaskKind::kForEach;
  if (def.is_manual) return TaskKind::kManual;
  if (AtAdapter(def)) return TaskKind::kAdapter;
  const TaskDescriptor* d = FindMethod(def.method);
  if (!d) return TaskKind::kUnknown;
  switch (d->kind) {
    case TaskKind::kPure:
    case TaskKind::kExternal:
    case TaskKind::kChildJob:
    case TaskKind::kJobQuery:
      return d->kind;
    case TaskKind::kForEach:  // is_for_each, above
    case TaskKind::kManual:   // a view runs only as a manual task
    case TaskKind::kNotBuiltIn:
    case TaskKind::kUnknown:
    case TaskKind::kBoundary:
    case TaskKind::kAdapter:
      break;
  }
  return TaskKind::kUnknown;
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
