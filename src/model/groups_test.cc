#include "model/groups.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace opsflow::model {
namespace {

using V = std::vector<std::string>;

TEST(Groups, SeesAsTable) {
  struct Row {
    Visibility visible;
    V item;
    bool sees;
  } rows[] = {
      {std::nullopt, {"g1"}, true},  // admin
      {V{}, {}, true},               // an ungrouped item: everyone
      {V{}, {"g1"}, false},          // no groups: only ungrouped items
      {V{"g2"}, {"g1"}, false},
      {V{"g2"}, {"g1", "g2"}, true},
      {V{"g1"}, {std::string(kUnreadableGroup)}, false},  // fails closed
  };
  for (const Row& r : rows) EXPECT_EQ(Sees(r.visible, r.item), r.sees);
}

TEST(Groups, PrivateGroupsAsTable) {
  struct Row {
    V job, wf, want;
  } rows[] = {
      {{}, {}, {}},
      {{"g1"}, {}, {"g1"}},
      {{}, {"g1"}, {"g1"}},                  // a public parent never opens a private workflow
      {{"g1", "g2"}, {"g2", "g3"}, {"g2"}},  // the intersection
      {{"g2"}, {"g1"}, {"g1"}},              // disjoint: the workflow's groups
  };
  for (const Row& r : rows) EXPECT_EQ(PrivateGroups(r.job, r.wf), r.want);
}

TEST(Groups, ReadsDocuments) {
  auto doc = boost::json::parse(R"({"groups":["a",{"_id":"b"},{"id":"c"},5]})").as_object();
  EXPECT_EQ(GroupsOfDoc(doc), (V{"a", "b", "c", std::string(kUnreadableGroup)}));
  EXPECT_EQ(ParseGroupsJson("not json"), V{std::string(kUnreadableGroup)});
  EXPECT_EQ(ParseGroupsJson(""), V{});
}

}  // namespace
}  // namespace opsflow::model
