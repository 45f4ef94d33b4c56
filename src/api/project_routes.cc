// /automation-studio/projects: Automation Studio projects (IAP-REFERENCE §11, "AutomationStudio":
// getProjects, getProject, createProject, updateProject, deleteProject, importProject,
// exportProject, addComponentsToProject, removeComponentFromProject, getProjectThumbnail,
// uploadProjectThumbnail). The documents and their access rules are api/project_store.h.
// Answers: the list in Automation Studio's items envelope; a project, and the result of every
// change, in the {message, data, metadata} envelope; the export bare (the `*.project.json` file
// `opsflow import` reads); the thumbnail as {thumbnail, backgroundColor}.
#include <boost/json.hpp>

#include "api/project_store.h"
#include "api/state.h"
#include "auth/access.h"
#include "base/clock.h"
#include "json/parse.h"
#include "model/list_page.h"

namespace opsflow::api {
namespace {

ProjectStore StoreOf(Api::State& s) { return ProjectStore(s.deps.docs, base::SystemClock::Get()); }

// Replies with `r` as the envelope's data, or its error.
void ReplyProject(Call& c, const std::string& message, base::Result<bj::object> r) {
  if (!r.ok()) return ReplyError(c, r.status());
  ReplyEnvelope(c, message, bj::value(std::move(r).value()));
}

void ListProjects(Api::State& s, Call& c) {
  model::ListQuery q;
  if (!ParseList(s, c, &q)) return;
  auto all = StoreOf(s).List(*c.account);
  if (!all.ok()) return ReplyError(c, all.status());
  ReplyFilteredItems(c, q, std::move(all).value());
}

void GetProject(Api::State& s, Call& c) {
  ReplyProject(c, "Successfully retrieved project", StoreOf(s).Get(*c.account, c.params[0]));
}

// The body's `key` member when it is the only one and an object (IAP's {project: {...}} and
// {update: {...}} wrappers), else the body itself.
bj::object Unwrap(bj::object body, const char* key) {
  if (body.size() == 1 && body.contains(key) && body[key].is_object()) {
    return std::move(body[key].as_object());
  }
  return body;
}

void CreateProject(Api::State& s, Call& c) {
  bj::object body;
  if (!ParseBodyObject(s, c, &body)) return;
  ReplyProject(c, "Successfully created project",
               StoreOf(s).Create(*c.account, Unwrap(std::move(body), "project")));
}

void UpdateProject(Api::State& s, Call& c) {
  bj::object body;
  if (!ParseBodyObject(s, c, &body)) return;
  ReplyProject(c, "Successfully updated project",
               StoreOf(s).Update(*c.account, c.params[0], Unwrap(std::move(body), "update")));
}

void DeleteProject(Api::State& s, Call& c) {
  base::Status st = StoreOf(s).Delete(*c.account, c.params[0]);
  if (!st.ok()) return ReplyError(c, st);
  ReplyEnvelope(c, "Successfully deleted project", bj::object{{"_id", c.params[0]}});
}

void ImportProject(Api::State& s, Call& c) {
  bj::object body;
  if (!ParseBodyObject(s, c, &body)) return;
  ReplyProject(c, "Successfully imported project",
               StoreOf(s).Import(*c.account, Unwrap(std::move(body), "project")));
}

void ExportProject(Api::State& s, Call& c) {
  auto p = StoreOf(s).Get(*c.account, c.params[0]);
  if (!p.ok()) return ReplyError(c, p.status());
  Reply(c, 200, *p);
}

// A component reference: a workflow by name, a transformation by `_id`, either visible to the
// caller.
base::Result<bj::object> Resolve(Api::State& s, const Call& c, const std::string& type,
                                 const std::string& ref) {
  if (type == "workflow") {
    auto wf = FindVisibleWorkflow(s, c, ref);
    if (!wf) return base::NotFound("Workflow '" + ref + "' not found");
    return wf->doc();
  }
  if (type == "transformation") {
    auto text = s.deps.docs->Get("transformation", ref);
    if (text.ok()) {
      auto v = json::Parse(*text, {.max_depth = 256, .max_bytes = size_t(1) << 30});
      if (v.ok() && v->is_object() &&
          auth::CanSee(*c.account, auth::GroupsOfDoc(v->get_object()))) {
        return std::move(v->as_object());
      }
    }
    return base::NotFound("Transformation '" + ref + "' not found");
  }
  return base::InvalidArgument("a '" + type +
                               "' component cannot be added by reference; give its 'document'");
}

void AddComponents(Api::State& s, Call& c) {
  bj::object body;
  if (!ParseBodyObject(s, c, &body)) return;
  const bj::value* comps = body.if_contains("components");
  if (!comps || !comps->is_array()) {
    return ReplyError(c, 400, "body must be {\"components\": [{type, reference | document}]}");
  }
  auto resolve = [&s, &c](const std::string& type, const std::string& ref) {
    return Resolve(s, c, type, ref);
  };
  ReplyProject(c, "Successfully added components to project",
               StoreOf(s).AddComponents(*c.account, c.params[0], comps->get_array(), resolve));
}

void RemoveComponent(Api::State& s, Call& c) {
  ReplyProject(c, "Successfully removed component from project",
               StoreOf(s).RemoveComponent(*c.account, c.params[0], c.params[1]));
}

void GetThumbnail(Api::State& s, Call& c) {
  auto p = StoreOf(s).Get(*c.account, c.params[0]);
  if (!p.ok()) return ReplyError(c, p.status());
  const bj::value* t = p->if_contains("thumbnail");
  const bj::value* bg = p->if_contains("backgroundColor");
  Reply(
      c, 200,
      bj::object{{"thumbnail", t ? *t : bj::value()}, {"backgroundColor", bg ? *bg : bj::value()}});
}

void PutThumbnail(Api::State& s, Call& c) {
  bj::object body;
  if (!ParseBodyObject(s, c, &body)) return;
  const bj::value* t = body.if_contains("thumbnail");
  if (!t || !t->is_string()) {
    return ReplyError(c, 400, "body must be {\"thumbnail\": <string>, \"backgroundColor\"?}");
  }
  auto p =
      StoreOf(s).SetThumbnail(*c.account, c.params[0], *t, body.if_contains("backgroundColor"));
  if (!p.ok()) return ReplyError(c, p.status());
  const bj::value* bg = p->if_contains("backgroundColor");
  ReplyEnvelope(c, "Successfully uploaded project thumbnail",
                bj::object{{"thumbnail", *t}, {"backgroundColor", bg ? *bg : bj::value()}});
}

}  // namespace

std::span<const Route> ProjectRoutes() {
  static const Route kRoutes[] = {
      {"GET", "/automation-studio/projects", ListProjects, true},
      {"POST", "/automation-studio/projects", CreateProject, true},
      {"POST", "/automation-studio/projects/import", ImportProject, true},
      {"GET", "/automation-studio/projects/:projectId", GetProject, true},
      {"PATCH", "/automation-studio/projects/:projectId", UpdateProject, true},
      {"DELETE", "/automation-studio/projects/:projectId", DeleteProject, true},
      {"GET", "/automation-studio/projects/:projectId/export", ExportProject, true},
      {"POST", "/automation-studio/projects/:projectId/components/add", AddComponents, true},
      {"DELETE", "/automation-studio/projects/:projectId/components/:componentId", RemoveComponent,
       true},
      {"GET", "/automation-studio/projects/:projectId/thumbnail", GetThumbnail, true},
      {"PUT", "/automation-studio/projects/:projectId/thumbnail", PutThumbnail, true},
  };
  return kRoutes;
}

}  // namespace opsflow::api
