#include "base/civil.h"

#include <gtest/gtest.h>

namespace opsflow::base {
namespace {

TEST(Civil, KnownDaysRoundTrip) {
  struct Case {
    int64_t y, m, d, days;
  };
  const Case cases[] = {{1970, 1, 1, 0},      {1969, 12, 31, -1},   {2000, 2, 29, 11016},
                        {2000, 3, 1, 11017},  {1900, 3, 1, -25508}, {2026, 11, 28, 20785},
                        {1600, 1, 1, -135140}};
  for (const Case& c : cases) {
    EXPECT_EQ(DaysFromCivil(c.y, c.m, c.d), c.days) << c.y << "-" << c.m << "-" << c.d;
    int64_t y, m, d;
    CivilFromDays(c.days, &y, &m, &d);
    EXPECT_EQ(y * 10000 + m * 100 + d, c.y * 10000 + c.m * 100 + c.d) << c.days;
  }
  for (int64_t z = -800000; z <= 800000; z += 997) {
    int64_t y, m, d;
    CivilFromDays(z, &y, &m, &d);
    EXPECT_EQ(DaysFromCivil(y, m, d), z);
  }
}

}  // namespace
}  // namespace opsflow::base
