#include "runtime/task_methods.h"

#include <boost/json.hpp>

#include "tasks/task.h"

namespace opsflow::runtime {

bool IsKnownWorkflowEngineMethod(std::string_view method) {
  return tasks::FindMethod(method) != nullptr;
}

base::Result<BuiltinRun> RunPureBuiltin(std::string_view method, const boost::json::object& incoming,
                                        int64_t now_ms) {
  const tasks::TaskDescriptor* d = tasks::FindMethod(method);
  if (!d || d->kind != tasks::TaskKind::kPure || !d->run || d->reads_job_variables ||
      d->reads_transformation) {
    return base::InvalidArgument("'" + std::string(method) +
                                 "' is not a built-in that runs outside a job");
  }
  const boost::json::object no_variables;
  tasks::TaskResult r = d->run(tasks::TaskContext{incoming, no_variables, now_ms, nullptr});
  BuiltinRun out;
  out.finish = r.finish == tasks::Finish::kSuccess   ? "success"
               : r.finish == tasks::Finish::kFailure ? "failure"
                                                     : "error";
  out.outgoing = std::move(r.outgoing);
  out.error = std::move(r.error);
  return out;
}

}  // namespace opsflow::runtime
