// /authorization/roles (create, read, update, delete) and GET /authorization/views (IAP-REFERENCE
// §11; IAP's Authorization application). What a role is in opsflow (docs/DECISIONS.md "Roles"):
// a named list of IAP methods and views, stored as a document (DocStore kind "role", key its
// 24-hex `_id`) in IAP's shape
//   {_id, provenance, name, description, allowedMethods: [{provenance, name}],
//    allowedViews: [{provenance, path}], created, createdBy, last_updated, lastUpdatedBy}
// that a group names in its `roles` (docs/ACCOUNTS.md). Roles describe; they grant nothing:
// access stays admin or not plus group-based access. Renaming or deleting a role renames or
// removes it in every group's `roles`. (provenance, name) is unique; provenance defaults to
// "opsflow". Every account may read roles and views; only admins change roles (403).
// Answers: lists {results, total} (limit, skip, equals[field], sorted by name); a role bare.
#include <mutex>
#include <optional>

#include "api/state.h"
#include "auth/accounts.h"
#include "base/clock.h"
#include "base/ids.h"
#include "json/fields.h"
#include "json/parse.h"
#include "model/list_page.h"

namespace opsflow::api {
namespace {

constexpr const char* kKind = "role";
constexpr size_t kMaxEntries = 10000;

std::mutex& WriteMutex() {
  static std::mutex mu;
  return mu;
}

bool RequireRoleAdmin(Call& c) { return RequireAdmin(c, "manage roles"); }

std::vector<bj::object> All(Api::State& s) {
  std::vector<bj::object> out;
  auto all = s.deps.docs->List(kKind);
  if (!all.ok()) return out;
  for (const auto& d : *all) {
    auto v = json::Parse(d.doc_json, {.max_depth = 64, .max_bytes = size_t(1) << 28});
    if (v.ok() && v->is_object()) out.push_back(std::move(v->as_object()));
  }
  return out;
}

base::Result<bj::object> Find(Api::State& s, const std::string& id) {
  auto text = s.deps.docs->Get(kKind, id);
  if (!text.ok()) return base::NotFound("role '" + id + "' not found");
  auto v = json::Parse(*text, {.max_depth = 64, .max_bytes = size_t(1) << 28});
  if (!v.ok() || !v->is_object()) return base::Internal("role '" + id + "' is unreadable");
  return std::move(v->as_object());
}

bool CheckId(Call& c, const std::string& id) {
  if (base::IsObjectId(id)) return true;
  ReplyError(c, 400, "role id '" + id + "' is not a 24-hex ObjectId");
  return false;
}

base::Status CheckText(const bj::object& o, const char* key, bool required) {
  const bj::value* v = o.if_contains(key);
  if (!v) {
    return required ? base::InvalidArgument(std::string("role ") + key + " is required")
                    : base::Status::Ok();
  }
  if (!v->is_string()) return base::InvalidArgument(std::string("role ") + key + " must be a string");
  if (std::string_view(key) == "name" || std::string_view(key) == "provenance") {
    std::string_view t = v->get_string();
    if (t.empty() || t.size() > 256) {
      return base::InvalidArgument(std::string("role ") + key + " must be 1 to 256 characters");
    }
    for (char ch : t) {
      if (static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f) {
        return base::InvalidArgument(std::string("role ") + key +
                                     " must not contain control characters");
      }
    }
  }
  return base::Status::Ok();
}

// allowedMethods [{provenance, name}] or allowedViews [{provenance, path}].
base::Status CheckEntries(const bj::object& o, const char* key, const char* field) {
  const bj::value* v = o.if_contains(key);
  if (!v) return base::Status::Ok();
  if (!v->is_array()) return base::InvalidArgument(std::string(key) + " must be an array");
  if (v->get_array().size() > kMaxEntries) {
    return base::InvalidArgument(std::string(key) + " holds more than " +
                                 std::to_string(kMaxEntries) + " entries");
  }
  size_t i = 0;
  for (const bj::value& e : v->get_array()) {
    std::string where = std::string(key) + "[" + std::to_string(i++) + "]";
    if (!e.is_object()) return base::InvalidArgument(where + " must be {provenance, " + field + "}");
    for (const auto& kv : e.get_object()) {
      if (kv.key() != "provenance" && kv.key() != field) {
        return base::InvalidArgument(where + " has an unknown field '" + std::string(kv.key()) +
                                     "'");
      }
      if (!kv.value().is_string() || kv.value().get_string().empty()) {
        return base::InvalidArgument(where + "." + std::string(kv.key()) +
                                     " must be a non-empty string");
      }
    }
    if (!e.get_object().contains(field)) {
      return base::InvalidArgument(where + "." + field + " is required");
    }
  }
  return base::Status::Ok();
}

// The fields a caller may give; the rest are the server's.
base::Status CheckFields(const bj::object& o, bool create) {
  for (const auto& kv : o) {
    std::string_view k = kv.key();
    if (k != "name" && k != "description" && k != "provenance" && k != "allowedMethods" &&
        k != "allowedViews") {
      return base::InvalidArgument("unknown field '" + std::string(k) +
                                   "'; allowed: name, description, provenance, allowedMethods, "
                                   "allowedViews");
    }
  }
  OPSFLOW_RETURN_IF_ERROR(CheckText(o, "name", create));
  OPSFLOW_RETURN_IF_ERROR(CheckText(o, "description", false));
  OPSFLOW_RETURN_IF_ERROR(CheckText(o, "provenance", false));
  OPSFLOW_RETURN_IF_ERROR(CheckEntries(o, "allowedMethods", "name"));
  return CheckEntries(o, "allowedViews", "path");
}

// The body's role: {role: {...}} (IAP), {update: {...}}, or the bare fields.
bj::object Unwrap(const bj::object& body) {
  if (body.size() == 1) {
    for (const char* k : {"role", "update"}) {
      if (const bj::value* v = body.if_contains(k); v && v->is_object()) return v->get_object();
    }
  }
  return body;
}

// Stores `role`; AlreadyExists when another role has its (provenance, name). REQUIRES
// WriteMutex held.
base::Status Save(Api::State& s, const bj::object& role) {
  std::string id = json::StringField(role, "_id");
  for (const bj::object& other : All(s)) {
    if (json::StringField(other, "_id") != id && json::StringField(other, "name") == json::StringField(role, "name") &&
        json::StringField(other, "provenance") == json::StringField(role, "provenance")) {
      return base::AlreadyExists("a role named '" + json::StringField(role, "name") + "' already exists");
    }
  }
  return s.deps.docs->Put(kKind, id, bj::serialize(role));
}

// Renames role `from` to `to` (empty: removes it) in every group's roles.
base::Status RenameInGroups(Api::State& s, const std::string& from, const std::string& to) {
  auth::Groups& groups = s.deps.accounts->groups();
  OPSFLOW_ASSIGN_OR_RETURN(auto all, groups.List());
  for (const auth::Group& g : all) {
    bool hit = false;
    std::vector<std::string> roles;
    for (const std::string& r : g.roles) {
      if (r != from) {
        roles.push_back(r);
      } else {
        hit = true;
        if (!to.empty()) roles.push_back(to);
      }
    }
    if (!hit) continue;
    auth::GroupPatch patch;
    patch.roles = std::move(roles);
    OPSFLOW_RETURN_IF_ERROR(groups.Update(g.id, patch).status());
  }
  return base::Status::Ok();
}

void ListRoles(Api::State& s, Call& c) {
  model::ListQuery q;
  if (!ParseList(s, c, &q)) return;
  if (q.sort.empty()) q.sort = "name";
  std::vector<bj::value> docs;
  for (bj::object& d : All(s)) docs.emplace_back(std::move(d));
  int64_t total = 0;
  docs = model::FilterSortPage(q, std::move(docs), q.filters, &total);
  bj::array results;
  for (auto& d : docs) results.push_back(std::move(d));
  Reply(c, 200, bj::object{{"results", std::move(results)}, {"total", total}});
}

void GetRole(Api::State& s, Call& c) {
  if (!CheckId(c, c.params[0])) return;
  auto role = Find(s, c.params[0]);
  if (!role.ok()) return ReplyError(c, role.status());
  Reply(c, 200, *role);
}

void CreateRole(Api::State& s, Call& c) {
  if (!RequireRoleAdmin(c)) return;
  bj::object body;
  if (!ParseBodyObject(s, c, &body)) return;
  bj::object fields = Unwrap(body);
  if (auto st = CheckFields(fields, /*create=*/true); !st.ok()) return ReplyError(c, st);
  std::string now = base::IsoTime(base::SystemClock::Get()->NowMs());
  bj::object role{{"_id", base::NewObjectId()},
                  {"provenance", "opsflow"},
                  {"name", fields.at("name")},
                  {"description", ""},
                  {"allowedMethods", bj::array()},
                  {"allowedViews", bj::array()}};
  for (const auto& kv : fields) role[kv.key()] = kv.value();
  role["created"] = now;
  role["createdBy"] = c.account->username;
  role["last_updated"] = now;
  role["lastUpdatedBy"] = c.account->username;
  std::lock_guard<std::mutex> l(WriteMutex());
  if (auto st = Save(s, role); !st.ok()) return ReplyError(c, st);
  Reply(c, 200, role);
}

void UpdateRole(Api::State& s, Call& c) {
  if (!RequireRoleAdmin(c)) return;
  if (!CheckId(c, c.params[0])) return;
  bj::object body;
  if (!ParseBodyObject(s, c, &body)) return;
  bj::object fields = Unwrap(body);
  if (auto st = CheckFields(fields, /*create=*/false); !st.ok()) return ReplyError(c, st);
  std::lock_guard<std::mutex> l(WriteMutex());
  auto old = Find(s, c.params[0]);
  if (!old.ok()) return ReplyError(c, old.status());
  bj::object role = *old;
  for (const auto& kv : fields) role[kv.key()] = kv.value();
  role["last_updated"] = base::IsoTime(base::SystemClock::Get()->NowMs());
  role["lastUpdatedBy"] = c.account->username;
  if (auto st = Save(s, role); !st.ok()) return ReplyError(c, st);
  std::string before = json::StringField(*old, "name"), after = json::StringField(role, "name");
  if (before != after) {
    if (auto st = RenameInGroups(s, before, after); !st.ok()) return ReplyError(c, st);
  }
  Reply(c, 200, role);
}

void DeleteRole(Api::State& s, Call& c) {
  if (!RequireRoleAdmin(c)) return;
  if (!CheckId(c, c.params[0])) return;
  std::lock_guard<std::mutex> l(WriteMutex());
  auto old = Find(s, c.params[0]);
  if (!old.ok()) return ReplyError(c, old.status());
  if (auto st = s.deps.docs->Delete(kKind, c.params[0]); !st.ok()) return ReplyError(c, st);
  if (auto st = RenameInGroups(s, json::StringField(*old, "name"), ""); !st.ok()) return ReplyError(c, st);
  Reply(c, 200, *old);
}

// The views of opsflow's web page (web/index.html), as IAP lists an application's views.
struct View {
  const char* path;
  const char* name;
  const char* description;
};

constexpr View kViews[] = {
    {"/#/jobs", "Jobs", "the job list, filtered and live"},
    {"/#/jobs/:id", "Job", "one job: status, tasks, variables, controls"},
    {"/#/queue", "Work queue", "manual tasks waiting for a person"},
    {"/#/start", "Start", "start a job of a workflow"},
    {"/#/automations", "Automations", "automations and their triggers"},
};

void ListViews(Api::State&, Call& c) {
  bj::array results;
  for (const View& v : kViews) {
    results.push_back(bj::object{{"provenance", "opsflow"},
                                 {"path", v.path},
                                 {"name", v.name},
                                 {"description", v.description}});
  }
  int64_t total = static_cast<int64_t>(results.size());
  Reply(c, 200, bj::object{{"results", std::move(results)}, {"total", total}});
}

}  // namespace

std::span<const Route> RoleRoutes() {
  static const Route kRoutes[] = {
      {"GET", "/authorization/roles", ListRoles, true},
      {"POST", "/authorization/roles", CreateRole, true},
      {"GET", "/authorization/roles/:id", GetRole, true},
      {"PATCH", "/authorization/roles/:id", UpdateRole, true},
      {"DELETE", "/authorization/roles/:id", DeleteRole, true},
      {"GET", "/authorization/views", ListViews, true},
  };
  return kRoutes;
}

}  // namespace opsflow::api
