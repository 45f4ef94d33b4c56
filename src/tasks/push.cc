// push (WorkFlowEngine): appends an item to a job variable that holds an array.
//
// IAP inputs:  job_variable (the job variable's plain name), item_to_push (any)
// IAP outputs: job_variable_value (the new array)
// Effect: set_job_variables {job_variable: new array}. Reads job variables.
// Decisions: a job variable that does not exist or is not an array is an error naming it; a
// missing item_to_push pushes null.
#include <boost/json.hpp>

#include "tasks/builtins.h"
#include "tasks/task_util.h"

namespace opsflow::tasks::internal {

namespace json = boost::json;

TaskResult RunPush(const TaskContext& ctx) {
  auto var = JobArrayVariable(ctx, "push");
  if (!var.ok()) return Error(var.status().message());
  auto& [name, arr] = *var;
  const json::value* item = Find(ctx.incoming, "item_to_push");
  arr.push_back(item ? *item : json::value());
  json::object out;
  out["job_variable_value"] = arr;
  TaskResult r = Success(std::move(out));
  r.set_job_variables.emplace_back(name, json::value(std::move(arr)));
  return r;
}

}  // namespace opsflow::tasks::internal
