#include "api/project_store.h"

#include <gtest/gtest.h>

#include "store/testing/mem_doc_store.h"

namespace opsflow::api {
namespace {

namespace bj = boost::json;

auth::Account Admin() { return {"aaaaaaaaaaaaaaaaaaaaaaaa", "admin", true, {}, "", ""}; }
auth::Account User(std::string id, std::string name, std::vector<std::string> groups = {}) {
  return {std::move(id), std::move(name), false, std::move(groups), "", ""};
}

struct ProjectStoreTest : ::testing::Test {
  store::testing::MemDocStore docs;
  base::FakeClock clock{1'700'000'000'000};
  ProjectStore projects{&docs, &clock};
};

TEST_F(ProjectStoreTest, ImportThenGetGivesTheExportFieldForField) {
  bj::value file = bj::parse(R"({"_id":"66d0bbec21161b4df271749f","iid":3,"name":"P",
    "components":[{"iid":0,"type":"workflow","folder":"/","document":{"name":"W","tasks":{},
    "transitions":{}}}],"createdBy":{"username":"x"},"members":[{"type":"group",
    "reference":"g1","role":"editor"}],"extra":{"kept":[1,2.5,null]}})");
  auto imported = projects.Import(Admin(), file.as_object());
  ASSERT_TRUE(imported.ok()) << imported.status().message();
  auto got =
      projects.Get(User("bbbbbbbbbbbbbbbbbbbbbbbb", "u", {"g1"}), "66d0bbec21161b4df271749f");
  ASSERT_TRUE(got.ok()) << got.status().message();
  EXPECT_EQ(bj::serialize(*got), bj::serialize(file));
  EXPECT_EQ(projects.Import(Admin(), file.as_object()).status().code(), base::Code::kAlreadyExists);
}

TEST_F(ProjectStoreTest, OthersSeeWhatTheyCreatedOrAreMembersOf) {
  auth::Account ann = User("bbbbbbbbbbbbbbbbbbbbbbbb", "ann", {"g1"});
  auth::Account bob = User("cccccccccccccccccccccccc", "bob");
  auto p = projects.Create(ann, bj::parse(R"({"name":"Mine"})").as_object());
  ASSERT_TRUE(p.ok());
  std::string id(p->at("_id").as_string());
  EXPECT_TRUE(projects.Get(ann, id).ok());
  EXPECT_TRUE(projects.Get(Admin(), id).ok());
  EXPECT_EQ(projects.Get(bob, id).status().code(), base::Code::kNotFound);
  EXPECT_EQ(projects.Delete(bob, id).code(), base::Code::kNotFound);
  ASSERT_EQ(projects.List(bob)->size(), 0u);

  // Admin drops ann's owner entry but names her group: ann still sees it (she created it too).
  auto u = projects.Update(
      Admin(), id, bj::parse(R"({"members":[{"type":"group","reference":"g1"}]})").as_object());
  ASSERT_TRUE(u.ok()) << u.status().message();
  auto carol = User("dddddddddddddddddddddddd", "carol", {"g1"});
  EXPECT_TRUE(projects.Get(carol, id).ok());
  EXPECT_EQ(projects.Update(carol, id, bj::parse(R"({"members":[]})").as_object()).status().code(),
            base::Code::kPermissionDenied);
  EXPECT_EQ(projects.List(carol)->size(), 1u);
}

TEST_F(ProjectStoreTest, ComponentsGetFreshIidsAndAreRemovedByIidIdOrName) {
  auto p = projects.Create(Admin(), bj::parse(R"({"name":"P"})").as_object());
  ASSERT_TRUE(p.ok());
  std::string id(p->at("_id").as_string());
  auto resolve = [](const std::string& type, const std::string& ref) -> base::Result<bj::object> {
    if (type == "workflow" && ref == "W") return bj::object{{"_id", "w-1"}, {"name", "W"}};
    return base::NotFound(ref);
  };
  auto added = projects.AddComponents(
      Admin(), id,
      bj::parse(
          R"([{"type":"workflow","reference":"W"},{"type":"template","document":{"name":"T"}}])")
          .as_array(),
      resolve);
  ASSERT_TRUE(added.ok()) << added.status().message();
  const bj::array& comps = added->at("components").as_array();
  ASSERT_EQ(comps.size(), 2u);
  EXPECT_EQ(comps[0].at("iid"), 0);
  EXPECT_EQ(comps[1].at("iid"), 1);
  EXPECT_EQ(comps[0].at("document").at("name"), "W");
  EXPECT_EQ(
      projects
          .AddComponents(Admin(), id,
                         bj::parse(R"([{"type":"workflow","reference":"X"}])").as_array(), resolve)
          .status()
          .code(),
      base::Code::kNotFound);
  EXPECT_TRUE(projects.RemoveComponent(Admin(), id, "w-1").ok());
  EXPECT_TRUE(projects.RemoveComponent(Admin(), id, "1").ok());
  EXPECT_EQ(projects.RemoveComponent(Admin(), id, "T").status().code(), base::Code::kNotFound);
  EXPECT_EQ(projects.Get(Admin(), id)->at("components").as_array().size(), 0u);
}

}  // namespace
}  // namespace opsflow::api
