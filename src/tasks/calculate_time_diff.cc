// calculateTimeDiff (WorkFlowEngine, "calculateTimeDiff (time)"): firstTime - secondTime.
//
// IAP inputs:  firstTime, secondTime: each {"time": <text>, "formatString": <moment.js
//              format>} (getTime's output); we also accept a bare ISO 8601 string or a number
//              of epoch milliseconds
// IAP outputs: timeDiff = {milliseconds, seconds, minutes, hours, days, months, years}: the
//              difference firstTime - secondTime in each unit, fractional like moment's
//              duration.as*() (months = days * 4800 / 146097, years = months / 12), so -30 days
//              gives months -0.9856465225158627 as in the IAP reference page.
// Decisions: a time without an offset is read as UTC; a time that matches neither its
// formatString nor ISO 8601, or an input of another shape, is an error naming the input;
// "time" may also be epoch milliseconds. Whole values are written as integers.
#include <boost/json.hpp>
#include <cmath>

#include "tasks/builtins.h"
#include "tasks/task_util.h"
#include "tasks/time_format.h"

namespace opsflow::tasks::internal {

namespace json = boost::json;

namespace {

base::Result<int64_t> ReadTime(const json::value* v, std::string_view name) {
  std::string who = "input \"" + std::string(name) + "\"";
  if (!v) return base::InvalidArgument(who + " is missing");
  const json::value* t = v;
  std::string format;
  if (v->is_object()) {
    t = Find(v->get_object(), "time");
    if (!t) return base::InvalidArgument(who + " has no \"time\"");
    if (const json::value* f = Find(v->get_object(), "formatString"); f && f->is_string()) {
      format = std::string(f->get_string());
    }
  }
  if (t->is_number()) {
    auto n = AsInteger(*t);
    if (!n) return base::InvalidArgument(who + " is not a whole number of milliseconds");
    return *n;
  }
  if (!t->is_string()) {
    return base::InvalidArgument(
        who + " must be {time, formatString}, a time string or epoch ms, got " + TypeName(*t));
  }
  auto r = ParseTime(t->get_string(), format);
  if (!r.ok()) return base::InvalidArgument(who + ": " + r.status().message());
  return r;
}

json::value Num(double d) {
  if (std::trunc(d) == d && std::fabs(d) < 9e15) return json::value(static_cast<int64_t>(d));
  return json::value(d);
}

}  // namespace

TaskResult RunCalculateTimeDiff(const TaskContext& ctx) {
  auto first = ReadTime(Find(ctx.incoming, "firstTime"), "firstTime");
  if (!first.ok()) return Error("calculateTimeDiff: " + first.status().message());
  auto second = ReadTime(Find(ctx.incoming, "secondTime"), "secondTime");
  if (!second.ok()) return Error("calculateTimeDiff: " + second.status().message());
  double ms = static_cast<double>(*first - *second);
  double days = ms / 864e5;
  double months = days * 4800 / 146097;
  json::object diff;
  diff["milliseconds"] = Num(ms);
  diff["seconds"] = Num(ms / 1e3);
  diff["minutes"] = Num(ms / 6e4);
  diff["hours"] = Num(ms / 36e5);
  diff["days"] = Num(days);
  diff["months"] = Num(months);
  diff["years"] = Num(months / 12);
  json::object out;
  out["timeDiff"] = std::move(diff);
  return Success(std::move(out));
}

}  // namespace opsflow::tasks::internal
