// TriggerService: event triggers. Job events reach Enqueue on the publishing thread (the runtime's)
// and are handled one at a time by the event worker (HandleEvent).
#include <boost/json.hpp>
#include <future>

#include "auth/access.h"
#include "automation/jst_input.h"
#include "automation/trigger_internal.h"
#include "automation/trigger_service.h"
#include "base/log.h"
#include "model/groups.h"
#include "runtime/topics.h"

namespace opsflow::automation {
namespace bj = boost::json;
using namespace internal;  // NOLINT(build/namespaces): this module's own internals

namespace {
constexpr size_t kMaxQueuedEvents = 100000;
}  // namespace

bool TriggerService::AutomationSeesJob(const bj::object& trigger, const Event& e) const {
  auto a = automations_.find(json::StringField(trigger, "actionId"));
  if (a == automations_.end()) return false;
  return model::Sees(auth::AutomationGroups(a->second), e.groups);
}

void TriggerService::Enqueue(const Event& e) {
  // Another process's event (a cluster): its triggers run there, once (runtime/event_relay.h).
  // The subscription asks for local events only; this keeps it so.
  if (e.remote) return;
  // Task events start nothing.
  runtime::Topic topic;
  if (!runtime::ParseTopic(e.topic, &topic) || !runtime::IsJobTopic(topic)) return;
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
      if (json::StringField(t, "type") == "eventSystem" && Enabled(t) &&
          json::StringField(t, "topic") == e.topic) {
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
      if (e.topic == runtime::TopicName(runtime::Topic::kJobComplete) ||
          e.topic == runtime::TopicName(runtime::Topic::kJobCancel)) {
        origins_.erase(it);
      }
    }
  }
  if (matching.empty()) return;
  int depth = origin ? origin->depth : 0;
  bj::object job;
  if (launcher_) {
    auto doc = launcher_->GetJob(e.job_id);
    if (doc.ok()) job = std::move(doc).value();
  }
  if (job.empty()) {
    job = {{"_id", e.job_id}, {"name", e.workflow}, {"status", e.status}};
  }
  bj::object fields{
      {"source", "@itential/app-workflow_engine"}, {"topic", e.topic}, {"job", std::move(job)}};
  if (e.topic == runtime::TopicName(runtime::Topic::kJobSlaBreach)) {
    fields["runTime"] = e.run_time_ms;
    fields["slaDelta"] = e.sla_delta_ms;
  }
  bj::value payload = std::move(fields);
  for (const bj::object& t : matching) {
    std::string id = json::StringField(t, "_id");
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
    if (auto schema = schemas_.Of(t, &err); schema && !schema->IsValid(payload)) continue;
    bj::object vars;
    if (!JstIdOf(t).empty()) {
      auto out = ApplyTriggerJst(docs_, t, payload, clock_->NowMs());
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

}  // namespace opsflow::automation
