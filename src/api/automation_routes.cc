// /operations-manager/automations: list, CRUD, export (with triggers), import and clone
// (automation/trigger_service.h holds the logic and the GBAC rules).
#include <boost/json.hpp>
#include <optional>

#include "api/state.h"
#include "automation/trigger_service.h"

namespace opsflow::api {
namespace {

automation::TriggerService* Service(Api::State& s, Call& c) {
  if (!s.deps.triggers) ReplyError(c, 503, "automations and triggers are not enabled");
  return s.deps.triggers;
}

void ReplyDoc(Call& c, const std::string& message, base::Result<bj::object> r) {
  if (!r.ok()) return ReplyError(c, r.status());
  ReplyEnvelope(c, message, std::move(r).value());
}

// gbac entries may be group ids, group names, or group objects ({_id|id, name, provenance}) as
// IAP exports them; they are stored as group ids.
base::Status ResolveGbac(Api::State& s, bj::object& doc) {
  bj::value* gv = doc.if_contains("gbac");
  if (!gv || !gv->is_object()) return base::Status::Ok();  // the service reports bad shapes
  for (const char* key : {"read", "write"}) {
    bj::value* list = gv->as_object().if_contains(key);
    if (!list || !list->is_array()) continue;
    std::vector<std::string> names;
    for (const bj::value& e : list->get_array()) {
      std::string ref;
      if (e.is_string()) ref = std::string(e.get_string());
      if (e.is_object()) {
        for (const char* k : {"_id", "id", "name"}) {
          const bj::value* f = e.get_object().if_contains(k);
          if (f && f->is_string() && !f->get_string().empty()) {
            ref = std::string(f->get_string());
            break;
          }
        }
      }
      if (ref.empty()) {
        return base::InvalidArgument(std::string("gbac.") + key + " entries must be group ids, " +
                                     "names or {_id|name} objects; got " + bj::serialize(e));
      }
      names.push_back(std::move(ref));
    }
    auto ids = s.deps.accounts->groups().Resolve(names);
    if (!ids.ok())
      return base::InvalidArgument("gbac." + std::string(key) + ": " + ids.status().message());
    *list = bj::value_from(*ids);
  }
  return base::Status::Ok();
}

bool AutomationBody(Api::State& s, Call& c, bj::object* out) {
  if (!ParseBodyObject(s, c, out)) return false;
  base::Status st = ResolveGbac(s, *out);
  if (!st.ok()) {
    ReplyError(c, st);
    return false;
  }
  return true;
}

}  // namespace

void OmListAutomations(Api::State& s, Call& c) {
  auto* ts = Service(s, c);
  if (!ts) return;
  model::ListQuery q;
  if (!ParseOmList(s, c, /*reject_brackets=*/true, &q)) return;
  ReplyPage(c, q, ts->ListAutomations(ViewerOf(c), q));
}

void OmGetAutomation(Api::State& s, Call& c) {
  auto* ts = Service(s, c);
  if (!ts) return;
  ReplyDoc(c, "Successfully retrieved item", ts->GetAutomation(ViewerOf(c), c.params[0]));
}

void OmExportAutomation(Api::State& s, Call& c) {
  auto* ts = Service(s, c);
  if (!ts) return;
  ReplyDoc(c, "Successfully exported automation", ts->ExportAutomation(ViewerOf(c), c.params[0]));
}

void OmCreateAutomation(Api::State& s, Call& c) {
  auto* ts = Service(s, c);
  if (!ts) return;
  bj::object body;
  if (!AutomationBody(s, c, &body)) return;
  ReplyDoc(c, "Successfully created automation",
           ts->CreateAutomation(ViewerOf(c), std::move(body)));
}

void OmPatchAutomation(Api::State& s, Call& c) {
  auto* ts = Service(s, c);
  if (!ts) return;
  bj::object body;
  if (!AutomationBody(s, c, &body)) return;
  ReplyDoc(c, "Successfully updated automation",
           ts->PatchAutomation(ViewerOf(c), c.params[0], std::move(body)));
}

void OmDeleteAutomation(Api::State& s, Call& c) {
  auto* ts = Service(s, c);
  if (!ts) return;
  base::Status st = ts->DeleteAutomation(ViewerOf(c), c.params[0]);
  if (!st.ok()) return ReplyError(c, st);
  ReplyEnvelope(c, "Successfully deleted automation", bj::object{{"_id", c.params[0]}});
}

// POST /operations-manager/automations/clone {id, name?}: the clone (with its triggers) in data;
// metadata {automaticChanges, triggerCloneResults} says what the clone changed on its own.
void OmCloneAutomation(Api::State& s, Call& c) {
  auto* ts = Service(s, c);
  if (!ts) return;
  bj::object body;
  if (!ParseBodyObject(s, c, &body)) return;
  const bj::value* id = body.if_contains("id");
  if (!id) id = body.if_contains("_id");
  if (!id || !id->is_string() || id->get_string().empty()) {
    return ReplyError(c, 400, "body must be {\"id\": <automation id>, \"name\"?: <name>}");
  }
  std::optional<std::string> name;
  if (const bj::value* n = body.if_contains("name"); n && !n->is_null()) {
    if (!n->is_string() || n->get_string().empty()) {
      return ReplyError(c, 400, "name must be a non-empty string (or null)");
    }
    name = std::string(n->get_string());
  }
  auto r = ts->CloneAutomation(ViewerOf(c), std::string(id->get_string()), std::move(name));
  if (!r.ok()) return ReplyError(c, r.status());
  ReplyEnvelope(c, "Successfully cloned automation", std::move(r->automation),
                bj::object{{"automaticChanges", std::move(r->automatic_changes)},
                           {"triggerCloneResults", std::move(r->trigger_results)}});
}

void OmImportAutomations(Api::State& s, Call& c) {
  auto* ts = Service(s, c);
  if (!ts) return;
  bj::object body;
  if (!ParseBodyObject(s, c, &body)) return;
  bj::value* list = body.if_contains("automations");
  if (!list || !list->is_array()) return ReplyError(c, 400, "body must be {automations:[...]}");
  // Group references are resolved per item; an item with a bad one fails alone.
  bj::array items;
  std::vector<std::pair<size_t, std::string>> bad;
  for (bj::value& item : list->as_array()) {
    if (item.is_object()) {
      base::Status st = ResolveGbac(s, item.as_object());
      if (!st.ok()) {
        bad.emplace_back(items.size(), st.message());
        item = nullptr;  // the service reports it; replaced below
      }
    }
    items.push_back(item);
  }
  bj::array results = ts->ImportAutomations(ViewerOf(c), items);
  for (const auto& [i, msg] : bad) {
    results[i] = bj::object{{"success", false}, {"message", msg}, {"data", nullptr}};
  }
  ReplyImport(c, "automations", std::move(results));
}

std::span<const Route> AutomationRoutes() {
  static const Route kRoutes[] = {
      {"GET", "/operations-manager/automations", OmListAutomations, true},
      {"POST", "/operations-manager/automations", OmCreateAutomation, true},
      {"PUT", "/operations-manager/automations", OmImportAutomations, true},
      {"POST", "/operations-manager/automations/clone", OmCloneAutomation, true},
      {"GET", "/operations-manager/automations/:id", OmGetAutomation, true},
      {"PATCH", "/operations-manager/automations/:id", OmPatchAutomation, true},
      {"DELETE", "/operations-manager/automations/:id", OmDeleteAutomation, true},
      {"GET", "/operations-manager/automations/:id/export", OmExportAutomation, true},
  };
  return kRoutes;
}

}  // namespace opsflow::api
