// The runtime over a store that crashes (store/testing/faulty_store.h): jobs with sequential
// tasks, a delay and a sequential childJob loop run until the store "dies" at its Nth commit
// (before or after that commit is durable), then a new Runtime recovers from the same store.
// Checked: every job the runtime acknowledged is there and completes with the right variables,
// every job in the store completes, no task completes twice, no child job starts twice. Runs on
// every store the binary links (store/testing/store_factory.h; SQLite through
// sqlite/testing/sqlite_factory.cc). The Python kill test (tests/kill_restart.py) does the same
// with SIGKILL against the server.
#include <gtest/gtest.h>

#include <atomic>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <functional>
#include <map>
#include <mutex>
#include <set>

#include "base/clock.h"
#include "runtime/runtime.h"
#include "store/testing/faulty_store.h"
#include "store/testing/store_factory.h"

namespace opsflow::runtime {
namespace {

namespace bj = boost::json;
using store::testing::FaultyStore;
using store::testing::StoreFactory;
using store::testing::StoreHandle;
using CrashPoint = FaultyStore::CrashPoint;

bj::object Task(const char* method, bj::object incoming, bj::object outgoing) {
  return bj::object{{"name", method},
                    {"app", "WorkFlowEngine"},
                    {"location", "Application"},
                    {"type", "automatic"},
                    {"groups", bj::array{}},
                    {"variables", bj::object{{"incoming", std::move(incoming)},
                                             {"outgoing", std::move(outgoing)},
                                             {"error", ""},
                                             {"decorators", bj::array{}}}}};
}

bj::object SetVar(const char* name, const char* value) {
  return Task("newVariable", {{"name", name}, {"value", value}}, {{"value", nullptr}});
}

bj::object Concat(const char* from, const char* suffix, const char* to) {
  return Task("stringConcat",
              {{"str", std::string("$var.job.") + from}, {"stringN", bj::array{suffix}}},
              {{"combinedStrings", std::string("$var.job.") + to}});
}

// A workflow running `chain` (task id, task) in order between workflow_start and workflow_end.
std::string Workflow(const char* name, std::vector<std::pair<std::string, bj::object>> chain,
                     bj::object extra = {}) {
  bj::object tasks{{"workflow_start", {{"name", "workflow_start"}, {"groups", bj::array{}}}},
                   {"workflow_end", {{"name", "workflow_end"}, {"groups", bj::array{}}}}};
  bj::object transitions{{"workflow_end", bj::object{}}};
  std::string prev = "workflow_start";
  for (auto& [id, t] : chain) {
    tasks[id] = std::move(t);
    transitions[prev] = bj::object{{id, {{"type", "standard"}, {"state", "success"}}}};
    prev = id;
  }
  transitions[prev] = bj::object{{"workflow_end", {{"type", "standard"}, {"state", "success"}}}};
  bj::object doc{{"name", name},
                 {"type", "automation"},
                 {"canvasVersion", 3},
                 {"groups", bj::array{}},
                 {"tags", bj::array{}},
                 {"tasks", std::move(tasks)},
                 {"transitions", std::move(transitions)}};
  for (auto& [k, v] : extra) doc[k] = v;
  return bj::serialize(doc);
}

std::string ChildWorkflow() {
  return Workflow(
      "crash-child", {{"c1", Concat("n", "-done", "result")}},
      {{"outputSchema", {{"type", "object"}, {"properties", {{"result", {{"type", "string"}}}}}}}});
}

std::string ParentWorkflow() {
  bj::object child = Task("childJob",
                          {{"task", ""},
                           {"workflow", "crash-child"},
                           {"variables", bj::object{}},
                           {"data_array", "$var.job.items"},
                           {"transformation", ""},
                           {"loopType", "sequential"}},
                          {{"job_details", "$var.job.details"}});
  child["actor"] = "job";
  child["type"] = "operation";
  return Workflow("crash-parent", {{"p1", SetVar("phase", "before")},
                                   {"p2", Task("delay", {{"time", 0.02}}, {})},
                                   {"p3", std::move(child)},
                                   {"p4", Concat("tag", "-done", "result")},
                                   {"p5", SetVar("phase", "after")}});
}

std::string SequentialWorkflow() {
  return Workflow("crash-seq", {{"s1", SetVar("phase", "before")},
                                {"s2", SetVar("step", "2")},
                                {"s3", Concat("tag", "-done", "result")},
                                {"s4", SetVar("step", "4")},
                                {"s5", SetVar("phase", "after")}});
}

constexpr int kJobs = 8;  // parents (even) and sequential jobs (odd)
constexpr int kLoop = 2;  // children per parent

struct Round {
  std::set<std::string> acked;  // jobs whose start was answered before the crash
  int64_t commits = 0;
  bool crashed = false;
};

class RuntimeCrashTest : public ::testing::TestWithParam<const StoreFactory*> {
 protected:
  void SetUp() override {
    auto loc = GetParam()->NewLocation();
    ASSERT_TRUE(loc.ok()) << loc.status().message();
    location_ = *loc;
    OpenStore();
    for (const std::string& wf : {ChildWorkflow(), ParentWorkflow(), SequentialWorkflow()}) {
      bj::object doc = bj::parse(wf).as_object();
      ASSERT_TRUE(store_.docs->Put("workflow", std::string(doc.at("name").as_string()), wf).ok());
      auto parsed = model::Workflow::FromJson(std::move(doc));
      ASSERT_TRUE(parsed.ok()) << parsed.status().message();
      workflows_[(*parsed)->name()] = *parsed;
    }
  }
  void TearDown() override {
    store_.Close();
    if (!location_.empty()) GetParam()->Destroy(location_);
  }
  void OpenStore() {
    auto h = GetParam()->Open(location_);
    ASSERT_TRUE(h.ok()) << h.status().message();
    store_ = std::move(h).value();
  }
  // A restart: the store is closed and opened again.
  void Restart() {
    store_.Close();
    OpenStore();
  }

  // Runs a Runtime over FaultyStore(store) armed by `arm`, starting kJobs jobs when `start` (else
  // only recovering), until the store crashed or every job is done.
  Round Run(const std::function<void(FaultyStore&)>& arm, bool start) {
    Round round;
    std::mutex mu;
    int answered = 0;
    FaultyStore f(store_.jobs.get(), store_.docs.get());
    arm(f);
    Runtime rt(&f, &f, base::SystemClock::Get(), RuntimeOptions{});
    base::Status st = rt.Start();
    EXPECT_TRUE(st.ok() || f.crashed()) << st.message();
    if (!st.ok()) {
      round.crashed = f.crashed();
      return round;
    }
    // Two clients, each starting its next job once the last one was answered, so jobs are
    // created in many different commits.
    std::atomic<bool> stopping{false};
    std::function<void(int)> submit = [&](int i) {
      StartRequest req;
      const bool parent = i % 2 == 0;
      req.workflow = workflows_.at(parent ? "crash-parent" : "crash-seq");
      req.variables["tag"] = "t" + std::to_string(i);
      if (parent)
        req.variables["items"] = bj::array{bj::object{{"n", "a"}}, bj::object{{"n", "b"}}};
      req.user = "admin";
      rt.StartJob(std::move(req), [&, i](base::Result<JobSnapshot> r) {
        {
          std::lock_guard<std::mutex> l(mu);
          // An answer given after the crash never reached the client.
          if (r.ok() && !f.crashed()) round.acked.insert(r->record.id);
          ++answered;
        }
        if (!f.crashed() && !stopping && i + 2 < kJobs) submit(i + 2);
      });
    };
    if (start) {
      submit(0);
      submit(1);
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (!f.WaitCrashed(5)) {
      bool all_answered;
      {
        std::lock_guard<std::mutex> l(mu);
        all_answered = !start || answered == kJobs;
      }
      if (all_answered && rt.active_jobs() == 0) break;
      if (std::chrono::steady_clock::now() > deadline) {
        ADD_FAILURE() << "jobs did not finish; " << rt.active_jobs() << " active";
        break;
      }
    }
    stopping = true;
    rt.Stop();
    std::lock_guard<std::mutex> l(mu);
    round.commits = f.commits();
    round.crashed = f.crashed();
    return round;
  }

  // Recovers with a sound store, then checks everything in it.
  void RecoverAndCheck(const std::set<std::string>& acked) {
    Restart();
    Round r = Run([](FaultyStore&) {}, false);
    EXPECT_FALSE(r.crashed);
    CheckStore(acked);
  }

  void CheckStore(const std::set<std::string>& acked) {
    store::JobStore& jobs = *store_.jobs;
    for (const std::string& id : acked) {
      auto rec = jobs.GetJob(id);
      ASSERT_TRUE(rec.ok()) << "acknowledged job " << id << " lost: " << rec.status().message();
    }
    model::ListQuery all;
    all.limit = 1000;
    std::vector<model::Expr> residual;
    auto page = jobs.ListJobs(all, &residual);
    ASSERT_TRUE(page.ok()) << page.status().message();
    int roots = 0;
    for (const model::JobRecord& rec : page->items) {
      SCOPED_TRACE("job " + rec.id + " (" + rec.workflow_name + ")");
      EXPECT_EQ(rec.status, "complete") << rec.errors_json;
      bj::object vars = bj::parse(rec.variables_json).as_object();
      // No task completed twice (the workflows have no loops).
      auto its = jobs.IterationsOfJob(rec.id);
      ASSERT_TRUE(its.ok());
      std::map<std::string, int> complete;
      for (const auto& it : *its) {
        if (it.status == "complete") ++complete[it.task_id];
      }
      for (const auto& [task, n] : complete) EXPECT_EQ(n, 1) << "task " << task << " ran again";
      if (rec.workflow_name == "crash-child") {
        EXPECT_EQ(vars["result"], bj::value(std::string(vars["n"].as_string()) + "-done"));
        continue;
      }
      ++roots;
      const std::string tag(vars["tag"].as_string());
      EXPECT_EQ(vars["result"], bj::value(tag + "-done"));
      EXPECT_EQ(vars["phase"], bj::value("after"));
      if (rec.workflow_name != "crash-parent") {
        EXPECT_EQ(complete.size(), 7u);  // start, s1..s5, end
        continue;
      }
      // Each loop element has exactly one child job, and the loop saw both.
      auto kids = jobs.ChildJobs(rec.id);
      ASSERT_TRUE(kids.ok());
      std::map<int64_t, int> per_element;
      for (const auto& k : *kids) {
        ++per_element[bj::parse(k.parent_json).as_object().at("element").to_number<int64_t>()];
      }
      EXPECT_EQ(kids->size(), static_cast<size_t>(kLoop)) << "a child job started twice";
      EXPECT_EQ(per_element, (std::map<int64_t, int>{{0, 1}, {1, 1}}));
      const bj::value* loop = vars["details"].as_object().if_contains("loop");
      ASSERT_NE(loop, nullptr);
      EXPECT_EQ(loop->as_array().size(), static_cast<size_t>(kLoop));
    }
    EXPECT_LE(roots, kJobs);
    EXPECT_GE(static_cast<size_t>(roots), acked.size());
  }

  std::string location_;
  StoreHandle store_;
  std::map<std::string, std::shared_ptr<const model::Workflow>> workflows_;
};

TEST_P(RuntimeCrashTest, RunsCleanlyWithoutFaults) {
  Round r = Run([](FaultyStore&) {}, true);
  EXPECT_FALSE(r.crashed);
  EXPECT_EQ(r.acked.size(), static_cast<size_t>(kJobs));
  CheckStore(r.acked);
}

TEST_P(RuntimeCrashTest, FailedCommitsAreRetried) {
  Round r = Run([](FaultyStore& f) { f.FailCommits(2, 2); }, true);
  EXPECT_FALSE(r.crashed);
  EXPECT_EQ(r.acked.size(), static_cast<size_t>(kJobs));
  CheckStore(r.acked);
}

// A crash at commit n, for n across a whole run, both before and after that commit is durable;
// each time a new Runtime recovers.
TEST_P(RuntimeCrashTest, RecoversFromACrashAtAnyCommit) {
  // How many commits a run takes here (group commits vary with timing).
  Round probe = Run([](FaultyStore&) {}, true);
  ASSERT_FALSE(probe.crashed);
  const int64_t total = probe.commits;
  ASSERT_GT(total, 2);
  const int64_t step = std::max<int64_t>(1, total / 20);
  int crashes = 0;
  for (CrashPoint point : {CrashPoint::kBeforeDurable, CrashPoint::kAfterDurable}) {
    for (int64_t n = 1; n <= total; n += step) {
      SCOPED_TRACE("crash at commit " + std::to_string(n) + " of ~" + std::to_string(total) +
                   (point == CrashPoint::kBeforeDurable ? ", before durable" : ", after durable"));
      ASSERT_NO_FATAL_FAILURE(TearDown());
      ASSERT_NO_FATAL_FAILURE(SetUp());
      Round r = Run([&](FaultyStore& f) { f.CrashAtCommit(n, point); }, true);
      crashes += r.crashed;
      ASSERT_NO_FATAL_FAILURE(RecoverAndCheck(r.acked));
      if (HasFailure()) return;
    }
  }
  EXPECT_GT(crashes, 0);
}

// A crash, then a crash while recovering, then a sound restart.
TEST_P(RuntimeCrashTest, RecoversFromACrashDuringRecovery) {
  for (int64_t first : {3, 6}) {
    SCOPED_TRACE("first crash at commit " + std::to_string(first));
    ASSERT_NO_FATAL_FAILURE(TearDown());
    ASSERT_NO_FATAL_FAILURE(SetUp());
    Round r1 = Run([&](FaultyStore& f) { f.CrashAtCommit(first); }, true);
    Restart();
    Round r2 = Run([](FaultyStore& f) { f.CrashAtCommit(2, CrashPoint::kAfterDurable); }, false);
    (void)r2;
    ASSERT_NO_FATAL_FAILURE(RecoverAndCheck(r1.acked));
  }
}

INSTANTIATE_TEST_SUITE_P(Stores, RuntimeCrashTest,
                         ::testing::ValuesIn(store::testing::RegisteredStoreFactories()),
                         store::testing::FactoryName());

}  // namespace
}  // namespace opsflow::runtime
