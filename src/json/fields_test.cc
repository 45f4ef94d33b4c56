#include "json/fields.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace opsflow::json {
namespace {

TEST(StringField, ReadsAStringMember) {
  boost::json::object o = boost::json::parse(R"({"a":"x","e":"","n":1,"z":null})").as_object();
  EXPECT_EQ(StringField(o, "a"), "x");
  EXPECT_EQ(StringField(o, "e"), "");
  EXPECT_EQ(StringField(o, "e", "-"), "");  // an empty string is still a string
}

TEST(StringField, MissingOrNotAStringIsTheFallback) {
  boost::json::object o = boost::json::parse(R"({"n":1,"z":null,"o":{},"l":["x"]})").as_object();
  for (const char* key : {"missing", "n", "z", "o", "l"}) {
    EXPECT_EQ(StringField(o, key), "") << key;
    EXPECT_EQ(StringField(o, key, "-"), "-") << key;
  }
}

TEST(StringField, ValueOverload) {
  EXPECT_EQ(StringField(boost::json::parse(R"({"a":"x"})"), "a"), "x");
  EXPECT_EQ(StringField(boost::json::parse(R"({"a":2})"), "a"), "");
  for (const char* text : {"null", "\"a\"", "[\"a\"]", "3"}) {
    EXPECT_EQ(StringField(boost::json::parse(text), "a"), "") << text;
    EXPECT_EQ(StringField(boost::json::parse(text), "a", "?"), "?") << text;
  }
}

}  // namespace
}  // namespace opsflow::json
