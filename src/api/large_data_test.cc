#include "api/large_data.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace opsflow::api {
namespace {

namespace bj = boost::json;

constexpr char kJob[] = "6b173e37f5435887438cac6f";
constexpr char kTask[] = "6b173e37-f543-8588-8743-8cac6f000001";

TEST(LargeDataId, JobVariableRoundTrip) {
  std::string id = LargeDataId(kJob, "big");
  EXPECT_EQ(id, std::string(kJob) + "-626967");
  auto ref = ParseLargeDataId(id);
  ASSERT_TRUE(ref);
  EXPECT_EQ(ref->kind, LargeDataRef::Kind::kJobVariable);
  EXPECT_EQ(ref->owner, kJob);
  EXPECT_EQ(ref->name, "big");
}

TEST(LargeDataId, TaskValuesRoundTrip) {
  for (bool outgoing : {true, false}) {
    std::string id = TaskLargeDataId(kTask, outgoing, "a/b c\xc3\xa9");
    EXPECT_EQ(id.substr(36, 3), outgoing ? "-o-" : "-i-");
    auto ref = ParseLargeDataId(id);
    ASSERT_TRUE(ref);
    EXPECT_EQ(ref->kind,
              outgoing ? LargeDataRef::Kind::kTaskOutgoing : LargeDataRef::Kind::kTaskIncoming);
    EXPECT_EQ(ref->owner, kTask);
    EXPECT_EQ(ref->name, "a/b c\xc3\xa9");
  }
}

TEST(LargeDataId, EmptyNameRoundTrips) {
  auto ref = ParseLargeDataId(LargeDataId(kJob, ""));
  ASSERT_TRUE(ref);
  EXPECT_EQ(ref->name, "");
}

TEST(LargeDataId, RejectsMalformed) {
  std::string t(kTask), j(kJob);
  for (const std::string& bad :
       {std::string("nope"), j, j + "-6", j + "-zz", j + "-7A", j + "x626967",
        std::string("6b173e37f5435887438cac6g-626967"), t + "-x-7a", t + "-o-7", t + "-o7a",
        t + "-o-7G", t.substr(0, 35) + "-o-7a", std::string("")}) {
    EXPECT_FALSE(ParseLargeDataId(bad)) << bad;
  }
}

TEST(MarkLargeData, JobVariablesOverThresholdOnly) {
  bj::value job = {{"_id", kJob},
                   {"variables",
                    {{"big", std::string(20, 'x')},      // 22 bytes as JSON
                     {"edge", std::string(8, 'y')},      // 10 bytes: not over 10
                     {"arr", bj::array{1, 2, 3, 4, 5}},  // 11 bytes
                     {"num", 123456789012345},           // scalars are never marked
                     {"small", "s"}}}};
  MarkLargeData(job, 10);
  const bj::object& v = job.at("variables").as_object();
  EXPECT_EQ(v.at("big"), (bj::value{{"$largeData", LargeDataId(kJob, "big")}, {"size", 22}}));
  EXPECT_EQ(v.at("edge"), bj::value(std::string(8, 'y')));
  EXPECT_EQ(v.at("arr").at("size"), 11);
  EXPECT_EQ(v.at("num"), 123456789012345);
  EXPECT_EQ(v.at("small"), "s");
}

TEST(MarkLargeData, NothingWithoutIdOrVariables) {
  bj::value a = {{"variables", {{"big", std::string(100, 'x')}}}};
  bj::value b = a;
  MarkLargeData(a, 10);
  EXPECT_EQ(a, b);
  bj::value n = nullptr;
  MarkLargeData(n, 10);
  EXPECT_TRUE(n.is_null());
}

TEST(MarkTaskLargeData, IncomingAndOutgoing) {
  bj::value task = {{"_id", kTask},
                    {"job", {{"_id", kJob}, {"task", "a1"}}},
                    {"variables",
                     {{"incoming", {{"name", "copy"}, {"value", std::string(30, 'x')}}},
                      {"outgoing", {{"value", bj::array{std::string(30, 'x')}}}}}}};
  MarkTaskLargeData(task, 20);
  const bj::object& v = task.at("variables").as_object();
  EXPECT_EQ(v.at("incoming").at("name"), "copy");
  EXPECT_EQ(v.at("incoming").at("value"),
            (bj::value{{"$largeData", TaskLargeDataId(kTask, false, "value")}, {"size", 32}}));
  EXPECT_EQ(v.at("outgoing").at("value"),
            (bj::value{{"$largeData", TaskLargeDataId(kTask, true, "value")}, {"size", 34}}));
  // The job part of the document is left alone.
  EXPECT_EQ(task.at("job").at("task"), "a1");
}

TEST(MarkTaskLargeData, ThresholdIsAParameter) {
  bj::value task = {{"_id", kTask}, {"variables", {{"outgoing", {{"v", std::string(30, 'x')}}}}}};
  bj::value same = task;
  MarkTaskLargeData(task, kDefaultLargeDataBytes);
  EXPECT_EQ(task, same);
}

}  // namespace
}  // namespace opsflow::api
