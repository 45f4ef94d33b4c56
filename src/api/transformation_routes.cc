// /transformations CRUD: JST documents keyed by _id.
// GBAC (docs/ACCOUNTS.md "Transformations"): a JST carries `groups` like a workflow. Lists leave
// out what the caller cannot see and reading, overwriting or deleting one answers 404 as for an
// unknown id; POST with the `_id` of a hidden JST is refused as taken (409). A non-admin's new
// JST without `groups` gets the creator's groups; changing a stored JST's groups follows the
// rules of a job's groups (auth::CheckGroupsChange); an overwrite without `groups` keeps them.
// Run (POST /transformations/:id, IAP's jst runTransformation): the body is {incoming, options}
// as IAP documents it (a body with neither key is itself the incoming values); the JST runs in
// the `transformation` task's runtime (runtime::RunTransformation) and the answer is its outgoing
// values by $id, or with options.extractOutput and one outgoing schema that value alone. A JST
// failure is a 400 with the task's message; a JST the caller cannot see is a 404. Body and
// answer sizes and the caller's concurrent runs are bounded (api/compute_limits.h).
#include <mutex>
#include <optional>

#include "api/state.h"
#include "auth/access.h"
#include "base/clock.h"
#include "base/ids.h"
#include "json/parse.h"
#include "runtime/task_methods.h"

namespace opsflow::api {
namespace {

constexpr const char* kKind = "transformation";

// Serialises check-then-write of transformations within this process.
std::mutex& WriteMutex() {
  static std::mutex mu;
  return mu;
}

bool ValidJst(Call& c, const bj::object& doc) {
  for (const char* k : {"incoming", "outgoing", "steps"}) {
    const bj::value* v = doc.if_contains(k);
    if (!v || !v->is_array()) {
      ReplyError(c, 400, std::string("transformation must have an array '") + k + "'");
      return false;
    }
  }
  return true;
}

// The `groups` the body gives (nullopt when it has none); false after a 400 for a value that is
// not a list of group ids.
bool GivenGroups(Call& c, const bj::object& doc, std::optional<std::vector<std::string>>* out) {
  const bj::value* g = doc.if_contains("groups");
  if (!g || g->is_null()) return true;
  std::vector<std::string> ids = auth::GroupsOf(g);
  for (const std::string& id : ids) {
    if (id == auth::kUnreadableGroup) {
      ReplyError(c, 400, "transformation groups must be a list of group ids");
      return false;
    }
  }
  *out = std::move(ids);
  return true;
}

bj::array ToArray(const std::vector<std::string>& v) {
  bj::array a;
  for (const auto& s : v) a.emplace_back(s);
  return a;
}

// The stored JST `id` when it exists and the caller may see it.
std::optional<bj::object> Visible(Api::State& s, const Call& c, const std::string& id) {
  auto text = s.deps.docs->Get(kKind, id);
  if (!text.ok()) return std::nullopt;
  auto v = json::Parse(*text, {.max_depth = 256, .max_bytes = size_t(1) << 30});
  if (!v.ok() || !v->is_object()) return std::nullopt;
  if (!auth::CanSee(*c.account, auth::GroupsOfDoc(v->get_object()))) return std::nullopt;
  return std::move(v->as_object());
}

void NotFound(Call& c, const std::string& id) {
  ReplyError(c, 404, "Transformation '" + id + "' not found");
}

// Stores `doc` over `old` (nullopt: a new JST) after the group rules; REQUIRES WriteMutex held.
void Store(Api::State& s, Call& c, bj::object doc, const std::optional<bj::object>& old) {
  if (!ValidJst(c, doc)) return;
  std::optional<std::vector<std::string>> given;
  if (!GivenGroups(c, doc, &given)) return;
  auto exists = [&](const std::string& g) { return s.deps.accounts->groups().Get(g).ok(); };
  std::vector<std::string> groups;
  if (old) {
    std::vector<std::string> before = auth::GroupsOfDoc(*old);
    groups = given ? *given : before;  // an overwrite without groups keeps them
    if (base::Status st = auth::CheckGroupsChange(*c.account, before, groups, exists); !st.ok()) {
      ReplyError(c, st);
      return;
    }
  } else {
    auto g = auth::GroupsForNewItem(*c.account, given, exists);
    if (!g.ok()) {
      ReplyError(c, g.status());
      return;
    }
    groups = std::move(g).value();
  }
  // The document keeps the `groups` it was given; without one it gets the computed groups
  // (the creator's, or the stored ones an overwrite keeps) when there are any.
  if (!given && (!groups.empty() || (old && old->contains("groups")))) {
    doc["groups"] = ToArray(groups);
  }
  base::Status st =
      s.deps.docs->Put(kKind, std::string(doc.at("_id").get_string()), bj::serialize(doc));
  if (!st.ok()) {
    ReplyError(c, st);
    return;
  }
  Reply(c, 200, doc);
}

void ListTransformations(Api::State& s, Call& c) {
  auto all = s.deps.docs->List(kKind);
  if (!all.ok()) {
    ReplyError(c, all.status());
    return;
  }
  bj::array results;
  for (const auto& d : *all) {
    auto v = json::Parse(d.doc_json, {.max_depth = 256, .max_bytes = size_t(1) << 30});
    if (!v.ok() || !v->is_object()) continue;
    if (!auth::CanSee(*c.account, auth::GroupsOfDoc(v->get_object()))) continue;
    results.push_back(std::move(v).value());
  }
  int64_t total = static_cast<int64_t>(results.size());
  Reply(c, 200, bj::object{{"results", std::move(results)}, {"total", total}});
}

void GetTransformation(Api::State& s, Call& c) {
  auto doc = Visible(s, c, c.params[0]);
  if (!doc) return NotFound(c, c.params[0]);
  Reply(c, 200, *doc);
}

// POST: a new JST, or (an import) the replacement of a visible one with the same `_id`.
void CreateTransformation(Api::State& s, Call& c) {
  bj::object doc;
  if (!ParseBodyObject(s, c, &doc)) return;
  if (!doc.contains("_id") || !doc["_id"].is_string() || doc["_id"].get_string().empty()) {
    doc["_id"] = base::NewObjectId();
  }
  std::string id(doc["_id"].get_string());
  std::lock_guard<std::mutex> l(WriteMutex());
  std::optional<bj::object> old = Visible(s, c, id);
  if (!old && s.deps.docs->Get(kKind, id).ok()) {
    ReplyError(c, 409, "A transformation with _id '" + id + "' already exists");
    return;
  }
  Store(s, c, std::move(doc), old);
}

// POST /transformations/:id: runs the JST on the posted incoming values.
void RunTransformation(Api::State& s, Call& c) {
  auto jst = Visible(s, c, c.params[0]);
  if (!jst) return NotFound(c, c.params[0]);  // before the body or the limits are looked at
  ComputeRun cr(s, c);
  if (!cr.Begin("POST /transformations/:id")) return;
  bj::object body;
  if (!ParseBodyObject(s, c, &body)) return;
  static const bj::object kEmpty;
  const bj::object* incoming = &body;
  const bj::object* options = &kEmpty;
  if (body.contains("incoming") || body.contains("options")) {
    incoming = &kEmpty;
    for (auto [key, out] : {std::pair{"incoming", &incoming}, std::pair{"options", &options}}) {
      const bj::value* v = body.if_contains(key);
      if (!v || v->is_null()) continue;
      if (!v->is_object()) {
        ReplyError(c, 400, std::string("'") + key + "' must be an object");
        return;
      }
      *out = &v->get_object();
    }
  }
  runtime::BuiltinRun run =
      runtime::RunTransformation(*jst, *incoming, *options, base::SystemClock::Get()->NowMs());
  if (run.finish != "success") {
    ReplyError(c, 400, run.error.empty() ? "transformation failed" : run.error);
    return;
  }
  const bj::value* extract = options->if_contains("extractOutput");
  bool extract_output = extract && ((extract->is_bool() && extract->get_bool()) ||
                                    (extract->is_string() && extract->get_string() == "true"));
  if (extract_output && run.outgoing.size() == 1) return cr.Reply(run.outgoing.begin()->value());
  cr.Reply(run.outgoing);
}

void UpdateTransformation(Api::State& s, Call& c) {
  std::lock_guard<std::mutex> l(WriteMutex());
  std::optional<bj::object> old = Visible(s, c, c.params[0]);
  if (!old) return NotFound(c, c.params[0]);  // before any other check
  bj::object doc;
  if (!ParseBodyObject(s, c, &doc)) return;
  doc["_id"] = c.params[0];
  Store(s, c, std::move(doc), old);
}

void DeleteTransformation(Api::State& s, Call& c) {
  std::lock_guard<std::mutex> l(WriteMutex());
  if (!Visible(s, c, c.params[0])) return NotFound(c, c.params[0]);
  base::Status st = s.deps.docs->Delete(kKind, c.params[0]);
  if (!st.ok()) return NotFound(c, c.params[0]);
  ReplyEnvelope(c, "Transformation deleted", bj::value(c.params[0]));
}

}  // namespace

std::span<const Route> TransformationRoutes() {
  static const Route kRoutes[] = {
      {"GET", "/transformations", ListTransformations, true},
      {"GET", "/transformations/", ListTransformations, true},
      {"POST", "/transformations", CreateTransformation, true},
      {"POST", "/transformations/", CreateTransformation, true},
      // Before POST /transformations/:id (the run), which would match it.
      {"POST", "/transformations/import", CreateTransformation, true},
      {"POST", "/transformations/:id", RunTransformation, true},
      {"GET", "/transformations/:id", GetTransformation, true},
      {"PUT", "/transformations/:id", UpdateTransformation, true},
      {"DELETE", "/transformations/:id", DeleteTransformation, true},
  };
  return kRoutes;
}

}  // namespace opsflow::api
