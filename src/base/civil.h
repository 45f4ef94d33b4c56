// Civil (proleptic Gregorian, UTC) dates <-> days since 1970-01-01, H. Hinnant's algorithms, and
// the one ISO-8601 parser. The one copy for every module that does calendar arithmetic or reads
// times (query dates and the SQL filter, trigger schedules, JST Date, getTime/calculateTimeDiff
// formats).
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace opsflow::base {

// Days since 1970-01-01 of year `y`, month `m` (1-12), day `d` (1-31).
int64_t DaysFromCivil(int64_t y, int64_t m, int64_t d);
// The inverse: the civil date of day `z` since 1970-01-01.
void CivilFromDays(int64_t z, int64_t* y, int64_t* m, int64_t* d);

// The fields of an ISO-8601 time as written (not normalized).
struct Iso8601Fields {
  int64_t year = 1970;
  int month = 1, day = 1, hour = 0, minute = 0, second = 0;
  int millisecond = 0;     // the fraction of the second, truncated to milliseconds
  int offset_minutes = 0;  // the zone's offset east of UTC; 0 for `Z` and for no zone
};

// The grammar ParseIso8601Fields accepts.
//
// kStandard (queries, the SQL filter, triggers):
//   time     = date [ ("T" | "t" | " ") clock [ zone ] ]
//   date     = YYYY "-" MM "-" DD
//   clock    = hh ":" mm [ ":" ss [ ("." | ",") 1*DIGIT ] ]
//   zone     = "Z" | "z" | ("+" | "-") hh [ ":" ] mm
// Every number has exactly the digits shown. No zone means UTC. The fraction is truncated to
// milliseconds. Ranges: MM 1-12, DD 1-31 (a day past the month's end carries into the next
// month, as JavaScript's Date does), hh 0-23, mm 0-59, ss 0-60, zone hh 0-23 and mm 0-59.
//
// kLenient (the getTime and calculateTimeDiff tasks, as moment.js reads ISO text) also takes a
// reduced date and a reduced clock:
//   date     = ["-"] YYYY[Y[Y]] [ "-" MM [ "-" DD ] ]
//   clock    = hh [ ":" mm [ ":" ss [ ("." | ",") 1*DIGIT ] ] ]
// and leaves the month's length to the caller.
enum class Iso8601Grammar { kStandard, kLenient };

// Parses `text` as the whole of an ISO-8601 time in `grammar`; nullopt when it is not one.
std::optional<Iso8601Fields> ParseIso8601Fields(std::string_view text,
                                                Iso8601Grammar grammar = Iso8601Grammar::kStandard);

// Epoch milliseconds of `f` (the offset applied; out-of-range days and seconds carry over).
int64_t EpochMsOf(const Iso8601Fields& f);

// Epoch milliseconds of a kStandard ISO-8601 time, e.g. "2024-01-01", "2024-01-01T10:00Z",
// "2024-01-01T10:00:00.123+01:00"; nullopt when `text` is not one.
std::optional<int64_t> ParseIso8601(std::string_view text);

}  // namespace opsflow::base
