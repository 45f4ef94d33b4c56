// stringConcat (WorkFlowEngine, "concat (string)"): appends strings to a string.
//
// IAP inputs:  str (string), stringN (string, or array of strings)
// IAP outputs: combinedStrings
// Rules (JS String.prototype.concat): str followed by each element of stringN in order (or by
// stringN itself when it is not an array); nothing is inserted between them.
// Decisions: non-string elements are added as their text (numbers as JS prints them, null as
// "null", objects as JSON); str must be a string and stringN must be present, or the task
// errors naming the input.
#include <boost/json.hpp>

#include "tasks/builtins.h"
#include "tasks/task_util.h"

namespace opsflow::tasks::internal {

namespace json = boost::json;

TaskResult RunStringConcat(const TaskContext& ctx) {
  const json::value* str = Find(ctx.incoming, "str");
  if (!str || !str->is_string()) return WrongType("stringConcat", "str", "a string", str);
  const json::value* more = Find(ctx.incoming, "stringN");
  if (!more) return WrongType("stringConcat", "stringN", "a string or an array of strings", more);
  std::string result(str->get_string());
  if (more->is_array()) {
    for (const json::value& el : more->get_array()) result += ToText(el);
  } else {
    result += ToText(*more);
  }
  json::object out;
  out["combinedStrings"] = std::move(result);
  return Success(std::move(out));
}

}  // namespace opsflow::tasks::internal
