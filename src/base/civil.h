// Civil (proleptic Gregorian, UTC) dates <-> days since 1970-01-01, H. Hinnant's algorithms.
// The one copy for every module that does calendar arithmetic (query dates, schedules, JST Date,
// getTime/calculateTimeDiff formats).
// Thread-safety: pure functions.
#pragma once

#include <cstdint>

namespace opsflow::base {

// Days since 1970-01-01 of year `y`, month `m` (1-12), day `d` (1-31).
int64_t DaysFromCivil(int64_t y, int64_t m, int64_t d);
// The inverse: the civil date of day `z` since 1970-01-01.
void CivilFromDays(int64_t z, int64_t* y, int64_t* m, int64_t* d);

}  // namespace opsflow::base
