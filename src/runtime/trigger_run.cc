// TriggerService: running triggers (manual, endpoint), the scheduler and event triggers.
#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <future>

#include "base/civil.h"
#include "base/log.h"
#include "base/metrics.h"
#include "json/parse.h"
#include "model/groups.h"
#include "runtime/trigger_schedule.h"
#include "runtime/trigger_service.h"
#include "tasks/jst_apply.h"

namespace opsflow::runtime {
namespace bj = boost::json;
namespace {

constexpr const char* kTrigger = "trigger";
constexpr size_t kMaxQueuedEvents = 100000;
// Initiator of jobs nobody started by hand (schedules, events), as IAP names it.
constexpr const char* kSystemUser = "Pronghorn";

std::string Str(const bj::object& o, const char* key) {
  const bj::value* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

bool Enabled(const bj::object& t) {
  const bj::value* v = t.if_contains("enabled");
  return !v || !v->is_bool() || v->get_bool();
}

std::string JstId(const bj::object& t) {
  const bj::value* v = t.if_contains("jst");
  if (!v) return "";
  if (v->is_string()) return std::string(v->get_string());
  if (v->is_object()) return Str(v->get_object(), "_id");
  return "";
}

void LogFailure(const std::string& what, const std::string& trigger_id, const base::Status& st) {
  base::LogWarn(what, "\"trigger\":\"" + trigger_id + "\",\"error\":\"" +
                          base::JsonEscape(st.message()) + "\"");
}

}  // namespace

std::shared_ptr<const json::Schema> TriggerService::SchemaOf(const bj::object& trigger,
                                                             std::string* error) const {
  const bj::value* s = trigger.if_contains("schema");
  if (!s || !s->is_object()) return nullptr;
  std::string key = bj::serialize(*s);
  std::lock_guard<std::mutex> l(schema_mu_);
  if (auto it = schemas_.find(key); it != schemas_.end()) return it->second;
  auto c = json::Schema::Compile(*s);
  if (!c.ok()) {
    *error = c.status().message();
    return nullptr;
  }
  if (schemas_.size() > 1000) schemas_.clear();
  schemas_[key] = *c;
  return *c;
}

// A JST runs on the trigger input (tasks/jst_apply.h says how the input binds and what the
// variables become).
base::Result<bj::object> TriggerService::ApplyJst(const bj::object& trigger,
                                                  const bj::value& input) const {
  std::string id = JstId(trigger);
  auto text = docs_->Get("transformation", id);
  if (!text.ok()) return base::InvalidArgument("transformation '" + id + "' not found");
  auto doc = json::Parse(*text);
  if (!doc.ok() || !doc->is_object()) {
    return base::Internal("transformation '" + id + "' is unreadable");
  }
  return tasks::ApplyJstToInput(doc->get_object(), input, id, clock_->NowMs());
}

base::Result<TriggerJob> TriggerService::JobFor(const bj::object& trigger, bj::object variables,
                                                const Viewer* runner) const {
  std::string action = Str(trigger, "actionId");
  auto a = automations_.find(action);
  if (a == automations_.end()) {
    return base::FailedPrecondition("the trigger's automation '" + action + "' no longer exists");
  }
  const bj::object& automation = a->second;
  std::string cid = Str(automation, "componentId"), cname = Str(automation, "componentName");
  if (cid.empty() && cname.empty()) {
    return base::FailedPrecondition("automation '" + Str(automation, "name") +
                                    "' has no workflow (set componentId)");
  }
  if (!actions_) return base::Internal("no job starter is configured");
  std::string as_user = runner ? runner->username : Str(automation, "lastUpdatedBy");
  auto wf = actions_->FindWorkflow(as_user, cid.empty() ? cname : cid);
  if (!wf.ok() && !cname.empty()) wf = actions_->FindWorkflow(as_user, cname);
  if (!wf.ok()) {
    return base::FailedPrecondition("the workflow of automation '" + Str(automation, "name") +
                                    "' ('" + (cname.empty() ? cid : cname) + "') no longer exists");
  }
  TriggerJob job;
  job.workflow = wf->name;
  job.variables = std::move(variables);
  job.description = Str(automation, "name");
  job.user = runner ? runner->username : kSystemUser;
  job.as_user = std::move(as_user);
  job.limited = runner && !runner->admin;
  // The job is as visible as its automation.
  if (const bj::value* g = automation.if_contains("gbac"); g && g->is_object()) {
    for (const char* k : {"read", "write"}) {
      const bj::value* list = g->get_object().if_contains(k);
      if (!list || !list->is_array()) continue;
      for (const bj::value& id : list->get_array()) {
        if (std::find(job.groups.begin(), job.groups.end(), id) == job.groups.end()) {
          job.groups.push_back(id);
        }
      }
    }
  }
  return job;
}

bool TriggerService::AutomationSeesJob(const bj::object& trigger, const Event& e) const {
  auto a = automations_.find(Str(trigger, "actionId"));
  if (a == automations_.end()) return false;
  std::vector<std::string> groups;
  if (const bj::value* g = a->second.if_contains("gbac"); g && g->is_object()) {
    for (const char* k : {"read", "write"}) {
      for (const std::string& id : model::GroupsOf(g->get_object().if_contains(k))) {
        groups.push_back(id);
      }
    }
  }
  return model::Sees(groups, e.groups);
}

void TriggerService::StartAndRecord(TriggerJob job, const std::string& trigger_id, int depth,
                                    StartCallback done) {
  {
    // lastExecuted, best effort: a failed write does not stop the run.
    std::lock_guard<std::mutex> l(mu_);
    auto it = triggers_.find(trigger_id);
    if (it != triggers_.end()) {
      bj::object doc = it->second;
      doc["lastExecuted"] = clock_->NowMs();
      base::metrics::Get().trigger_runs.At({Str(doc, "type")}).Inc();
      if (Str(doc, "type") != "schedule") (void)PutLocked(kTrigger, doc);
    }
  }
  actions_->StartJob(std::move(job), [this, trigger_id, depth,
                                      done = std::move(done)](base::Result<JobSnapshot> r) {
    if (r.ok() && depth > 0) {
      std::lock_guard<std::mutex> l(origin_mu_);
      origins_[r->record.id] = Origin{trigger_id, depth};
    }
    done(std::move(r));
  });
}

void TriggerService::RunManual(const Viewer& v, const std::string& id,
                               std::optional<bj::value> form_data, StartCallback done,
                               std::vector<json::SchemaError>* schema_errors) {
  base::Result<TriggerJob> job = base::Internal("unset");
  {
    std::lock_guard<std::mutex> l(mu_);
    auto t = ReadableTrigger(v, id);
    if (!t.ok()) return done(t.status());
    const bj::object& trig = **t;
    if (Str(trig, "type") != "manual") {
      return done(base::InvalidArgument("trigger '" + id + "' is a " + Str(trig, "type") +
                                        " trigger, not a manual one"));
    }
    if (!Enabled(trig)) {
      return done(base::FailedPrecondition("trigger '" + Str(trig, "name") + "' is disabled"));
    }
    bj::value form = form_data ? *form_data : trig.at("formData");
    if (form.is_null()) form = bj::object();
    if (!form.is_object()) return done(base::InvalidArgument("formData must be an object"));
    const bj::value* lw = trig.if_contains("legacyWrapper");
    bool legacy = !lw || !lw->is_bool() || lw->get_bool();
    bj::object vars = legacy ? bj::object{{"formData", form}} : std::move(form.as_object());
    job = JobFor(trig, std::move(vars), &v);
  }
  if (!job.ok()) return done(job.status());
  job->input_errors = schema_errors;
  StartAndRecord(std::move(job).value(), id, 0, std::move(done));
}

void TriggerService::RunEndpoint(const Viewer& v, const std::string& route, const bj::value& body,
                                 StartCallback done,
                                 std::vector<json::SchemaError>* schema_errors) {
  bj::object trig;
  {
    std::lock_guard<std::mutex> l(mu_);
    for (const auto& [id, t] : triggers_) {
      if (Str(t, "type") == "endpoint" && Str(t, "routeName") == route &&
          ReadableTrigger(v, id).ok()) {
        trig = t;
        break;
      }
    }
  }
  if (trig.empty())
    return done(base::NotFound("no endpoint trigger has routeName '" + route + "'"));
  if (!Enabled(trig)) {
    return done(base::FailedPrecondition("trigger '" + Str(trig, "name") + "' is disabled"));
  }
  std::string err;
  if (auto schema = SchemaOf(trig, &err)) {
    std::vector<json::SchemaError> errs = schema->Validate(body);
    if (!errs.empty()) {
      std::string msg = "Invalid request body: " + json::ErrorsToMessage(errs);
      if (schema_errors) *schema_errors = std::move(errs);
      return done(base::InvalidArgument(msg));
    }
  } else if (!err.empty()) {
    return done(base::Internal("the trigger's schema is invalid: " + err));
  }
  bj::object vars;
  if (!JstId(trig).empty()) {
    auto out = ApplyJst(trig, body);
    if (!out.ok()) return done(out.status());
    vars = std::move(out).value();
  } else if (body.is_object()) {
    vars = body.get_object();
  } else if (!body.is_null()) {
    return done(base::InvalidArgument(
        "the request body must be a JSON object (its fields become the job's variables)"));
  }
  base::Result<TriggerJob> job = base::Internal("unset");
  {
    std::lock_guard<std::mutex> l(mu_);
    job = JobFor(trig, std::move(vars), &v);
  }
  if (!job.ok()) return done(job.status());
  job->input_errors = schema_errors;
  StartAndRecord(std::move(job).value(), Str(trig, "_id"), 0, std::move(done));
}

// ---- the scheduler ----

std::vector<TriggerService::Due> TriggerService::CollectDue(int64_t now) {
  std::vector<Due> due;
  std::lock_guard<std::mutex> l(mu_);
  std::vector<std::string> ids;
  for (const auto& [id, t] : triggers_) {
    if (Str(t, "type") != "schedule" || !Enabled(t)) continue;
    const bj::value* n = t.if_contains("nextRunAt");
    if (n && n->is_int64() && n->get_int64() <= now) ids.push_back(id);
  }
  for (const std::string& id : ids) {
    bj::object doc = triggers_.at(id);
    int64_t created = now;
    created = base::ParseIso8601(Str(doc, "created")).value_or(created);
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
    const bj::value* lw = doc.if_contains("legacyWrapper");
    bool legacy = !lw || !lw->is_bool() || lw->get_bool();
    bj::object vars = legacy ? bj::object{{"formData", form}} : std::move(form.as_object());
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
  std::vector<Due> due = CollectDue(clock_->NowMs());
  for (Due& d : due) {
    std::string id = d.trigger_id;
    StartAndRecord(std::move(d.job), id, 0, [this, id](base::Result<JobSnapshot> r) {
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
    if (Str(t, "type") != "schedule" || !Enabled(t)) continue;
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
    l.lock();
    run_cv_.wait_for(l, std::chrono::milliseconds(wait), [this] { return stop_; });
  }
}

// ---- events ----

void TriggerService::Enqueue(const Event& e) {
  if (e.topic.rfind("job", 0) != 0) return;  // task events start nothing
  if (event_triggers_.load(std::memory_order_acquire) == 0) return;
  std::lock_guard<std::mutex> l(run_mu_);
  if (events_.size() >= kMaxQueuedEvents) {
    base::LogWarn("event trigger queue full; dropping the oldest event");
    events_.pop_front();
  }
  events_.push_back(e);
  run_cv_.notify_all();
}

void TriggerService::EventLoop() {
  std::unique_lock<std::mutex> l(run_mu_);
  while (true) {
    run_cv_.wait(l, [this] { return stop_ || !events_.empty(); });
    if (stop_) return;
    Event e = std::move(events_.front());
    events_.pop_front();
    l.unlock();
    HandleEvent(e);
    l.lock();
  }
}

void TriggerService::HandleEvent(const Event& e) {
  std::vector<bj::object> matching;
  {
    std::lock_guard<std::mutex> l(mu_);
    for (const auto& [id, t] : triggers_) {
      if (Str(t, "type") == "eventSystem" && Enabled(t) && Str(t, "topic") == e.topic) {
        matching.push_back(t);
      }
    }
  }
  std::optional<Origin> origin;
  {
    std::lock_guard<std::mutex> l(origin_mu_);
    if (auto it = origins_.find(e.job_id); it != origins_.end()) {
      origin = it->second;
      // A finished job sends no more events.
      if (e.topic == "jobComplete" || e.topic == "jobCancel") origins_.erase(it);
    }
  }
  if (matching.empty()) return;
  int depth = origin ? origin->depth : 0;
  bj::object job;
  if (actions_) {
    auto doc = actions_->GetJob(e.job_id);
    if (doc.ok()) job = std::move(doc).value();
  }
  if (job.empty()) {
    job = {{"_id", e.job_id}, {"name", e.workflow}, {"status", e.status}};
  }
  bj::object fields{
      {"source", "@itential/app-workflow_engine"}, {"topic", e.topic}, {"job", std::move(job)}};
  if (e.topic == "jobSlaBreach") {
    fields["runTime"] = e.run_time_ms;
    fields["slaDelta"] = e.sla_delta_ms;
  }
  bj::value payload = std::move(fields);
  for (const bj::object& t : matching) {
    std::string id = Str(t, "_id");
    if (origin && origin->trigger_id == id) continue;  // never on a job it started itself
    {
      std::lock_guard<std::mutex> l(mu_);
      if (!AutomationSeesJob(t, e)) continue;  // a job its automation may not see
    }
    if (depth + 1 > opts_.max_event_depth) {
      base::LogWarn("event trigger chain too deep; not firing",
                    "\"trigger\":\"" + id + "\",\"job\":\"" + e.job_id + "\"");
      continue;
    }
    std::string err;
    if (auto schema = SchemaOf(t, &err); schema && !schema->IsValid(payload)) continue;
    bj::object vars;
    if (!JstId(t).empty()) {
      auto out = ApplyJst(t, payload);
      if (!out.ok()) {
        LogFailure("event trigger transformation failed", id, out.status());
        continue;
      }
      vars = std::move(out).value();
    } else {
      vars = payload.get_object();
    }
    base::Result<TriggerJob> tj = base::Internal("unset");
    {
      std::lock_guard<std::mutex> l(mu_);
      tj = JobFor(t, std::move(vars), nullptr);
    }
    if (!tj.ok()) {
      LogFailure("event trigger cannot run", id, tj.status());
      continue;
    }
    // Wait until the job exists (and its origin is recorded) so its own events, handled next on
    // this thread, see where it came from.
    auto started = std::make_shared<std::promise<void>>();
    auto fut = started->get_future();
    StartAndRecord(std::move(tj).value(), id, depth + 1,
                   [id, started](base::Result<JobSnapshot> r) {
                     if (!r.ok()) LogFailure("event-triggered job did not start", id, r.status());
                     started->set_value();
                   });
    fut.wait();
  }
}

// ---- lifecycle ----

void TriggerService::Start(EventBus* bus) {
  std::lock_guard<std::mutex> l(run_mu_);
  if (started_) return;
  started_ = true;
  stop_ = false;
  scheduler_ = std::thread([this] { SchedulerLoop(); });
  event_worker_ = std::thread([this] { EventLoop(); });
  bus_ = bus;
  // Event triggers react to job events only: no task events are built for them.
  if (bus_) sub_id_ = bus_->Subscribe([this](const Event& e) { Enqueue(e); }, false);
}

void TriggerService::Stop() {
  {
    std::lock_guard<std::mutex> l(run_mu_);
    if (!started_) return;
  }
  if (bus_) bus_->Unsubscribe(sub_id_);
  {
    std::lock_guard<std::mutex> l(run_mu_);
    stop_ = true;
    run_cv_.notify_all();
  }
  if (scheduler_.joinable()) scheduler_.join();
  if (event_worker_.joinable()) event_worker_.join();
  std::lock_guard<std::mutex> l(run_mu_);
  started_ = false;
  bus_ = nullptr;
}

}  // namespace opsflow::runtime
