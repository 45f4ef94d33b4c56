// modify (WorkFlowEngine): a copy of a value with one field replaced.
//
// IAP inputs:  object_to_update (any), query (optional path), new_value (any)
// IAP outputs: updated_object
// Rules (IAP task reference): when object_to_update is not an object, or query is empty, the
// result is new_value itself; otherwise new_value replaces only the field the query names, in a
// copy of the object.
// Decisions: the query must be a plain path in json-query notation: keys separated by ".",
// with [n] indexes and ["quoted key"] / [key] brackets allowed (a leading "." is ignored);
// filters, wildcards and helpers are errors because they do not name one field. Missing
// intermediate keys are created as {}; an index into an existing array must be 0..size (IAP
// says modify does not reach into arrays; we allow it when the index exists or appends).
#include <boost/json.hpp>

#include "tasks/builtins.h"
#include "tasks/task_util.h"

namespace opsflow::tasks::internal {

namespace json = boost::json;

namespace {

base::Result<json::array> PlainPath(std::string_view q) {
  json::array segs;
  size_t pos = (!q.empty() && q[0] == '.') ? 1 : 0;
  auto bad = [&](const std::string& why) {
    return base::InvalidArgument("query \"" + std::string(q) + "\" " + why +
                                 " (modify takes a plain path such as a.b[0].c)");
  };
  bool need_dot = false;
  while (pos < q.size()) {
    if (q[pos] == '[') {
      size_t close = q.find(']', pos);
      if (close == std::string_view::npos) return bad("has an unclosed '['");
      std::string_view in = q.substr(pos + 1, close - pos - 1);
      if (in.size() >= 2 && (in.front() == '"' || in.front() == '\'') && in.back() == in.front()) {
        segs.emplace_back(in.substr(1, in.size() - 2));
      } else if (!in.empty() && in.find_first_not_of("0123456789") == std::string_view::npos &&
                 in.size() < 18) {
        segs.emplace_back(static_cast<int64_t>(std::stoll(std::string(in))));
      } else if (!in.empty() && in.find_first_of("*=<>!~:{}&|\"'") == std::string_view::npos) {
        segs.emplace_back(in);
      } else {
        return bad("uses [" + std::string(in) + "], which is not a key or an index");
      }
      pos = close + 1;
      need_dot = true;
      continue;
    }
    if (q[pos] == '.') {
      ++pos;
    } else if (need_dot) {
      return bad("is not a plain path");
    }
    size_t start = pos;
    while (pos < q.size() && q[pos] != '.' && q[pos] != '[') ++pos;
    std::string_view key = q.substr(start, pos - start);
    if (key.empty()) return bad("has an empty key");
    if (key.find_first_of(":|{}]") != std::string_view::npos) return bad("is not a plain path");
    segs.emplace_back(key);
    need_dot = true;
  }
  if (segs.empty()) return bad("names no field");
  return segs;
}

}  // namespace

TaskResult RunModify(const TaskContext& ctx) {
  const json::value* obj = Find(ctx.incoming, "object_to_update");
  const json::value* q = Find(ctx.incoming, "query");
  const json::value* nv = Find(ctx.incoming, "new_value");
  json::value new_value = nv ? *nv : json::value();
  if (q && !q->is_null() && !q->is_string()) return WrongType("modify", "query", "a string", q);
  bool has_query = q && q->is_string() && !q->get_string().empty();
  json::object out;
  if (!obj || !obj->is_object() || !has_query) {
    out["updated_object"] = std::move(new_value);
    return Success(std::move(out));
  }
  auto segs = PlainPath(q->get_string());
  if (!segs.ok()) return Error("modify: " + segs.status().message());
  json::value copy = *obj;
  base::Status st = SetAtPath(copy, *segs, std::move(new_value));
  if (!st.ok()) return Error("modify: " + st.message());
  out["updated_object"] = std::move(copy);
  return Success(std::move(out));
}

}  // namespace opsflow::tasks::internal
