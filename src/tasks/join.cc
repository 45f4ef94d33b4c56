// join (WorkFlowEngine, "join (array)"): joins the elements of an array into a string.
//
// IAP inputs:  arr (array), separator (string, optional)
// IAP outputs: combinedString
// NOTE: the outgoing name is not confirmed by any source available here (no real export or
// reference page for join was found); combinedString follows the sibling tasks
// (stringConcat -> combinedStrings). Revisit when an export shows it.
// Rules (JS Array.prototype.join): separator defaults to ","; null elements become "";
// strings as is; numbers as JS prints them; booleans true/false; nested arrays are joined with
// ",". Decision: object elements become their JSON text (JS gives "[object Object]"); a
// separator that is not a string is used as its text; arr that is not an array is an error.
#include <boost/json.hpp>

#include "tasks/builtins.h"
#include "tasks/task_util.h"

namespace opsflow::tasks::internal {

namespace json = boost::json;

namespace {

void JoinInto(const json::array& arr, std::string_view sep, std::string& out, int depth) {
  for (size_t i = 0; i < arr.size(); ++i) {
    if (i > 0) out.append(sep);
    const json::value& el = arr[i];
    if (el.is_null()) continue;
    if (el.is_array()) {
      if (depth < 64) JoinInto(el.get_array(), ",", out, depth + 1);
      continue;
    }
    out += ToText(el);
  }
}

}  // namespace

TaskResult RunJoin(const TaskContext& ctx) {
  const json::value* arr = Find(ctx.incoming, "arr");
  if (!arr || !arr->is_array()) return WrongType("join", "arr", "an array", arr);
  std::string sep = ",";
  if (const json::value* s = Find(ctx.incoming, "separator"); s && !s->is_null()) {
    sep = ToText(*s);
  }
  std::string joined;
  JoinInto(arr->get_array(), sep, joined, 0);
  json::object out;
  out["combinedString"] = std::move(joined);
  return Success(std::move(out));
}

}  // namespace opsflow::tasks::internal
