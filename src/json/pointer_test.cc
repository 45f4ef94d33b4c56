#include "json/pointer.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace opsflow::json {

TEST(Pointer, FindAndSet) {
  boost::json::value v = boost::json::parse(R"({"a":{"b":[1,{"c~/":2}]}})");
  ASSERT_NE(FindPointer(v, "/a/b/1/c~0~1"), nullptr);
  EXPECT_EQ(FindPointer(v, "/a/b/1/c~0~1")->as_int64(), 2);
  EXPECT_EQ(FindPointer(v, "/a/x"), nullptr);
  EXPECT_EQ(FindPointer(v, "/a/b/9"), nullptr);
  ASSERT_TRUE(SetPointer(v, "/x/y/z", 5).ok());
  EXPECT_EQ(FindPointer(v, "/x/y/z")->as_int64(), 5);
  ASSERT_TRUE(SetPointer(v, "/a/b/-", 3).ok());
  EXPECT_EQ(v.at("a").at("b").as_array().size(), 3u);
  EXPECT_FALSE(SetPointer(v, "/a/b/0/q", 1).ok());
  EXPECT_EQ(FindPath(v, "a.b.0")->as_int64(), 1);
}

TEST(Pointer, EscapesTokens) {
  EXPECT_EQ(EscapePointerToken("a/b~c"), "a~1b~0c");
  EXPECT_EQ(EscapePointerToken(""), "");
}

}  // namespace opsflow::json
