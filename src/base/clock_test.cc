#include "base/clock.h"

#include <gtest/gtest.h>

namespace opsflow::base {

TEST(Clock, IsoRoundTrip) {
  int64_t ms = 1700000000123;
  std::string iso = IsoTime(ms);
  EXPECT_EQ(iso, "2023-11-14T22:13:20.123Z");
  int64_t back = 0;
  ASSERT_TRUE(ParseIsoTime(iso, &back));
  EXPECT_EQ(back, ms);
  ASSERT_TRUE(ParseIsoTime("2023-11-14T23:13:20+01:00", &back));
  EXPECT_EQ(back, 1700000000000);
  EXPECT_FALSE(ParseIsoTime("yesterday", &back));
}

TEST(Clock, FakeClockMovesOnlyWhenTold) {
  FakeClock c(1000);
  EXPECT_EQ(c.NowMs(), 1000);
  c.Advance(5);
  EXPECT_EQ(c.NowMs(), 1005);
}

}  // namespace opsflow::base
