// TriggerService::CloneAutomation and ExportTrigger (automation_clone.cc), and the event
// definitions (event_definitions.cc).
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "automation/event_definitions.h"
#include "automation/trigger_service.h"
#include "base/clock.h"
#include "base/ids.h"
#include "store/testing/mem_doc_store.h"

namespace opsflow::automation {
namespace {

namespace bj = boost::json;

const std::string kG1 = "aaaaaaaaaaaaaaaaaaaaaaaa";

auth::Account Viewer(bool admin, std::vector<std::string> groups, std::string username) {
  auth::Account a;
  a.admin = admin;
  a.groups = std::move(groups);
  a.username = std::move(username);
  return a;
}

// Knows one workflow ("wf", _id "wf-id"); starts nothing.
class NoJobs final : public JobLauncher {
 public:
  base::Result<WorkflowRef> FindWorkflow(const std::string&, const std::string& id) override {
    if (id == "wf" || id == "wf-id") return WorkflowRef{"wf-id", "wf"};
    return base::NotFound("no workflow " + id);
  }
  void StartJob(TriggerJob, StartCallback done) override {
    done(base::Unavailable("no jobs in this test"));
  }
  base::Result<bj::object> GetJob(const std::string& id) override {
    return base::NotFound("job " + id);
  }
};

class AutomationCloneTest : public ::testing::Test {
 protected:
  AutomationCloneTest() { Reopen(); }
  void Reopen() {
    svc_ = std::make_unique<TriggerService>(&docs_, &clock_);
    svc_->SetLauncher(&launcher_);
    ASSERT_TRUE(svc_->Load().ok());
  }
  std::string Create(bj::object body, bool trigger) {
    auto r = trigger ? svc_->CreateTrigger(admin_, std::move(body))
                     : svc_->CreateAutomation(admin_, std::move(body));
    EXPECT_TRUE(r.ok()) << r.status().message();
    return r.ok() ? std::string(r->at("_id").as_string()) : "";
  }

  store::testing::MemDocStore docs_;
  base::FakeClock clock_{1700000000000};
  NoJobs launcher_;
  auth::Account admin_ = Viewer(true, {}, "admin");
  std::unique_ptr<TriggerService> svc_;
};

TEST_F(AutomationCloneTest, ClonesTheAutomationAndItsTriggersDisabledWithFreeRoutes) {
  std::string a = Create(bj::object{{"name", "A"},
                                    {"componentId", "wf-id"},
                                    {"gbac", bj::object{{"read", bj::array{}},
                                                        {"write", bj::array{kG1}}}}},
                         false);
  std::string m = Create(bj::object{{"name", "m"}, {"type", "manual"}, {"actionId", a}}, true);
  std::string e = Create(bj::object{{"name", "e"},
                                    {"type", "endpoint"},
                                    {"actionId", a},
                                    {"routeName", "r"},
                                    {"enabled", false}},
                         true);

  auto c = svc_->CloneAutomation(admin_, a, std::nullopt);
  ASSERT_TRUE(c.ok()) << c.status().message();
  std::string id(c->automation.at("_id").as_string());
  EXPECT_NE(id, a);
  EXPECT_EQ(c->automation.at("name"), "A (copy)");
  EXPECT_EQ(c->automation.at("componentId"), "wf-id");
  EXPECT_EQ(c->automation.at("gbac").at("write"), (bj::array{kG1}));
  const bj::array& trigs = c->automation.at("triggers").as_array();
  ASSERT_EQ(trigs.size(), 2u);
  for (const bj::value& t : trigs) {
    EXPECT_EQ(t.at("actionId"), bj::value(id));
    EXPECT_EQ(t.at("enabled"), false);
    EXPECT_NE(t.at("_id"), bj::value(m));
    EXPECT_NE(t.at("_id"), bj::value(e));
    if (t.at("type") == "endpoint") {
      EXPECT_EQ(t.at("routeName"), "r-copy");
    }
  }
  ASSERT_TRUE(c->trigger_results.contains(m));
  EXPECT_EQ(c->trigger_results.at(m).at("success"), true);
  EXPECT_EQ(c->trigger_results.at(e).at("success"), true);
  // The name, the disabled manual trigger (the endpoint one was disabled already) and the route.
  EXPECT_EQ(c->automatic_changes.size(), 3u) << bj::serialize(c->automatic_changes);

  // A second clone takes the next free name and route; a given name must be free.
  auto c2 = svc_->CloneAutomation(admin_, a, std::nullopt);
  ASSERT_TRUE(c2.ok());
  EXPECT_EQ(c2->automation.at("name"), "A (copy 2)");
  auto taken = svc_->CloneAutomation(admin_, a, std::string("A"));
  ASSERT_FALSE(taken.ok());
  EXPECT_EQ(taken.status().code(), base::Code::kAlreadyExists);

  // Durable: a restarted service has the clone and its triggers; the source keeps its own.
  Reopen();
  auto exported = svc_->ExportAutomation(admin_, id);
  ASSERT_TRUE(exported.ok());
  EXPECT_EQ(exported->at("triggers").as_array().size(), 2u);
  auto source = svc_->ExportAutomation(admin_, a);
  ASSERT_TRUE(source.ok());
  EXPECT_EQ(source->at("triggers").as_array().size(), 2u);
  auto t = svc_->ExportTrigger(admin_, e);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->at("routeName"), "r");
}

TEST_F(AutomationCloneTest, OnlyAReaderClonesAndExports) {
  std::string a = Create(bj::object{{"name", "A"},
                                    {"gbac", bj::object{{"read", bj::array{kG1}},
                                                        {"write", bj::array{kG1}}}}},
                         false);
  std::string m = Create(bj::object{{"name", "m"}, {"type", "manual"}, {"actionId", a}}, true);
  auth::Account outsider = Viewer(false, {}, "bob");
  auto c = svc_->CloneAutomation(outsider, a, std::nullopt);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), base::Code::kNotFound);
  auto t = svc_->ExportTrigger(outsider, m);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), base::Code::kNotFound);
  auth::Account member = Viewer(false, {kG1}, "alice");
  auto ok = svc_->CloneAutomation(member, a, std::string("mine"));
  ASSERT_TRUE(ok.ok()) << ok.status().message();
  EXPECT_EQ(ok->automation.at("createdBy"), "alice");
  auto unknown = svc_->CloneAutomation(admin_, base::NewObjectId(), std::nullopt);
  EXPECT_EQ(unknown.status().code(), base::Code::kNotFound);
}

TEST(EventDefinitionTest, JobTopicsOnly) {
  auto d = EventDefinition("@itential/app-workflow_engine", "jobComplete");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->at("source"), "@itential/app-workflow_engine");
  EXPECT_EQ(d->at("topic"), "jobComplete");
  EXPECT_EQ(d->at("definition").at("required"), (bj::array{"source", "topic", "job"}));
  auto sla = EventDefinition("app-workflow_engine", "jobSlaBreach");
  ASSERT_TRUE(sla.ok());
  EXPECT_TRUE(sla->at("definition").at("properties").as_object().contains("slaDelta"));
  EXPECT_EQ(EventDefinition("app-workflow_engine", "taskStart").status().code(),
            base::Code::kNotFound);
  EXPECT_EQ(EventDefinition("other", "jobComplete").status().code(), base::Code::kNotFound);
  EXPECT_EQ(EventDefinition("app-workflow_engine", "nope").status().code(),
            base::Code::kNotFound);
}

}  // namespace
}  // namespace opsflow::automation
