#include "base/clock.h"

#include <gtest/gtest.h>

#include "base/civil.h"

namespace opsflow::base {

TEST(Clock, IsoRoundTrip) {
  int64_t ms = 1700000000123;
  std::string iso = IsoTime(ms);
  EXPECT_EQ(iso, "2023-11-14T22:13:20.123Z");
  EXPECT_EQ(ParseIso8601(iso), ms);
  EXPECT_EQ(ParseIso8601("2023-11-14T23:13:20+01:00"), 1700000000000);
  EXPECT_EQ(ParseIso8601("yesterday"), std::nullopt);
}

TEST(Clock, FakeClockMovesOnlyWhenTold) {
  FakeClock c(1000);
  EXPECT_EQ(c.NowMs(), 1000);
  c.Advance(5);
  EXPECT_EQ(c.NowMs(), 1005);
}

}  // namespace opsflow::base
