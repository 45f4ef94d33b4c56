// TriggerService: the automation documents (list, read, export, create, patch, delete, import).
#include <boost/json.hpp>
#include <set>

#include "auth/access.h"
#include "automation/trigger_internal.h"
#include "automation/trigger_service.h"
#include "base/ids.h"

namespace opsflow::automation {
namespace bj = boost::json;
using namespace internal;  // NOLINT(build/namespaces): this module's own internals

// ---- automations ----

base::Result<DocPage> TriggerService::ListAutomations(const auth::Account& v,
                                                      const model::ListQuery& q) {
  return ListOf(v, q, false);
}

base::Result<bj::object> TriggerService::GetAutomation(const auth::Account& v,
                                                       const std::string& id) {
  std::lock_guard<std::mutex> l(mu_);
  OPSFLOW_ASSIGN_OR_RETURN(const bj::object* a, ReadableAutomation(v, id));
  return *a;
}

base::Result<bj::object> TriggerService::ExportAutomation(const auth::Account& v,
                                                          const std::string& id) {
  std::lock_guard<std::mutex> l(mu_);
  OPSFLOW_ASSIGN_OR_RETURN(const bj::object* a, ReadableAutomation(v, id));
  bj::object out = *a;
  bj::array trigs;
  for (const auto& [tid, t] : triggers_) {
    if (json::StringField(t, "actionId") == id) trigs.push_back(t);
  }
  out["triggers"] = std::move(trigs);
  return out;
}

base::Result<bj::object> TriggerService::CreateAutomation(const auth::Account& v, bj::object body) {
  std::lock_guard<std::mutex> l(mu_);
  body.erase("_id");
  body["_id"] = base::NewObjectId();
  for (const char* k : {"created", "createdBy", "lastUpdated", "lastUpdatedBy"}) body.erase(k);
  OPSFLOW_ASSIGN_OR_RETURN(bj::object doc, ValidateAutomation(v, std::move(body), nullptr));
  OPSFLOW_RETURN_IF_ERROR(PutLocked(kAutomation, doc));
  return doc;
}

base::Result<bj::object> TriggerService::PatchAutomation(const auth::Account& v,
                                                         const std::string& id, bj::object patch) {
  std::lock_guard<std::mutex> l(mu_);
  OPSFLOW_ASSIGN_OR_RETURN(const bj::object* old, ReadableAutomation(v, id));
  if (!auth::CanChangeAutomation(v, *old)) {
    return base::PermissionDenied("you may read automation '" + id + "' but not change it");
  }
  bj::object before = *old;
  OPSFLOW_ASSIGN_OR_RETURN(bj::object doc, ValidateAutomation(v, std::move(patch), &before));
  OPSFLOW_RETURN_IF_ERROR(PutLocked(kAutomation, doc));
  return doc;
}

base::Status TriggerService::DeleteAutomation(const auth::Account& v, const std::string& id) {
  std::lock_guard<std::mutex> l(mu_);
  OPSFLOW_ASSIGN_OR_RETURN(const bj::object* a, ReadableAutomation(v, id));
  if (!auth::CanChangeAutomation(v, *a)) {
    return base::PermissionDenied("you may read automation '" + id + "' but not delete it");
  }
  std::vector<std::string> trigs;
  for (const auto& [tid, t] : triggers_) {
    if (json::StringField(t, "actionId") == id) trigs.push_back(tid);
  }
  // Triggers first: a crash in between leaves an automation without some triggers, never
  // triggers without their automation.
  for (const std::string& tid : trigs) OPSFLOW_RETURN_IF_ERROR(DeleteTriggerLocked(tid));
  OPSFLOW_RETURN_IF_ERROR(docs_->Delete(kAutomation, id));
  automations_.erase(id);
  return base::Status::Ok();
}

bj::array TriggerService::ImportAutomations(const auth::Account& v, const bj::array& items) {
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
    std::string id = json::StringField(body, "_id");
    if (id.empty()) id = base::NewObjectId();
    if (!base::IsObjectId(id)) {
      fail("_id '" + id + "' is not an ObjectId (24 hex characters)");
      continue;
    }
    const bj::object* old = nullptr;
    if (auto it = automations_.find(id); it != automations_.end()) {
      if (!auth::CanChangeAutomation(v, it->second)) {
        fail(auth::CanReadAutomation(v, it->second)
                 ? "you may not change automation '" + id + "'"
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
      std::string tid = json::StringField(t, "_id");
      if (tid.empty() || !base::IsObjectId(tid)) tid = base::NewObjectId();
      t["_id"] = tid;
      auto existing = triggers_.find(tid);
      if (existing != triggers_.end() && json::StringField(existing->second, "actionId") != id) {
        err = "trigger '" + tid + "' belongs to another automation";
        break;
      }
      auto vt = ValidateTrigger(v, std::move(t), nullptr);
      if (!vt.ok()) {
        err = "trigger '" + json::StringField(tv.get_object(), "name") +
              "': " + vt.status().message();
        break;
      }
      if (json::StringField(*vt, "type") == "endpoint" &&
          !routes.insert(json::StringField(*vt, "routeName")).second) {
        err = "two triggers use routeName '" + json::StringField(*vt, "routeName") + "'";
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

}  // namespace opsflow::automation
