#include "runtime/task_methods.h"

#include <boost/json.hpp>

#include "tasks/task.h"

namespace opsflow::runtime {

bool IsKnownWorkflowEngineMethod(std::string_view method) {
  return tasks::FindMethod(method) != nullptr;
}

namespace {

BuiltinRun ToBuiltinRun(tasks::TaskResult r) {
  BuiltinRun out;
  out.finish = r.finish == tasks::Finish::kSuccess   ? "success"
               : r.finish == tasks::Finish::kFailure ? "failure"
                                                     : "error";
  out.outgoing = std::move(r.outgoing);
  out.error = std::move(r.error);
  return out;
}

}  // namespace

base::Result<BuiltinRun> RunPureBuiltin(std::string_view method, const boost::json::object& incoming,
                                        int64_t now_ms) {
  const tasks::TaskDescriptor* d = tasks::FindMethod(method);
  if (!d || d->kind != tasks::TaskKind::kPure || !d->run || d->reads_job_variables ||
      d->reads_transformation) {
    return base::InvalidArgument("'" + std::string(method) +
                                 "' is not a built-in that runs outside a job");
  }
  const boost::json::object no_variables;
  return ToBuiltinRun(d->run(tasks::TaskContext{incoming, no_variables, now_ms, nullptr}));
}

BuiltinRun RunTransformation(const boost::json::object& jst, const boost::json::object& incoming,
                             const boost::json::object& options, int64_t now_ms) {
  const tasks::TaskDescriptor* d = tasks::FindMethod("transformation");
  if (!d || !d->run) return BuiltinRun{"error", {}, "transformation is not available"};
  boost::json::object task_incoming{{"tr_id", jst.contains("_id") ? jst.at("_id") : nullptr},
                                    {"variableMap", incoming},
                                    {"options", options}};
  const boost::json::object no_variables;
  return ToBuiltinRun(d->run(tasks::TaskContext{task_incoming, no_variables, now_ms, &jst}));
}

}  // namespace opsflow::runtime
