// TriggerService: cloning an automation with its triggers (IAP cloneAutomation) and exporting
// one trigger (IAP exportTrigger).
#include <boost/json.hpp>
#include <vector>

#include "auth/access.h"
#include "automation/trigger_internal.h"
#include "automation/trigger_service.h"
#include "base/ids.h"

namespace opsflow::automation {
namespace bj = boost::json;
using namespace internal;  // NOLINT(build/namespaces): this module's own internals

namespace {

// Fields of a stored document that belong to that document, not to a copy of it.
constexpr const char* kOwnFields[] = {"_id",           "created",    "createdBy", "lastUpdated",
                                      "lastUpdatedBy", "lastExecuted", "nextRunAt", "runCount"};

}  // namespace

base::Result<bj::object> TriggerService::ExportTrigger(const auth::Account& v,
                                                       const std::string& id) {
  std::lock_guard<std::mutex> l(mu_);
  OPSFLOW_ASSIGN_OR_RETURN(const bj::object* t, ReadableTrigger(v, id));
  return *t;
}

base::Result<CloneResult> TriggerService::CloneAutomation(const auth::Account& v,
                                                          const std::string& id,
                                                          std::optional<std::string> name) {
  std::lock_guard<std::mutex> l(mu_);
  OPSFLOW_ASSIGN_OR_RETURN(const bj::object* src, ReadableAutomation(v, id));
  bj::object doc = *src;
  auto taken = [&](const std::string& n) {
    for (const auto& [other_id, other] : automations_) {
      if (json::StringField(other, "name") == n) return true;
    }
    return false;
  };
  CloneResult out;
  if (name) {
    if (name->empty()) return base::InvalidArgument("name must not be empty");
    if (taken(*name)) {
      return base::AlreadyExists("an automation named '" + *name + "' already exists");
    }
  } else {
    std::string base_name = json::StringField(doc, "name") + " (copy";
    name = base_name + ")";
    for (int n = 2; taken(*name); ++n) name = base_name + " " + std::to_string(n) + ")";
    out.automatic_changes.push_back(bj::value("the clone is named '" + *name + "'"));
  }
  for (const char* k : kOwnFields) doc.erase(k);
  const std::string new_id = base::NewObjectId();
  doc["_id"] = new_id;
  doc["name"] = *name;
  OPSFLOW_ASSIGN_OR_RETURN(bj::object automation, ValidateAutomation(v, std::move(doc), nullptr));

  // The triggers are validated against the new automation (in the cache while they are).
  automations_[new_id] = automation;
  std::vector<std::pair<std::string, bj::object>> trigs;  // source trigger id, the copy
  for (const auto& [tid, t] : triggers_) {
    if (json::StringField(t, "actionId") != id) continue;
    bj::object copy = t;
    for (const char* k : kOwnFields) copy.erase(k);
    copy["_id"] = base::NewObjectId();
    copy["actionId"] = new_id;
    std::string tname = json::StringField(t, "name");
    if (Enabled(t)) {
      copy["enabled"] = false;
      out.automatic_changes.push_back(
          bj::value("trigger '" + tname + "' is disabled in the clone (enable it to run it)"));
    }
    if (json::StringField(t, "type") == "endpoint") {
      std::string route = json::StringField(t, "routeName");
      auto route_taken = [&](const std::string& r) {
        for (const auto& [oid, o] : triggers_) {
          if (json::StringField(o, "type") == "endpoint" && json::StringField(o, "routeName") == r) {
            return true;
          }
        }
        for (const auto& [sid, c] : trigs) {
          if (json::StringField(c, "routeName") == r) return true;
        }
        return false;
      };
      std::string next = route + "-copy";
      for (int n = 2; route_taken(next); ++n) next = route + "-copy-" + std::to_string(n);
      copy["routeName"] = next;
      out.automatic_changes.push_back(bj::value("trigger '" + tname + "' has routeName '" + next +
                                                "' (routeName '" + route + "' is the source's)"));
    }
    auto vt = ValidateTrigger(v, std::move(copy), nullptr);
    if (!vt.ok()) {
      out.trigger_results[tid] = bj::object{
          {"success", false}, {"_id", nullptr}, {"message", vt.status().message()}};
      continue;
    }
    trigs.emplace_back(tid, std::move(vt).value());
  }
  automations_.erase(new_id);

  // The automation first: a crash in between leaves it without some triggers, never triggers
  // without their automation.
  OPSFLOW_RETURN_IF_ERROR(PutLocked(kAutomation, automation));
  bj::array saved;
  for (auto& [tid, t] : trigs) {
    base::Status st = PutLocked(kTrigger, t);
    if (!st.ok()) {
      out.trigger_results[tid] = bj::object{
          {"success", false}, {"_id", nullptr}, {"message", "not stored: " + st.message()}};
      continue;
    }
    out.trigger_results[tid] = bj::object{{"success", true}, {"_id", t.at("_id")}};
    saved.push_back(std::move(t));
  }
  out.automation = std::move(automation);
  out.automation["triggers"] = std::move(saved);
  return out;
}

}  // namespace opsflow::automation
