// Automation Studio and workflow_builder routes: import, read, export, delete workflows.
#include "api/state.h"
#include "auth/access.h"
#include "base/ids.h"
#include "model/list_page.h"
#include "model/query.h"

namespace opsflow::api {
namespace {

// Gives a workflow an _id when it has none (IAP workflow ids are UUIDs).
void EnsureId(bj::object& doc) {
  if (!doc.contains("_id") || !doc["_id"].is_string()) doc["_id"] = base::NewUuid();
}

// The workflow with this _id when it exists and the caller may see it; null otherwise.
std::shared_ptr<const model::Workflow> FindById(Api::State& s, const Call& c,
                                                const std::string& id) {
  auto wf = s.workflows.FindById(id);
  return wf && CanSeeWorkflow(c, *wf) ? wf : nullptr;
}

// Workflow names are unique across all users: a name taken by a workflow the caller cannot see
// is refused like any taken name (that the name is taken is all it reveals).
bool TakenByHidden(Api::State& s, const Call& c, const std::string& name) {
  auto wf = s.workflows.Find(name);
  return wf && !CanSeeWorkflow(c, *wf);
}

// Whether the caller may store `doc` under its name (an import): AlreadyExists when the name
// belongs to a workflow they cannot see, PermissionDenied when replacing a visible one would
// change its groups against the rules (CheckGroupsChange).
base::Status MayImport(Api::State& s, const Call& c, const bj::object& doc) {
  const bj::value* name = doc.if_contains("name");
  if (!name || !name->is_string()) return base::Status::Ok();  // Put names the problem
  auto old = s.workflows.Find(std::string(name->get_string()));
  if (!old) return base::Status::Ok();
  if (!CanSeeWorkflow(c, *old)) {
    return base::AlreadyExists("A workflow named '" + old->name() + "' already exists");
  }
  return CheckGroupsChange(s, c, auth::GroupsOfDoc(old->doc()), auth::GroupsOfDoc(doc));
}

void ListWorkflows(Api::State& s, Call& c) {
  model::ListQuery q;
  if (!ParseList(s, c, &q)) return;
  std::vector<bj::value> docs;
  for (const auto& wf : s.workflows.All()) {
    if (CanSeeWorkflow(c, *wf)) docs.emplace_back(wf->doc());
  }
  ReplyFilteredItems(c, q, std::move(docs));
}

void GetWorkflowDetailed(Api::State& s, Call& c) {
  auto wf = FindVisibleWorkflow(s, c, c.params[0]);
  if (!wf) {
    ReplyError(c, 404, "Workflow '" + c.params[0] + "' not found");
    return;
  }
  Reply(c, 200, wf->doc());
}

void CreateAutomation(Api::State& s, Call& c) {
  bj::object body;
  if (!ParseBodyObject(s, c, &body)) return;
  bj::value* a = body.if_contains("automation");
  if (!a || !a->is_object()) {
    ReplyError(c, 400, "body must be {\"automation\": <workflow document>}");
    return;
  }
  bj::object doc = a->get_object();
  const bj::value* name = doc.if_contains("name");
  if (!name || !name->is_string() || name->get_string().empty()) {
    ReplyError(c, 400, "automation.name must be a non-empty string");
    return;
  }
  if (s.workflows.Find(std::string(name->get_string()))) {
    ReplyError(c, 409, "A workflow named '" + std::string(name->get_string()) + "' already exists");
    return;
  }
  EnsureId(doc);
  auto wf = s.workflows.Put(std::move(doc));
  if (!wf.ok()) {
    ReplyError(c, wf.status());
    return;
  }
  std::string id(wf.value()->doc().at("_id").get_string());
  Reply(c, 200,
        bj::object{{"created", wf.value()->doc()}, {"edit", "/automation-studio/#/edit/" + id}});
}

void ImportAutomations(Api::State& s, Call& c) {
  bj::object body;
  if (!ParseBodyObject(s, c, &body)) return;
  bj::value* list = body.if_contains("automations");
  if (!list || !list->is_array()) {
    ReplyError(c, 400, "body must be {\"automations\": [<workflow document>, ...]}");
    return;
  }
  bj::array results;
  bool any_ok = false;
  for (bj::value& item : list->get_array()) {
    if (!item.is_object()) {
      results.push_back(bj::object{{"success", false}, {"message", "item is not an object"}});
      continue;
    }
    bj::object doc = item.get_object();
    if (base::Status st = MayImport(s, c, doc); !st.ok()) {
      results.push_back(bj::object{{"success", false}, {"message", st.message()}});
      continue;
    }
    const bj::value* name = doc.if_contains("name");
    if (name && name->is_string()) {
      if (auto old = s.workflows.Find(std::string(name->get_string()))) {
        // Re-importing keeps the existing _id when the new document has none.
        if (!doc.contains("_id") && old->doc().contains("_id")) doc["_id"] = old->doc().at("_id");
      }
    }
    EnsureId(doc);
    auto wf = s.workflows.Put(std::move(doc));
    if (!wf.ok()) {
      results.push_back(bj::object{{"success", false}, {"message", wf.status().message()}});
      continue;
    }
    any_ok = true;
    results.push_back(bj::object{
        {"success", true},
        {"data", bj::object{{"name", wf.value()->name()}, {"_id", wf.value()->doc().at("_id")}}}});
  }
  const char* message =
      any_ok || results.empty() ? "Imported automations" : "No automation could be imported";
  Reply(c, any_ok || list->get_array().empty() ? 200 : 400, Envelope(message, std::move(results)));
}

void UpdateAutomation(Api::State& s, Call& c) {
  bj::object body;
  if (!ParseBodyObject(s, c, &body)) return;
  bj::value* u = body.if_contains("update");
  if (!u || !u->is_object()) {
    ReplyError(c, 400, "body must be {\"update\": <workflow fields>}");
    return;
  }
  auto old = FindById(s, c, c.params[0]);
  if (!old) {
    ReplyError(c, 404, "Workflow with _id '" + c.params[0] + "' not found");
    return;
  }
  bj::object doc = old->doc();
  for (auto& kv : u->get_object()) doc[kv.key()] = kv.value();
  doc["_id"] = c.params[0];
  const bj::value* name = doc.if_contains("name");
  if (!name || !name->is_string() || name->get_string().empty()) {
    ReplyError(c, 400, "update.name must be a non-empty string");
    return;
  }
  std::string new_name(name->get_string());
  if (auto st = CheckGroupsChange(s, c, auth::GroupsOfDoc(old->doc()), auth::GroupsOfDoc(doc));
      !st.ok()) {
    ReplyError(c, st);
    return;
  }
  if (new_name != old->name() && s.workflows.Find(new_name)) {
    ReplyError(c, 409, "A workflow named '" + new_name + "' already exists");
    return;
  }
  auto wf = s.workflows.Put(std::move(doc), old->name());
  if (!wf.ok()) {
    ReplyError(c, wf.status());
    return;
  }
  if (new_name != old->name()) (void)s.workflows.Remove(old->name());
  Reply(c, 200, wf.value()->doc());
}

void ExportWorkflow(Api::State& s, Call& c) {
  bj::object body;
  if (!ParseBodyObject(s, c, &body)) return;
  const bj::value* opts = body.if_contains("options");
  const bj::object* o = opts && opts->is_object() ? &opts->get_object() : nullptr;
  std::shared_ptr<const model::Workflow> wf;
  if (o && o->contains("name") && o->at("name").is_string()) {
    wf = FindVisibleWorkflow(s, c, std::string(o->at("name").get_string()));
  } else if (o && o->contains("_id") && o->at("_id").is_string()) {
    wf = FindById(s, c, std::string(o->at("_id").get_string()));
  } else {
    ReplyError(c, 400, "body must be {\"options\":{\"name\":...}} or {\"options\":{\"_id\":...}}");
    return;
  }
  if (!wf) {
    ReplyError(c, 404, "Workflow not found");
    return;
  }
  Reply(c, 200, wf->doc());
}

void ImportWorkflowLegacy(Api::State& s, Call& c) {
  bj::object body;
  if (!ParseBodyObject(s, c, &body)) return;
  bj::value* w = body.if_contains("workflow");
  if (!w || !w->is_object()) {
    ReplyError(c, 400, "body must be {\"workflow\": <workflow document>}");
    return;
  }
  bj::object doc = w->get_object();
  if (base::Status st = MayImport(s, c, doc); !st.ok()) {
    ReplyError(c, st);
    return;
  }
  EnsureId(doc);
  auto wf = s.workflows.Put(std::move(doc));
  if (!wf.ok()) {
    ReplyError(c, wf.status());
    return;
  }
  Reply(c, 200, wf.value()->doc());
}

void DeleteWorkflow(Api::State& s, Call& c) {
  if (TakenByHidden(s, c, c.params[0])) {
    ReplyError(c, base::NotFound("Workflow '" + c.params[0] + "' not found"));
    return;
  }
  base::Status st = s.workflows.Remove(c.params[0]);
  if (!st.ok()) {
    ReplyError(c, st.code() == base::Code::kNotFound
                      ? base::NotFound("Workflow '" + c.params[0] + "' not found")
                      : st);
    return;
  }
  ReplyEnvelope(c, "Workflow '" + c.params[0] + "' deleted", bj::value(c.params[0]));
}

}  // namespace

std::span<const Route> WorkflowRoutes() {
  static const Route kRoutes[] = {
      {"GET", "/automation-studio/workflows", ListWorkflows, true},
      {"GET", "/automation-studio/workflows/detailed/:name", GetWorkflowDetailed, true},
      {"POST", "/automation-studio/automations", CreateAutomation, true},
      {"POST", "/automation-studio/automations/import", ImportAutomations, true},
      {"PUT", "/automation-studio/automations/:id", UpdateAutomation, true},
      {"POST", "/workflow_builder/export", ExportWorkflow, true},
      {"POST", "/workflow_builder/import", ImportWorkflowLegacy, true},
      {"DELETE", "/workflow_builder/workflows/delete/:name", DeleteWorkflow, true},
  };
  return kRoutes;
}

}  // namespace opsflow::api
