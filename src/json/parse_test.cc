#include "json/parse.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <random>

namespace opsflow::json {

TEST(Parse, DoublesRoundTripExactly) {
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> d(-1e6, 1e6);
  for (int i = 0; i < 20000; ++i) {
    double x = d(rng);
    auto r = Parse(Serialize(boost::json::value(x)));
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(r->as_double(), x);
  }
}

TEST(Parse, RejectsBadInput) {
  EXPECT_FALSE(Parse("{").ok());
  EXPECT_FALSE(Parse("").ok());
  EXPECT_FALSE(Parse("1e400").ok());
  EXPECT_FALSE(Parse("{} x").ok());
  EXPECT_FALSE(Parse("\"\xff\xfe\"").ok());
  std::string deep(100, '[');
  deep += std::string(100, ']');
  auto r = Parse(deep, {.max_depth = 64});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("deeper"), std::string::npos);
  EXPECT_FALSE(Parse("[1]", {.max_depth = 64, .max_bytes = 2}).ok());
}

TEST(Parse, KeepsIntegersAndStrings) {
  auto r = Parse(R"({"a":1,"b":-2,"c":18446744073709551615,"d":"x\u00e9","e":1.5e-3})");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->at("a").as_int64(), 1);
  EXPECT_EQ(r->at("c").as_uint64(), 18446744073709551615ull);
  EXPECT_EQ(r->at("e").as_double(), 1.5e-3);
}

}  // namespace opsflow::json
