// delay (WorkFlowEngine): waits a number of seconds, then succeeds.
//
// IAP inputs:  time (seconds)
// IAP outputs: time_in_milliseconds
// Rules: time_in_milliseconds = round(time * 1000); result.delay_ms is the same, and the runtime
// applies the result only after that long (the task itself never sleeps).
// Decisions: time may be a number or a numeric string; it must be present, not negative and at
// most 10 years, or the task errors naming the input.
#include <boost/json.hpp>

#include "tasks/builtins.h"
#include "tasks/task_util.h"

namespace opsflow::tasks::internal {

namespace json = boost::json;

TaskResult RunDelay(const TaskContext& ctx) {
  const json::value* t = Find(ctx.incoming, "time");
  auto ms = SecondsToMs(t, /*empty_is_zero=*/false);
  if (!ms) return WrongType("delay", "time", "a number of seconds (0 to 10 years)", t);
  json::object out;
  out["time_in_milliseconds"] = *ms;
  TaskResult r = Success(std::move(out));
  r.delay_ms = *ms;
  return r;
}

}  // namespace opsflow::tasks::internal
