// TriggerService: the scheduler of schedule triggers (exactly once per due time: see
// trigger_service.h; the arithmetic of due times is trigger_schedule.h).
#include <algorithm>
#include <boost/json.hpp>
#include <chrono>

#include "automation/trigger_internal.h"
#include "automation/trigger_schedule.h"
#include "automation/trigger_service.h"
#include "base/civil.h"

namespace opsflow::automation {
namespace bj = boost::json;
using namespace internal;  // NOLINT(build/namespaces): this module's own internals

std::vector<TriggerService::Due> TriggerService::CollectDue(int64_t now) {
  std::vector<Due> due;
  std::lock_guard<std::mutex> l(mu_);
  std::vector<std::string> ids;
  for (const auto& [id, t] : triggers_) {
    if (json::StringField(t, "type") != "schedule" || !Enabled(t)) continue;
    const bj::value* n = t.if_contains("nextRunAt");
    if (n && n->is_int64() && n->get_int64() <= now) ids.push_back(id);
  }
  for (const std::string& id : ids) {
    bj::object doc = triggers_.at(id);
    int64_t created = now;
    created = base::ParseIso8601(json::StringField(doc, "created")).value_or(created);
    auto s = ParseSchedule(doc, created);
    if (!s.ok()) {
      LogFailure("schedule trigger is unreadable; disabling it", id, s.status());
      doc["enabled"] = false;
      (void)PutLocked(kTrigger, doc);
      continue;
    }
    int64_t next = doc.at("nextRunAt").get_int64();
    int64_t runs =
        doc.contains("runCount") && doc["runCount"].is_int64() ? doc["runCount"].get_int64() : 0;
    ScheduleStep step = Step(*s, next, runs, now, /*recovering=*/next < loaded_at_);
    doc["nextRunAt"] = step.next_run_at ? bj::value(*step.next_run_at) : bj::value();
    doc["runCount"] = step.runs;
    if (step.fire) doc["lastExecuted"] = now;
    bool last = !step.next_run_at && s->remove_after_end;
    if (!step.fire || last) {
      // Nothing to start (a skipped or final step): the advance is written now. The final run
      // of a trigger removed at its end is at most once: removed first, then run.
      base::Status st = last ? DeleteTriggerLocked(id) : PutLocked(kTrigger, doc);
      if (!st.ok()) {
        LogFailure("cannot advance schedule; not running it", id, st);
        continue;
      }
      if (!step.fire) continue;
    } else {
      // Exactly once per due time: the advanced trigger is committed in the same transaction
      // as the job it starts (TriggerJob::also_commit); the cache moves on at once so the
      // scheduler does not fire it again meanwhile. If the start fails, Tick writes it.
      triggers_[id] = doc;
    }
    bj::value form = doc.contains("formData") ? doc["formData"] : bj::value(bj::object());
    if (!form.is_object()) form = bj::object();
    bj::object vars = FormVariables(doc, std::move(form));
    auto job = JobFor(doc, std::move(vars), nullptr);
    if (!job.ok()) {
      LogFailure("schedule trigger cannot run", id, job.status());
      if (!last) (void)PutLocked(kTrigger, doc);
      continue;
    }
    if (!last) job->also_commit.push_back({kTrigger, id, bj::serialize(doc)});
    due.push_back(Due{id, std::move(job).value()});
  }
  return due;
}

void TriggerService::Tick() {
  const int64_t now = clock_->NowMs();
  if (opts_.reload_ms > 0 && schedules_in_flight_.load() == 0) {
    bool stale;
    {
      std::lock_guard<std::mutex> l(mu_);
      stale = now - reloaded_at_ >= opts_.reload_ms;
    }
    if (stale) {
      if (base::Status st = Reload(); !st.ok()) LogFailure("cannot reload triggers", "", st);
    }
  }
  if (opts_.scheduler_active && !opts_.scheduler_active()) return;
  std::vector<Due> due = CollectDue(now);
  for (Due& d : due) {
    std::string id = d.trigger_id;
    schedules_in_flight_++;
    StartAndRecord(std::move(d.job), id, 0, [this, id](base::Result<JobSnapshot> r) {
      schedules_in_flight_--;
      if (r.ok()) return;
      LogFailure("scheduled job did not start", id, r.status());
      // The advance did not commit with a job: write it alone (the due time is spent).
      std::lock_guard<std::mutex> l(mu_);
      if (auto it = triggers_.find(id); it != triggers_.end())
        (void)PutLocked(kTrigger, it->second);
    });
  }
}

int64_t TriggerService::NextWakeMs(int64_t now) const {
  int64_t wait = opts_.max_sleep_ms;
  std::lock_guard<std::mutex> l(mu_);
  for (const auto& [id, t] : triggers_) {
    if (json::StringField(t, "type") != "schedule" || !Enabled(t)) continue;
    const bj::value* n = t.if_contains("nextRunAt");
    if (n && n->is_int64()) wait = std::min(wait, std::max<int64_t>(n->get_int64() - now, 0));
  }
  return std::max<int64_t>(wait, 5);
}

void TriggerService::SchedulerLoop() {
  std::unique_lock<std::mutex> l(run_mu_);
  while (!stop_) {
    l.unlock();
    Tick();
    int64_t wait = NextWakeMs(clock_->NowMs());
    if (opts_.reload_ms > 0) wait = std::min(wait, opts_.reload_ms);
    l.lock();
    run_cv_.wait_for(l, std::chrono::milliseconds(wait), [this] { return stop_; });
  }
}

}  // namespace opsflow::automation
