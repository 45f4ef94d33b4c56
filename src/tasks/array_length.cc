// arrayLength (WorkFlowEngine, "length (array)"): the number of elements of an array.
//
// IAP inputs:  arr (array)
// IAP outputs: length
// Decision: anything but an array (null included) is an error naming the input.
#include <boost/json.hpp>

#include "tasks/builtins.h"
#include "tasks/task_util.h"

namespace opsflow::tasks::internal {

namespace json = boost::json;

TaskResult RunArrayLength(const TaskContext& ctx) {
  const json::value* arr = Find(ctx.incoming, "arr");
  if (!arr || !arr->is_array()) return WrongType("arrayLength", "arr", "an array", arr);
  json::object out;
  out["length"] = static_cast<int64_t>(arr->get_array().size());
  return Success(std::move(out));
}

}  // namespace opsflow::tasks::internal
