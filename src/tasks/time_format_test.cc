#include "tasks/time_format.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace opsflow::tasks::internal {
namespace {

namespace json = boost::json;

constexpr int64_t kT = 1'687'359'727'254;  // 2023-06-21T15:02:07.254Z, a Wednesday

TEST(TimeFormat, Tokens) {
  EXPECT_EQ(FormatTime(kT, 0, kDefaultTimeFormat), "2023-06-21T15:02:07.254000+0000");
  EXPECT_EQ(FormatTime(kT, -660, kDefaultTimeFormat), "2023-06-21T04:02:07.254000-1100");
  EXPECT_EQ(FormatTime(kT, 0, "YY M D Do ddd dddd d MMM MMMM"),
            "23 6 21 21st Wed Wednesday 3 Jun June");
  EXPECT_EQ(FormatTime(kT, 0, "hh:mm:ss a h A H"), "03:02:07 pm 3 PM 15");
  EXPECT_EQ(FormatTime(kT, 330, "Z ZZ S SS SSS"), "+05:30 +0530 2 25 254");
  EXPECT_EQ(FormatTime(kT, 0, "[YYYY is] YYYY"), "YYYY is 2023");
  EXPECT_EQ(FormatTime(kT, 0, "X x"), "1687359727 1687359727254");
  EXPECT_EQ(FormatTime(kT, 0, "L LT LTS"), "06/21/2023 3:02 PM 3:02:07 PM");
  EXPECT_EQ(FormatTime(0, 0, "YYYY-MM-DD dddd"), "1970-01-01 Thursday");
  EXPECT_EQ(FormatTime(-1, 0, "YYYY-MM-DD HH:mm:ss.SSS"), "1969-12-31 23:59:59.999");
  EXPECT_EQ(FormatTime(951'782'400'000, 0, "YYYY-MM-DD"), "2000-02-29");
}

TEST(TimeFormat, ParsesWithFormatOrIso) {
  auto r = ParseTime("2023-06-21T04:02:07.254000-1100", kDefaultTimeFormat);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*r, kT);
  r = ParseTime("21/06/2023 15:02", "DD/MM/YYYY HH:mm");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, kT - 7254);
  r = ParseTime("June 21st 2023, 3:02:07 pm", "MMMM Do YYYY, h:mm:ss a");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, kT - 254);
  r = ParseTime("2023-06-21T15:02:07.254Z", "");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, kT);
  r = ParseTime("2023-06-21T20:32:07.254+05:30", "nonsense format");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, kT);
  r = ParseTime("1687359727254", "x");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, kT);
  EXPECT_FALSE(ParseTime("2023-02-30", "YYYY-MM-DD").ok());
  EXPECT_FALSE(ParseTime("2023-06-21T25:00", "").ok());
  EXPECT_FALSE(ParseTime("", "").ok());
  EXPECT_FALSE(ParseTime("tomorrow", "YYYY").ok());
}

TEST(TimeFormat, ZoneOffsets) {
  EXPECT_EQ(*ParseZoneOffset(""), 0);
  EXPECT_EQ(*ParseZoneOffset("UTC"), 0);
  EXPECT_EQ(*ParseZoneOffset("UTC -04:00"), -240);
  EXPECT_EQ(*ParseZoneOffset("EST UTC: \xE2\x88\x92"
                             "05:00"),
            -300);
  EXPECT_EQ(*ParseZoneOffset("+05:30"), 330);
  EXPECT_EQ(*ParseZoneOffset("GMT+2"), 120);
  EXPECT_FALSE(ParseZoneOffset("Europe/Paris").ok());
  EXPECT_FALSE(ParseZoneOffset("UTC+99:00").ok());
}

TEST(TimeFormat, Durations) {
  int64_t jan31 = 1'706'659'200'000;  // 2024-01-31T00:00:00Z
  auto r = AddDuration(jan31, 0, json::parse(R"({"months":1})"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(FormatTime(*r, 0, "YYYY-MM-DD"), "2024-02-29");
  r = AddDuration(jan31, 0, json::parse(R"({"y":-1,"M":13,"w":1,"d":1,"h":1,"m":1,"s":1,"ms":1})"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(FormatTime(*r, 0, "YYYY-MM-DD HH:mm:ss.SSS"), "2024-03-08 01:01:01.001");
  r = AddDuration(jan31, 0, json::value(31556926000));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, jan31 + 31556926000);
  EXPECT_FALSE(AddDuration(jan31, 0, json::parse(R"({"months":1.5})")).ok());
  EXPECT_FALSE(AddDuration(jan31, 0, json::parse(R"({"eons":1})")).ok());
  EXPECT_FALSE(AddDuration(jan31, 0, json::parse(R"({"years":100000})")).ok());
  EXPECT_FALSE(AddDuration(jan31, 0, json::parse(R"("7")")).ok());
}

}  // namespace
}  // namespace opsflow::tasks::internal
