#include "json/compare.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cstdint>
#include <string>

namespace opsflow::json {
namespace {

namespace bj = boost::json;

TEST(CompareNumbers, Table) {
  struct Case {
    bj::value a, b;
    int want;
  };
  const Case cases[] = {
      {1, 2, -1},
      {2, 1, 1},
      {1, 1.0, 0},
      {-1, 0.5, -1},
      {0.25, 0.25, 0},
      {int64_t{-1}, uint64_t{1} << 63, -1},
      {uint64_t{1} << 63, int64_t{-1}, 1},
      // Exact between integers: 2^63 - 1 and 2^63 are the same double but not the same number.
      {INT64_MAX, uint64_t{1} << 63, -1},
      {uint64_t{1} << 63, INT64_MAX, 1},
      {uint64_t{1} << 63, uint64_t{1} << 63, 0},
      {int64_t{9007199254740993}, int64_t{9007199254740992}, 1},
      {UINT64_MAX, 1e300, -1},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(CompareNumbers(c.a, c.b), c.want) << bj::serialize(c.a) << " " << bj::serialize(c.b);
  }
  EXPECT_TRUE(IsNumber(bj::value(1)));
  EXPECT_TRUE(IsNumber(bj::value(uint64_t{1} << 63)));
  EXPECT_TRUE(IsNumber(bj::value(1.5)));
  EXPECT_FALSE(IsNumber(bj::value("1")));
  EXPECT_FALSE(IsNumber(bj::value(true)));
  EXPECT_EQ(AsDouble(bj::value(3)), 3.0);
}

TEST(DeepEqual, Table) {
  struct Case {
    const char* a;
    const char* b;
    bool want;
  };
  const Case cases[] = {
      {"null", "null", true},
      {"1", "1.0", true},
      {"1", "2", false},
      {"\"1\"", "1", false},
      {"true", "true", true},
      {"true", "1", false},
      {"\"a\"", "\"a\"", true},
      {"[]", "{}", false},
      {"[1,[2,{\"x\":3}]]", "[1.0,[2,{\"x\":3.0}]]", true},
      {"[1,2]", "[2,1]", false},
      {"[1]", "[1,1]", false},
      {"{\"a\":1,\"b\":2}", "{\"b\":2,\"a\":1}", true},
      {"{\"a\":1}", "{\"a\":1,\"b\":null}", false},
      {"{\"a\":null}", "{\"b\":null}", false},
  };
  for (const Case& c : cases) {
    bool too_deep = false;
    EXPECT_EQ(DeepEqual(bj::parse(c.a), bj::parse(c.b), 64, &too_deep), c.want)
        << c.a << " " << c.b;
    EXPECT_EQ(DeepEqual(bj::parse(c.b), bj::parse(c.a), 64), c.want) << c.b << " " << c.a;
    EXPECT_FALSE(too_deep);
  }
}

TEST(DeepEqual, GivesUpPastMaxDepth) {
  std::string deep = std::string(10, '[') + "1" + std::string(10, ']');
  bj::value v = bj::parse(deep);
  bool too_deep = false;
  EXPECT_TRUE(DeepEqual(v, v, 10, &too_deep));
  EXPECT_FALSE(too_deep);
  EXPECT_FALSE(DeepEqual(v, v, 9, &too_deep));
  EXPECT_TRUE(too_deep);
  EXPECT_FALSE(DeepEqual(v, v, 9));  // without a flag to set
}

}  // namespace
}  // namespace opsflow::json
