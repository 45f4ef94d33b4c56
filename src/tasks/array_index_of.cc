// arrayIndexOf (WorkFlowEngine, "indexOf (array)"): the first index of an element, or -1.
//
// IAP inputs:  arr (array), searchElement (any), fromIndex (optional number)
// IAP outputs: index
// Rules (JS Array.prototype.indexOf): the search starts at fromIndex; a negative fromIndex
// counts from the end (clamped to 0); a fromIndex at or past the end gives -1.
// Decisions: elements match by structural equality without type coercion (1 matches 1.0, not
// "1"; objects match by content, where JS would compare references); fromIndex absent, null or
// "" is 0, a fractional one is truncated, and anything else that is not a number is an error.
#include <boost/json.hpp>
#include <cmath>

#include "tasks/builtins.h"
#include "tasks/task_util.h"

namespace opsflow::tasks::internal {

namespace json = boost::json;

TaskResult RunArrayIndexOf(const TaskContext& ctx) {
  const json::value* arr = Find(ctx.incoming, "arr");
  if (!arr || !arr->is_array()) return WrongType("arrayIndexOf", "arr", "an array", arr);
  const json::array& a = arr->get_array();
  int64_t size = static_cast<int64_t>(a.size());
  int64_t start = 0;
  const json::value* from = Find(ctx.incoming, "fromIndex");
  if (from && !from->is_null() && !(from->is_string() && from->get_string().empty())) {
    auto f = AsNumber(*from);
    if (!f || std::isnan(*f)) return WrongType("arrayIndexOf", "fromIndex", "a number", from);
    double t = std::trunc(*f);
    if (t >= static_cast<double>(size)) {
      start = size;
    } else if (t < 0) {
      start = std::max<int64_t>(0, size + static_cast<int64_t>(std::max(t, -1e15)));
    } else {
      start = static_cast<int64_t>(t);
    }
  }
  const json::value* search = Find(ctx.incoming, "searchElement");
  static const json::value kNull;
  int64_t index = -1;
  for (int64_t i = start; i < size; ++i) {
    if (DeepEqual(a[static_cast<size_t>(i)], search ? *search : kNull)) {
      index = i;
      break;
    }
  }
  json::object out;
  out["index"] = index;
  return Success(std::move(out));
}

}  // namespace opsflow::tasks::internal
