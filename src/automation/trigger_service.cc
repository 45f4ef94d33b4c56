// TriggerService: the cache of automation and trigger documents, who may read them, and the
// threads' lifecycle. Documents: automation_docs.cc, trigger_docs.cc; validation:
// trigger_validation.cc; runs: trigger_run.cc; the scheduler: trigger_scheduler.cc; event
// triggers: trigger_events.cc.
#include "automation/trigger_service.h"

#include <boost/json.hpp>

#include "auth/access.h"
#include "automation/trigger_internal.h"
#include "base/log.h"
#include "json/parse.h"
#include "model/list_page.h"

namespace opsflow::automation {
namespace bj = boost::json;

namespace internal {

bool Enabled(const bj::object& t) {
  const bj::value* v = t.if_contains("enabled");
  return !v || !v->is_bool() || v->get_bool();
}

bj::object FormVariables(const bj::object& trigger, bj::value form) {
  const bj::value* lw = trigger.if_contains("legacyWrapper");
  bool legacy = !lw || !lw->is_bool() || lw->get_bool();
  return legacy ? bj::object{{"formData", std::move(form)}} : std::move(form.as_object());
}

void LogFailure(const std::string& what, const std::string& trigger_id, const base::Status& st) {
  base::LogWarn(what, "\"trigger\":\"" + trigger_id + "\",\"error\":\"" +
                          base::JsonEscape(st.message()) + "\"");
}

}  // namespace internal

using namespace internal;  // NOLINT(build/namespaces): this module's own internals

TriggerService::TriggerService(store::DocStore* docs, base::Clock* clock,
                               TriggerServiceOptions opts)
    : docs_(docs), clock_(clock), opts_(opts) {}

TriggerService::~TriggerService() { Stop(); }

base::Status TriggerService::Load() {
  OPSFLOW_RETURN_IF_ERROR(Reload());
  std::lock_guard<std::mutex> l(mu_);
  loaded_at_ = clock_->NowMs();
  return base::Status::Ok();
}

base::Status TriggerService::Reload() {
  std::map<std::string, bj::object> autos, trigs;
  for (auto [kind, into] : {std::pair{kAutomation, &autos}, std::pair{kTrigger, &trigs}}) {
    OPSFLOW_ASSIGN_OR_RETURN(auto list, docs_->List(kind));
    for (const store::StoredDoc& d : list) {
      auto v = json::Parse(d.doc_json);
      if (!v.ok() || !v->is_object()) {
        base::LogWarn(
            "skipping an unreadable stored document",
            "\"kind\":\"" + std::string(kind) + "\",\"key\":\"" + base::JsonEscape(d.key) + "\"");
        continue;
      }
      (*into)[d.key] = std::move(v->as_object());
    }
  }
  std::lock_guard<std::mutex> l(mu_);
  automations_ = std::move(autos);
  triggers_ = std::move(trigs);
  CountEventTriggersLocked();
  reloaded_at_ = clock_->NowMs();
  return base::Status::Ok();
}

base::Result<const bj::object*> TriggerService::ReadableAutomation(const auth::Account& v,
                                                                   const std::string& id) const {
  auto it = automations_.find(id);
  if (it == automations_.end() || !auth::CanReadAutomation(v, it->second)) {
    return base::NotFound("Automation '" + id + "' not found");
  }
  return &it->second;
}

base::Result<const bj::object*> TriggerService::ReadableTrigger(const auth::Account& v,
                                                                const std::string& id) const {
  auto it = triggers_.find(id);
  if (it != triggers_.end()) {
    auto a = automations_.find(json::StringField(it->second, "actionId"));
    // A trigger whose automation is gone is visible to admins only.
    if ((a == automations_.end() && v.admin) ||
        (a != automations_.end() && auth::CanReadAutomation(v, a->second))) {
      return &it->second;
    }
  }
  return base::NotFound("Trigger '" + id + "' not found");
}

bool TriggerService::CanChangeTriggerLocked(const auth::Account& v, const bj::object& t) const {
  auto a = automations_.find(json::StringField(t, "actionId"));
  return a == automations_.end() || auth::CanChangeAutomation(v, a->second);
}

base::Status TriggerService::PutLocked(const std::string& kind, const bj::object& doc) {
  std::string id = json::StringField(doc, "_id");
  OPSFLOW_RETURN_IF_ERROR(docs_->Put(kind, id, bj::serialize(doc)));
  (kind == kAutomation ? automations_ : triggers_)[id] = doc;
  CountEventTriggersLocked();
  return base::Status::Ok();
}

void TriggerService::CountEventTriggersLocked() {
  size_t n = 0;
  for (const auto& [id, t] : triggers_) n += json::StringField(t, "type") == "eventSystem" ? 1 : 0;
  event_triggers_.store(n, std::memory_order_release);
}

base::Status TriggerService::DeleteTriggerLocked(const std::string& id) {
  base::Status st = docs_->Delete(kTrigger, id);
  if (!st.ok() && st.code() != base::Code::kNotFound) return st;
  triggers_.erase(id);
  CountEventTriggersLocked();
  return base::Status::Ok();
}

// ---- lists ----

base::Result<DocPage> TriggerService::ListOf(const auth::Account& v, const model::ListQuery& q,
                                             bool triggers) {
  std::vector<bj::value> docs;
  {
    std::lock_guard<std::mutex> l(mu_);
    if (triggers) {
      for (const auto& [id, t] : triggers_) {
        if (ReadableTrigger(v, id).ok()) docs.emplace_back(t);
      }
    } else {
      for (const auto& [id, a] : automations_) {
        if (auth::CanReadAutomation(v, a)) docs.emplace_back(a);
      }
    }
  }
  DocPage page;
  auto items = model::FilterSortPage(q, std::move(docs), q.filters, &page.total);
  for (auto& d : items) {
    page.items.push_back(q.include.empty() && q.exclude.empty()
                             ? std::move(d)
                             : model::Project(d, q.include, q.exclude));
  }
  return page;
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

}  // namespace opsflow::automation
