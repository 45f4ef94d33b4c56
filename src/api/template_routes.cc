// /automation-studio/templates: Automation Studio templates (TextFSM and Jinja2) as stored
// documents, not rendered yet (IAP-REFERENCE §11, "AutomationStudio": createTemplate,
// getTemplates, getTemplate, updateTemplate, deleteTemplate, importTemplates, exportTemplate).
// DocStore kind "template", key the `_id`; the document is IAP's
//   {_id, name, group, command, description, type: "textfsm"|"jinja2", template, data, groups?,
//    created, createdBy, lastUpdated, lastUpdatedBy, ...}
// Names are unique. Access as for transformations (docs/ACCOUNTS.md): `groups` on the document,
// hidden templates answer 404 (a hidden name or `_id` is "taken", 409); a non-admin's new
// template without `groups` gets the creator's groups, and group changes follow a job's rules.
// Answers: create {created, edit} like a workflow; the list in the items envelope; a template,
// the result of an update and the export bare; import per item [{success, data|message}].
#include <mutex>
#include <optional>

#include "api/state.h"
#include "auth/access.h"
#include "base/clock.h"
#include "base/ids.h"
#include "json/fields.h"
#include "json/parse.h"
#include "model/list_page.h"

namespace opsflow::api {
namespace {

constexpr const char* kKind = "template";

std::mutex& WriteMutex() {
  static std::mutex mu;
  return mu;
}

base::Status NotFoundError(const std::string& id) {
  return base::NotFound("Template '" + id + "' not found");
}

base::Status CheckTemplate(const bj::object& doc) {
  const bj::value* name = doc.if_contains("name");
  if (!name || !name->is_string() || name->get_string().empty()) {
    return base::InvalidArgument("template name must be a non-empty string");
  }
  for (const char* k : {"group", "command", "description", "template", "data"}) {
    const bj::value* v = doc.if_contains(k);
    if (v && !v->is_string())
      return base::InvalidArgument(std::string("template ") + k + " must be a string");
  }
  if (const bj::value* t = doc.if_contains("type")) {
    if (!t->is_string() || (t->get_string() != "textfsm" && t->get_string() != "jinja2")) {
      return base::InvalidArgument("template type must be \"textfsm\" or \"jinja2\"");
    }
  }
  return base::Status::Ok();
}

std::vector<bj::object> All(Api::State& s) {
  std::vector<bj::object> out;
  auto all = s.deps.docs->List(kKind);
  if (!all.ok()) return out;
  for (const auto& d : *all) {
    auto v = json::Parse(d.doc_json, {.max_depth = 256, .max_bytes = size_t(1) << 30});
    if (v.ok() && v->is_object()) out.push_back(std::move(v->as_object()));
  }
  return out;
}

bool MaySee(const Call& c, const bj::object& doc) {
  return auth::CanSee(*c.account, auth::GroupsOfDoc(doc));
}

// The stored template `id`, when it exists (whether the caller may see it or not).
std::optional<bj::object> Find(Api::State& s, const std::string& id) {
  auto text = s.deps.docs->Get(kKind, id);
  if (!text.ok()) return std::nullopt;
  auto v = json::Parse(*text, {.max_depth = 256, .max_bytes = size_t(1) << 30});
  if (!v.ok() || !v->is_object()) return std::nullopt;
  return std::move(v->as_object());
}

base::Result<bj::object> Visible(Api::State& s, const Call& c, const std::string& id) {
  auto doc = Find(s, id);
  if (!doc || !MaySee(c, *doc)) return NotFoundError(id);
  return std::move(*doc);
}

bj::array ToArray(const std::vector<std::string>& v) {
  bj::array a;
  for (const auto& g : v) a.emplace_back(g);
  return a;
}

// Checks and stores `doc` (its `_id` set) over `old` (nullopt: a new template); REQUIRES
// WriteMutex held.
base::Result<bj::object> Store(Api::State& s, const Call& c, bj::object doc,
                               const std::optional<bj::object>& old) {
  OPSFLOW_RETURN_IF_ERROR(CheckTemplate(doc));
  std::string id = json::StringField(doc, "_id");
  std::string name = json::StringField(doc, "name");
  for (const bj::object& other : All(s)) {
    if (json::StringField(other, "name") == name && json::StringField(other, "_id") != id) {
      return base::AlreadyExists("A template named '" + name + "' already exists");
    }
  }
  const bj::value* g = doc.if_contains("groups");
  std::optional<std::vector<std::string>> given;
  if (g && !g->is_null()) {
    given = auth::GroupsOf(g);
    for (const std::string& one : *given) {
      if (one == auth::kUnreadableGroup) {
        return base::InvalidArgument("template groups must be a list of group ids");
      }
    }
  }
  auto exists = [&](const std::string& gid) { return s.deps.accounts->groups().Get(gid).ok(); };
  std::vector<std::string> groups;
  if (old) {
    std::vector<std::string> before = auth::GroupsOfDoc(*old);
    groups = given ? *given : before;
    OPSFLOW_RETURN_IF_ERROR(auth::CheckGroupsChange(*c.account, before, groups, exists));
  } else {
    auto ng = auth::GroupsForNewItem(*c.account, given, exists);
    if (!ng.ok()) return ng.status();
    groups = std::move(ng).value();
  }
  if (!given && (!groups.empty() || (old && old->contains("groups")))) {
    doc["groups"] = ToArray(groups);
  }
  OPSFLOW_RETURN_IF_ERROR(s.deps.docs->Put(kKind, id, bj::serialize(doc)));
  return doc;
}

void ListTemplates(Api::State& s, Call& c) {
  model::ListQuery q;
  if (!ParseList(s, c, &q)) return;
  std::vector<bj::value> docs;
  for (bj::object& d : All(s)) {
    if (MaySee(c, d)) docs.emplace_back(std::move(d));
  }
  ReplyFilteredItems(c, q, std::move(docs));
}

void GetTemplate(Api::State& s, Call& c) {
  auto doc = Visible(s, c, c.params[0]);
  if (!doc.ok()) return ReplyError(c, doc.status());
  Reply(c, 200, *doc);
}

// POST {template: {...}} (or the bare document): a new template.
void CreateTemplate(Api::State& s, Call& c) {
  bj::object body;
  if (!ParseBodyObject(s, c, &body)) return;
  bj::object doc = body;
  if (body.size() == 1 && body.contains("template") && body["template"].is_object()) {
    doc = body["template"].as_object();
  }
  std::string now = base::IsoTime(base::SystemClock::Get()->NowMs());
  doc["_id"] = base::NewObjectId();
  doc["created"] = now;
  doc["createdBy"] = c.account->id;
  doc["lastUpdated"] = now;
  doc["lastUpdatedBy"] = c.account->id;
  std::lock_guard<std::mutex> l(WriteMutex());
  auto stored = Store(s, c, std::move(doc), std::nullopt);
  if (!stored.ok()) return ReplyError(c, stored.status());
  std::string id = json::StringField(*stored, "_id");
  Reply(c, 200,
        bj::object{{"created", std::move(stored).value()},
                   {"edit", "/automation-studio/#/edit?tab=1&template_id=" + id}});
}

// PUT {update: {...}} (or the bare fields): the given fields replace the stored ones.
void UpdateTemplate(Api::State& s, Call& c) {
  std::lock_guard<std::mutex> l(WriteMutex());
  auto old = Visible(s, c, c.params[0]);
  if (!old.ok()) return ReplyError(c, old.status());
  bj::object body;
  if (!ParseBodyObject(s, c, &body)) return;
  bj::object fields = body;
  if (body.size() == 1 && body.contains("update") && body["update"].is_object()) {
    fields = body["update"].as_object();
  }
  bj::object doc = *old;
  for (const auto& [k, v] : fields) {
    if (k == "_id" || k == "created" || k == "createdBy") continue;
    doc[k] = v;
  }
  doc["lastUpdated"] = base::IsoTime(base::SystemClock::Get()->NowMs());
  doc["lastUpdatedBy"] = c.account->id;
  auto stored = Store(s, c, std::move(doc), *old);
  if (!stored.ok()) return ReplyError(c, stored.status());
  Reply(c, 200, *stored);
}

void DeleteTemplate(Api::State& s, Call& c) {
  std::lock_guard<std::mutex> l(WriteMutex());
  auto old = Visible(s, c, c.params[0]);
  if (!old.ok()) return ReplyError(c, old.status());
  base::Status st = s.deps.docs->Delete(kKind, c.params[0]);
  if (!st.ok()) return ReplyError(c, st);
  ReplyEnvelope(c, "Successfully deleted template", bj::object{{"_id", c.params[0]}});
}

// {templates: [doc, ...]}: each stored as given (an `_id` kept; a visible template with that
// `_id` replaced), per-item results.
void ImportTemplates(Api::State& s, Call& c) {
  bj::object body;
  if (!ParseBodyObject(s, c, &body)) return;
  const bj::value* list = body.if_contains("templates");
  if (!list || !list->is_array()) {
    return ReplyError(c, 400, "body must be {\"templates\": [<template document>]}");
  }
  bj::array results;
  std::lock_guard<std::mutex> l(WriteMutex());
  for (const bj::value& item : list->get_array()) {
    base::Result<bj::object> r = base::InvalidArgument("a template must be an object");
    if (item.is_object()) {
      bj::object doc = item.get_object();
      const bj::value* id = doc.if_contains("_id");
      if (!id || !id->is_string() || id->get_string().empty()) doc["_id"] = base::NewObjectId();
      std::string key = json::StringField(doc, "_id");
      std::optional<bj::object> old = Find(s, key);
      if (old && !MaySee(c, *old)) {
        r = base::AlreadyExists("A template with _id '" + key + "' already exists");
      } else {
        r = Store(s, c, std::move(doc), old);
      }
    }
    if (r.ok()) {
      results.push_back(bj::object{{"success", true}, {"data", std::move(r).value()}});
    } else {
      results.push_back(bj::object{{"success", false}, {"message", r.status().message()}});
    }
  }
  ReplyImport(c, "templates", std::move(results));
}

void ExportTemplate(Api::State& s, Call& c) { GetTemplate(s, c); }

}  // namespace

std::span<const Route> TemplateRoutes() {
  static const Route kRoutes[] = {
      {"GET", "/automation-studio/templates", ListTemplates, true},
      {"POST", "/automation-studio/templates", CreateTemplate, true},
      {"POST", "/automation-studio/templates/import", ImportTemplates, true},
      {"GET", "/automation-studio/templates/:id", GetTemplate, true},
      {"PUT", "/automation-studio/templates/:id", UpdateTemplate, true},
      {"DELETE", "/automation-studio/templates/:id", DeleteTemplate, true},
      {"GET", "/automation-studio/templates/:id/export", ExportTemplate, true},
  };
  return kRoutes;
}

}  // namespace opsflow::api
