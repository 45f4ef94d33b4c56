// pop (WorkFlowEngine): removes the last item of a job variable that holds an array.
//
// IAP inputs:  job_variable (the job variable's plain name)
// IAP outputs: popped_item
// Rules (IAP task reference): success with the removed item; failure when the array is empty
// (popped_item null, the variable unchanged).
// Effect: set_job_variables {job_variable: shorter array}. Reads job variables.
// Decision: a job variable that does not exist or is not an array is an error naming it.
#include <boost/json.hpp>

#include "tasks/builtins.h"
#include "tasks/task_util.h"

namespace opsflow::tasks::internal {

namespace json = boost::json;

TaskResult RunPop(const TaskContext& ctx) {
  auto var = JobArrayVariable(ctx, "pop");
  if (!var.ok()) return Error(var.status().message());
  auto& [name, arr] = *var;
  json::object out;
  if (arr.empty()) {
    out["popped_item"] = nullptr;
    return Failure(std::move(out));
  }
  out["popped_item"] = arr.back();
  arr.pop_back();
  TaskResult r = Success(std::move(out));
  r.set_job_variables.emplace_back(name, json::value(std::move(arr)));
  return r;
}

}  // namespace opsflow::tasks::internal
