// arrayPush (WorkFlowEngine, "push (array)"): returns a copy of an array with one element added.
//
// IAP inputs:  arr (array), elementN (any)
// IAP outputs: pushedArray
// Decisions: elementN is appended as one element even when it is an array (the real exports
// push a merged object); arr null or "" counts as []; any other non-array arr is an error; a
// missing elementN appends null.
#include <boost/json.hpp>

#include "tasks/builtins.h"
#include "tasks/task_util.h"

namespace opsflow::tasks::internal {

namespace json = boost::json;

TaskResult RunArrayPush(const TaskContext& ctx) {
  const json::value* arr = Find(ctx.incoming, "arr");
  json::array result;
  if (arr && arr->is_array()) {
    result = arr->get_array();
  } else if (!arr || !(arr->is_null() || (arr->is_string() && arr->get_string().empty()))) {
    return WrongType("arrayPush", "arr", "an array", arr);
  }
  const json::value* el = Find(ctx.incoming, "elementN");
  result.push_back(el ? *el : json::value());
  json::object out;
  out["pushedArray"] = std::move(result);
  return Success(std::move(out));
}

}  // namespace opsflow::tasks::internal
