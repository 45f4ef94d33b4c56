// getTime (WorkFlowEngine, "getTime (time)"): the current time, optionally offset, formatted.
//
// IAP inputs:  timezone (IAP's UI labels it "Timezone"; both keys are read), offsetDuration
//              (optional: milliseconds, or a moment.js duration object such as {"days": 7,
//              "months": 1}, or that object as JSON text), format (optional moment.js format;
//              default "YYYY-MM-DDTHH:mm:ss.SSSSSSZZ")
// IAP outputs: time = {"time": <formatted text>, "formatString": <format used>}, the object
//              shape that calculateTimeDiff (and addDuration) take as input.
// Rules: "now" is ctx.now_ms (the Clock port), never the system clock.
// Decisions: there is no time zone database: the zone must name a fixed UTC offset ("UTC",
// "UTC -04:00", "EST UTC: −05:00", "+05:30"); a named zone such as "America/New_York" is an
// error asking for an offset. Absent/empty timezone is UTC. A bad duration or format type is an
// error naming the input.
#include <boost/json.hpp>

#include "json/parse.h"
#include "tasks/builtins.h"
#include "tasks/task_util.h"
#include "tasks/time_format.h"

namespace opsflow::tasks::internal {

namespace json = boost::json;

TaskResult RunGetTime(const TaskContext& ctx) {
  const json::value* tz = Find(ctx.incoming, "timezone");
  if (!tz) tz = Find(ctx.incoming, "Timezone");
  int offset = 0;
  if (tz && !tz->is_null()) {
    if (!tz->is_string()) return WrongType("getTime", "timezone", "a string", tz);
    auto o = ParseZoneOffset(tz->get_string());
    if (!o.ok()) return Error("getTime: " + o.status().message());
    offset = *o;
  }
  int64_t t = ctx.now_ms;
  const json::value* dur = Find(ctx.incoming, "offsetDuration");
  if (dur && !dur->is_null() && !(dur->is_string() && dur->get_string().empty())) {
    json::value d = *dur;
    if (d.is_string()) {
      auto parsed = opsflow::json::Parse(d.get_string());
      if (!parsed.ok()) {
        return Error("getTime: offsetDuration text is not a number or a JSON object: " +
                     parsed.status().message());
      }
      d = std::move(parsed).value();
    }
    auto r = AddDuration(t, offset, d);
    if (!r.ok()) return Error("getTime: " + r.status().message());
    t = *r;
  }
  std::string format(kDefaultTimeFormat);
  const json::value* f = Find(ctx.incoming, "format");
  if (f && !f->is_null()) {
    if (!f->is_string()) return WrongType("getTime", "format", "a string", f);
    if (!f->get_string().empty()) format = std::string(f->get_string());
  }
  json::object time;
  time["time"] = FormatTime(t, offset, format);
  time["formatString"] = format;
  json::object out;
  out["time"] = std::move(time);
  return Success(std::move(out));
}

}  // namespace opsflow::tasks::internal
