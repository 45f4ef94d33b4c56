// stringLength (WorkFlowEngine, "length (string)"): the number of characters in a string.
//
// IAP inputs:  str (string)
// IAP outputs: length
// Decision: characters are Unicode code points (JS counts UTF-16 units: an emoji is 2 there,
// 1 here); a str that is not a string is an error naming the input.
#include <boost/json.hpp>

#include "tasks/builtins.h"
#include "tasks/task_util.h"

namespace opsflow::tasks::internal {

namespace json = boost::json;

TaskResult RunStringLength(const TaskContext& ctx) {
  const json::value* str = Find(ctx.incoming, "str");
  if (!str || !str->is_string()) return WrongType("stringLength", "str", "a string", str);
  json::object out;
  out["length"] = static_cast<int64_t>(CodePointCount(str->get_string()));
  return Success(std::move(out));
}

}  // namespace opsflow::tasks::internal
