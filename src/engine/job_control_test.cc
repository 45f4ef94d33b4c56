// The job control table (engine/job_control.h) as tables of cases: every action in every job
// status, then the task-level checks and their order, then docs/ENGINE.md against the code.
#include "engine/job_control.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <sstream>

namespace opsflow::engine {
namespace {

using A = ControlAction;
using E = ControlEffect;
using JS = JobStatus;
using base::Code;

struct TableCase {
  ControlAction action;
  JobStatus status;
  Code code;     // kOk: allowed
  JobStatus to;  // when allowed
  ControlEffect effect;
  bool children;
  std::string error;  // when refused: what follows "job j1 is <status>"
};

TEST(JobControl, EveryActionInEveryStatus) {
  const Code ok = Code::kOk, no = Code::kFailedPrecondition;
  const std::string pause = "; only a running job can be paused",
                    resume = "; only a paused job can be resumed",
                    cancel = " and cannot be canceled",
                    retry = "; only a job in error can be retried",
                    cont = "; only a job in error or paused can be continued",
                    revert = "; pause it before reverting";
  const TableCase kCases[] = {
      {A::kPause, JS::kRunning, ok, JS::kPaused, E::kNone, true, ""},
      {A::kPause, JS::kPaused, no, {}, {}, {}, pause},
      {A::kPause, JS::kComplete, no, {}, {}, {}, pause},
      {A::kPause, JS::kError, no, {}, {}, {}, pause},
      {A::kPause, JS::kCanceled, no, {}, {}, {}, pause},
      {A::kResume, JS::kRunning, no, {}, {}, {}, resume},
      {A::kResume, JS::kPaused, ok, JS::kRunning, E::kNone, true, ""},
      {A::kResume, JS::kComplete, no, {}, {}, {}, resume},
      {A::kResume, JS::kError, no, {}, {}, {}, resume},
      {A::kResume, JS::kCanceled, no, {}, {}, {}, resume},
      {A::kCancel, JS::kRunning, ok, JS::kCanceled, E::kCancelTasks, true, ""},
      {A::kCancel, JS::kPaused, ok, JS::kCanceled, E::kCancelTasks, true, ""},
      {A::kCancel, JS::kComplete, no, {}, {}, {}, cancel},
      {A::kCancel, JS::kError, ok, JS::kCanceled, E::kCancelTasks, true, ""},
      {A::kCancel, JS::kCanceled, no, {}, {}, {}, cancel},
      {A::kRetry, JS::kRunning, no, {}, {}, {}, retry},
      {A::kRetry, JS::kPaused, no, {}, {}, {}, retry},
      {A::kRetry, JS::kComplete, no, {}, {}, {}, retry},
      {A::kRetry, JS::kError, ok, JS::kRunning, E::kRetryTask, false, ""},
      {A::kRetry, JS::kCanceled, no, {}, {}, {}, retry},
      {A::kContinue, JS::kRunning, no, {}, {}, {}, cont},
      {A::kContinue, JS::kPaused, ok, JS::kPaused, E::kContinueFrom, false, ""},
      {A::kContinue, JS::kComplete, no, {}, {}, {}, cont},
      {A::kContinue, JS::kError, ok, JS::kRunning, E::kContinueFrom, false, ""},
      {A::kContinue, JS::kCanceled, no, {}, {}, {}, cont},
      {A::kRevert, JS::kRunning, no, {}, {}, {}, revert},
      {A::kRevert, JS::kPaused, ok, JS::kPaused, E::kRevert, false, ""},
      {A::kRevert, JS::kComplete, no, {}, {}, {}, revert},
      {A::kRevert, JS::kError, no, {}, {}, {}, revert},
      {A::kRevert, JS::kCanceled, no, {}, {}, {}, revert},
  };
  EXPECT_EQ(std::size(kCases), 6u * 5u);
  for (const TableCase& c : kCases) {
    SCOPED_TRACE(std::string(ControlActionName(c.action)) + " in " + JobStatusName(c.status));
    auto d = DecideJobControl(c.action, c.status, "j1");
    if (c.code == Code::kOk) {
      ASSERT_TRUE(d.ok()) << d.status().ToString();
      EXPECT_EQ(d->to, c.to);
      EXPECT_EQ(d->effect, c.effect);
      EXPECT_EQ(d->reaches_children, c.children);
    } else {
      ASSERT_FALSE(d.ok());
      EXPECT_EQ(d.status().code(), c.code);
      EXPECT_EQ(d.status().message(),
                std::string("job j1 is ") + JobStatusName(c.status) + c.error);
    }
  }
}

TEST(JobControl, ActionNamesRoundTrip) {
  for (A a : {A::kPause, A::kResume, A::kCancel, A::kRetry, A::kContinue, A::kRevert}) {
    auto p = ParseControlAction(ControlActionName(a));
    ASSERT_TRUE(p.ok());
    EXPECT_EQ(*p, a);
  }
  auto bad = ParseControlAction("explode");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(bad.status().message(), "unknown action explode");
}

TEST(JobControl, AtRestOnlyAnErrorJobCanChange) {
  EXPECT_TRUE(CheckControlAtRest("j1", "error").ok());
  for (const char* s : {"running", "paused", "complete", "canceled", "odd"}) {
    base::Status st = CheckControlAtRest("j1", s);
    EXPECT_EQ(st.code(), Code::kFailedPrecondition) << s;
    EXPECT_EQ(st.message(), std::string("job j1 is ") + s + " and can no longer change");
  }
}

// workflow_start > a > b > workflow_end, all on success.
std::shared_ptr<const model::Workflow> Chain() {
  auto doc = boost::json::parse(R"({"name": "t",
    "tasks": {"workflow_start": {"name": "workflow_start"}, "a": {"name": "stub"},
              "b": {"name": "stub"}, "workflow_end": {"name": "workflow_end"}},
    "transitions": {"workflow_start": {"a": {"type": "standard", "state": "success"}},
                    "a": {"b": {"type": "standard", "state": "success"}},
                    "b": {"workflow_end": {"type": "standard", "state": "success"}}}})");
  auto r = model::Workflow::FromJson(doc.as_object());
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.value();
}

struct RequestCase {
  std::string name;
  ControlAction action;
  JobStatus job;
  TaskStatus a, b;  // the statuses of tasks a and b (start complete, end incomplete)
  std::string task, to_task;
  Code code;
  std::string message;  // refused: the whole message; allowed: ""
  JobStatus to = JobStatus::kRunning;
  ControlEffect effect = ControlEffect::kNone;
};

TEST(JobControl, TaskLevelChecksAndTheirOrder) {
  using TS = TaskStatus;
  const RequestCase kCases[] = {
      {"pause ignores tasks", A::kPause, JS::kRunning, TS::kRunning, TS::kIncomplete, "", "",
       Code::kOk, "", JS::kPaused, E::kNone},
      {"retry of a task in error", A::kRetry, JS::kError, TS::kError, TS::kIncomplete, "a", "",
       Code::kOk, "", JS::kRunning, E::kRetryTask},
      {"retry: unknown task before the job's status", A::kRetry, JS::kRunning, TS::kError,
       TS::kIncomplete, "zz", "", Code::kNotFound, "job j1 has no task zz"},
      {"retry: the job's status before the task's", A::kRetry, JS::kRunning, TS::kComplete,
       TS::kIncomplete, "a", "", Code::kFailedPrecondition,
       "job j1 is running; only a job in error can be retried"},
      {"retry of a complete task", A::kRetry, JS::kError, TS::kComplete, TS::kError, "a", "",
       Code::kFailedPrecondition,
       "task a of job j1 is complete; only a task in error can be retried"},
      {"continue from error", A::kContinue, JS::kError, TS::kError, TS::kIncomplete, "b", "",
       Code::kOk, "", JS::kRunning, E::kContinueFrom},
      {"continue while paused", A::kContinue, JS::kPaused, TS::kComplete, TS::kIncomplete, "b", "",
       Code::kOk, "", JS::kPaused, E::kContinueFrom},
      {"continue: unknown task", A::kContinue, JS::kCanceled, TS::kError, TS::kIncomplete, "zz", "",
       Code::kNotFound, "job j1 has no task zz"},
      {"continue of a running task", A::kContinue, JS::kPaused, TS::kRunning, TS::kIncomplete, "a",
       "", Code::kFailedPrecondition, "task a of job j1 is already running"},
      {"continue of a scheduled task", A::kContinue, JS::kError, TS::kComplete, TS::kScheduled, "b",
       "", Code::kFailedPrecondition, "task b of job j1 is already scheduled"},
      {"revert b to a", A::kRevert, JS::kPaused, TS::kComplete, TS::kComplete, "b", "a", Code::kOk,
       "", JS::kPaused, E::kRevert},
      {"revert: unknown fromTask first", A::kRevert, JS::kRunning, TS::kComplete, TS::kComplete,
       "zz", "a", Code::kNotFound, "job j1 has no task zz"},
      {"revert: the job's status before toTask", A::kRevert, JS::kRunning, TS::kComplete,
       TS::kComplete, "b", "zz", Code::kFailedPrecondition,
       "job j1 is running; pause it before reverting"},
      {"revert: unknown toTask", A::kRevert, JS::kPaused, TS::kComplete, TS::kComplete, "b", "zz",
       Code::kNotFound, "job j1 has no task zz"},
      {"revert while a task runs", A::kRevert, JS::kPaused, TS::kComplete, TS::kRunning, "b", "a",
       Code::kFailedPrecondition, "job j1 still has a running task; revert when none runs"},
      {"revert forwards", A::kRevert, JS::kPaused, TS::kComplete, TS::kComplete, "a", "b",
       Code::kInvalidArgument,
       "task b does not lead to task a; a revert goes back along the workflow"},
  };
  auto wf = Chain();
  const int a = wf->FindTask("a"), b = wf->FindTask("b");
  for (const RequestCase& c : kCases) {
    SCOPED_TRACE(c.name);
    JobState s = JobState::ForWorkflow(*wf);
    s.status = c.job;
    s.tasks[wf->start()].status = TaskStatus::kComplete;
    s.tasks[a].status = c.a;
    s.tasks[b].status = c.b;
    auto d = DecideControl(*wf, s, {c.action, "j1", c.task, c.to_task});
    if (c.code != Code::kOk) {
      ASSERT_FALSE(d.ok());
      EXPECT_EQ(d.status().code(), c.code);
      EXPECT_EQ(d.status().message(), c.message);
      continue;
    }
    ASSERT_TRUE(d.ok()) << d.status().ToString();
    EXPECT_EQ(d->to, c.to);
    EXPECT_EQ(d->effect, c.effect);
    EXPECT_EQ(d->task, c.task.empty() ? -1 : wf->FindTask(c.task));
    EXPECT_EQ(d->to_task, c.to_task.empty() ? -1 : wf->FindTask(c.to_task));
  }
}

// docs/ENGINE.md's "Job control" table has the code's rows, in the same order.
TEST(JobControl, DocsTableReadsTheSame) {
  std::ifstream in("docs/ENGINE.md");
  ASSERT_TRUE(in) << "run from the source directory";
  std::stringstream text;
  text << in.rdbuf();
  std::string doc = text.str();
  size_t at = doc.find("## Job control");
  ASSERT_NE(at, std::string::npos);
  for (const JobControlRow& row : JobControlTable()) {
    std::string from;
    for (JS s : {JS::kRunning, JS::kPaused, JS::kComplete, JS::kError, JS::kCanceled}) {
      if (!InSet(row.from, s)) continue;
      from += (from.empty() ? "" : ", ") + std::string(JobStatusName(s));
    }
    std::string line = std::string("| ") + ControlActionName(row.action) + " | " + from + " | " +
                       JobStatusName(row.to) + " | " + ControlEffectName(row.effect) + " | " +
                       (row.reaches_children ? "yes" : "no") + " |";
    size_t found = doc.find(line, at);
    EXPECT_NE(found, std::string::npos) << "docs/ENGINE.md lacks (or misorders) " << line;
    if (found != std::string::npos) at = found;
  }
}

}  // namespace
}  // namespace opsflow::engine
