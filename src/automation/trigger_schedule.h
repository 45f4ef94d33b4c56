// Schedule triggers (IAP-REFERENCE §5 "Triggers"): the schedule a trigger document describes and
// the pure arithmetic of its due times. No clock, no I/O: every function takes the times it needs.
//
// Three request shapes are accepted:
//   1. {firstRunAt, repeatUnit, repeatFrequency, repeatInterval, processMissedRuns}
//   2. the same plus repeatEnd {endAfter, restartAfter, removeAfterEnd} and/or stopRunningAt
//   3. {repeat: {type: "repeating", duration: {unit, quantity}, action: "execute"}} (the newer
//      builder helper; firstRunAt optional)
// Decisions (docs/DECISIONS.md "Automations and triggers"):
//   * Times are epoch ms (numbers) or ISO-8601 strings.
//   * Units: second, minute, hour, day, week (fixed lengths) and month, year (calendar, UTC, the
//     day clamped to the month's last day, always counted from firstRunAt so no drift).
//     repeatUnit + repeatFrequency win over repeatInterval; repeatInterval alone is a fixed period
//     in ms. A period under one second is refused.
//   * Without firstRunAt the first run is one period after the trigger is created.
//   * repeatEnd.endAfter N: the schedule ends after N runs; stopRunningAt: no run at or after it;
//     repeatEnd.removeAfterEnd: the trigger is deleted when its schedule ends (otherwise it stays,
//     with nextRunAt null). repeatEnd.restartAfter is kept but not acted on.
// Thread-safety: plain values and stateless functions.
#pragma once

#include <boost/json/fwd.hpp>
#include <cstdint>
#include <optional>
#include <string>

#include "base/status.h"

namespace opsflow::automation {

enum class RepeatUnit { kNone, kSecond, kMinute, kHour, kDay, kWeek, kMonth, kYear };
enum class MissedRuns { kNone, kLast };

struct Schedule {
  int64_t first_run_at = 0;
  RepeatUnit unit = RepeatUnit::kNone;  // kNone with interval_ms > 0: a fixed ms period
  int64_t frequency = 0;                // units per period (calendar units)
  int64_t interval_ms = 0;              // the period for fixed units; 0 = runs once
  int64_t stop_at = 0;                  // 0 = never
  int64_t end_after = 0;                // runs; 0 = unlimited
  bool remove_after_end = false;
  MissedRuns missed = MissedRuns::kNone;
  bool repeats() const {
    return interval_ms > 0 || unit == RepeatUnit::kMonth || unit == RepeatUnit::kYear;
  }
};

// "minute", "Minutes", ... -> unit; nullopt for an unknown name.
std::optional<RepeatUnit> ParseRepeatUnit(const std::string& name);
const char* RepeatUnitName(RepeatUnit u);  // "" for kNone
// A time field: epoch ms number or ISO-8601 string. InvalidArgument naming `field` otherwise.
base::Result<int64_t> ParseTimeField(const boost::json::value& v, const std::string& field);

// Reads the schedule fields of a trigger document (any of the three shapes). `created_ms` is the
// time the trigger was created (the base when firstRunAt is absent). InvalidArgument naming the
// field for a bad one.
base::Result<Schedule> ParseSchedule(const boost::json::object& trigger, int64_t created_ms);

// The due time of run `index` (0 = first_run_at), ignoring the end conditions.
int64_t DueTime(const Schedule& s, int64_t index);

// The first due time at or after `t` that the end conditions still allow given `runs` runs so
// far, or nullopt when the schedule has ended (a one-shot schedule whose time is before `t`).
std::optional<int64_t> NextDueAtOrAfter(const Schedule& s, int64_t t, int64_t runs);

// What the scheduler does with one trigger at time `now`.
struct ScheduleStep {
  bool fire = false;                   // start one job now
  int64_t due = 0;                     // the due time that fires (when fire)
  std::optional<int64_t> next_run_at;  // the new nextRunAt; nullopt = the schedule has ended
  int64_t runs = 0;                    // runs so far, including this one
};

// One scheduler decision. `next_run_at` is the stored nextRunAt (nullopt: ended), `runs` the runs
// so far. `recovering` is true for the first pass after a (re)start, when a due time that passed
// while the process was down is a missed run: processMissedRuns "none" skips it, "last" runs once.
// Otherwise a due time fires once; due times that passed while the scheduler was stalled are
// coalesced into that one run. The new nextRunAt is always after `now`, so no due time fires twice.
ScheduleStep Step(const Schedule& s, std::optional<int64_t> next_run_at, int64_t runs, int64_t now,
                  bool recovering);

// The nextRunAt of a trigger created (or re-enabled, or rescheduled) at `now`: firstRunAt when
// it is still ahead (or the schedule runs once), else the first due time after `now`.
std::optional<int64_t> InitialNextRun(const Schedule& s, int64_t now, int64_t runs);

}  // namespace opsflow::automation
