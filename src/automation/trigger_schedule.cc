#include "automation/trigger_schedule.h"

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>

#include "base/civil.h"
#include "base/clock.h"

namespace opsflow::automation {
namespace bj = boost::json;
namespace {

constexpr int64_t kSecond = 1000;
constexpr int64_t kDayMs = 86400 * kSecond;

int64_t DaysInMonth(int64_t y, int64_t m) {
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : kDays[m - 1];
}

// `t` plus `months` calendar months (UTC), the day clamped to the target month's length.
int64_t AddMonths(int64_t t, int64_t months) {
  int64_t days = t >= 0 ? t / kDayMs : -((-t + kDayMs - 1) / kDayMs);
  int64_t in_day = t - days * kDayMs;
  int64_t y, m, d;
  base::CivilFromDays(days, &y, &m, &d);
  int64_t total = y * 12 + (m - 1) + months;
  int64_t ny = total >= 0 ? total / 12 : -((-total + 11) / 12);
  int64_t nm = total - ny * 12 + 1;
  int64_t nd = std::min(d, DaysInMonth(ny, nm));
  return base::DaysFromCivil(ny, nm, nd) * kDayMs + in_day;
}

int64_t UnitMs(RepeatUnit u) {
  switch (u) {
    case RepeatUnit::kSecond:
      return kSecond;
    case RepeatUnit::kMinute:
      return 60 * kSecond;
    case RepeatUnit::kHour:
      return 3600 * kSecond;
    case RepeatUnit::kDay:
      return kDayMs;
    case RepeatUnit::kWeek:
      return 7 * kDayMs;
    default:
      return 0;
  }
}

bool Calendar(const Schedule& s) {
  return s.unit == RepeatUnit::kMonth || s.unit == RepeatUnit::kYear;
}

int64_t MonthsPerPeriod(const Schedule& s) {
  return s.frequency * (s.unit == RepeatUnit::kYear ? 12 : 1);
}

// A positive integer field (JSON integer or integral double); nullopt when absent or null.
base::Result<std::optional<int64_t>> PositiveInt(const bj::object& o, const char* field,
                                                 const std::string& label) {
  const bj::value* v = o.if_contains(field);
  if (!v || v->is_null()) return std::optional<int64_t>();
  int64_t n = 0;
  if (v->is_int64()) {
    n = v->get_int64();
  } else if (v->is_uint64() && v->get_uint64() < (1ULL << 62)) {
    n = static_cast<int64_t>(v->get_uint64());
  } else if (v->is_double() &&
             v->get_double() == static_cast<double>(static_cast<int64_t>(v->get_double()))) {
    n = static_cast<int64_t>(v->get_double());
  } else if (v->is_string()) {
    return base::InvalidArgument(label + " must be a number, not a string");
  } else {
    return base::InvalidArgument(label + " must be an integer");
  }
  if (n <= 0) return base::InvalidArgument(label + " must be a positive integer");
  return std::optional<int64_t>(n);
}

base::Status SetPeriod(Schedule* s, const std::string& unit_name, int64_t quantity,
                       const std::string& label) {
  auto unit = ParseRepeatUnit(unit_name);
  if (!unit) {
    return base::InvalidArgument(label + " '" + unit_name +
                                 "' is not one of second, minute, hour, day, week, month, year");
  }
  s->unit = *unit;
  s->frequency = quantity;
  s->interval_ms = Calendar(*s) ? 0 : UnitMs(*unit) * quantity;
  return base::Status::Ok();
}

base::Status ParseLegacyRepeat(const bj::object& t, Schedule* s) {
  OPSFLOW_ASSIGN_OR_RETURN(auto freq, PositiveInt(t, "repeatFrequency", "repeatFrequency"));
  OPSFLOW_ASSIGN_OR_RETURN(auto interval, PositiveInt(t, "repeatInterval", "repeatInterval"));
  const bj::value* unit = t.if_contains("repeatUnit");
  if (unit && !unit->is_null()) {
    if (!unit->is_string()) return base::InvalidArgument("repeatUnit must be a string");
    if (!freq && !interval) {
      return base::InvalidArgument("repeatUnit needs repeatFrequency (how many units per run)");
    }
    if (freq) return SetPeriod(s, std::string(unit->get_string()), *freq, "repeatUnit");
    // Only an interval with the unit: the interval is the period.
  }
  if (interval) s->interval_ms = *interval;
  return base::Status::Ok();
}

base::Status ParseRepeatObject(const bj::value& rv, Schedule* s) {
  if (!rv.is_object()) return base::InvalidArgument("repeat must be an object");
  const bj::object& r = rv.get_object();
  if (const bj::value* type = r.if_contains("type"); type && !type->is_null()) {
    if (!type->is_string() || (type->get_string() != "repeating" && type->get_string() != "once")) {
      return base::InvalidArgument("repeat.type must be \"repeating\" or \"once\"");
    }
    if (type->get_string() == "once") return base::Status::Ok();
  }
  if (const bj::value* action = r.if_contains("action"); action && !action->is_null()) {
    if (!action->is_string() || action->get_string() != "execute") {
      return base::InvalidArgument("repeat.action must be \"execute\"");
    }
  }
  const bj::value* dv = r.if_contains("duration");
  if (!dv || !dv->is_object()) {
    return base::InvalidArgument("repeat.duration {unit, quantity} is required");
  }
  const bj::object& d = dv->get_object();
  const bj::value* unit = d.if_contains("unit");
  if (!unit || !unit->is_string()) return base::InvalidArgument("repeat.duration.unit is required");
  OPSFLOW_ASSIGN_OR_RETURN(auto qty, PositiveInt(d, "quantity", "repeat.duration.quantity"));
  if (!qty) return base::InvalidArgument("repeat.duration.quantity is required");
  return SetPeriod(s, std::string(unit->get_string()), *qty, "repeat.duration.unit");
}

base::Status ParseEnd(const bj::object& t, Schedule* s) {
  if (const bj::value* stop = t.if_contains("stopRunningAt"); stop && !stop->is_null()) {
    OPSFLOW_ASSIGN_OR_RETURN(s->stop_at, ParseTimeField(*stop, "stopRunningAt"));
  }
  const bj::value* ev = t.if_contains("repeatEnd");
  if (!ev || ev->is_null()) return base::Status::Ok();
  if (!ev->is_object()) return base::InvalidArgument("repeatEnd must be an object");
  const bj::object& e = ev->get_object();
  OPSFLOW_ASSIGN_OR_RETURN(auto after, PositiveInt(e, "endAfter", "repeatEnd.endAfter"));
  if (after) s->end_after = *after;
  if (const bj::value* rm = e.if_contains("removeAfterEnd"); rm && !rm->is_null()) {
    if (!rm->is_bool()) return base::InvalidArgument("repeatEnd.removeAfterEnd must be a boolean");
    s->remove_after_end = rm->get_bool();
  }
  return base::Status::Ok();
}

// The latest due time at or before `t` (ignoring end conditions). REQUIRES: t >= first_run_at.
int64_t LastDueAtOrBefore(const Schedule& s, int64_t t) {
  if (!Calendar(s)) return DueTime(s, (t - s.first_run_at) / s.interval_ms);
  int64_t per = MonthsPerPeriod(s);
  int64_t k = std::max<int64_t>(0, (t - s.first_run_at) / (per * 31 * kDayMs));
  while (DueTime(s, k + 1) <= t) ++k;
  return DueTime(s, k);
}

}  // namespace

std::optional<RepeatUnit> ParseRepeatUnit(const std::string& name) {
  std::string n;
  for (char c : name) n.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  if (n.size() > 1 && n.back() == 's') n.pop_back();
  static const std::pair<const char*, RepeatUnit> kUnits[] = {
      {"second", RepeatUnit::kSecond}, {"minute", RepeatUnit::kMinute},
      {"hour", RepeatUnit::kHour},     {"day", RepeatUnit::kDay},
      {"week", RepeatUnit::kWeek},     {"month", RepeatUnit::kMonth},
      {"year", RepeatUnit::kYear}};
  for (const auto& [k, u] : kUnits) {
    if (n == k) return u;
  }
  return std::nullopt;
}

const char* RepeatUnitName(RepeatUnit u) {
  switch (u) {
    case RepeatUnit::kSecond:
      return "second";
    case RepeatUnit::kMinute:
      return "minute";
    case RepeatUnit::kHour:
      return "hour";
    case RepeatUnit::kDay:
      return "day";
    case RepeatUnit::kWeek:
      return "week";
    case RepeatUnit::kMonth:
      return "month";
    case RepeatUnit::kYear:
      return "year";
    case RepeatUnit::kNone:
      break;
  }
  return "";
}

base::Result<int64_t> ParseTimeField(const bj::value& v, const std::string& field) {
  if (v.is_int64()) return v.get_int64();
  if (v.is_uint64() && v.get_uint64() < (1ULL << 62)) return static_cast<int64_t>(v.get_uint64());
  if (v.is_double()) return static_cast<int64_t>(v.get_double());
  if (v.is_string()) {
    if (auto ms = base::ParseIso8601(v.get_string())) return *ms;
  }
  return base::InvalidArgument(field + " must be a time (epoch milliseconds or ISO-8601)");
}

base::Result<Schedule> ParseSchedule(const bj::object& t, int64_t created_ms) {
  Schedule s;
  if (const bj::value* m = t.if_contains("processMissedRuns"); m && !m->is_null()) {
    if (*m == "last") {
      s.missed = MissedRuns::kLast;
    } else if (*m != "none") {
      return base::InvalidArgument("processMissedRuns must be \"none\" or \"last\"");
    }
  }
  if (const bj::value* r = t.if_contains("repeat"); r && !r->is_null()) {
    OPSFLOW_RETURN_IF_ERROR(ParseRepeatObject(*r, &s));
  } else {
    OPSFLOW_RETURN_IF_ERROR(ParseLegacyRepeat(t, &s));
  }
  if (s.repeats() && !Calendar(s) && s.interval_ms < kSecond) {
    return base::InvalidArgument("the repeat period must be at least one second");
  }
  const bj::value* first = t.if_contains("firstRunAt");
  if (first && !first->is_null()) {
    OPSFLOW_ASSIGN_OR_RETURN(s.first_run_at, ParseTimeField(*first, "firstRunAt"));
  } else if (s.repeats()) {
    s.first_run_at =
        Calendar(s) ? AddMonths(created_ms, MonthsPerPeriod(s)) : created_ms + s.interval_ms;
  } else {
    return base::InvalidArgument(
        "a schedule trigger needs firstRunAt, a repeat (repeatUnit + repeatFrequency or "
        "repeatInterval) or repeat {type, duration}");
  }
  OPSFLOW_RETURN_IF_ERROR(ParseEnd(t, &s));
  return s;
}

int64_t DueTime(const Schedule& s, int64_t index) {
  if (Calendar(s)) return AddMonths(s.first_run_at, index * MonthsPerPeriod(s));
  return s.first_run_at + index * s.interval_ms;
}

std::optional<int64_t> NextDueAtOrAfter(const Schedule& s, int64_t t, int64_t runs) {
  if (s.end_after > 0 && runs >= s.end_after) return std::nullopt;
  int64_t due;
  if (t <= s.first_run_at) {
    due = s.first_run_at;
  } else if (!s.repeats()) {
    return std::nullopt;
  } else if (!Calendar(s)) {
    int64_t k = (t - s.first_run_at + s.interval_ms - 1) / s.interval_ms;
    due = DueTime(s, k);
  } else {
    // Estimate the index from the average month, then correct it.
    int64_t per = MonthsPerPeriod(s);
    int64_t k = std::max<int64_t>(0, (t - s.first_run_at) / (per * 28 * kDayMs) - 1);
    while (k > 0 && DueTime(s, k) >= t) --k;
    while (DueTime(s, k) < t) ++k;
    due = DueTime(s, k);
  }
  if (s.stop_at > 0 && due >= s.stop_at) return std::nullopt;
  return due;
}

ScheduleStep Step(const Schedule& s, std::optional<int64_t> next_run_at, int64_t runs, int64_t now,
                  bool recovering) {
  ScheduleStep out;
  out.runs = runs;
  out.next_run_at = next_run_at;
  if (!next_run_at || *next_run_at > now) return out;
  if (recovering && s.missed == MissedRuns::kNone) {
    out.fire = false;
  } else {
    out.fire = true;
    // A missed "last" run stands for the latest due time that passed.
    out.due = *next_run_at;
    if (recovering && s.repeats()) {
      int64_t last = LastDueAtOrBefore(s, now);
      if (last > out.due && (s.stop_at <= 0 || last < s.stop_at)) out.due = last;
    }
    out.runs = runs + 1;
  }
  out.next_run_at = NextDueAtOrAfter(s, now + 1, out.runs);
  return out;
}

std::optional<int64_t> InitialNextRun(const Schedule& s, int64_t now, int64_t runs) {
  if (s.end_after > 0 && runs >= s.end_after) return std::nullopt;
  if (s.first_run_at >= now || !s.repeats()) {
    if (s.stop_at > 0 && s.first_run_at >= s.stop_at) return std::nullopt;
    // A one-shot time already past runs now (not as a missed run).
    return std::max(s.first_run_at, now);
  }
  return NextDueAtOrAfter(s, now, runs);
}

}  // namespace opsflow::automation
