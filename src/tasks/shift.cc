// shift (WorkFlowEngine): removes the first item of a job variable that holds an array.
//
// IAP inputs:  job_variable (the job variable's plain name)
// IAP outputs: shifted_item
// Rules (IAP task reference): success with the removed item; failure when the array is empty
// (shifted_item null, the variable unchanged).
// Effect: set_job_variables {job_variable: shorter array}. Reads job variables.
// Decision: a job variable that does not exist or is not an array is an error naming it.
#include <boost/json.hpp>

#include "tasks/builtins.h"
#include "tasks/task_util.h"

namespace opsflow::tasks::internal {

namespace json = boost::json;

TaskResult RunShift(const TaskContext& ctx) {
  auto var = JobArrayVariable(ctx, "shift");
  if (!var.ok()) return Error(var.status().message());
  auto& [name, arr] = *var;
  json::object out;
  if (arr.empty()) {
    out["shifted_item"] = nullptr;
    return Failure(std::move(out));
  }
  out["shifted_item"] = arr.front();
  arr.erase(arr.begin());
  TaskResult r = Success(std::move(out));
  r.set_job_variables.emplace_back(name, json::value(std::move(arr)));
  return r;
}

}  // namespace opsflow::tasks::internal
