#include "auth/access.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace opsflow::auth {
namespace {

namespace bj = boost::json;

const std::string kG1 = "aaaaaaaaaaaaaaaaaaaaaaa1";
const std::string kG2 = "aaaaaaaaaaaaaaaaaaaaaaa2";
const std::string kG3 = "aaaaaaaaaaaaaaaaaaaaaaa3";

Account User(std::vector<std::string> groups, bool admin = false) {
  Account a;
  a.id = "bbbbbbbbbbbbbbbbbbbbbbbb";
  a.username = "alice";
  a.groups = std::move(groups);
  a.admin = admin;
  return a;
}

TEST(AccessTest, EmptyGroupsAreVisibleToEveryone) {
  EXPECT_TRUE(CanSee(User({}), {}));
  EXPECT_TRUE(CanSee(User({kG1}), {}));
}

TEST(AccessTest, MembersOfAnyGroupSee) {
  EXPECT_TRUE(CanSee(User({kG1}), {kG1}));
  EXPECT_TRUE(CanSee(User({kG1}), {kG2, kG1}));
  EXPECT_TRUE(CanSee(User({kG1, kG2}), {kG2}));
  EXPECT_FALSE(CanSee(User({kG1}), {kG2}));
  EXPECT_FALSE(CanSee(User({}), {kG1}));
}

TEST(AccessTest, JobTasksSeeWhatTheInitiatorSees) {
  Account u1 = User({kG1}), admin = User({}, true);
  EXPECT_EQ(JobTaskVisibility(&u1, "[\"" + kG2 + "\"]"), std::vector<std::string>{kG1});
  EXPECT_EQ(JobTaskVisibility(&admin, "[]"), std::nullopt);
  // No account (the trigger system user, a deleted account): the job's own groups decide.
  EXPECT_EQ(JobTaskVisibility(nullptr, "[\"" + kG2 + "\"]"), std::vector<std::string>{kG2});
  EXPECT_EQ(JobTaskVisibility(nullptr, "[]"), std::vector<std::string>{});
  EXPECT_EQ(JobTaskVisibility(nullptr, "not json"),
            std::vector<std::string>{std::string(kUnreadableGroup)});
}

TEST(AccessTest, AdminsSeeEverything) {
  EXPECT_TRUE(CanSee(User({}, true), {kG1}));
  EXPECT_TRUE(CanSee(User({}, true), {std::string(kUnreadableGroup)}));
}

TEST(AccessTest, GroupsOfReadsIdsAndFailsClosed) {
  EXPECT_TRUE(GroupsOf(nullptr).empty());
  bj::value null_v;
  EXPECT_TRUE(GroupsOf(&null_v).empty());
  bj::value arr = bj::parse(R"(["g1", {"_id": "g2"}, {"id": "g3"}])");
  EXPECT_EQ(GroupsOf(&arr), (std::vector<std::string>{"g1", "g2", "g3"}));
  bj::value odd = bj::parse(R"([42])");
  EXPECT_EQ(GroupsOf(&odd), (std::vector<std::string>{std::string(kUnreadableGroup)}));
  bj::value str = bj::parse(R"("g1")");
  EXPECT_EQ(GroupsOf(&str), (std::vector<std::string>{std::string(kUnreadableGroup)}));
  // An unreadable list hides the item from everyone but admins.
  EXPECT_FALSE(CanSee(User({kG1}), GroupsOf(&odd)));
}

TEST(AccessTest, GroupsOfDocAndJson) {
  bj::object doc = bj::parse(R"({"name": "w", "groups": ["x"]})").as_object();
  EXPECT_EQ(GroupsOfDoc(doc), (std::vector<std::string>{"x"}));
  EXPECT_TRUE(GroupsOfDoc(bj::object{}).empty());
  EXPECT_TRUE(ParseGroupsJson("[]").empty());
  EXPECT_TRUE(ParseGroupsJson("").empty());
  EXPECT_EQ(ParseGroupsJson(R"(["a","b"])"), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(ParseGroupsJson("[not json"),
            (std::vector<std::string>{std::string(kUnreadableGroup)}));
}

TEST(AccessTest, VisibleGroups) {
  EXPECT_FALSE(VisibleGroups(User({kG1}, true)).has_value());
  auto v = VisibleGroups(User({kG1, kG2}));
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(*v, (std::vector<std::string>{kG1, kG2}));
  auto none = VisibleGroups(User({}));
  ASSERT_TRUE(none.has_value());
  EXPECT_TRUE(none->empty());
}

TEST(AccessTest, CheckGrant) {
  auto exists = [](const std::string& g) { return g == kG1 || g == kG2; };
  EXPECT_TRUE(CheckGrant(User({kG1}), kG1, exists).ok());
  base::Status st = CheckGrant(User({kG1}), kG2, exists);
  EXPECT_EQ(st.code(), base::Code::kPermissionDenied);
  EXPECT_NE(st.message().find(kG2), std::string::npos);
  EXPECT_EQ(CheckGrant(User({kG1}), kG3, exists).code(), base::Code::kInvalidArgument);
  EXPECT_TRUE(CheckGrant(User({}, true), kG2, exists).ok());
  st = CheckGrant(User({}, true), kG3, exists);
  EXPECT_EQ(st.code(), base::Code::kInvalidArgument);
  EXPECT_NE(st.message().find(kG3), std::string::npos);
  EXPECT_EQ(CheckGrant(User({}, true), kG1, nullptr).code(), base::Code::kInvalidArgument);
}

TEST(AccessTest, CheckRevoke) {
  EXPECT_TRUE(CheckRevoke(User({kG1}), {kG1, kG2}, kG1).ok());
  EXPECT_EQ(CheckRevoke(User({kG1}), {kG1, kG2}, kG2).code(), base::Code::kPermissionDenied);
  // The last group stays unless an admin removes it.
  EXPECT_EQ(CheckRevoke(User({kG1}), {kG1}, kG1).code(), base::Code::kPermissionDenied);
  EXPECT_TRUE(CheckRevoke(User({}, true), {kG1}, kG1).ok());
  // Removing a group the item does not have changes nothing.
  EXPECT_TRUE(CheckRevoke(User({}), {kG1}, kG3).ok());
}

auto Exists() {
  return [](const std::string& g) { return g == kG1 || g == kG2; };
}

TEST(AccessTest, VisibleUnderAFilter) {
  EXPECT_TRUE(VisibleUnder(std::nullopt, {kG1}));
  EXPECT_TRUE(VisibleUnder(std::nullopt, {std::string(kUnreadableGroup)}));
  EXPECT_TRUE(VisibleUnder(std::vector<std::string>{}, {}));
  EXPECT_FALSE(VisibleUnder(std::vector<std::string>{}, {kG1}));
  EXPECT_TRUE(VisibleUnder(std::vector<std::string>{kG2}, {kG1, kG2}));
  EXPECT_FALSE(VisibleUnder(std::vector<std::string>{kG2}, {kG1}));
  EXPECT_FALSE(VisibleUnder(std::vector<std::string>{kG2}, {std::string(kUnreadableGroup)}));
}

TEST(AccessTest, GroupsChangeFollowsGrantAndRevoke) {
  Account u1 = User({kG1}), admin = User({}, true);
  EXPECT_TRUE(CheckGroupsChange(u1, {kG1}, {kG1}, Exists()).ok());
  EXPECT_TRUE(CheckGroupsChange(u1, {kG2}, {kG2}, Exists()).ok());  // unchanged
  EXPECT_TRUE(CheckGroupsChange(u1, {}, {kG1}, Exists()).ok());
  EXPECT_EQ(CheckGroupsChange(u1, {kG1}, {kG1, kG2}, Exists()).code(),
            base::Code::kPermissionDenied);  // not the caller's group
  EXPECT_EQ(CheckGroupsChange(u1, {kG1}, {kG1, kG3}, Exists()).code(),
            base::Code::kInvalidArgument);  // no such group
  EXPECT_EQ(CheckGroupsChange(u1, {kG1}, {}, Exists()).code(),
            base::Code::kPermissionDenied);  // the last group
  EXPECT_EQ(CheckGroupsChange(u1, {kG1, kG2}, {kG1}, Exists()).code(),
            base::Code::kPermissionDenied);  // not the caller's group
  EXPECT_TRUE(CheckGroupsChange(User({kG1, kG2}), {kG1, kG2}, {kG1}, Exists()).ok());
  // A swap keeps the item restricted: not the removal of its last group.
  EXPECT_TRUE(CheckGroupsChange(User({kG1, kG2}), {kG1}, {kG2}, Exists()).ok());
  EXPECT_EQ(CheckGroupsChange(User({kG1, kG2}), {kG1}, {}, Exists()).code(),
            base::Code::kPermissionDenied);
  EXPECT_TRUE(CheckGroupsChange(admin, {kG1}, {}, Exists()).ok());
  EXPECT_TRUE(CheckGroupsChange(admin, {}, {kG3}, Exists()).ok());
}

TEST(AccessTest, NewItemsGetTheCreatorsGroups) {
  Account u1 = User({kG1}), none = User({}), admin = User({kG2}, true);
  EXPECT_EQ(*GroupsForNewItem(u1, std::nullopt, Exists()), std::vector<std::string>{kG1});
  EXPECT_EQ(*GroupsForNewItem(none, std::nullopt, Exists()), std::vector<std::string>{});
  EXPECT_EQ(*GroupsForNewItem(admin, std::nullopt, Exists()), std::vector<std::string>{});
  EXPECT_EQ(*GroupsForNewItem(u1, std::vector<std::string>{}, Exists()),
            std::vector<std::string>{});
  EXPECT_EQ(GroupsForNewItem(u1, std::vector<std::string>{kG2}, Exists()).status().code(),
            base::Code::kPermissionDenied);
  EXPECT_EQ(GroupsForNewItem(u1, std::vector<std::string>{kG3}, Exists()).status().code(),
            base::Code::kInvalidArgument);
  EXPECT_EQ(*GroupsForNewItem(admin, std::vector<std::string>{kG3}, Exists()),
            std::vector<std::string>{kG3});
}

// Automation gbac as a table: {read, write} x account -> may read, may change.
TEST(AccessTest, AutomationGbac) {
  auto gbac = [](std::vector<std::string> r, std::vector<std::string> w) {
    return bj::object{{"gbac", bj::object{{"read", bj::value_from(r)}, {"write", bj::value_from(w)}}}};
  };
  struct Row {
    bj::object automation;
    Account account;
    bool read, change;
  } rows[] = {
      {gbac({}, {}), User({}), true, true},                  // open to every user
      {bj::object{}, User({}), true, true},                  // no gbac: open
      {bj::object{{"gbac", "junk"}}, User({}), true, true},  // malformed: read as empty
      {gbac({kG1}, {kG2}), User({}), false, false},          // outsider
      {gbac({kG1}, {kG2}), User({kG1}), true, false},        // reader
      {gbac({kG1}, {kG2}), User({kG2}), true, true},         // writer
      {gbac({}, {kG2}), User({kG1}), false, false},
      {gbac({kG1}, {}), User({kG1}), true, false},  // read only (refused by validation)
      {gbac({kG1}, {kG2}), User({}, true), true, true},  // admin
  };
  for (const Row& r : rows) {
    SCOPED_TRACE(bj::serialize(r.automation));
    EXPECT_EQ(CanReadAutomation(r.account, r.automation), r.read);
    EXPECT_EQ(CanChangeAutomation(r.account, r.automation), r.change);
  }
  EXPECT_EQ(AutomationGroups(gbac({kG1, kG2}, {kG2, kG3})),
            (std::vector<std::string>{kG1, kG2, kG3}));
  EXPECT_TRUE(AutomationGroups(bj::object{}).empty());
}

}  // namespace
}  // namespace opsflow::auth
