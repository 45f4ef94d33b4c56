// TriggerService: documents, validation and access. Runs, the scheduler and events are in
// trigger_run.cc.
#include "runtime/trigger_service.h"

#include <algorithm>
#include <boost/json.hpp>
#include <set>

#include "base/civil.h"
#include "base/ids.h"
#include "base/log.h"
#include "json/parse.h"
#include "model/groups.h"
#include "model/list_page.h"
#include "runtime/trigger_schedule.h"

namespace opsflow::runtime {
namespace bj = boost::json;
namespace {

constexpr const char* kAutomation = "automation";
constexpr const char* kTrigger = "trigger";
constexpr const char* kEventSource = "@itential/app-workflow_engine";

const char* const kTopics[] = {"jobStart", "jobComplete", "jobError", "jobCancel",
                               "jobPause", "jobResume",   "jobFix",   "jobSlaBreach"};

std::string Str(const bj::object& o, const char* key) {
  const bj::value* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

// Fields a client never sets: they are kept from the stored document.
bool Immutable(std::string_view k) {
  return k == "_id" || k == "created" || k == "createdBy" || k == "lastUpdated" ||
         k == "lastUpdatedBy";
}

base::Status CheckString(const bj::object& o, const char* key, bool required) {
  const bj::value* v = o.if_contains(key);
  if (!v || v->is_null()) {
    return required ? base::InvalidArgument(std::string(key) + " is required") : base::Status::Ok();
  }
  if (!v->is_string()) return base::InvalidArgument(std::string(key) + " must be a string");
  if (required && v->get_string().empty()) {
    return base::InvalidArgument(std::string(key) + " must not be empty");
  }
  return base::Status::Ok();
}

base::Status CheckBool(bj::object& o, const char* key, bool dflt) {
  bj::value* v = o.if_contains(key);
  if (!v || v->is_null()) {
    o[key] = dflt;
    return base::Status::Ok();
  }
  if (!v->is_bool()) return base::InvalidArgument(std::string(key) + " must be true or false");
  return base::Status::Ok();
}

base::Result<std::vector<std::string>> GroupList(const bj::object& gbac, const char* key) {
  std::vector<std::string> out;
  const bj::value* v = gbac.if_contains(key);
  if (!v || v->is_null()) return out;
  if (!v->is_array())
    return base::InvalidArgument(std::string("gbac.") + key + " must be an array");
  for (const bj::value& g : v->get_array()) {
    if (!g.is_string() || !base::IsObjectId(g.get_string())) {
      return base::InvalidArgument(std::string("gbac.") + key +
                                   " must hold group ids (24 hex characters); got " +
                                   bj::serialize(g));
    }
    out.emplace_back(g.get_string());
  }
  return out;
}

bool Intersects(const std::vector<std::string>& a, const bj::value* list) {
  if (!list || !list->is_array()) return false;
  for (const bj::value& g : list->get_array()) {
    if (g.is_string() && std::find(a.begin(), a.end(), g.get_string()) != a.end()) return true;
  }
  return false;
}

bool EmptyList(const bj::value* list) {
  return !list || !list->is_array() || list->get_array().empty();
}

const bj::object& Gbac(const bj::object& automation) {
  static const bj::object kEmpty;
  const bj::value* g = automation.if_contains("gbac");
  return g && g->is_object() ? g->get_object() : kEmpty;
}

void Merge(bj::object& into, const bj::object& patch) {
  for (const auto& [k, v] : patch) {
    if (!Immutable(k)) into[k] = v;
  }
}

bool ValidRouteName(const std::string& r) {
  if (r.empty() || r.size() > 200) return false;
  return std::all_of(r.begin(), r.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' ||
           c == '~';
  });
}

}  // namespace

TriggerService::TriggerService(store::DocStore* docs, base::Clock* clock,
                               TriggerServiceOptions opts)
    : docs_(docs), clock_(clock), opts_(opts) {}

TriggerService::~TriggerService() { Stop(); }

base::Status TriggerService::Load() {
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
  loaded_at_ = clock_->NowMs();
  return base::Status::Ok();
}

// ---- access ----

bool TriggerService::CanRead(const Viewer& v, const bj::object& a) const {
  if (v.admin) return true;
  const bj::object& g = Gbac(a);
  const bj::value* r = g.if_contains("read");
  const bj::value* w = g.if_contains("write");
  if (EmptyList(r) && EmptyList(w)) return true;
  return Intersects(v.groups, r) || Intersects(v.groups, w);
}

bool TriggerService::CanWrite(const Viewer& v, const bj::object& a) const {
  if (v.admin) return true;
  const bj::object& g = Gbac(a);
  const bj::value* w = g.if_contains("write");
  if (EmptyList(w)) return EmptyList(g.if_contains("read"));
  return Intersects(v.groups, w);
}

base::Result<const bj::object*> TriggerService::ReadableAutomation(const Viewer& v,
                                                                   const std::string& id) const {
  auto it = automations_.find(id);
  if (it == automations_.end() || !CanRead(v, it->second)) {
    return base::NotFound("Automation '" + id + "' not found");
  }
  return &it->second;
}

base::Result<const bj::object*> TriggerService::ReadableTrigger(const Viewer& v,
                                                                const std::string& id) const {
  auto it = triggers_.find(id);
  if (it != triggers_.end()) {
    auto a = automations_.find(Str(it->second, "actionId"));
    // A trigger whose automation is gone is visible to admins only.
    if ((a == automations_.end() && v.admin) ||
        (a != automations_.end() && CanRead(v, a->second))) {
      return &it->second;
    }
  }
  return base::NotFound("Trigger '" + id + "' not found");
}

// ---- validation ----

bool TriggerService::JstVisible(const Viewer& v, const std::string& id) const {
  auto text = docs_->Get("transformation", id);
  if (!text.ok()) return false;
  auto doc = json::Parse(*text);
  if (!doc.ok() || !doc->is_object()) return false;
  model::Visibility visible;
  if (!v.admin) visible = v.groups;
  return model::Sees(visible, model::GroupsOfDoc(doc->get_object()));
}

base::Result<bj::object> TriggerService::ValidateAutomation(const Viewer& v, bj::object doc,
                                                            const bj::object* old) {
  if (old) {
    bj::object merged = *old;
    Merge(merged, doc);
    doc = std::move(merged);
  }
  doc.erase("triggers");
  OPSFLOW_RETURN_IF_ERROR(CheckString(doc, "name", true));
  OPSFLOW_RETURN_IF_ERROR(CheckString(doc, "description", false));
  if (!doc.contains("description") || doc["description"].is_null()) doc["description"] = "";
  if (!doc.contains("componentType") || doc["componentType"].is_null()) {
    doc["componentType"] = "workflows";
  }
  if (doc["componentType"] != "workflows") {
    return base::InvalidArgument("componentType must be \"workflows\" (opsflow runs workflows)");
  }
  OPSFLOW_RETURN_IF_ERROR(CheckString(doc, "componentId", false));
  OPSFLOW_RETURN_IF_ERROR(CheckString(doc, "componentName", false));
  std::string cid = Str(doc, "componentId"), cname = Str(doc, "componentName");
  if (!cid.empty() || !cname.empty()) {
    if (!actions_) return base::Internal("no workflow lookup is configured");
    // componentId is the workflow's _id (what IAP clients send); a name works too, and an export
    // from another server (componentId absent or foreign) falls back to componentName.
    // Only a workflow its author may see (a hidden one reads as missing).
    auto wf = actions_->FindWorkflow(v.username, cid.empty() ? cname : cid);
    if (!wf.ok() && !cid.empty() && !cname.empty()) wf = actions_->FindWorkflow(v.username, cname);
    if (!wf.ok()) {
      return base::InvalidArgument("componentId '" + (cid.empty() ? cname : cid) +
                                   "' names no workflow (by _id or name)");
    }
    doc["componentId"] = wf->id;
    doc["componentName"] = wf->name;
  } else {
    doc["componentId"] = nullptr;
    doc["componentName"] = nullptr;
  }
  bj::value* gv = doc.if_contains("gbac");
  if (gv && !gv->is_null() && !gv->is_object()) {
    return base::InvalidArgument("gbac must be an object {read:[], write:[]}");
  }
  bj::object gbac = gv && gv->is_object() ? gv->get_object() : bj::object();
  OPSFLOW_ASSIGN_OR_RETURN(auto read, GroupList(gbac, "read"));
  OPSFLOW_ASSIGN_OR_RETURN(auto write, GroupList(gbac, "write"));
  if (!read.empty() && write.empty()) {
    return base::InvalidArgument("gbac: a write group must be configured when read groups are");
  }
  doc["gbac"] = bj::object{{"read", bj::value_from(read)}, {"write", bj::value_from(write)}};
  if (!CanWrite(v, doc)) {
    return base::PermissionDenied(
        "gbac.write must include one of your groups (you could not change the automation)");
  }
  std::string id = Str(doc, "_id");
  std::string name = Str(doc, "name");
  for (const auto& [other_id, other] : automations_) {
    if (other_id != id && Str(other, "name") == name) {
      return base::AlreadyExists("an automation named '" + name + "' already exists");
    }
  }
  std::string now = base::IsoTime(clock_->NowMs());
  if (!old) {
    if (!doc.contains("created")) doc["created"] = now;
    if (!doc.contains("createdBy")) doc["createdBy"] = v.username;
  }
  doc["lastUpdated"] = now;
  doc["lastUpdatedBy"] = v.username;
  return doc;
}

base::Result<bj::object> TriggerService::ValidateTrigger(const Viewer& v, bj::object doc,
                                                         const bj::object* old) {
  if (old) {
    if (const bj::value* t = doc.if_contains("type"); t && *t != old->at("type")) {
      return base::InvalidArgument("a trigger's type cannot change (create a new trigger)");
    }
    bj::object merged = *old;
    Merge(merged, doc);
    doc = std::move(merged);
  }
  OPSFLOW_RETURN_IF_ERROR(CheckString(doc, "name", true));
  OPSFLOW_RETURN_IF_ERROR(CheckString(doc, "description", false));
  if (!doc.contains("description") || doc["description"].is_null()) doc["description"] = "";
  OPSFLOW_RETURN_IF_ERROR(CheckString(doc, "type", true));
  std::string type = Str(doc, "type");
  if (type != "manual" && type != "endpoint" && type != "schedule" && type != "eventSystem") {
    return base::InvalidArgument("type '" + type +
                                 "' is not one of manual, endpoint, schedule, eventSystem");
  }
  OPSFLOW_RETURN_IF_ERROR(CheckBool(doc, "enabled", true));
  if (!doc.contains("actionType") || doc["actionType"].is_null()) doc["actionType"] = "automations";
  if (doc["actionType"] != "automations") {
    return base::InvalidArgument("actionType must be \"automations\"");
  }
  OPSFLOW_RETURN_IF_ERROR(CheckString(doc, "actionId", true));
  std::string action = Str(doc, "actionId");
  auto a = automations_.find(action);
  if (a == automations_.end() || !CanRead(v, a->second)) {
    return base::InvalidArgument("actionId '" + action + "' names no automation");
  }
  if (!CanWrite(v, a->second)) {
    return base::PermissionDenied("you may not change the triggers of automation '" + action + "'");
  }
  std::string id = Str(doc, "_id");
  if (type == "manual" || type == "schedule" || type == "eventSystem") {
    OPSFLOW_RETURN_IF_ERROR(CheckBool(doc, "legacyWrapper", true));
  }
  if (type == "manual" || type == "schedule") {
    bj::value* fd = doc.if_contains("formData");
    if (!fd || fd->is_null()) {
      doc["formData"] = bj::object();
    } else if (!fd->is_object()) {
      return base::InvalidArgument("formData must be an object");
    }
    if (!doc.contains("formId")) doc["formId"] = nullptr;
  }
  if (type == "endpoint" || type == "eventSystem") {
    bj::value* sv = doc.if_contains("schema");
    if (type == "endpoint" && (!sv || sv->is_null())) {
      doc["schema"] = bj::object{
          {"type", "object"}, {"properties", bj::object()}, {"additionalProperties", true}};
    } else if (sv && !sv->is_null()) {
      if (!sv->is_object()) return base::InvalidArgument("schema must be a JSON Schema object");
      std::string err;
      if (!SchemaOf(doc, &err)) return base::InvalidArgument("schema is invalid: " + err);
    }
    bj::value* jv = doc.if_contains("jst");
    std::string jst;
    if (jv && jv->is_object()) jst = Str(jv->get_object(), "_id");
    if (jv && jv->is_string()) jst = std::string(jv->get_string());
    if (jv && !jv->is_null() && !jv->is_string() && jst.empty()) {
      return base::InvalidArgument("jst must be a transformation _id (or null)");
    }
    if (!jv) doc["jst"] = nullptr;
    if (!jst.empty() && !JstVisible(v, jst)) {
      // A JST the author may not see reads as missing (its groups: docs/ACCOUNTS.md).
      return base::InvalidArgument("jst '" + jst + "' names no transformation");
    }
  }
  if (type == "endpoint") {
    OPSFLOW_RETURN_IF_ERROR(CheckString(doc, "routeName", true));
    std::string route = Str(doc, "routeName");
    if (!ValidRouteName(route)) {
      return base::InvalidArgument("routeName '" + route +
                                   "' may hold only letters, digits, '-', '_', '.' and '~'");
    }
    if (!doc.contains("verb") || doc["verb"].is_null()) doc["verb"] = "POST";
    if (doc["verb"] != "POST") return base::InvalidArgument("verb must be \"POST\"");
    for (const auto& [other_id, other] : triggers_) {
      if (other_id != id && Str(other, "type") == "endpoint" && Str(other, "routeName") == route) {
        return base::AlreadyExists("an endpoint trigger with routeName '" + route +
                                   "' already exists");
      }
    }
  }
  if (type == "eventSystem") {
    if (!doc.contains("source") || doc["source"].is_null()) doc["source"] = kEventSource;
    if (doc["source"] != kEventSource) {
      return base::InvalidArgument(std::string("source must be \"") + kEventSource + "\"");
    }
    OPSFLOW_RETURN_IF_ERROR(CheckString(doc, "topic", true));
    std::string topic = Str(doc, "topic");
    if (std::none_of(std::begin(kTopics), std::end(kTopics),
                     [&](const char* t) { return topic == t; })) {
      return base::InvalidArgument("topic '" + topic +
                                   "' is not a job event (jobStart, jobComplete, jobError, "
                                   "jobCancel, jobPause, jobResume, jobFix, jobSlaBreach)");
    }
  }
  int64_t now = clock_->NowMs();
  if (type == "schedule") {
    int64_t created = now;
    if (old) created = base::ParseIso8601(Str(*old, "created")).value_or(created);
    OPSFLOW_ASSIGN_OR_RETURN(Schedule s, ParseSchedule(doc, created));
    if (!doc.contains("processMissedRuns") || doc["processMissedRuns"].is_null()) {
      doc["processMissedRuns"] = "none";
    }
    int64_t runs = 0;
    if (const bj::value* r = doc.if_contains("runCount"); r && r->is_int64()) runs = r->get_int64();
    doc["runCount"] = runs;
    auto next = InitialNextRun(s, now, runs);
    doc["nextRunAt"] = next ? bj::value(*next) : bj::value();
  }
  if (!doc.contains("lastExecuted")) doc["lastExecuted"] = nullptr;
  std::string iso = base::IsoTime(now);
  if (!old) {
    if (!doc.contains("created")) doc["created"] = iso;
    if (!doc.contains("createdBy")) doc["createdBy"] = v.username;
  }
  doc["lastUpdated"] = iso;
  doc["lastUpdatedBy"] = v.username;
  return doc;
}

base::Status TriggerService::PutLocked(const std::string& kind, const bj::object& doc) {
  std::string id = Str(doc, "_id");
  OPSFLOW_RETURN_IF_ERROR(docs_->Put(kind, id, bj::serialize(doc)));
  (kind == kAutomation ? automations_ : triggers_)[id] = doc;
  CountEventTriggersLocked();
  return base::Status::Ok();
}

void TriggerService::CountEventTriggersLocked() {
  size_t n = 0;
  for (const auto& [id, t] : triggers_) n += Str(t, "type") == "eventSystem" ? 1 : 0;
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

base::Result<DocPage> TriggerService::ListOf(const Viewer& v, const model::ListQuery& q,
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
        if (CanRead(v, a)) docs.emplace_back(a);
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

// ---- automations ----

base::Result<DocPage> TriggerService::ListAutomations(const Viewer& v, const model::ListQuery& q) {
  return ListOf(v, q, false);
}

base::Result<bj::object> TriggerService::GetAutomation(const Viewer& v, const std::string& id) {
  std::lock_guard<std::mutex> l(mu_);
  OPSFLOW_ASSIGN_OR_RETURN(const bj::object* a, ReadableAutomation(v, id));
  return *a;
}

base::Result<bj::object> TriggerService::ExportAutomation(const Viewer& v, const std::string& id) {
  std::lock_guard<std::mutex> l(mu_);
  OPSFLOW_ASSIGN_OR_RETURN(const bj::object* a, ReadableAutomation(v, id));
  bj::object out = *a;
  bj::array trigs;
  for (const auto& [tid, t] : triggers_) {
    if (Str(t, "actionId") == id) trigs.push_back(t);
  }
  out["triggers"] = std::move(trigs);
  return out;
}

base::Result<bj::object> TriggerService::CreateAutomation(const Viewer& v, bj::object body) {
  std::lock_guard<std::mutex> l(mu_);
  body.erase("_id");
  body["_id"] = base::NewObjectId();
  for (const char* k : {"created", "createdBy", "lastUpdated", "lastUpdatedBy"}) body.erase(k);
  OPSFLOW_ASSIGN_OR_RETURN(bj::object doc, ValidateAutomation(v, std::move(body), nullptr));
  OPSFLOW_RETURN_IF_ERROR(PutLocked(kAutomation, doc));
  return doc;
}

base::Result<bj::object> TriggerService::PatchAutomation(const Viewer& v, const std::string& id,
                                                         bj::object patch) {
  std::lock_guard<std::mutex> l(mu_);
  OPSFLOW_ASSIGN_OR_RETURN(const bj::object* old, ReadableAutomation(v, id));
  if (!CanWrite(v, *old)) {
    return base::PermissionDenied("you may read automation '" + id + "' but not change it");
  }
  bj::object before = *old;
  OPSFLOW_ASSIGN_OR_RETURN(bj::object doc, ValidateAutomation(v, std::move(patch), &before));
  OPSFLOW_RETURN_IF_ERROR(PutLocked(kAutomation, doc));
  return doc;
}

base::Status TriggerService::DeleteAutomation(const Viewer& v, const std::string& id) {
  std::lock_guard<std::mutex> l(mu_);
  OPSFLOW_ASSIGN_OR_RETURN(const bj::object* a, ReadableAutomation(v, id));
  if (!CanWrite(v, *a)) {
    return base::PermissionDenied("you may read automation '" + id + "' but not delete it");
  }
  std::vector<std::string> trigs;
  for (const auto& [tid, t] : triggers_) {
    if (Str(t, "actionId") == id) trigs.push_back(tid);
  }
  // Triggers first: a crash in between leaves an automation without some triggers, never
  // triggers without their automation.
  for (const std::string& tid : trigs) OPSFLOW_RETURN_IF_ERROR(DeleteTriggerLocked(tid));
  OPSFLOW_RETURN_IF_ERROR(docs_->Delete(kAutomation, id));
  automations_.erase(id);
  return base::Status::Ok();
}

bj::array TriggerService::ImportAutomations(const Viewer& v, const bj::array& items) {
  bj::array out;
  for (const bj::value& item : items) {
    auto fail = [&](const std::string& msg) {
      out.push_back(bj::object{{"success", false}, {"message", msg}, {"data", nullptr}});
    };
    if (!item.is_object()) {
      fail("each automation must be an object");
      continue;
    }
    bj::object body = item.get_object();
    bj::value trig_v = body.contains("triggers") ? body["triggers"] : bj::value(bj::array());
    if (!trig_v.is_array()) {
      fail("triggers must be an array");
      continue;
    }
    std::lock_guard<std::mutex> l(mu_);
    std::string id = Str(body, "_id");
    if (id.empty()) id = base::NewObjectId();
    if (!base::IsObjectId(id)) {
      fail("_id '" + id + "' is not an ObjectId (24 hex characters)");
      continue;
    }
    const bj::object* old = nullptr;
    if (auto it = automations_.find(id); it != automations_.end()) {
      if (!CanWrite(v, it->second)) {
        fail(CanRead(v, it->second) ? "you may not change automation '" + id + "'"
                                    : "automation '" + id + "' exists and is not yours to replace");
        continue;
      }
      old = &it->second;
    }
    body["_id"] = id;
    if (old) {
      for (const char* k : {"created", "createdBy"}) {
        if (old->contains(k)) body[k] = old->at(k);
      }
    }
    auto doc = ValidateAutomation(v, std::move(body), nullptr);
    if (!doc.ok()) {
      fail(doc.status().message());
      continue;
    }
    // Validate every trigger against the new automation before writing anything.
    bj::object saved_auto;
    bool had = old != nullptr;
    if (had) saved_auto = *old;
    automations_[id] = *doc;
    std::vector<bj::object> trigs;
    std::string err;
    std::set<std::string> routes;
    for (const bj::value& tv : trig_v.get_array()) {
      if (!tv.is_object()) {
        err = "each trigger must be an object";
        break;
      }
      bj::object t = tv.get_object();
      t["actionId"] = id;
      std::string tid = Str(t, "_id");
      if (tid.empty() || !base::IsObjectId(tid)) tid = base::NewObjectId();
      t["_id"] = tid;
      auto existing = triggers_.find(tid);
      if (existing != triggers_.end() && Str(existing->second, "actionId") != id) {
        err = "trigger '" + tid + "' belongs to another automation";
        break;
      }
      auto vt = ValidateTrigger(v, std::move(t), nullptr);
      if (!vt.ok()) {
        err = "trigger '" + Str(tv.get_object(), "name") + "': " + vt.status().message();
        break;
      }
      if (Str(*vt, "type") == "endpoint" && !routes.insert(Str(*vt, "routeName")).second) {
        err = "two triggers use routeName '" + Str(*vt, "routeName") + "'";
        break;
      }
      trigs.push_back(std::move(vt).value());
    }
    if (had) {
      automations_[id] = saved_auto;
    } else {
      automations_.erase(id);
    }
    if (!err.empty()) {
      fail(err);
      continue;
    }
    base::Status st = PutLocked(kAutomation, *doc);
    for (const bj::object& t : trigs) {
      if (st.ok()) st = PutLocked(kTrigger, t);
    }
    if (!st.ok()) {
      fail("could not store the automation: " + st.message());
      continue;
    }
    bj::object data = *doc;
    bj::array ta;
    for (auto& t : trigs) ta.push_back(std::move(t));
    data["triggers"] = std::move(ta);
    out.push_back(bj::object{{"success", true}, {"data", std::move(data)}});
  }
  return out;
}

// ---- triggers ----

base::Result<DocPage> TriggerService::ListTriggers(const Viewer& v, const model::ListQuery& q) {
  return ListOf(v, q, true);
}

base::Result<bj::object> TriggerService::GetTrigger(const Viewer& v, const std::string& id) {
  std::lock_guard<std::mutex> l(mu_);
  OPSFLOW_ASSIGN_OR_RETURN(const bj::object* t, ReadableTrigger(v, id));
  return *t;
}

base::Result<bj::object> TriggerService::CreateTrigger(const Viewer& v, bj::object body) {
  std::lock_guard<std::mutex> l(mu_);
  body["_id"] = base::NewObjectId();
  for (const char* k : {"created", "createdBy", "lastUpdated", "lastUpdatedBy", "nextRunAt",
                        "lastExecuted", "runCount"}) {
    body.erase(k);
  }
  OPSFLOW_ASSIGN_OR_RETURN(bj::object doc, ValidateTrigger(v, std::move(body), nullptr));
  OPSFLOW_RETURN_IF_ERROR(PutLocked(kTrigger, doc));
  return doc;
}

base::Result<bj::object> TriggerService::PatchTrigger(const Viewer& v, const std::string& id,
                                                      bj::object patch) {
  std::lock_guard<std::mutex> l(mu_);
  OPSFLOW_ASSIGN_OR_RETURN(const bj::object* old, ReadableTrigger(v, id));
  bj::object before = *old;
  auto a = automations_.find(Str(before, "actionId"));
  if (a != automations_.end() && !CanWrite(v, a->second)) {
    return base::PermissionDenied("you may read trigger '" + id + "' but not change it");
  }
  for (const char* k : {"nextRunAt", "lastExecuted", "runCount"}) patch.erase(k);
  OPSFLOW_ASSIGN_OR_RETURN(bj::object doc, ValidateTrigger(v, std::move(patch), &before));
  OPSFLOW_RETURN_IF_ERROR(PutLocked(kTrigger, doc));
  return doc;
}

base::Status TriggerService::DeleteTrigger(const Viewer& v, const std::string& id) {
  std::lock_guard<std::mutex> l(mu_);
  OPSFLOW_ASSIGN_OR_RETURN(const bj::object* t, ReadableTrigger(v, id));
  auto a = automations_.find(Str(*t, "actionId"));
  if (a != automations_.end() && !CanWrite(v, a->second)) {
    return base::PermissionDenied("you may read trigger '" + id + "' but not delete it");
  }
  return DeleteTriggerLocked(id);
}

base::Result<int64_t> TriggerService::DeleteTriggersOfAutomation(const Viewer& v,
                                                                 const std::string& id) {
  std::lock_guard<std::mutex> l(mu_);
  OPSFLOW_ASSIGN_OR_RETURN(const bj::object* a, ReadableAutomation(v, id));
  if (!CanWrite(v, *a)) return base::PermissionDenied("you may not change automation '" + id + "'");
  std::vector<std::string> ids;
  for (const auto& [tid, t] : triggers_) {
    if (Str(t, "actionId") == id) ids.push_back(tid);
  }
  for (const std::string& tid : ids) OPSFLOW_RETURN_IF_ERROR(DeleteTriggerLocked(tid));
  return static_cast<int64_t>(ids.size());
}

bj::array TriggerService::ImportTriggers(const Viewer& v, const bj::array& items,
                                         const bj::object& options) {
  bool overwrite = true;
  if (const bj::value* o = options.if_contains("overwrite"); o && o->is_bool()) {
    overwrite = o->get_bool();
  }
  bj::array out;
  for (const bj::value& item : items) {
    auto fail = [&](const std::string& msg) {
      out.push_back(bj::object{{"success", false}, {"message", msg}, {"data", nullptr}});
    };
    if (!item.is_object()) {
      fail("each trigger must be an object");
      continue;
    }
    bj::object t = item.get_object();
    std::lock_guard<std::mutex> l(mu_);
    std::string id = Str(t, "_id");
    if (id.empty()) id = base::NewObjectId();
    if (!base::IsObjectId(id)) {
      fail("_id '" + id + "' is not an ObjectId (24 hex characters)");
      continue;
    }
    t["_id"] = id;
    auto existing = triggers_.find(id);
    if (existing != triggers_.end()) {
      if (!overwrite) {
        fail("trigger '" + id + "' already exists");
        continue;
      }
      auto owner = automations_.find(Str(existing->second, "actionId"));
      if (owner != automations_.end() && !CanWrite(v, owner->second)) {
        fail("trigger '" + id + "' exists and is not yours to replace");
        continue;
      }
      for (const char* k : {"created", "createdBy"}) {
        if (existing->second.contains(k)) t[k] = existing->second.at(k);
      }
    }
    auto doc = ValidateTrigger(v, std::move(t), nullptr);
    base::Status st = doc.ok() ? PutLocked(kTrigger, *doc) : doc.status();
    if (!st.ok()) {
      fail(st.message());
      continue;
    }
    out.push_back(bj::object{{"success", true}, {"data", *doc}});
  }
  return out;
}

}  // namespace opsflow::runtime
