// TriggerService: the trigger documents (list, read, create, patch, delete, import).
#include <boost/json.hpp>

#include "auth/access.h"
#include "automation/trigger_internal.h"
#include "automation/trigger_service.h"
#include "base/ids.h"

namespace opsflow::automation {
namespace bj = boost::json;
using namespace internal;  // NOLINT(build/namespaces): this module's own internals

// ---- triggers ----

base::Result<DocPage> TriggerService::ListTriggers(const auth::Account& v,
                                                   const model::ListQuery& q) {
  return ListOf(v, q, true);
}

base::Result<bj::object> TriggerService::GetTrigger(const auth::Account& v, const std::string& id) {
  std::lock_guard<std::mutex> l(mu_);
  OPSFLOW_ASSIGN_OR_RETURN(const bj::object* t, ReadableTrigger(v, id));
  return *t;
}

base::Result<bj::object> TriggerService::CreateTrigger(const auth::Account& v, bj::object body) {
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

base::Result<bj::object> TriggerService::PatchTrigger(const auth::Account& v, const std::string& id,
                                                      bj::object patch) {
  std::lock_guard<std::mutex> l(mu_);
  OPSFLOW_ASSIGN_OR_RETURN(const bj::object* old, ReadableTrigger(v, id));
  bj::object before = *old;
  if (!CanChangeTriggerLocked(v, before)) {
    return base::PermissionDenied("you may read trigger '" + id + "' but not change it");
  }
  for (const char* k : {"nextRunAt", "lastExecuted", "runCount"}) patch.erase(k);
  OPSFLOW_ASSIGN_OR_RETURN(bj::object doc, ValidateTrigger(v, std::move(patch), &before));
  OPSFLOW_RETURN_IF_ERROR(PutLocked(kTrigger, doc));
  return doc;
}

base::Status TriggerService::DeleteTrigger(const auth::Account& v, const std::string& id) {
  std::lock_guard<std::mutex> l(mu_);
  OPSFLOW_ASSIGN_OR_RETURN(const bj::object* t, ReadableTrigger(v, id));
  if (!CanChangeTriggerLocked(v, *t)) {
    return base::PermissionDenied("you may read trigger '" + id + "' but not delete it");
  }
  return DeleteTriggerLocked(id);
}

base::Result<int64_t> TriggerService::DeleteTriggersOfAutomation(const auth::Account& v,
                                                                 const std::string& id) {
  std::lock_guard<std::mutex> l(mu_);
  OPSFLOW_ASSIGN_OR_RETURN(const bj::object* a, ReadableAutomation(v, id));
  if (!auth::CanChangeAutomation(v, *a))
    return base::PermissionDenied("you may not change automation '" + id + "'");
  std::vector<std::string> ids;
  for (const auto& [tid, t] : triggers_) {
    if (json::StringField(t, "actionId") == id) ids.push_back(tid);
  }
  for (const std::string& tid : ids) OPSFLOW_RETURN_IF_ERROR(DeleteTriggerLocked(tid));
  return static_cast<int64_t>(ids.size());
}

bj::array TriggerService::ImportTriggers(const auth::Account& v, const bj::array& items,
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
    std::string id = json::StringField(t, "_id");
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
      if (!CanChangeTriggerLocked(v, existing->second)) {
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

}  // namespace opsflow::automation
