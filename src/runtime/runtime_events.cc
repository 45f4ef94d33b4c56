// Job and task events (runtime/events.h), published from Handle(Committed): a job's state is
// compared with what was last published for it, so every event reports a durable change.
#include "base/metrics.h"
#include "runtime/runtime_impl.h"
#include "runtime/topics.h"

namespace opsflow::runtime {
namespace {

// The topic for a job moving from `before` to `now` (IAP-REFERENCE §5 "Events").
Topic JobTopic(JobStatus before, JobStatus now) {
  switch (now) {
    case JobStatus::kRunning:
      // error -> running: a retry or a continue.
      return before == JobStatus::kPaused ? Topic::kJobResume : Topic::kJobFix;
    case JobStatus::kPaused:
      return Topic::kJobPause;
    case JobStatus::kComplete:
      return Topic::kJobComplete;
    case JobStatus::kError:
      return Topic::kJobError;
    case JobStatus::kCanceled:
      return Topic::kJobCancel;
  }
  return Topic::kJobFix;
}

}  // namespace

// Called for every job of every commit: it keeps what was published current even while no
// one listens (a few bytes per task), so a subscriber that arrives later sees the next change.
void Runtime::Impl::PublishEvents(ActiveJob& j) {
  const bool job_subs = events_.HasSubscribers();
  const bool task_subs = events_.WantsTaskEvents();
  int64_t now = clock_->NowMs();
  auto publish = [&](Topic topic, std::string status, int t, int64_t run_time = 0,
                     int64_t sla_delta = 0) {
    Event e;
    e.run_time_ms = run_time;
    e.sla_delta_ms = sla_delta;
    e.topic = TopicName(topic);
    e.job_id = j.rec.id;
    e.workflow = j.rec.workflow_name;
    if (j.parent) {
      e.parent_job_id = j.parent->job;
      for (const bj::value& a : ParseArray(j.rec.ancestors_json)) {  // root .. self
        if (a.is_string() && a.get_string() != j.rec.id) e.ancestors.emplace_back(a.get_string());
      }
    }
    e.status = std::move(status);
    e.time_ms = now;
    e.groups = GroupIds(j.rec.groups_json);
    if (t >= 0) {
      const engine::TaskState& ts = j.state.tasks[t];
      e.task_id = j.wf->tasks()[t].id;
      e.task_name = j.wf->tasks()[t].method;
      e.finish_state = e.status == "running" ? "" : model::FinishStateName(ts.finish);
    }
    events_.Publish(std::move(e));
  };
  // A new job first, then its tasks, then its end: subscribers see them in that order.
  std::optional<JobStatus> published = j.published_status;
  // A recovered job takes its current task states as the baseline instead of replaying them.
  bool baseline = j.published_tasks.empty() && published.has_value();
  if (!published) {
    base::metrics::JobStarted(j.rec.workflow_name);
    if (job_subs)
      publish(Topic::kJobStart, "running", -1);
    else
      events_.MarkGap();
    published = JobStatus::kRunning;
  }
  const JobStatus before = *published, now_status = j.state.status;
  const std::string status = engine::JobStatusName(now_status);
  size_t n = j.state.tasks.size();
  j.published_tasks.resize(n, {static_cast<uint8_t>(TaskStatus::kIncomplete), 0});
  for (size_t t = 0; t < n; ++t) {
    const engine::TaskState& ts = j.state.tasks[t];
    auto& [pub_status, pub_runs] = j.published_tasks[t];
    bool changed = ts.runs != pub_runs || pub_status != static_cast<uint8_t>(ts.status);
    if (changed && !task_subs && !baseline) events_.MarkGap();
    if (changed && !baseline &&
        (ts.status == TaskStatus::kComplete || ts.status == TaskStatus::kError)) {
      base::metrics::TaskEnded(j.wf->tasks()[t].method, engine::TaskStatusName(ts.status),
                               ts.end_ms - ts.start_ms);
    }
    if (changed && task_subs && !baseline) {
      bool finished = ts.status == TaskStatus::kComplete || ts.status == TaskStatus::kError;
      if (ts.runs > pub_runs) publish(Topic::kTaskStart, "running", static_cast<int>(t));
      if (finished) publish(Topic::kTaskComplete, engine::TaskStatusName(ts.status), static_cast<int>(t));
    }
    pub_status = static_cast<uint8_t>(ts.status);
    pub_runs = ts.runs;
  }
  if (before != now_status) base::metrics::JobStatusChanged(j.rec.workflow_name, status);
  if (before != now_status && !job_subs) events_.MarkGap();
  if (before != now_status && job_subs) {
    // A job that completes later than its workflow's `sla` says so first (jobSlaBreach carries
    // runTime and slaDelta, as IAP's does), so the breach is seen while the job is still known.
    int64_t run_time = j.rec.end_ms - j.rec.start_ms;
    if (now_status == JobStatus::kComplete && j.wf->sla_ms() > 0 && run_time > j.wf->sla_ms()) {
      publish(Topic::kJobSlaBreach, status, -1, run_time, run_time - j.wf->sla_ms());
    }
    publish(JobTopic(before, now_status), status, -1);
  }
  j.published_status = now_status;
}

}  // namespace opsflow::runtime
