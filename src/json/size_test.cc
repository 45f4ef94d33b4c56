#include "json/size.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace opsflow::json {
namespace {

TEST(TextSize, MatchesSerializeWithoutEscapes) {
  for (const char* text : {R"({"a":[1,2,{"b":null,"c":true,"d":false}],"e":"xyz","f":-12})", "[]",
                           "{}", "\"\"", R"([[],{},[{}]])", "18446744073709551615"}) {
    boost::json::value v = boost::json::parse(text);
    EXPECT_EQ(TextSize(v), boost::json::serialize(v).size()) << text;
  }
}

TEST(TextSize, StopsPastTheLimit) {
  boost::json::array big;
  for (int i = 0; i < 100000; ++i) big.push_back("0123456789");
  size_t n = TextSize(boost::json::value(big), 1000);
  EXPECT_GT(n, 1000u);
  EXPECT_LT(n, 2000u);  // stopped early, did not walk everything
}

}  // namespace
}  // namespace opsflow::json
