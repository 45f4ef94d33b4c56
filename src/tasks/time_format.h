// Time helpers for getTime and calculateTimeDiff: moment.js-style formatting and parsing of
// UTC-offset times, durations, and "UTC -04:00"-style zone names. Internal to tasks.
//
// Format tokens: YYYY YY M MM MMM MMMM D DD Do d ddd dddd H HH h hh m mm s ss S..SSSSSSSSS A a
// Z ZZ X x, [literal text], and the English localized forms LT LTS L LL LLL LLLL. Any other
// character is literal. Only fixed offsets exist here (no time zone database).
// Thread-safety: stateless functions.
#pragma once

#include <boost/json/fwd.hpp>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"

namespace opsflow::tasks::internal {

inline constexpr std::string_view kDefaultTimeFormat = "YYYY-MM-DDTHH:mm:ss.SSSSSSZZ";

// `epoch_ms` shown at UTC offset `offset_minutes` in moment.js `format`.
std::string FormatTime(int64_t epoch_ms, int offset_minutes, std::string_view format);

// Reads `text` written in `format` (moment.js tokens; text without an offset is UTC). When the
// format does not fit, ISO 8601 (2023-06-21T15:02:07.254Z, offsets ±HH:MM or ±HHMM) is tried.
base::Result<int64_t> ParseTime(std::string_view text, std::string_view format);

// Minutes east of UTC from "UTC", "", "Z", "GMT", "+05:30", "UTC -04:00", "EST UTC: −05:00"...
base::Result<int> ParseZoneOffset(std::string_view zone);

// `epoch_ms` plus a moment.js duration: a number of milliseconds, or an object with any of
// years/y, months/M, weeks/w, days/d, hours/h, minutes/m, seconds/s, milliseconds/ms (plural or
// singular). Months and years move the calendar date at `offset_minutes` (the day is clamped
// to the month's end, as moment does) and must be integers.
base::Result<int64_t> AddDuration(int64_t epoch_ms, int offset_minutes,
                                  const boost::json::value& duration);

}  // namespace opsflow::tasks::internal
