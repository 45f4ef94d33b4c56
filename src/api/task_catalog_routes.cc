// Automation Studio's task catalogue (IAP-REFERENCE §11, "AutomationStudio": getAppsAndAdapters,
// getTaskDetails, getMultipleTaskDetails), from the table of tasks/task_catalog.cc through
// automation/task_details.h (docs/DECISIONS.md "Task catalogue"):
// * GET /automation-studio/apps/list: the packages a workflow task can name, bare array
//   [{id, name, type: "Application"|"Adapter", package_id, app?, tasks}]: WorkFlowEngine (its
//   tasks listed) and every stored adapter instance (package_id its model, app its export;
//   `tasks: []`: no adapter metadata is kept).
// * GET /automation-studio/locations/:location/packages/:pckg/tasks/:method: one task's details.
//   `dereferenceSchemas` is accepted (the schemas hold no $ref).
// * POST /automation-studio/multipleTaskDetails {inputsArray: [{location, pckg, method}]}: the
//   details in the order asked; a malformed item is a 400, an unknown task a 404 naming it.
// Every authenticated account may read the catalogue (it is the same for all).
#include <string>

#include "api/adapter_store.h"
#include "api/state.h"
#include "automation/task_details.h"

namespace opsflow::api {
namespace {

constexpr size_t kMaxTaskDetails = 1000;

void ListApps(Api::State& s, Call& c) {
  bj::array apps;
  std::string app(automation::BuiltinTaskApp());
  apps.push_back(bj::object{{"id", app},
                            {"name", app},
                            {"type", "Application"},
                            {"package_id", "@itential/app-workflow_engine"},
                            {"tasks", automation::BuiltinTaskNames()}});
  auto adapters = AdapterStore(s.deps.docs).List();
  if (!adapters.ok()) return ReplyError(c, adapters.status());
  for (const StoredAdapter& a : *adapters) {
    const bj::value* name = a.data.if_contains("name");
    if (!name || !name->is_string()) continue;
    bj::object entry{{"id", *name}, {"name", *name}, {"type", "Adapter"}};
    if (const bj::value* m = a.data.if_contains("model"); m && m->is_string()) {
      entry["package_id"] = *m;
    }
    const bj::value* props = a.data.if_contains("properties");
    if (props && props->is_object()) {
      if (const bj::value* t = props->get_object().if_contains("type"); t && t->is_string()) {
        entry["app"] = *t;  // the package's export, as adapter tasks name their `app`
      }
    }
    entry["tasks"] = bj::array();
    apps.push_back(std::move(entry));
  }
  Reply(c, 200, apps);
}

void GetTaskDetails(Api::State&, Call& c) {
  auto d = automation::TaskDetails(c.params[0], c.params[1], c.params[2]);
  if (!d.ok()) return ReplyError(c, d.status());
  Reply(c, 200, *d);
}

std::string StringField(const bj::object& o, const char* key) {
  const bj::value* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

void MultipleTaskDetails(Api::State& s, Call& c) {
  bj::object body;
  if (!ParseBodyObject(s, c, &body)) return;
  const bj::value* list = body.if_contains("inputsArray");
  if (!list || !list->is_array()) {
    return ReplyError(c, 400, "body must be {\"inputsArray\": [{location, pckg, method}]}");
  }
  if (list->get_array().size() > kMaxTaskDetails) {
    return ReplyError(c, 400, "inputsArray holds more than " + std::to_string(kMaxTaskDetails) +
                                  " items");
  }
  bj::array out;
  size_t i = 0;
  for (const bj::value& item : list->get_array()) {
    std::string where = "inputsArray[" + std::to_string(i++) + "]";
    if (!item.is_object()) return ReplyError(c, 400, where + " must be an object");
    const bj::object& o = item.get_object();
    for (const char* key : {"location", "pckg", "method"}) {
      if (StringField(o, key).empty()) {
        return ReplyError(c, 400, where + "." + key + " must be a non-empty string");
      }
    }
    auto d = automation::TaskDetails(StringField(o, "location"), StringField(o, "pckg"),
                                     StringField(o, "method"));
    if (!d.ok()) {
      return ReplyError(c, HttpStatus(d.status().code()), where + ": " + d.status().message());
    }
    out.push_back(std::move(d).value());
  }
  Reply(c, 200, out);
}

}  // namespace

std::span<const Route> TaskCatalogRoutes() {
  static const Route kRoutes[] = {
      {"GET", "/automation-studio/apps/list", ListApps, true},
      {"POST", "/automation-studio/multipleTaskDetails", MultipleTaskDetails, true},
      {"GET", "/automation-studio/locations/:location/packages/:pckg/tasks/:method", GetTaskDetails,
       true},
  };
  return kRoutes;
}

}  // namespace opsflow::api
