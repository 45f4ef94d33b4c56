#include "base/civil.h"

#include <gtest/gtest.h>

#include <optional>

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

constexpr int64_t kT0 = 1700000000000;  // 2023-11-14T22:13:20Z
constexpr std::optional<int64_t> kNo = std::nullopt;

// The grammar of civil.h, form by form: what each caller (queries, the SQL filter, triggers,
// getTime/calculateTimeDiff) reads, and what none of them does.
TEST(Iso8601, StandardGrammarTable) {
  struct Case {
    const char* text;
    std::optional<int64_t> ms;
  };
  const Case cases[] = {
      {"2023-11-14", kT0 - 22 * 3600000 - 13 * 60000 - 20000},
      {"2023-11-14T22:13:20Z", kT0},
      {"2023-11-14T22:13:20.123Z", kT0 + 123},
      {"2023-11-14T22:13:20.1Z", kT0 + 100},
      {"2023-11-14T22:13:20.12399Z", kT0 + 123},  // truncated, not rounded
      {"2023-11-14T22:13:20,5Z", kT0 + 500},
      {"2023-11-14T22:13:20", kT0},  // no zone: UTC
      {"2023-11-14 22:13:20", kT0},
      {"2023-11-14t22:13:20z", kT0},
      {"2023-11-14T22:13Z", kT0 - 20000},  // HH:MM, seconds left out
      {"2023-11-14T22:13", kT0 - 20000},
      {"2023-11-14T23:13:20+01:00", kT0},
      {"2023-11-14T23:13:20+0100", kT0},
      {"2023-11-14T21:43:20-00:30", kT0},
      {"2023-11-14T23:13+01:00", kT0 - 20000},
      {"2023-11-14T22:13:60Z", kT0 + 40000},  // a leap second carries over
      {"2023-02-29", 1677628800000},          // 2023-03-01: a day past the month carries over
      {"1969-12-31T23:59:59.999Z", -1},
      // Not times.
      {"", kNo},
      {"yesterday", kNo},
      {"2023", kNo},
      {"2023-11", kNo},
      {"2023-1-14", kNo},
      {"2023-11-14T", kNo},
      {"2023-11-14T22", kNo},
      {"2023-11-14T22:1", kNo},
      {"2023-11-14T22:13:20.Z", kNo},
      {"2023-11-14T22:13:20+1", kNo},
      {"2023-11-14T22:13:20+01:0", kNo},
      {"2023-11-14T22:13:20+24:00", kNo},
      {"2023-11-14T22:13:20 Z", kNo},
      {"2023-11-14Z", kNo},
      {"2023-13-01", kNo},
      {"2023-00-01", kNo},
      {"2023-11-32", kNo},
      {"2023-11-00", kNo},
      {"2023-11-14T24:00", kNo},
      {"2023-11-14T22:60", kNo},
      {"2023-11-14T22:13:61", kNo},
      {"-2023-11-14", kNo},
      {"20231-11-14", kNo},
      {"2023-11-14T22:13:20Zx", kNo},
  };
  for (const Case& c : cases) EXPECT_EQ(ParseIso8601(c.text), c.ms) << c.text;
}

TEST(Iso8601, LenientGrammarAddsReducedForms) {
  struct Case {
    const char* text;
    std::optional<int64_t> ms;
  };
  const Case cases[] = {
      {"2023-11-14T22:13:20.123Z", kT0 + 123},
      {"2023-11-14T22:13", kT0 - 20000},
      {"2023", 1672531200000},
      {"2023-11", 1698796800000},
      {"2023-11-14T22", kT0 - 13 * 60000 - 20000},
      {"2023-11-14T23+01:00", kT0 - 13 * 60000 - 20000},
      {"2023T22", 1672531200000 + 22 * 3600000},
      {"-0001-01-01", DaysFromCivil(-1, 1, 1) * 86400000},
      {"020231-01-01", DaysFromCivil(20231, 1, 1) * 86400000},
      {"2023-11-14T", kNo},
      {"2023-", kNo},
      {"2023-11-14Z", kNo},
      {"1234567-01-01", kNo},
      {"+2023-01-01", kNo},
  };
  for (const Case& c : cases) {
    auto f = ParseIso8601Fields(c.text, Iso8601Grammar::kLenient);
    EXPECT_EQ(f ? std::optional<int64_t>(EpochMsOf(*f)) : kNo, c.ms) << c.text;
  }
}

TEST(Iso8601, FieldsAreAsWritten) {
  auto f = ParseIso8601Fields("2024-02-31T07:05:09.0071-05:30");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->year, 2024);
  EXPECT_EQ(f->month, 2);
  EXPECT_EQ(f->day, 31);  // the caller decides whether the month has it
  EXPECT_EQ(f->hour, 7);
  EXPECT_EQ(f->minute, 5);
  EXPECT_EQ(f->second, 9);
  EXPECT_EQ(f->millisecond, 7);
  EXPECT_EQ(f->offset_minutes, -330);
}

}  // namespace
}  // namespace opsflow::base
