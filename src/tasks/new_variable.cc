// newVariable (WorkFlowEngine): sets a job variable.
//
// IAP inputs:  name (string), value (any; a "$var..." text nested inside it stays literal)
// IAP outputs: value
// Effect: set_job_variables {name: value}.
// Decision: name must be a non-empty string (error otherwise); value may be anything, null
// included (a missing value is null).
#include <boost/json.hpp>

#include "tasks/builtins.h"
#include "tasks/task_util.h"

namespace opsflow::tasks::internal {

namespace json = boost::json;

TaskResult RunNewVariable(const TaskContext& ctx) {
  const json::value* name = Find(ctx.incoming, "name");
  if (!name || !name->is_string() || name->get_string().empty()) {
    return WrongType("newVariable", "name", "a non-empty string", name);
  }
  const json::value* v = Find(ctx.incoming, "value");
  json::value value = v ? *v : json::value();
  json::object out;
  out["value"] = value;
  TaskResult r = Success(std::move(out));
  r.set_job_variables.emplace_back(std::string(name->get_string()), std::move(value));
  return r;
}

}  // namespace opsflow::tasks::internal
