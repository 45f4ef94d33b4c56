// updateJobDescription (WorkFlowEngine): overwrites the job's description.
//
// IAP inputs:  description (string)
// IAP outputs: description
// Effect: result.job_description = description (the runtime writes job.description).
// Decision: a description that is not a string (null included) is an error naming the input.
#include <boost/json.hpp>

#include "tasks/builtins.h"
#include "tasks/task_util.h"

namespace opsflow::tasks::internal {

namespace json = boost::json;

TaskResult RunUpdateJobDescription(const TaskContext& ctx) {
  const json::value* d = Find(ctx.incoming, "description");
  if (!d || !d->is_string()) {
    return WrongType("updateJobDescription", "description", "a string", d);
  }
  json::object out;
  out["description"] = *d;
  TaskResult r = Success(std::move(out));
  r.job_description = std::string(d->get_string());
  return r;
}

}  // namespace opsflow::tasks::internal
