// stub (WorkFlowEngine): a placeholder that finishes as configured, after an optional wait.
//
// IAP inputs:  type ("success" | "error"; we also accept "failure"), delay (seconds; "" = none),
//              response (any)
// IAP outputs: response (the input passed through)
// Rules: finish success, failure or error per type (any case); delay_ms = delay * 1000 (the
// runtime waits; the task never sleeps).
// Decisions: a missing type is success; an unknown type, or a delay that is not a non-negative
// number (or numeric string, or ""), is an error naming it; an error finish still carries the
// response in outgoing and its message says the stub was configured to fail.
#include <boost/json.hpp>
#include <cctype>

#include "tasks/builtins.h"
#include "tasks/task_util.h"

namespace opsflow::tasks::internal {

namespace json = boost::json;

TaskResult RunStub(const TaskContext& ctx) {
  std::string type = "success";
  if (const json::value* t = Find(ctx.incoming, "type"); t && !t->is_null()) {
    if (!t->is_string()) return WrongType("stub", "type", "a string", t);
    type = std::string(t->get_string());
    for (char& c : type) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (type.empty()) type = "success";
  }
  const json::value* d = Find(ctx.incoming, "delay");
  auto delay_ms = SecondsToMs(d, /*empty_is_zero=*/true);
  if (!delay_ms) {
    return WrongType("stub", "delay", "a number of seconds (0 to 10 years) or \"\"", d);
  }
  const json::value* resp = Find(ctx.incoming, "response");
  json::object out;
  out["response"] = resp ? *resp : json::value();
  TaskResult r;
  if (type == "success") {
    r = Success(std::move(out));
  } else if (type == "failure") {
    r = Failure(std::move(out));
  } else if (type == "error") {
    r = Error("stub: finished in error as configured (type \"error\")");
    r.outgoing = std::move(out);
  } else {
    return Error("stub: type must be success, failure or error, got \"" + type + "\"");
  }
  r.delay_ms = *delay_ms;
  return r;
}

}  // namespace opsflow::tasks::internal
