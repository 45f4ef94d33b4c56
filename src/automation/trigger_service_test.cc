#include "automation/trigger_service.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>

#include "base/clock.h"
#include "base/ids.h"
#include "store/testing/mem_doc_store.h"

namespace opsflow::automation {
namespace {

namespace bj = boost::json;

constexpr int64_t kMin = 60 * 1000;
const std::string kG1 = "aaaaaaaaaaaaaaaaaaaaaaaa";
const std::string kG2 = "bbbbbbbbbbbbbbbbbbbbbbbb";

using store::testing::MemDocStore;

auth::Account Viewer(bool admin, std::vector<std::string> groups, std::string username) {
  auth::Account a;
  a.admin = admin;
  a.groups = std::move(groups);
  a.username = std::move(username);
  return a;
}

// Knows one workflow ("wf", _id "wf-id") and records the jobs it is asked to start.
class FakeLauncher final : public JobLauncher {
 public:
  base::Result<WorkflowRef> FindWorkflow(const std::string& as_user,
                                         const std::string& id_or_name) override {
    if (as_user == "nobody") return base::NotFound("no workflow " + id_or_name);  // may not see
    if (id_or_name == "wf" || id_or_name == "wf-id") return WorkflowRef{"wf-id", "wf"};
    return base::NotFound("no workflow " + id_or_name);
  }
  // As the runtime does: the job and `also_commit` become durable together. With `crash` set
  // the process "dies" before that commit: nothing is written and `done` never runs.
  void StartJob(TriggerJob job, StartCallback done) override {
    JobSnapshot snap;
    snap.record.id = base::NewObjectId();
    {
      std::lock_guard<std::mutex> l(mu_);
      jobs.push_back(job);
      ids.push_back(snap.record.id);
    }
    cv_.notify_all();
    if (crash) return;
    for (const store::DocPut& p : job.also_commit) {
      EXPECT_TRUE(commit_to->Put(p.kind, p.key, p.doc_json).ok());
    }
    done(std::move(snap));
  }
  store::DocStore* commit_to = nullptr;
  bool crash = false;
  base::Result<bj::object> GetJob(const std::string& id) override {
    return bj::object{{"_id", id}, {"name", "wf"}, {"status", "complete"}};
  }
  size_t count() {
    std::lock_guard<std::mutex> l(mu_);
    return jobs.size();
  }
  bool WaitFor(size_t n) {
    std::unique_lock<std::mutex> l(mu_);
    return cv_.wait_for(l, std::chrono::seconds(20), [&] { return jobs.size() >= n; });
  }
  std::vector<TriggerJob> jobs;
  std::vector<std::string> ids;

 private:
  std::mutex mu_;
  std::condition_variable cv_;
};

class TriggerServiceTest : public ::testing::Test {
 protected:
  TriggerServiceTest() { Reopen(); }

  // A fresh service over the same store: a process restart.
  void Reopen(TriggerServiceOptions opts = {}) {
    actions_.commit_to = &docs_;
    svc_ = std::make_unique<TriggerService>(&docs_, &clock_, opts);
    svc_->SetLauncher(&actions_);
    ASSERT_TRUE(svc_->Load().ok());
  }

  std::string NewAutomation(bj::object extra = {}) {
    bj::object body{{"name", "auto-" + std::to_string(++n_)},
                    {"componentType", "workflows"},
                    {"componentId", "wf-id"}};
    for (auto& [k, v] : extra) body[k] = v;
    auto a = svc_->CreateAutomation(admin_, body);
    EXPECT_TRUE(a.ok()) << a.status().message();
    return a.ok() ? std::string(a->at("_id").as_string()) : "";
  }

  std::string NewTrigger(const std::string& automation, const char* json) {
    bj::object body = bj::parse(json).as_object();
    body["actionId"] = automation;
    if (!body.contains("name")) body["name"] = "t" + std::to_string(++n_);
    auto t = svc_->CreateTrigger(admin_, body);
    EXPECT_TRUE(t.ok()) << t.status().message();
    return t.ok() ? std::string(t->at("_id").as_string()) : "";
  }
  // A schedule trigger due at `first`, then every minute, with this processMissedRuns.
  std::string NewMinuteSchedule(const std::string& automation, const char* missed, int64_t first) {
    std::string json = std::string(R"({"type":"schedule","processMissedRuns":")") + missed +
                       R"(","firstRunAt":)" + std::to_string(first) + R"(,"repeatInterval":60000})";
    return NewTrigger(automation, json.c_str());
  }

  bj::object Trigger(const std::string& id) { return svc_->GetTrigger(admin_, id).value(); }

  base::Status RunManual(const auth::Account& v, const std::string& id,
                         std::optional<bj::value> form = std::nullopt) {
    base::Status out = base::Internal("callback never ran");
    svc_->RunManual(v, id, std::move(form), [&](base::Result<JobSnapshot> r) {
      out = r.ok() ? base::Status::Ok() : r.status();
    });
    return out;
  }

  MemDocStore docs_;
  base::FakeClock clock_{1700000000000};
  FakeLauncher actions_;
  std::unique_ptr<TriggerService> svc_;
  auth::Account admin_ = Viewer(true, {}, "admin");
  int n_ = 0;
};

TEST_F(TriggerServiceTest, ScheduleFiresOncePerDueTime) {
  std::string a = NewAutomation();
  int64_t first = clock_.NowMs() + 1000;
  std::string t = NewTrigger(a, (R"({"type":"schedule","firstRunAt":)" + std::to_string(first) +
                                 R"(,"repeatUnit":"minute","repeatFrequency":1,
                                    "formData":{"x":1}})")
                                    .c_str());
  EXPECT_EQ(Trigger(t).at("nextRunAt"), first);
  svc_->Tick();
  EXPECT_EQ(actions_.count(), 0u);
  clock_.Set(first);
  svc_->Tick();
  svc_->Tick();  // the same due time does not fire again
  ASSERT_EQ(actions_.count(), 1u);
  EXPECT_EQ(actions_.jobs[0].workflow, "wf");
  EXPECT_EQ(bj::serialize(actions_.jobs[0].variables), R"({"formData":{"x":1}})");
  EXPECT_EQ(actions_.jobs[0].user, "Pronghorn");
  bj::object doc = Trigger(t);
  EXPECT_EQ(doc.at("nextRunAt"), first + kMin);
  EXPECT_EQ(doc.at("lastExecuted"), first);
  clock_.Advance(kMin - 1);
  svc_->Tick();
  EXPECT_EQ(actions_.count(), 1u);
  clock_.Advance(1);
  svc_->Tick();
  EXPECT_EQ(actions_.count(), 2u);
  // The advance is durable: a restart right now does not run it again.
  Reopen();
  svc_->Tick();
  EXPECT_EQ(actions_.count(), 2u);
}

TEST_F(TriggerServiceTest, MissedRunsNoneSkipsThemAfterRestart) {
  std::string a = NewAutomation();
  int64_t first = clock_.NowMs() + kMin;
  std::string t = NewMinuteSchedule(a, "none", first);
  clock_.Advance(5 * kMin + 10);  // "down" over five due times
  Reopen();
  svc_->Tick();
  EXPECT_EQ(actions_.count(), 0u);
  int64_t next = Trigger(t).at("nextRunAt").as_int64();
  EXPECT_GT(next, clock_.NowMs());
  clock_.Set(next);
  svc_->Tick();
  EXPECT_EQ(actions_.count(), 1u);
}

// Exactly once per due time: the advanced trigger is durable only with the job it started. A
// crash before that commit leaves the due time unspent: a missed run after the restart.
TEST_F(TriggerServiceTest, ScheduleAdvanceCommitsWithItsJob) {
  std::string a = NewAutomation();
  int64_t first = clock_.NowMs() + kMin;
  std::string t = NewMinuteSchedule(a, "last", first);
  auto stored_next = [&] {
    return bj::parse(docs_.Get("trigger", t).value()).as_object().at("nextRunAt").as_int64();
  };
  actions_.crash = true;
  clock_.Set(first);
  svc_->Tick();
  svc_->Tick();
  ASSERT_EQ(actions_.count(), 1u);  // started once while up
  EXPECT_EQ(stored_next(), first);  // but nothing committed
  actions_.crash = false;
  Reopen();  // the restart: the due time is a missed run
  svc_->Tick();
  svc_->Tick();
  ASSERT_EQ(actions_.count(), 2u);
  EXPECT_EQ(stored_next(), first + kMin);  // committed with that job
  Reopen();
  svc_->Tick();
  EXPECT_EQ(actions_.count(), 2u);  // and never again
}

TEST_F(TriggerServiceTest, MissedRunsLastRunsOnceAfterRestart) {
  std::string a = NewAutomation();
  int64_t first = clock_.NowMs() + kMin;
  std::string t = NewMinuteSchedule(a, "last", first);
  clock_.Advance(5 * kMin + 10);
  Reopen();
  svc_->Tick();
  svc_->Tick();
  EXPECT_EQ(actions_.count(), 1u);
  EXPECT_GT(Trigger(t).at("nextRunAt").as_int64(), clock_.NowMs());
}

TEST_F(TriggerServiceTest, NewerRepeatShapeAndEndAfter) {
  std::string a = NewAutomation();
  std::string t = NewTrigger(a, R"({"type":"schedule","processMissedRuns":"none",
      "repeat":{"type":"repeating","duration":{"unit":"minute","quantity":2},"action":"execute"},
      "repeatEnd":{"endAfter":2,"removeAfterEnd":true}})");
  EXPECT_EQ(Trigger(t).at("nextRunAt"), clock_.NowMs() + 2 * kMin);
  for (int i = 0; i < 4; ++i) {
    clock_.Advance(2 * kMin);
    svc_->Tick();
  }
  EXPECT_EQ(actions_.count(), 2u);
  EXPECT_FALSE(svc_->GetTrigger(admin_, t).ok());  // removed after its end
}

TEST_F(TriggerServiceTest, DisabledTriggersDoNotRun) {
  std::string a = NewAutomation();
  std::string s = NewTrigger(a, R"({"type":"schedule","enabled":false,
      "firstRunAt":1700000060000,"repeatInterval":60000})");
  std::string m = NewTrigger(a, R"({"type":"manual","enabled":false})");
  clock_.Advance(kMin + 1);  // past the first due time
  svc_->Tick();
  EXPECT_EQ(actions_.count(), 0u);
  base::Status st = RunManual(admin_, m);
  EXPECT_EQ(st.code(), base::Code::kFailedPrecondition);
  EXPECT_NE(st.message().find("disabled"), std::string::npos);
  // Re-enabling does not catch up on what was skipped while disabled.
  ASSERT_TRUE(svc_->PatchTrigger(admin_, s, bj::object{{"enabled", true}}).ok());
  svc_->Tick();
  EXPECT_EQ(actions_.count(), 0u);
  clock_.Advance(kMin);
  svc_->Tick();
  EXPECT_EQ(actions_.count(), 1u);
}

TEST_F(TriggerServiceTest, ManualLegacyWrapper) {
  std::string a = NewAutomation();
  std::string wrapped = NewTrigger(a, R"({"type":"manual","formData":{"d":"r1"}})");
  std::string flat = NewTrigger(a, R"({"type":"manual","legacyWrapper":false})");
  ASSERT_TRUE(RunManual(admin_, wrapped).ok());
  ASSERT_TRUE(RunManual(admin_, flat, bj::parse(R"({"device":"r2","n":2})")).ok());
  ASSERT_EQ(actions_.count(), 2u);
  EXPECT_EQ(bj::serialize(actions_.jobs[0].variables), R"({"formData":{"d":"r1"}})");
  EXPECT_EQ(bj::serialize(actions_.jobs[1].variables), R"({"device":"r2","n":2})");
  EXPECT_EQ(actions_.jobs[1].user, "admin");
  EXPECT_FALSE(Trigger(flat).at("lastExecuted").is_null());
}

TEST_F(TriggerServiceTest, EndpointSchemaErrorsAndRouteUniqueness) {
  std::string a = NewAutomation();
  NewTrigger(a, R"({"type":"endpoint","routeName":"r1",
      "schema":{"type":"object","required":["host"],"properties":{"host":{"type":"string"}}}})");
  auto dup = svc_->CreateTrigger(
      admin_,
      bj::object{{"type", "endpoint"}, {"routeName", "r1"}, {"name", "x"}, {"actionId", a}});
  EXPECT_EQ(dup.status().code(), base::Code::kAlreadyExists);
  std::vector<json::SchemaError> errs;
  base::Status st = base::Internal("never");
  svc_->RunEndpoint(
      admin_, "r1", bj::parse(R"({"host":5})"),
      [&](base::Result<JobSnapshot> r) { st = r.status(); }, &errs);
  EXPECT_EQ(st.code(), base::Code::kInvalidArgument);
  ASSERT_EQ(errs.size(), 1u);
  EXPECT_EQ(errs[0].instance_path, "/host");
  svc_->RunEndpoint(
      admin_, "r1", bj::parse(R"({"host":"h"})"),
      [&](base::Result<JobSnapshot> r) { st = r.status(); }, &errs);
  EXPECT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(bj::serialize(actions_.jobs.at(0).variables), R"({"host":"h"})");
}

TEST_F(TriggerServiceTest, GbacHidesAndProtects) {
  std::string secret = NewAutomation(
      bj::object{{"gbac", bj::object{{"read", bj::array{kG1}}, {"write", bj::array{kG2}}}}});
  std::string open = NewAutomation();
  std::string t = NewTrigger(secret, R"({"type":"manual"})");
  auth::Account outsider = Viewer(false, {}, "bob");
  auth::Account reader = Viewer(false, {kG1}, "rita");
  auth::Account writer = Viewer(false, {kG2}, "will");
  EXPECT_EQ(svc_->GetAutomation(outsider, secret).status().code(), base::Code::kNotFound);
  EXPECT_EQ(svc_->GetTrigger(outsider, t).status().code(), base::Code::kNotFound);
  EXPECT_EQ(RunManual(outsider, t).code(), base::Code::kNotFound);
  model::ListQuery q;
  EXPECT_EQ(svc_->ListAutomations(outsider, q)->total, 1);
  EXPECT_EQ(svc_->ListTriggers(outsider, q)->total, 0);
  EXPECT_EQ(svc_->ListAutomations(reader, q)->total, 2);
  EXPECT_TRUE(RunManual(reader, t).ok());
  EXPECT_EQ(svc_->PatchAutomation(reader, secret, bj::object{{"description", "x"}}).status().code(),
            base::Code::kPermissionDenied);
  EXPECT_TRUE(svc_->PatchAutomation(writer, secret, bj::object{{"description", "x"}}).ok());
  EXPECT_EQ(svc_->DeleteAutomation(outsider, secret).code(), base::Code::kNotFound);
  // Read groups need a write group.
  auto bad = svc_->CreateAutomation(
      admin_, bj::object{{"name", "g"}, {"gbac", bj::object{{"read", bj::array{kG1}}}}});
  EXPECT_EQ(bad.status().code(), base::Code::kInvalidArgument);
  // The jobs a trigger starts are as visible as its automation.
  ASSERT_EQ(actions_.count(), 1u);
  EXPECT_EQ(actions_.jobs[0].groups.size(), 2u);
  // Deleting the automation deletes its triggers.
  ASSERT_TRUE(svc_->DeleteAutomation(writer, secret).ok());
  EXPECT_EQ(docs_.Count("trigger"), 0u);
}

TEST_F(TriggerServiceTest, ImportIsAllOrNothingPerItem) {
  bj::array items = bj::parse(R"([
    {"name":"good","componentId":"wf","triggers":[{"name":"m","type":"manual"}]},
    {"name":"bad","componentId":"wf","triggers":[{"name":"m","type":"manual"},
                                                  {"name":"e","type":"endpoint"}]},
    {"name":"nowf","componentId":"missing","triggers":[]}])")
                        .as_array();
  bj::array res = svc_->ImportAutomations(admin_, items);
  ASSERT_EQ(res.size(), 3u);
  EXPECT_TRUE(res[0].at("success").as_bool());
  EXPECT_EQ(res[0].at("data").at("componentId"), "wf-id");
  EXPECT_FALSE(res[1].at("success").as_bool());
  EXPECT_NE(std::string(res[1].at("message").as_string()).find("routeName"), std::string::npos);
  EXPECT_FALSE(res[2].at("success").as_bool());
  EXPECT_EQ(docs_.Count("automation"), 1u);
  EXPECT_EQ(docs_.Count("trigger"), 1u);
}

TEST_F(TriggerServiceTest, EventTriggersDoNotLoop) {
  std::string a = NewAutomation();
  std::string t = NewTrigger(a, R"({"type":"eventSystem","topic":"jobComplete"})");
  Event e;
  e.topic = "jobComplete";
  e.job_id = base::NewObjectId();
  svc_->HandleEvent(e);
  ASSERT_EQ(actions_.count(), 1u);
  EXPECT_EQ(actions_.jobs[0].variables.at("job").at("_id").as_string(), e.job_id);
  EXPECT_EQ(actions_.jobs[0].variables.at("topic"), "jobComplete");
  // The job it started completes: the same trigger does not fire on it.
  Event again = e;
  again.job_id = actions_.ids[0];
  svc_->HandleEvent(again);
  EXPECT_EQ(actions_.count(), 1u);
  // Other topics do not match.
  e.topic = "jobError";
  svc_->HandleEvent(e);
  EXPECT_EQ(actions_.count(), 1u);
}

// An event trigger fires only for jobs a member of its automation's groups may see (issue 9).
TEST_F(TriggerServiceTest, EventTriggersSeeOnlyTheirAutomationsJobs) {
  bj::object g1{{"gbac", bj::object{{"read", bj::array{}}, {"write", bj::array{kG1}}}}};
  std::string a = NewAutomation(g1);
  NewTrigger(a, R"({"type":"eventSystem","topic":"jobComplete"})");
  struct Row {
    std::vector<std::string> job_groups;
    size_t fired;
  } rows[] = {{{kG2}, 0}, {{kG1}, 1}, {{}, 1}, {{kG2, kG1}, 1}};
  size_t total = 0;
  for (const Row& r : rows) {
    Event e;
    e.topic = "jobComplete";
    e.job_id = base::NewObjectId();
    e.groups = r.job_groups;
    svc_->HandleEvent(e);
    total += r.fired;
    EXPECT_EQ(actions_.count(), total) << r.job_groups.size();
  }
  // The jobs run as the system user, with the access of the automation's last writer.
  ASSERT_GE(actions_.count(), 1u);
  EXPECT_EQ(actions_.jobs[0].user, "Pronghorn");
  EXPECT_EQ(actions_.jobs[0].as_user, "admin");
  EXPECT_FALSE(actions_.jobs[0].limited);
}

// An automation resolves only to a workflow its author may see: one it may not reads as missing.
TEST_F(TriggerServiceTest, AutomationsResolveOnlyVisibleWorkflows) {
  auth::Account nobody = Viewer(false, {}, "nobody");
  auto a = svc_->CreateAutomation(
      nobody, bj::object{{"name", "hidden"}, {"componentName", "wf"}, {"componentId", "wf-id"}});
  EXPECT_EQ(a.status().code(), base::Code::kInvalidArgument);
  EXPECT_NE(a.status().message().find("names no workflow"), std::string::npos);
  EXPECT_EQ(docs_.Count("automation"), 0u);
}

TEST_F(TriggerServiceTest, SlaBreachPayloadCarriesRunTimeAndDelta) {
  std::string a = NewAutomation();
  NewTrigger(a, R"({"type":"eventSystem","topic":"jobSlaBreach"})");
  Event e;
  e.topic = "jobSlaBreach";
  e.job_id = base::NewObjectId();
  e.run_time_ms = 2086;
  e.sla_delta_ms = 1086;
  svc_->HandleEvent(e);
  ASSERT_EQ(actions_.count(), 1u);
  const bj::object& vars = actions_.jobs[0].variables;
  EXPECT_EQ(vars.at("topic"), "jobSlaBreach");
  EXPECT_EQ(vars.at("runTime"), 2086);
  EXPECT_EQ(vars.at("slaDelta"), 1086);
  EXPECT_EQ(vars.at("job").at("_id").as_string(), e.job_id);
}

TEST_F(TriggerServiceTest, EventChainsStopAtTheDepthLimit) {
  Reopen(TriggerServiceOptions{.max_event_depth = 1});
  std::string a = NewAutomation();
  NewTrigger(a, R"({"type":"eventSystem","topic":"jobComplete"})");
  NewTrigger(a, R"({"type":"eventSystem","topic":"jobComplete"})");
  Event e;
  e.topic = "jobComplete";
  e.job_id = base::NewObjectId();
  svc_->HandleEvent(e);  // both fire (depth 1)
  ASSERT_EQ(actions_.count(), 2u);
  for (const std::string& id : std::vector<std::string>(actions_.ids)) {
    e.job_id = id;
    svc_->HandleEvent(e);  // the other trigger would make depth 2
  }
  EXPECT_EQ(actions_.count(), 2u);
}

TEST_F(TriggerServiceTest, EventSchemaFiltersAndBusWiring) {
  std::string a = NewAutomation();
  NewTrigger(a, R"({"type":"eventSystem","topic":"jobStart",
      "schema":{"properties":{"job":{"properties":{"name":{"const":"wf"}}}}}})");
  EventBus bus;
  svc_->Start(&bus);
  Event e;
  e.topic = "jobStart";
  e.job_id = base::NewObjectId();
  bus.Publish(e);
  EXPECT_TRUE(actions_.WaitFor(1));
  svc_->Stop();
  EXPECT_EQ(actions_.count(), 1u);
  EXPECT_FALSE(bus.HasSubscribers());
}

TEST_F(TriggerServiceTest, ValidationNamesTheProblem) {
  std::string a = NewAutomation();
  const std::pair<const char*, const char*> cases[] = {
      {R"({"type":"sometimes","name":"x"})", "type"},
      {R"({"type":"manual"})", "name"},
      {R"({"type":"manual","name":"x","enabled":"yes"})", "enabled"},
      {R"({"type":"endpoint","name":"x"})", "routeName"},
      {R"({"type":"endpoint","name":"x","routeName":"a/b"})", "routeName"},
      {R"({"type":"endpoint","name":"x","routeName":"r","verb":"GET"})", "verb"},
      {R"({"type":"endpoint","name":"x","routeName":"r","schema":{"type":7}})", "schema"},
      {R"({"type":"endpoint","name":"x","routeName":"r","jst":"000000000000000000000000"})", "jst"},
      {R"({"type":"eventSystem","name":"x","topic":"jobExploded"})", "topic"},
      {R"({"type":"eventSystem","name":"x","topic":"jobStart","source":"other"})", "source"},
      {R"({"type":"schedule","name":"x","repeatUnit":"hour"})", "repeatFrequency"},
      {R"({"type":"manual","name":"x","formData":[1]})", "formData"},
  };
  for (const auto& [json, word] : cases) {
    bj::object body = bj::parse(json).as_object();
    body["actionId"] = a;
    auto r = svc_->CreateTrigger(admin_, body);
    ASSERT_FALSE(r.ok()) << json;
    EXPECT_NE(r.status().message().find(word), std::string::npos)
        << json << " -> " << r.status().message();
  }
  auto r = svc_->CreateTrigger(admin_,
                               bj::object{{"type", "manual"}, {"name", "x"}, {"actionId", "nope"}});
  EXPECT_NE(r.status().message().find("actionId"), std::string::npos);
  EXPECT_EQ(docs_.Count("trigger"), 0u);
  auto dup = svc_->CreateAutomation(admin_, bj::object{{"name", "auto-1"}});
  EXPECT_EQ(dup.status().code(), base::Code::kAlreadyExists);
  auto nowf = svc_->CreateAutomation(admin_, bj::object{{"name", "n"}, {"componentId", "zz"}});
  EXPECT_NE(nowf.status().message().find("componentId"), std::string::npos);
}

}  // namespace
}  // namespace opsflow::automation
