#include "auth/bearer.h"

#include <gtest/gtest.h>

namespace opsflow::auth {
namespace {

TEST(BearerTokenTest, SchemeInAnyCase) {
  EXPECT_EQ(BearerToken("Bearer abc"), "abc");
  EXPECT_EQ(BearerToken("bearer abc"), "abc");
  EXPECT_EQ(BearerToken("BEARER abc"), "abc");
  EXPECT_EQ(BearerToken("bEaReR abc"), "abc");
}

TEST(BearerTokenTest, BlanksAroundAreDropped) {
  EXPECT_EQ(BearerToken("Bearer   abc"), "abc");
  EXPECT_EQ(BearerToken("Bearer\tabc "), "abc");
  EXPECT_EQ(BearerToken("  bearer abc"), "abc");
}

TEST(BearerTokenTest, OtherCredentialsGiveNothing) {
  EXPECT_EQ(BearerToken(""), "");
  EXPECT_EQ(BearerToken("Bearer"), "");
  EXPECT_EQ(BearerToken("Bearer "), "");
  EXPECT_EQ(BearerToken("Bearerabc"), "");
  EXPECT_EQ(BearerToken("Basic YWxpY2U6cGFzcw=="), "");
  EXPECT_EQ(BearerToken("Bearer a b"), "");
  EXPECT_EQ(BearerToken("Bear abc"), "");
}

}  // namespace
}  // namespace opsflow::auth
