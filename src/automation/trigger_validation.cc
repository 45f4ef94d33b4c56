// TriggerService: what an automation or trigger document must hold before it is stored, with the
// defaults IAP fills in. A trigger is checked by what every trigger shares, then by the row of
// its type in kTypeRules (one row per trigger type: which shared parts apply, and its own check).
#include <algorithm>
#include <boost/json.hpp>

#include "auth/access.h"
#include "automation/jst_input.h"
#include "automation/trigger_internal.h"
#include "automation/trigger_schedule.h"
#include "automation/trigger_service.h"
#include "base/civil.h"
#include "base/ids.h"
#include "runtime/topics.h"

namespace opsflow::automation {
namespace bj = boost::json;
using namespace internal;  // NOLINT(build/namespaces): this module's own internals

namespace {

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

// One row per trigger type, checked in this order after what every trigger shares.
const TriggerService::TypeRule TriggerService::kTypeRules[] = {
    // type          legacyWrapper formData schema+jst own check
    {"manual", true, true, false, nullptr},
    {"endpoint", false, false, true, &TriggerService::CheckEndpoint},
    {"schedule", true, true, false, &TriggerService::CheckSchedule},
    {"eventSystem", true, false, true, &TriggerService::CheckEventSystem},
};

base::Result<bj::object> TriggerService::ValidateAutomation(const auth::Account& v, bj::object doc,
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
  std::string cid = json::StringField(doc, "componentId"),
              cname = json::StringField(doc, "componentName");
  if (!cid.empty() || !cname.empty()) {
    if (!launcher_) return base::Internal("no job launcher is configured");
    // componentId is the workflow's _id (what IAP clients send); a name works too, and an export
    // from another server (componentId absent or foreign) falls back to componentName.
    // Only a workflow its author may see (a hidden one reads as missing).
    auto wf = launcher_->FindWorkflow(v.username, cid.empty() ? cname : cid);
    if (!wf.ok() && !cid.empty() && !cname.empty()) wf = launcher_->FindWorkflow(v.username, cname);
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
  if (!auth::CanChangeAutomation(v, doc)) {
    return base::PermissionDenied(
        "gbac.write must include one of your groups (you could not change the automation)");
  }
  std::string id = json::StringField(doc, "_id");
  std::string name = json::StringField(doc, "name");
  for (const auto& [other_id, other] : automations_) {
    if (other_id != id && json::StringField(other, "name") == name) {
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

base::Result<bj::object> TriggerService::ValidateTrigger(const auth::Account& v, bj::object doc,
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
  std::string type = json::StringField(doc, "type");
  const TypeRule* rule = nullptr;
  std::string types;
  for (const TypeRule& r : kTypeRules) {
    if (type == r.type) rule = &r;
    types += std::string(types.empty() ? "" : ", ") + r.type;
  }
  if (!rule) return base::InvalidArgument("type '" + type + "' is not one of " + types);
  OPSFLOW_RETURN_IF_ERROR(CheckBool(doc, "enabled", true));
  if (!doc.contains("actionType") || doc["actionType"].is_null()) doc["actionType"] = "automations";
  if (doc["actionType"] != "automations") {
    return base::InvalidArgument("actionType must be \"automations\"");
  }
  OPSFLOW_RETURN_IF_ERROR(CheckString(doc, "actionId", true));
  std::string action = json::StringField(doc, "actionId");
  auto a = automations_.find(action);
  if (a == automations_.end() || !auth::CanReadAutomation(v, a->second)) {
    return base::InvalidArgument("actionId '" + action + "' names no automation");
  }
  if (!auth::CanChangeAutomation(v, a->second)) {
    return base::PermissionDenied("you may not change the triggers of automation '" + action + "'");
  }
  if (rule->legacy_wrapper) OPSFLOW_RETURN_IF_ERROR(CheckBool(doc, "legacyWrapper", true));
  if (rule->form_data) {
    bj::value* fd = doc.if_contains("formData");
    if (!fd || fd->is_null()) {
      doc["formData"] = bj::object();
    } else if (!fd->is_object()) {
      return base::InvalidArgument("formData must be an object");
    }
    if (!doc.contains("formId")) doc["formId"] = nullptr;
  }
  if (rule->schema_and_jst) OPSFLOW_RETURN_IF_ERROR(CheckSchemaAndJst(v, doc));
  int64_t now = clock_->NowMs();
  if (rule->check) OPSFLOW_RETURN_IF_ERROR((this->*rule->check)(doc, old, now));
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

// Endpoint and event triggers: `schema` checks their input (an endpoint's defaults to any
// object), `jst` maps it to the job's variables.
base::Status TriggerService::CheckSchemaAndJst(const auth::Account& v, bj::object& doc) {
  bj::value* sv = doc.if_contains("schema");
  if (json::StringField(doc, "type") == "endpoint" && (!sv || sv->is_null())) {
    doc["schema"] = bj::object{
        {"type", "object"}, {"properties", bj::object()}, {"additionalProperties", true}};
  } else if (sv && !sv->is_null()) {
    if (!sv->is_object()) return base::InvalidArgument("schema must be a JSON Schema object");
    std::string err;
    if (!schemas_.Of(doc, &err)) return base::InvalidArgument("schema is invalid: " + err);
  }
  bj::value* jv = doc.if_contains("jst");
  std::string jst = JstIdOf(doc);
  if (jv && !jv->is_null() && !jv->is_string() && jst.empty()) {
    return base::InvalidArgument("jst must be a transformation _id (or null)");
  }
  if (!jv) doc["jst"] = nullptr;
  if (!jst.empty() && !JstVisible(docs_, v, jst)) {
    // A JST the author may not see reads as missing (its groups: docs/ACCOUNTS.md).
    return base::InvalidArgument("jst '" + jst + "' names no transformation");
  }
  return base::Status::Ok();
}

base::Status TriggerService::CheckEndpoint(bj::object& doc, const bj::object*, int64_t) {
  OPSFLOW_RETURN_IF_ERROR(CheckString(doc, "routeName", true));
  std::string route = json::StringField(doc, "routeName");
  if (!ValidRouteName(route)) {
    return base::InvalidArgument("routeName '" + route +
                                 "' may hold only letters, digits, '-', '_', '.' and '~'");
  }
  if (!doc.contains("verb") || doc["verb"].is_null()) doc["verb"] = "POST";
  if (doc["verb"] != "POST") return base::InvalidArgument("verb must be \"POST\"");
  std::string id = json::StringField(doc, "_id");
  for (const auto& [other_id, other] : triggers_) {
    if (other_id != id && json::StringField(other, "type") == "endpoint" &&
        json::StringField(other, "routeName") == route) {
      return base::AlreadyExists("an endpoint trigger with routeName '" + route +
                                 "' already exists");
    }
  }
  return base::Status::Ok();
}

base::Status TriggerService::CheckEventSystem(bj::object& doc, const bj::object*, int64_t) {
  if (!doc.contains("source") || doc["source"].is_null()) doc["source"] = kEventSource;
  if (doc["source"] != kEventSource) {
    return base::InvalidArgument(std::string("source must be \"") + kEventSource + "\"");
  }
  OPSFLOW_RETURN_IF_ERROR(CheckString(doc, "topic", true));
  std::string topic = json::StringField(doc, "topic");
  runtime::Topic t;
  if (!runtime::ParseTopic(topic, &t) || !runtime::IsJobTopic(t)) {
    return base::InvalidArgument("topic '" + topic + "' is not a job event (" +
                                 runtime::TopicNames(true, ", ") + ")");
  }
  return base::Status::Ok();
}

base::Status TriggerService::CheckSchedule(bj::object& doc, const bj::object* old, int64_t now) {
  int64_t created = now;
  if (old) created = base::ParseIso8601(json::StringField(*old, "created")).value_or(created);
  OPSFLOW_ASSIGN_OR_RETURN(Schedule s, ParseSchedule(doc, created));
  if (!doc.contains("processMissedRuns") || doc["processMissedRuns"].is_null()) {
    doc["processMissedRuns"] = "none";
  }
  int64_t runs = 0;
  if (const bj::value* r = doc.if_contains("runCount"); r && r->is_int64()) runs = r->get_int64();
  doc["runCount"] = runs;
  auto next = InitialNextRun(s, now, runs);
  doc["nextRunAt"] = next ? bj::value(*next) : bj::value();
  return base::Status::Ok();
}

}  // namespace opsflow::automation
