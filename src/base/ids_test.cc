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

TEST(Ids, IterationUuidsShareTheJobPrefixAndSort) {
  std::string job = NewObjectId();
  std::string a = IterationUuid(job, 1), b = IterationUuid(job, 2);
  EXPECT_TRUE(IsUuid(a)) << a;
  EXPECT_LT(a, b);
  EXPECT_EQ(a.substr(0, 30), IterationUuidPrefix(job));
  EXPECT_EQ(IterationUuidSeq(b), 2);
  EXPECT_EQ(IterationUuidSeq(NewUuid()), -1);
}

}  // namespace opsflow::base
