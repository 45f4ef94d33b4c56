// The built-in task interface: a pure function from resolved incoming values to a result.
//
// The engine resolves every `$var` reference and `{task, variable}` operand before a task runs,
// so a task sees only concrete values. Tasks never touch the store, the clock of the runtime or
// other jobs; the side effects they need (setting job variables, the job description, waiting)
// are returned as data and applied by the runtime.
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

struct TaskDescriptor {
  std::string_view method;  // e.g. "query"
  RunFn run;
  bool reads_job_variables = false;
  // The task reaches outside the job (network, other jobs, people). The runtime starts such a
  // task only once the state that scheduled it is durable. A task without external effects is
  // a pure function of its inputs: the runtime may run it as soon as it is ready, because its
  // result becomes visible (and durable) only in the group commit that records it.
  bool external = false;
};

// The descriptor of built-in WorkFlowEngine method `method`, or nullptr if there is none.
const TaskDescriptor* FindBuiltin(std::string_view method);
// Every built-in, for validation and the task catalogue.
const std::vector<TaskDescriptor>& AllBuiltins();

// Helpers for task implementations.
TaskResult Success(boost::json::object outgoing);
TaskResult Failure(boost::json::object outgoing);
TaskResult Error(std::string message);

}  // namespace opsflow::tasks
