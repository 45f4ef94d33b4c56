// Engine semantics as tables of cases: each case is a workflow, a script of task outcomes, and
// the expected end (job status, how often each task ran, the error message).
#include "engine/engine.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <deque>
#include <map>

namespace opsflow::engine {
namespace {

using model::FinishState;

// Builds a workflow from "a>b:success, b>c:failure:revert" style transitions.
std::shared_ptr<const model::Workflow> Wf(const std::string& edges, const std::string& extra = "") {
  boost::json::object tasks, transitions;
  auto add_task = [&](const std::string& id) {
    if (!tasks.contains(id)) {
      boost::json::object t{{"name", id == "start" || id == "end" ? "workflow_" + id : "stub"}};
      tasks[id == "start" ? "workflow_start" : id == "end" ? "workflow_end" : id] = t;
    }
  };
  size_t pos = 0;
  while (pos < edges.size()) {
    size_t comma = edges.find(',', pos);
    std::string e = edges.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    pos = comma == std::string::npos ? edges.size() : comma + 1;
    while (!e.empty() && e[0] == ' ') e.erase(0, 1);
    size_t gt = e.find('>'), c1 = e.find(':'), c2 = e.find(':', c1 + 1);
    std::string from = e.substr(0, gt), to = e.substr(gt + 1, c1 - gt - 1);
    std::string state = e.substr(c1 + 1, c2 == std::string::npos ? std::string::npos : c2 - c1 - 1);
    std::string type = c2 == std::string::npos ? "standard" : e.substr(c2 + 1);
    add_task(from);
    add_task(to);
    auto key = [](const std::string& s) {
      return s == "start" ? "workflow_start" : s == "end" ? "workflow_end" : s;
    };
    transitions[key(from)].emplace_object()[key(to)] = {{"type", type}, {"state", state}};
  }
  // emplace_object above resets; rebuild properly.
  transitions.clear();
  pos = 0;
  while (pos < edges.size()) {
    size_t comma = edges.find(',', pos);
    std::string e = edges.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    pos = comma == std::string::npos ? edges.size() : comma + 1;
    while (!e.empty() && e[0] == ' ') e.erase(0, 1);
    size_t gt = e.find('>'), c1 = e.find(':'), c2 = e.find(':', c1 + 1);
    auto key = [](const std::string& s) {
      return s == "start" ? std::string("workflow_start")
             : s == "end" ? std::string("workflow_end")
                          : s;
    };
    std::string from = key(e.substr(0, gt)), to = key(e.substr(gt + 1, c1 - gt - 1));
    std::string state = e.substr(c1 + 1, c2 == std::string::npos ? std::string::npos : c2 - c1 - 1);
    std::string type = c2 == std::string::npos ? "standard" : e.substr(c2 + 1);
    if (!transitions.contains(from)) transitions[from] = boost::json::object();
    transitions[from].as_object()[to] = {{"type", type}, {"state", state}};
  }
  boost::json::object doc{{"name", "t"}, {"tasks", tasks}, {"transitions", transitions}};
  if (!extra.empty()) {
    auto x = boost::json::parse(extra).as_object();
    for (auto& kv : x) {
      doc["tasks"].as_object()[kv.key()].as_object()["retrySettings"] = kv.value();
    }
  }
  auto r = model::Workflow::FromJson(doc);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.value();
}

struct Outcome {
  JobStatus status;
  std::map<std::string, uint32_t> runs;
  std::string error;
};

// Runs the job to rest: each started task finishes with the next state of its script
// (default success). Tasks run one at a time in FIFO order.
Outcome RunJob(const model::Workflow& wf, std::map<std::string, std::deque<FinishState>> script,
               EngineOptions opts = {}) {
  JobState s = JobState::ForWorkflow(wf);
  Decision d = StartJob(wf, &s, 0);
  std::deque<int> ready(d.start.begin(), d.start.end());
  Outcome out;
  int64_t now = 0;
  while (!ready.empty() && s.status == JobStatus::kRunning) {
    int t = ready.front();
    ready.pop_front();
    MarkRunning(&s, t, ++now);
    auto& q = script[wf.tasks()[t].id];
    FinishState f = FinishState::kSuccess;
    if (!q.empty()) {
      f = q.front();
      q.pop_front();
    }
    Decision dd = TaskFinished(wf, &s, t, f, ++now, opts, "boom");
    ready.insert(ready.end(), dd.start.begin(), dd.start.end());
    if (dd.job_error) out.error = dd.error_message;
  }
  out.status = s.status;
  for (size_t i = 0; i < wf.tasks().size(); ++i) out.runs[wf.tasks()[i].id] = s.tasks[i].runs;
  return out;
}

constexpr auto S = FinishState::kSuccess;
constexpr auto F = FinishState::kFailure;
constexpr auto E = FinishState::kError;

TEST(Engine, SequentialCompletes) {
  auto wf = Wf("start>a:success, a>b:success, b>end:success");
  Outcome o = RunJob(*wf, {});
  EXPECT_EQ(o.status, JobStatus::kComplete);
  EXPECT_EQ(o.runs["a"], 1u);
  EXPECT_EQ(o.runs["workflow_end"], 1u);
}

TEST(Engine, FailureBranchAndDeadPath) {
  auto wf = Wf("start>a:success, a>b:success, a>c:failure, b>end:success, c>end:success");
  Outcome o = RunJob(*wf, {{"a", {F}}});
  EXPECT_EQ(o.status, JobStatus::kComplete);
  EXPECT_EQ(o.runs["b"], 0u);
  EXPECT_EQ(o.runs["c"], 1u);
}

TEST(Engine, JoinWaitsForEveryLivePredecessor) {
  auto wf = Wf("start>a:success, start>b:success, a>j:success, b>j:success, j>end:success");
  Outcome o = RunJob(*wf, {});
  EXPECT_EQ(o.status, JobStatus::kComplete);
  EXPECT_EQ(o.runs["j"], 1u);
}

TEST(Engine, JoinRunsWhenOneBranchIsDead) {
  auto wf =
      Wf("start>a:success, start>b:success, a>x:failure, x>j:success, a>j:success, b>j:success, "
         "j>end:success");
  Outcome o = RunJob(*wf, {});
  EXPECT_EQ(o.status, JobStatus::kComplete);
  EXPECT_EQ(o.runs["x"], 0u);
  EXPECT_EQ(o.runs["j"], 1u);
}

TEST(Engine, NoAvailableTransitions) {
  auto wf = Wf("start>a:success, a>end:success");
  Outcome o = RunJob(*wf, {{"a", {F}}});
  EXPECT_EQ(o.status, JobStatus::kError);
  EXPECT_EQ(o.error,
            "Job has no available transitions. a could have led to the workflow end task, but "
            "did not. These tasks performed in a way that the end of the workflow could not be "
            "reached.");
}

TEST(Engine, ErrorEdgeIsTaken) {
  auto wf = Wf("start>a:success, a>end:success, a>h:error, h>end:success");
  Outcome o = RunJob(*wf, {{"a", {E}}});
  EXPECT_EQ(o.status, JobStatus::kComplete);
  EXPECT_EQ(o.runs["h"], 1u);
}

TEST(Engine, ErrorWithoutEdgeFailsTheJob) {
  auto wf = Wf("start>a:success, a>end:success");
  Outcome o = RunJob(*wf, {{"a", {E}}});
  EXPECT_EQ(o.status, JobStatus::kError);
  EXPECT_EQ(o.error, "boom");
}

TEST(Engine, RevertLoopRunsNewIterations) {
  auto wf = Wf("start>a:success, a>b:success, b>a:failure:revert, b>end:success");
  Outcome o = RunJob(*wf, {{"b", {F, F, S}}});
  EXPECT_EQ(o.status, JobStatus::kComplete);
  EXPECT_EQ(o.runs["a"], 3u);
  EXPECT_EQ(o.runs["b"], 3u);
}

TEST(Engine, StandardBackEdgeActsAsRevert) {
  auto wf = Wf("start>a:success, a>b:success, b>a:failure, b>end:success");
  Outcome o = RunJob(*wf, {{"b", {F, S}}});
  EXPECT_EQ(o.status, JobStatus::kComplete);
  EXPECT_EQ(o.runs["a"], 2u);
}

TEST(Engine, RunawayLoopStops) {
  auto wf = Wf("start>a:success, a>b:success, b>a:failure:revert, b>end:success");
  std::deque<FinishState> fails(100, F);
  Outcome o = RunJob(*wf, {{"b", fails}}, EngineOptions{.max_task_iterations = 5});
  EXPECT_EQ(o.status, JobStatus::kError);
  EXPECT_NE(o.error.find("ran away"), std::string::npos) << o.error;
  EXPECT_EQ(o.runs["a"], 5u);
}

TEST(Engine, RetrySettingsRerunBeforeEdges) {
  auto wf = Wf("start>a:success, a>end:success",
               R"({"a":{"state":["error","failure"],"autoRetry":true,"limit":2,"delay":10}})");
  Outcome o = RunJob(*wf, {{"a", {E, F, S}}});
  EXPECT_EQ(o.status, JobStatus::kComplete);
  EXPECT_EQ(o.runs["a"], 3u);
  Outcome o2 = RunJob(*wf, {{"a", {E, E, E}}});
  EXPECT_EQ(o2.status, JobStatus::kError);
}

TEST(Engine, DeadEndTaskDoesNotBlockCompletion) {
  auto wf = Wf("start>a:success, start>d:success, a>end:success");
  Outcome o = RunJob(*wf, {});
  EXPECT_EQ(o.status, JobStatus::kComplete);
}

TEST(Engine, StateEncodingRoundTrips) {
  auto wf = Wf("start>a:success, a>end:success");
  JobState s = JobState::ForWorkflow(*wf);
  (void)StartJob(*wf, &s, 5);
  MarkRunning(&s, wf->start(), 7);
  auto back = DecodeState(EncodeState(s));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(EncodeState(*back), EncodeState(s));
  EXPECT_FALSE(DecodeState("garbage").ok());
}

TEST(Engine, StateEncodingKeepsWhoPaused) {
  auto wf = Wf("start>a:success, a>end:success");
  JobState s = JobState::ForWorkflow(*wf);
  std::string before = EncodeState(s);
  s.status = JobStatus::kPaused;
  s.paused_ms = 1765000000123;
  s.paused_by = "ann|o,k";  // any text: it is the last field
  auto back = DecodeState(EncodeState(s));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->paused_ms, 1765000000123);
  EXPECT_EQ(back->paused_by, "ann|o,k");
  EXPECT_EQ(back->edges.size(), s.edges.size());
  // A state written before the field existed (or of a job not paused) has none.
  auto old = DecodeState(before);
  ASSERT_TRUE(old.ok());
  EXPECT_EQ(old->paused_ms, 0);
  EXPECT_TRUE(old->paused_by.empty());
  EXPECT_FALSE(DecodeState(before + "|x,ann").ok());
}

}  // namespace
}  // namespace opsflow::engine

namespace opsflow::engine {
namespace {

// forEach: start -> f; f --loop--> b1 -> b2 (body, b2 has no edges); f --success--> end.
TEST(Engine, ForEachRunsItsBodyOncePerElement) {
  auto doc = boost::json::parse(R"({"name":"fe","tasks":{
    "workflow_start":{"name":"workflow_start"},"workflow_end":{"name":"workflow_end"},
    "f":{"name":"forEach"},"b1":{"name":"stub"},"b2":{"name":"stub"}},
   "transitions":{"workflow_start":{"f":{"type":"standard","state":"success"}},
    "f":{"b1":{"type":"standard","state":"loop"},"workflow_end":{"type":"standard","state":"success"}},
    "b1":{"b2":{"type":"standard","state":"success"}},"b2":{},"workflow_end":{}}})");
  auto wf = model::Workflow::FromJson(doc.as_object()).value();
  int f = wf->FindTask("f"), b1 = wf->FindTask("b1"), b2 = wf->FindTask("b2");
  EXPECT_EQ(wf->tasks()[b2].loop_owner, f);
  JobState s = JobState::ForWorkflow(*wf);
  Decision d = StartJob(*wf, &s, 0);
  std::deque<int> ready(d.start.begin(), d.start.end());
  const uint32_t kElements = 3;
  int64_t now = 0;
  while (!ready.empty() && s.status == JobStatus::kRunning) {
    int t = ready.front();
    ready.pop_front();
    MarkRunning(&s, t, ++now);
    FinishState fin = FinishState::kSuccess;
    if (t == f && s.tasks[f].loop_index < kElements) fin = FinishState::kLoop;
    Decision dd = TaskFinished(*wf, &s, t, fin, ++now, {});
    ready.insert(ready.end(), dd.start.begin(), dd.start.end());
  }
  EXPECT_EQ(s.status, JobStatus::kComplete);
  EXPECT_EQ(s.tasks[b1].runs, kElements);
  EXPECT_EQ(s.tasks[b2].runs, kElements);
  EXPECT_EQ(s.tasks[f].runs, kElements + 1);
}

}  // namespace
}  // namespace opsflow::engine

namespace opsflow::engine {
namespace {

std::shared_ptr<const model::Workflow> WithErrorHandler(const std::string& transitions) {
  auto doc = boost::json::parse(R"({"name":"eh","tasks":{
      "workflow_start":{"name":"workflow_start"},"workflow_end":{"name":"workflow_end"},
      "a":{"name":"stub"},"b":{"name":"stub"}},
    "errorHandler":{"name":"childJob","app":"WorkFlowEngine","location":"Application",
      "type":"operation","variables":{"incoming":{"workflow":"cleanup"},"outgoing":{}}},
    "transitions":)" + transitions +
                                "}")
                 .as_object();
  auto r = model::Workflow::FromJson(doc);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.value();
}

// SPEC §5: an error with no error edge runs the workflow's errorHandler once, then the job ends
// in error; an error edge, when there is one, is taken instead.
TEST(Engine, ErrorHandlerRunsOnceThenTheJobErrors) {
  struct Case {
    const char* name;
    const char* transitions;
    std::map<std::string, std::deque<FinishState>> script;
    JobStatus status;
    uint32_t handler_runs;
  };
  const Case cases[] = {
      {"unhandled error runs the handler",
       R"({"workflow_start":{"a":{"type":"standard","state":"success"}},
           "a":{"workflow_end":{"type":"standard","state":"success"}}})",
       {{"a", {E}}},
       JobStatus::kError,
       1},
      {"the handler's own error ends the job",
       R"({"workflow_start":{"a":{"type":"standard","state":"success"}},
           "a":{"workflow_end":{"type":"standard","state":"success"}}})",
       {{"a", {E}}, {"errorHandler", {E}}},
       JobStatus::kError,
       1},
      {"an error edge wins over the handler",
       R"({"workflow_start":{"a":{"type":"standard","state":"success"}},
           "a":{"workflow_end":{"type":"standard","state":"success"},
                "b":{"type":"standard","state":"error"}},
           "b":{"workflow_end":{"type":"standard","state":"success"}}})",
       {{"a", {E}}},
       JobStatus::kComplete,
       0},
      {"no error, no handler",
       R"({"workflow_start":{"a":{"type":"standard","state":"success"}},
           "a":{"workflow_end":{"type":"standard","state":"success"}}})",
       {},
       JobStatus::kComplete,
       0},
  };
  for (const Case& c : cases) {
    auto wf = WithErrorHandler(c.transitions);
    ASSERT_GE(wf->error_handler(), 0) << c.name;
    Outcome o = RunJob(*wf, c.script);
    EXPECT_EQ(o.status, c.status) << c.name;
    EXPECT_EQ(o.runs["errorHandler"], c.handler_runs) << c.name;
  }
}

TEST(Engine, NullErrorHandlerIsNone) {
  auto doc = boost::json::parse(R"({"name":"n","errorHandler":null,"tasks":{
      "workflow_start":{"name":"workflow_start"},"workflow_end":{"name":"workflow_end"}},
      "transitions":{"workflow_start":{"workflow_end":{"type":"standard","state":"success"}}}})")
                 .as_object();
  auto wf = model::Workflow::FromJson(doc);
  ASSERT_TRUE(wf.ok());
  EXPECT_EQ((*wf)->error_handler(), -1);
  EXPECT_EQ((*wf)->tasks().size(), 2u);
}

}  // namespace
}  // namespace opsflow::engine
