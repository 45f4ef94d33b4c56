// Job and task events (runtime/events.h), published from Handle(Committed): a job's state is
// compared with what was last published for it, so every event reports a durable change.
#include "runtime/runtime_impl.h"

namespace opsflow::runtime {
namespace {

// The topic for a job moving from `before` to `now` (IAP-REFERENCE §5 "Events").
const char* JobTopic(const std::string& before, const std::string& now) {
  if (now == "running") {
    if (before == "paused") return "jobResume";
    return "jobFix";  // error -> running: retry or continue
  }
  if (now == "paused") return "jobPause";
  if (now == "complete") return "jobComplete";
  if (now == "error") return "jobError";
  if (now == "canceled") return "jobCancel";
  return nullptr;
}

}  // namespace

void Runtime::Impl::PublishEvents(ActiveJob& j) {
  int64_t now = clock_->NowMs();
  auto base_event = [&](const char* topic) {
    Event e;
    e.topic = topic;
    e.job_id = j.rec.id;
    e.workflow = j.rec.workflow_name;
    e.parent_job_id = j.parent_id;
    e.time_ms = now;
    for (const auto& g : ParseArray(j.rec.groups_json)) {
      if (g.is_string()) e.groups.emplace_back(g.get_string());
    }
    return e;
  };
  // A new job first, then its tasks, then its end: subscribers see them in that order.
  std::string before = j.published_status;
  // A job whose task states were not tracked (recovered, or changed while no one listened)
  // takes its current task states as the baseline instead of replaying them.
  bool baseline = j.published_tasks.empty() && !before.empty();
  if (before.empty()) {
    Event e = base_event("jobStart");
    e.status = "running";
    events_.Publish(std::move(e));
    before = "running";
  }
  size_t n = j.state.tasks.size();
  j.published_tasks.resize(n, {static_cast<uint8_t>(TaskStatus::kIncomplete), 0});
  for (size_t t = 0; t < n; ++t) {
    const engine::TaskState& ts = j.state.tasks[t];
    auto& [pub_status, pub_runs] = j.published_tasks[t];
    if (baseline) {
      pub_status = static_cast<uint8_t>(ts.status);
      pub_runs = ts.runs;
      continue;
    }
    bool finished = ts.status == TaskStatus::kComplete || ts.status == TaskStatus::kError;
    if (ts.runs > pub_runs) {
      Event e = base_event("taskStart");
      e.task_id = j.wf->tasks()[t].id;
      e.task_name = j.wf->tasks()[t].method;
      e.status = "running";
      events_.Publish(std::move(e));
    }
    if (finished && (ts.runs > pub_runs || pub_status != static_cast<uint8_t>(ts.status))) {
      Event e = base_event("taskComplete");
      e.task_id = j.wf->tasks()[t].id;
      e.task_name = j.wf->tasks()[t].method;
      e.status = engine::TaskStatusName(ts.status);
      e.finish_state = model::FinishStateName(ts.finish);
      events_.Publish(std::move(e));
    }
    pub_status = static_cast<uint8_t>(ts.status);
    pub_runs = ts.runs;
  }
  if (before != j.rec.status) {
    if (const char* topic = JobTopic(before, j.rec.status)) {
      Event e = base_event(topic);
      e.status = j.rec.status;
      events_.Publish(std::move(e));
    }
  }
  j.published_status = j.rec.status;
}

}  // namespace opsflow::runtime
