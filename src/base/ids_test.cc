#include "base/ids.h"

#include <gtest/gtest.h>

#include <set>

namespace opsflow::base {

TEST(Ids, ObjectIdsAreHexAndUnique) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    std::string id = NewObjectId();
    EXPECT_TRUE(IsObjectId(id)) << id;
    EXPECT_TRUE(seen.insert(id).second);
  }
}

TEST(Ids, UuidsAreV4) {
  std::string u = NewUuid();
  EXPECT_TRUE(IsUuid(u)) << u;
  EXPECT_EQ(u[14], '4');
  EXPECT_FALSE(IsUuid("not-a-uuid"));
  EXPECT_FALSE(IsObjectId("zzzzzzzzzzzzzzzzzzzzzzzz"));
}

}  // namespace opsflow::base
