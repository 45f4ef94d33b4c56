// substring (WorkFlowEngine): the part of a string between two indexes.
//
// IAP inputs:  str (string), indexStart (number), indexEnd (number, optional)
// IAP outputs: substring
// Rules (JS String.prototype.substring): indexes are clamped to 0..length, NaN counts as 0, a
// missing indexEnd means the end, and indexEnd < indexStart swaps them.
// Decisions: indexes count Unicode code points (JS counts UTF-16 units; they differ only for
// characters outside the BMP, such as emoji); numeric strings are accepted as indexes, absent,
// null or "" indexStart is 0; str must be a string and an index of another type (object,
// array, boolean) is an error naming it.
#include <boost/json.hpp>
#include <cmath>

#include "tasks/builtins.h"
#include "tasks/task_util.h"

namespace opsflow::tasks::internal {

namespace json = boost::json;

namespace {

// nullopt: absent; -1 (as double NaN -> 0) handled by caller. Returns false on a bad type.
bool ReadIndex(const json::value* v, size_t length, size_t fallback, size_t& out) {
  if (!v || v->is_null() || (v->is_string() && v->get_string().empty())) {
    out = fallback;
    return true;
  }
  if (!v->is_number() && !v->is_string()) return false;
  auto d = AsNumber(*v);
  double x = (!d || std::isnan(*d)) ? 0 : std::trunc(*d);
  if (x < 0) x = 0;
  if (x > static_cast<double>(length)) x = static_cast<double>(length);
  out = static_cast<size_t>(x);
  return true;
}

}  // namespace

TaskResult RunSubstring(const TaskContext& ctx) {
  const json::value* str = Find(ctx.incoming, "str");
  if (!str || !str->is_string()) return WrongType("substring", "str", "a string", str);
  std::string_view s = str->get_string();
  size_t length = CodePointCount(s);
  size_t start = 0, end = length;
  const json::value* vs = Find(ctx.incoming, "indexStart");
  const json::value* ve = Find(ctx.incoming, "indexEnd");
  if (!ReadIndex(vs, length, 0, start)) return WrongType("substring", "indexStart", "a number", vs);
  if (!ReadIndex(ve, length, length, end))
    return WrongType("substring", "indexEnd", "a number", ve);
  if (end < start) std::swap(start, end);
  size_t b = CodePointOffset(s, start);
  size_t e = CodePointOffset(s, end);
  json::object out;
  out["substring"] = std::string(s.substr(b, e - b));
  return Success(std::move(out));
}

}  // namespace opsflow::tasks::internal
