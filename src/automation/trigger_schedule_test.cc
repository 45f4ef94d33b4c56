#include "automation/trigger_schedule.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "base/civil.h"

namespace opsflow::automation {
namespace {

namespace bj = boost::json;

constexpr int64_t kMin = 60 * 1000;
constexpr int64_t kHour = 60 * kMin;
constexpr int64_t kT0 = 1700000000000;  // 2023-11-14T22:13:20Z

int64_t Iso(const char* s) {
  std::optional<int64_t> ms = base::ParseIso8601(s);
  EXPECT_TRUE(ms) << s;
  return ms.value_or(0);
}

Schedule Parse(const char* json, int64_t created = kT0) {
  auto s = ParseSchedule(bj::parse(json).as_object(), created);
  EXPECT_TRUE(s.ok()) << json << ": " << s.status().message();
  return s.ok() ? *s : Schedule{};
}

TEST(TriggerScheduleTest, ParsesTheThreeShapes) {
  struct Case {
    const char* json;
    int64_t first, interval;
    RepeatUnit unit;
    int64_t end_after;
    MissedRuns missed;
  };
  const Case cases[] = {
      // 1. firstRunAt + repeatUnit/repeatFrequency (+ a consistent repeatInterval)
      {R"({"firstRunAt":1700000060000,"repeatUnit":"hour","repeatFrequency":2,
           "repeatInterval":7200000,"processMissedRuns":"last"})",
       1700000060000, 2 * kHour, RepeatUnit::kHour, 0, MissedRuns::kLast},
      // repeatInterval alone: a fixed period in ms
      {R"({"firstRunAt":1700000060000,"repeatInterval":90000})", 1700000060000, 90000,
       RepeatUnit::kNone, 0, MissedRuns::kNone},
      // one-shot with an ISO time
      {R"({"firstRunAt":"2024-01-01T00:00:00Z"})", 1704067200000, 0, RepeatUnit::kNone, 0,
       MissedRuns::kNone},
      // 2. with repeatEnd
      {R"({"firstRunAt":1700000060000,"repeatUnit":"Minutes","repeatFrequency":5,
           "repeatEnd":{"endAfter":3,"restartAfter":null,"removeAfterEnd":false}})",
       1700000060000, 5 * kMin, RepeatUnit::kMinute, 3, MissedRuns::kNone},
      // 3. the newer repeat object: no firstRunAt -> one period after creation
      {R"({"processMissedRuns":"none","repeat":{"type":"repeating",
           "duration":{"unit":"hour","quantity":1},"action":"execute"}})",
       kT0 + kHour, kHour, RepeatUnit::kHour, 0, MissedRuns::kNone},
      {R"({"firstRunAt":1700000060000,"repeat":{"type":"repeating",
           "duration":{"unit":"day","quantity":1},"action":"execute"}})",
       1700000060000, 24 * kHour, RepeatUnit::kDay, 0, MissedRuns::kNone},
  };
  for (const Case& c : cases) {
    Schedule s = Parse(c.json);
    EXPECT_EQ(s.first_run_at, c.first) << c.json;
    EXPECT_EQ(s.interval_ms, c.interval) << c.json;
    EXPECT_EQ(s.unit, c.unit) << c.json;
    EXPECT_EQ(s.end_after, c.end_after) << c.json;
    EXPECT_EQ(s.missed, c.missed) << c.json;
  }
}

TEST(TriggerScheduleTest, RejectsBadFieldsNamingThem) {
  const std::pair<const char*, const char*> cases[] = {
      {R"({"firstRunAt":1,"processMissedRuns":"all"})", "processMissedRuns"},
      {R"({"firstRunAt":1,"repeatUnit":"fortnight","repeatFrequency":1})", "fortnight"},
      {R"({"firstRunAt":1,"repeatUnit":"hour","repeatFrequency":"2"})", "repeatFrequency"},
      {R"({"firstRunAt":1,"repeatUnit":"hour"})", "repeatFrequency"},
      {R"({"firstRunAt":1,"repeatInterval":500})", "at least one second"},
      {R"({"firstRunAt":1,"repeatInterval":-5})", "repeatInterval"},
      {R"({"firstRunAt":"yesterday"})", "firstRunAt"},
      {R"({"processMissedRuns":"none"})", "firstRunAt"},
      {R"({"repeat":{"type":"sometimes"}})", "repeat.type"},
      {R"({"repeat":{"type":"repeating","duration":{"unit":"hour"}}})", "quantity"},
      {R"({"repeat":{"type":"repeating","duration":{"unit":"hour","quantity":1},"action":"x"}})",
       "repeat.action"},
      {R"({"firstRunAt":1,"repeatEnd":{"endAfter":0}})", "endAfter"},
      {R"({"firstRunAt":1,"stopRunningAt":true})", "stopRunningAt"},
  };
  for (const auto& [json, word] : cases) {
    auto s = ParseSchedule(bj::parse(json).as_object(), kT0);
    ASSERT_FALSE(s.ok()) << json;
    EXPECT_NE(s.status().message().find(word), std::string::npos)
        << json << " -> " << s.status().message();
  }
}

TEST(TriggerScheduleTest, CalendarUnitsClampTheDay) {
  Schedule m = Parse(R"({"firstRunAt":"2024-01-31T10:00:00Z","repeatUnit":"month",
                         "repeatFrequency":1})");
  EXPECT_EQ(DueTime(m, 1), Iso("2024-02-29T10:00:00Z"));
  EXPECT_EQ(DueTime(m, 2), Iso("2024-03-31T10:00:00Z"));
  EXPECT_EQ(DueTime(m, 13), Iso("2025-02-28T10:00:00Z"));
  Schedule y = Parse(R"({"firstRunAt":"2024-02-29T00:00:00Z","repeatUnit":"year",
                         "repeatFrequency":1})");
  EXPECT_EQ(DueTime(y, 1), Iso("2025-02-28T00:00:00Z"));
  EXPECT_EQ(DueTime(y, 4), Iso("2028-02-29T00:00:00Z"));
  EXPECT_EQ(NextDueAtOrAfter(m, Iso("2024-03-01T00:00:00Z"), 0), Iso("2024-03-31T10:00:00Z"));
  EXPECT_EQ(NextDueAtOrAfter(m, Iso("2024-02-29T10:00:00Z"), 0), Iso("2024-02-29T10:00:00Z"));
}

TEST(TriggerScheduleTest, NextDueTable) {
  Schedule every_min = Parse(R"({"firstRunAt":1700000000000,"repeatInterval":60000})");
  Schedule once = Parse(R"({"firstRunAt":1700000000000})");
  Schedule three = Parse(R"({"firstRunAt":1700000000000,"repeatInterval":60000,
                             "repeatEnd":{"endAfter":3}})");
  Schedule stop = Parse(R"({"firstRunAt":1700000000000,"repeatInterval":60000,
                            "stopRunningAt":1700000120000})");
  struct Case {
    const Schedule* s;
    int64_t t, runs;
    std::optional<int64_t> want;
  };
  const Case cases[] = {
      {&every_min, kT0 - 5, 0, kT0},
      {&every_min, kT0, 0, kT0},
      {&every_min, kT0 + 1, 0, kT0 + kMin},
      {&every_min, kT0 + kMin, 0, kT0 + kMin},
      {&every_min, kT0 + 10 * kMin - 1, 0, kT0 + 10 * kMin},
      {&once, kT0, 0, kT0},
      {&once, kT0 + 1, 0, std::nullopt},
      {&three, kT0 + 1, 2, kT0 + kMin},
      {&three, kT0 + 1, 3, std::nullopt},
      {&stop, kT0 + kMin + 1, 0, std::nullopt},  // the next one (kT0 + 2 min) is at stop time
  };
  for (const Case& c : cases) {
    EXPECT_EQ(NextDueAtOrAfter(*c.s, c.t, c.runs), c.want) << "t=" << c.t - kT0;
  }
}

TEST(TriggerScheduleTest, StepTable) {
  Schedule none = Parse(R"({"firstRunAt":1700000000000,"repeatInterval":60000})");
  Schedule last = Parse(R"({"firstRunAt":1700000000000,"repeatInterval":60000,
                            "processMissedRuns":"last"})");
  Schedule once = Parse(R"({"firstRunAt":1700000000000})");
  Schedule two = Parse(R"({"firstRunAt":1700000000000,"repeatInterval":60000,
                           "repeatEnd":{"endAfter":2}})");
  struct Case {
    const char* name;
    const Schedule* s;
    std::optional<int64_t> next;
    int64_t runs, now;
    bool recovering;
    bool fire;
    int64_t due;
    std::optional<int64_t> new_next;
  };
  const Case cases[] = {
      {"not yet due", &none, kT0, 0, kT0 - 1, false, false, 0, kT0},
      {"due now", &none, kT0, 0, kT0, false, true, kT0, kT0 + kMin},
      {"late by a bit", &none, kT0, 0, kT0 + 30000, false, true, kT0, kT0 + kMin},
      {"a stall coalesces", &none, kT0, 0, kT0 + 3 * kMin + 5, false, true, kT0, kT0 + 4 * kMin},
      {"missed, none", &none, kT0, 0, kT0 + 3 * kMin + 5, true, false, 0, kT0 + 4 * kMin},
      {"missed, last", &last, kT0, 0, kT0 + 3 * kMin + 5, true, true, kT0 + 3 * kMin,
       kT0 + 4 * kMin},
      {"one-shot", &once, kT0, 0, kT0, false, true, kT0, std::nullopt},
      {"one-shot missed, none", &once, kT0, 0, kT0 + 5, true, false, 0, std::nullopt},
      {"endAfter reached", &two, kT0 + kMin, 1, kT0 + kMin, false, true, kT0 + kMin, std::nullopt},
      {"ended", &none, std::nullopt, 4, kT0 + kHour, false, false, 0, std::nullopt},
  };
  for (const Case& c : cases) {
    ScheduleStep st = Step(*c.s, c.next, c.runs, c.now, c.recovering);
    EXPECT_EQ(st.fire, c.fire) << c.name;
    if (c.fire) {
      EXPECT_EQ(st.due, c.due) << c.name;
    }
    EXPECT_EQ(st.next_run_at, c.new_next) << c.name;
    EXPECT_EQ(st.runs, c.runs + (c.fire ? 1 : 0)) << c.name;
    // Whatever happens, the next due time is after now: nothing fires twice.
    if (st.next_run_at) {
      EXPECT_GT(*st.next_run_at, c.now) << c.name;
    }
  }
}

TEST(TriggerScheduleTest, InitialNextRun) {
  Schedule every_min = Parse(R"({"firstRunAt":1700000000000,"repeatInterval":60000})");
  Schedule once = Parse(R"({"firstRunAt":1700000000000})");
  EXPECT_EQ(InitialNextRun(every_min, kT0 - 10, 0), kT0);
  EXPECT_EQ(InitialNextRun(every_min, kT0 + 90000, 0), kT0 + 2 * kMin);
  EXPECT_EQ(InitialNextRun(once, kT0 + 90000, 0), kT0 + 90000);  // past one-shot: run now
  EXPECT_EQ(InitialNextRun(once, kT0 - 1, 0), kT0);
}

}  // namespace
}  // namespace opsflow::automation
