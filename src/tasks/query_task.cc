// query (WorkFlowEngine): extracts a value from an object with a json-query.
//
// IAP inputs:  pass_on_null (bool), query (json-query string), obj (any)
// IAP outputs: return_data
// Rules (issue 10; docs/DECISIONS.md "json-query, null and undefined"): the task fails only
// when json-query's result is `undefined` (a missing last key, a missing helper result) and
// pass_on_null is false; return_data is then null. Any other result succeeds, null included:
// a path that exists and holds null, a missing parent (`a.b` when `a` is absent: json-query
// gives null), a filter without a match. A recorded IAP job took the success edge for a path
// holding null with pass_on_null false. An empty array is a result (success).
// Decisions: an empty query returns obj itself; a missing pass_on_null is false (the strings
// "true"/"false" are accepted); a malformed query or a query that is not a string is an error.
#include <boost/json.hpp>

#include "tasks/builtins.h"
#include "tasks/query/json_query.h"
#include "tasks/task_util.h"

namespace opsflow::tasks::internal {

namespace json = boost::json;

TaskResult RunQuery(const TaskContext& ctx) {
  bool pass_on_null = false;
  if (const json::value* p = Find(ctx.incoming, "pass_on_null"); p && !p->is_null()) {
    auto b = AsBool(*p);
    if (!b) return WrongType("query", "pass_on_null", "a boolean", p);
    pass_on_null = *b;
  }
  const json::value* q = Find(ctx.incoming, "query");
  if (q && !q->is_string() && !q->is_null()) return WrongType("query", "query", "a string", q);
  static const json::value kNull;
  const json::value* obj = Find(ctx.incoming, "obj");
  std::string_view text = (q && q->is_string()) ? std::string_view(q->get_string()) : "";
  auto r = EvaluateJsonQuery(obj ? *obj : kNull, text);
  if (!r.ok()) return Error("query: " + r.status().message());
  json::object out;
  bool found = !r->undefined;
  out["return_data"] = std::move(r->value);
  return (found || pass_on_null) ? Success(std::move(out)) : Failure(std::move(out));
}

}  // namespace opsflow::tasks::internal
