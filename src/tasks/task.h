// The built-in task interface: a pure function from resolved incoming values to a result.
//
// The engine resolves every `$var` reference and `{task, variable}` operand before a task runs,
// so a task sees only concrete values. Tasks never touch the store, the clock of the runtime or
// other jobs; the side effects they need (setting job variables, the job description, waiting)
// are returned as data and applied by the runtime.
//
// The registry (registry.cc) describes every WorkFlowEngine method opsflow knows, with its kind;
// ClassifyTask says which kind a task of a workflow is.
// Thread-safety: Run functions are reentrant and are called on worker threads.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"
#include "model/workflow.h"

namespace opsflow::tasks {

enum class Finish { kSuccess, kFailure, kError };

struct TaskContext {
  const boost::json::object& incoming;       // resolved incoming values
  const boost::json::object& job_variables;  // a snapshot; empty unless reads_job_variables
  int64_t now_ms = 0;                        // wall time for getTime & co (from the Clock port)
  // For `transformation`: the JST document named by incoming `tr_id`, looked up by the runtime
  // (null when there is none).
  const boost::json::object* transformation = nullptr;
};

struct TaskResult {
  Finish finish = Finish::kSuccess;
  boost::json::object outgoing;  // output values by output name (e.g. "return_data")
  std::string error;             // a message a person can act on, when finish is kError
  // Job variables to set (newVariable, push, pop, shift), in order.
  std::vector<std::pair<std::string, boost::json::value>> set_job_variables;
  std::optional<std::string> job_description;  // updateJobDescription
  int64_t delay_ms = 0;  // the runtime applies the result only after this long (delay, stub)
};

using RunFn = TaskResult (*)(const TaskContext&);

// What kind of task a task is: who does its work, and when. The registry gives each
// WorkFlowEngine method one (kPure, kExternal, kForEach, kChildJob, kJobQuery, kManual,
// kNotBuiltIn); ClassifyTask gives each task of a workflow one, and the runtime dispatches on it.
enum class TaskKind {
  kUnknown,   // nothing runs it: the runtime ends it in error ("Unknown task method")
  kBoundary,  // workflow_start / workflow_end: finishes as soon as it starts
  kPure,      // a Run function without effects outside the job
  // A Run function that reaches outside the job (restCall). The runtime starts such a task only
  // once the state that scheduled it is durable. A kPure task is a function of its inputs: the
  // runtime may run it as soon as it is ready, because its result becomes visible (and durable)
  // only in the group commit that records it.
  kExternal,
  kForEach,     // runtime task: hands out the elements of incoming data_array
  kChildJob,    // runtime task: starts child jobs and waits for them
  kJobQuery,    // runtime task: getJobs / getTasks read the store
  kManual,      // waits for a person (`type: "manual"`; ViewData, ViewHTML, ErrorHandling)
  kAdapter,     // waits for an adapter worker (`location: "Adapter"`)
  kNotBuiltIn,  // a WorkFlowEngine method IAP has that this version does not run (deepmerge)
};

struct TaskDescriptor {
  std::string_view method;  // e.g. "query"
  TaskKind kind = TaskKind::kPure;
  RunFn run = nullptr;  // kPure and kExternal only: the runtime does the work of the others
  bool reads_job_variables = false;
  // The runtime looks up the JST document named by incoming `tr_id` (TaskContext::transformation).
  bool reads_transformation = false;
};

// The descriptor of built-in WorkFlowEngine method `method` (one with a Run function: kPure or
// kExternal), or nullptr if there is none.
const TaskDescriptor* FindBuiltin(std::string_view method);
// Every built-in with a Run function, for tests and the task catalogue.
const std::vector<TaskDescriptor>& AllBuiltins();
// The descriptor of any WorkFlowEngine method opsflow knows (SPEC §6), or nullptr.
const TaskDescriptor* FindMethod(std::string_view method);
// Every WorkFlowEngine method opsflow knows: the built-ins, the runtime's tasks, the manual views
// and the methods not built in this version. The workflow validator's list of known methods.
const std::vector<TaskDescriptor>& AllMethods();

// The task runs on an adapter (`location: "Adapter"`), whatever its method.
bool AtAdapter(const model::TaskDef& def);
// The kind of workflow task `def`: boundary tasks by id; a forEach not at an adapter; manual
// tasks by `type`; adapter tasks by `location`; the rest by method (the registry's kind when the
// runtime can run it there, else kUnknown).
TaskKind ClassifyTask(const model::TaskDef& def);

// Helpers for task implementations.
TaskResult Success(boost::json::object outgoing);
TaskResult Failure(boost::json::object outgoing);
TaskResult Error(std::string message);

}  // namespace opsflow::tasks
