// /authorization/accounts and /authorization/groups: user and group management, admin only.
// Lists answer {results, total} (as IAP's authorization app does); single objects are answered
// bare. Password hashes never leave the store. Also POST /authorization/accounts/:id/forceLogout
// (revokes every token of the account) and GET /authorization/methods: opsflow's own route
// catalogue from the dispatch table in IAP's shape {results: [{name, provenance, route: {path,
// verb}, deprecated}], total}, where name is "<VERB> <pattern>" (opsflow keeps no IAP method
// names) and provenance the IAP application the path belongs to ("opsflow" for its own routes);
// sorted by name; skip, limit (IAP's default 25), order (1 or -1) and multiEquals[name|provenance],
// multiContains[name|provenance], multiStartsWith[name|provenance] filter it.
#include <algorithm>
#include <cstdlib>
#include <map>
#include <optional>

#include "api/routes.h"
#include "api/state.h"
#include "base/ids.h"

namespace opsflow::api {
namespace {

using NameMap = std::map<std::string, std::string>;  // group id -> name

bool RequireAdmin(Call& c) { return RequireAdmin(c, "manage accounts and groups"); }

bool CheckId(Call& c, const char* what, const std::string& id) {
  if (base::IsObjectId(id)) return true;
  ReplyError(c, 400, std::string(what) + " id '" + id + "' is not a 24-hex ObjectId");
  return false;
}

base::Result<NameMap> GroupNames(auth::Accounts& accounts) {
  OPSFLOW_ASSIGN_OR_RETURN(auto all, accounts.groups().List());
  NameMap out;
  for (auto& g : all) out[g.id] = g.name;
  return out;
}

bj::object AccountJson(const auth::Account& a, const NameMap& names) {
  bj::array groups;
  for (const auto& id : a.groups) {
    auto it = names.find(id);
    groups.push_back(
        bj::object{{"_id", id}, {"name", it == names.end() ? bj::value() : bj::value(it->second)}});
  }
  return {{"_id", a.id},
          {"username", a.username},
          {"admin", a.admin},
          {"groups", std::move(groups)},
          {"provenance", "opsflow"},
          {"created", a.created},
          {"last_updated", a.last_updated}};
}

bj::object GroupJson(const auth::Group& g, const std::vector<auth::Account>& accounts) {
  bj::array roles, members;
  for (const auto& r : g.roles) roles.emplace_back(r);
  for (const auto& a : accounts) {
    for (const auto& id : a.groups) {
      if (id == g.id) members.push_back(bj::object{{"_id", a.id}, {"username", a.username}});
    }
  }
  return {{"_id", g.id},
          {"name", g.name},
          {"description", g.description},
          {"roles", std::move(roles)},
          {"members", std::move(members)},
          {"provenance", "opsflow"},
          {"created", g.created},
          {"last_updated", g.last_updated}};
}

// Refuses keys outside `allowed` with 400.
bool OnlyKeys(Call& c, const bj::object& o, std::initializer_list<std::string_view> allowed) {
  for (const auto& kv : o) {
    if (std::find(allowed.begin(), allowed.end(), kv.key()) == allowed.end()) {
      std::string list;
      for (auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
      ReplyError(c, 400, "unknown field '" + std::string(kv.key()) + "'; allowed: " + list);
      return false;
    }
  }
  return true;
}

bool GetString(Call& c, const bj::object& o, std::string_view key, bool required,
               std::optional<std::string>* out) {
  const bj::value* v = o.if_contains(key);
  if (!v) {
    if (required) ReplyError(c, 400, "'" + std::string(key) + "' is required");
    return !required;
  }
  if (!v->is_string()) {
    ReplyError(c, 400, "'" + std::string(key) + "' must be a string");
    return false;
  }
  *out = std::string(v->get_string());
  return true;
}

bool GetBool(Call& c, const bj::object& o, std::string_view key, std::optional<bool>* out) {
  const bj::value* v = o.if_contains(key);
  if (!v) return true;
  if (!v->is_bool()) {
    ReplyError(c, 400, "'" + std::string(key) + "' must be true or false");
    return false;
  }
  *out = v->get_bool();
  return true;
}

bool GetStrings(Call& c, const bj::object& o, std::string_view key,
                std::optional<std::vector<std::string>>* out) {
  const bj::value* v = o.if_contains(key);
  if (!v) return true;
  bool ok = v->is_array();
  std::vector<std::string> items;
  if (ok) {
    for (const auto& e : v->get_array()) {
      if (!e.is_string()) ok = false;
      if (ok) items.emplace_back(e.get_string());
    }
  }
  if (!ok) {
    ReplyError(c, 400, "'" + std::string(key) + "' must be an array of strings");
    return false;
  }
  *out = std::move(items);
  return true;
}

// Applies equals[field] filters, skip and limit; replies 400 on a bad parameter.
bool ReplyList(Api::State& s, Call& c, std::vector<bj::object> items) {
  int64_t skip = 0, limit = 25;
  for (const auto& [name, value] : c.req.query) {
    if (name != "skip" && name != "limit") continue;
    char* end = nullptr;
    long long n = std::strtoll(value.c_str(), &end, 10);
    if (value.empty() || *end != '\0' || n < 0 || (name == "limit" && n < 1)) {
      ReplyError(c, 400,
                 "'" + name + "' must be " + (name == "limit" ? "a positive" : "a non-negative") +
                     " integer");
      return false;
    }
    (name == "skip" ? skip : limit) = n;
  }
  limit = std::min(limit, s.opts.max_list_limit);
  std::vector<bj::object> kept;
  for (auto& item : items) {
    bool keep = true;
    for (const auto& [name, value] : c.req.query) {
      if (name.size() < 9 || name.rfind("equals[", 0) != 0 || name.back() != ']') continue;
      const bj::value* f = item.if_contains(std::string_view(name).substr(7, name.size() - 8));
      std::string text = !f               ? ""
                         : f->is_string() ? std::string(f->get_string())
                                          : bj::serialize(*f);
      if (!f || text != value) keep = false;
    }
    if (keep) kept.push_back(std::move(item));
  }
  bj::array results;
  for (size_t i = static_cast<size_t>(skip);
       i < kept.size() && results.size() < static_cast<size_t>(limit); ++i) {
    results.push_back(std::move(kept[i]));
  }
  Reply(c, 200,
        bj::object{{"results", std::move(results)}, {"total", static_cast<int64_t>(kept.size())}});
  return true;
}

void ReplyAccount(Api::State& s, Call& c, const auth::Account& a) {
  auto names = GroupNames(*s.deps.accounts);
  if (!names.ok()) return ReplyError(c, names.status());
  Reply(c, 200, AccountJson(a, *names));
}

void ReplyGroup(Api::State& s, Call& c, const auth::Group& g) {
  auto accounts = s.deps.accounts->List();
  if (!accounts.ok()) return ReplyError(c, accounts.status());
  Reply(c, 200, GroupJson(g, *accounts));
}

}  // namespace

bj::array WhoAmIGroups(Api::State& s, const auth::Account& a) {
  auto names = GroupNames(*s.deps.accounts);
  bj::array out;
  for (const auto& id : a.groups) {
    auto it = names.ok() ? names->find(id) : NameMap::const_iterator();
    bool known = names.ok() && it != names->end();
    out.push_back(bj::object{{"id", id},
                             {"_id", id},
                             {"provenance", "opsflow"},
                             {"name", known ? bj::value(it->second) : bj::value()}});
  }
  return out;
}

namespace {

void AuthzListAccounts(Api::State& s, Call& c) {
  if (!RequireAdmin(c)) return;
  auto all = s.deps.accounts->List();
  if (!all.ok()) return ReplyError(c, all.status());
  auto names = GroupNames(*s.deps.accounts);
  if (!names.ok()) return ReplyError(c, names.status());
  std::vector<bj::object> items;
  for (const auto& a : *all) items.push_back(AccountJson(a, *names));
  ReplyList(s, c, std::move(items));
}

void AuthzCreateAccount(Api::State& s, Call& c) {
  if (!RequireAdmin(c)) return;
  bj::object body;
  if (!ParseBodyObject(s, c, &body)) return;
  if (!OnlyKeys(c, body, {"username", "password", "admin", "groups"})) return;
  std::optional<std::string> username, password;
  std::optional<bool> admin;
  std::optional<std::vector<std::string>> groups;
  if (!GetString(c, body, "username", true, &username) ||
      !GetString(c, body, "password", true, &password) || !GetBool(c, body, "admin", &admin) ||
      !GetStrings(c, body, "groups", &groups)) {
    return;
  }
  auto a = s.deps.accounts->Create(*username, *password, admin.value_or(false),
                                   groups.value_or(std::vector<std::string>()));
  if (!a.ok()) return ReplyError(c, a.status());
  ReplyAccount(s, c, *a);
}

void AuthzGetAccount(Api::State& s, Call& c) {
  if (!RequireAdmin(c) || !CheckId(c, "account", c.params[0])) return;
  auto a = s.deps.accounts->Get(c.params[0]);
  if (!a.ok()) return ReplyError(c, a.status());
  ReplyAccount(s, c, *a);
}

void AuthzPatchAccount(Api::State& s, Call& c) {
  if (!RequireAdmin(c) || !CheckId(c, "account", c.params[0])) return;
  bj::object body;
  if (!ParseBodyObject(s, c, &body)) return;
  if (!OnlyKeys(c, body, {"password", "admin", "groups"})) return;
  auth::AccountPatch patch;
  if (!GetString(c, body, "password", false, &patch.password) ||
      !GetBool(c, body, "admin", &patch.admin) || !GetStrings(c, body, "groups", &patch.groups)) {
    return;
  }
  if (body.empty()) return ReplyError(c, 400, "give at least one of password, admin, groups");
  auto a = s.deps.accounts->Update(c.params[0], patch);
  if (!a.ok()) return ReplyError(c, a.status());
  ReplyAccount(s, c, *a);
}

void AuthzDeleteAccount(Api::State& s, Call& c) {
  if (!RequireAdmin(c) || !CheckId(c, "account", c.params[0])) return;
  auto a = s.deps.accounts->Get(c.params[0]);
  if (!a.ok()) return ReplyError(c, a.status());
  if (auto st = s.deps.accounts->Remove(a->id); !st.ok()) return ReplyError(c, st);
  ReplyAccount(s, c, *a);
}

void AuthzForceLogout(Api::State& s, Call& c) {
  if (!RequireAdmin(c) || !CheckId(c, "account", c.params[0])) return;
  if (auto st = s.deps.accounts->ForceLogout(c.params[0]); !st.ok()) return ReplyError(c, st);
  ReplyEnvelope(c, "Account logged out", bj::value(c.params[0]));
}

// The query value `op[field]` (IAP's multiEquals[name] ...), null when absent.
const std::string* Filter(const Call& c, const char* op, const char* field) {
  return c.req.Query(std::string(op) + "[" + field + "]");
}

void AuthzListMethods(Api::State& s, Call& c) {
  if (!RequireAdmin(c)) return;
  int64_t skip = 0, limit = 25;
  for (auto [key, out] : {std::pair{"skip", &skip}, std::pair{"limit", &limit}}) {
    if (const std::string* v = c.req.Query(key)) {
      char* end = nullptr;
      long long n = std::strtoll(v->c_str(), &end, 10);
      if (v->empty() || *end != '\0' || n < 0) {
        return ReplyError(c, 400, std::string(key) + " must be a non-negative integer");
      }
      *out = n;
    }
  }
  limit = std::min(limit, s.opts.max_list_limit);
  bool descending = false;
  if (const std::string* o = c.req.Query("order")) {
    if (*o != "1" && *o != "-1") return ReplyError(c, 400, "order must be 1 or -1");
    descending = *o == "-1";
  }
  struct Method {
    std::string name, provenance, path, verb;
  };
  std::vector<Method> all;
  for (const Route& r : AllRoutes()) {
    Method m{std::string(r.method) + " " + r.pattern, RouteApplication(r.pattern), r.pattern,
             r.method};
    bool keep = true;
    for (const char* field : {"name", "provenance"}) {
      const std::string& value = std::string_view(field) == "name" ? m.name : m.provenance;
      if (const std::string* f = Filter(c, "multiEquals", field)) keep &= value == *f;
      if (const std::string* f = Filter(c, "multiContains", field)) {
        keep &= value.find(*f) != std::string::npos;
      }
      if (const std::string* f = Filter(c, "multiStartsWith", field)) {
        keep &= value.starts_with(*f);
      }
    }
    if (keep) all.push_back(std::move(m));
  }
  std::sort(all.begin(), all.end(), [&](const Method& a, const Method& b) {
    return descending ? b.name < a.name : a.name < b.name;
  });
  bj::array results;
  for (size_t i = static_cast<size_t>(skip);
       i < all.size() && results.size() < static_cast<size_t>(limit); ++i) {
    results.push_back(
        bj::object{{"name", all[i].name},
                   {"provenance", all[i].provenance},
                   {"route", bj::object{{"path", all[i].path}, {"verb", all[i].verb}}},
                   {"deprecated", false}});
  }
  Reply(c, 200,
        bj::object{{"results", std::move(results)}, {"total", static_cast<int64_t>(all.size())}});
}

void AuthzListGroups(Api::State& s, Call& c) {
  if (!RequireAdmin(c)) return;
  auto all = s.deps.accounts->groups().List();
  if (!all.ok()) return ReplyError(c, all.status());
  auto accounts = s.deps.accounts->List();
  if (!accounts.ok()) return ReplyError(c, accounts.status());
  std::vector<bj::object> items;
  for (const auto& g : *all) items.push_back(GroupJson(g, *accounts));
  ReplyList(s, c, std::move(items));
}

void AuthzCreateGroup(Api::State& s, Call& c) {
  if (!RequireAdmin(c)) return;
  bj::object body;
  if (!ParseBodyObject(s, c, &body)) return;
  if (!OnlyKeys(c, body, {"name", "description", "roles"})) return;
  std::optional<std::string> name, description;
  std::optional<std::vector<std::string>> roles;
  if (!GetString(c, body, "name", true, &name) ||
      !GetString(c, body, "description", false, &description) ||
      !GetStrings(c, body, "roles", &roles)) {
    return;
  }
  auto g = s.deps.accounts->groups().Create(*name, description.value_or(""),
                                            roles.value_or(std::vector<std::string>()));
  if (!g.ok()) return ReplyError(c, g.status());
  ReplyGroup(s, c, *g);
}

void AuthzGetGroup(Api::State& s, Call& c) {
  if (!RequireAdmin(c) || !CheckId(c, "group", c.params[0])) return;
  auto g = s.deps.accounts->groups().Get(c.params[0]);
  if (!g.ok()) return ReplyError(c, g.status());
  ReplyGroup(s, c, *g);
}

void AuthzPatchGroup(Api::State& s, Call& c) {
  if (!RequireAdmin(c) || !CheckId(c, "group", c.params[0])) return;
  bj::object body;
  if (!ParseBodyObject(s, c, &body)) return;
  if (!OnlyKeys(c, body, {"name", "description", "roles"})) return;
  auth::GroupPatch patch;
  if (!GetString(c, body, "name", false, &patch.name) ||
      !GetString(c, body, "description", false, &patch.description) ||
      !GetStrings(c, body, "roles", &patch.roles)) {
    return;
  }
  if (body.empty()) return ReplyError(c, 400, "give at least one of name, description, roles");
  auto g = s.deps.accounts->groups().Update(c.params[0], patch);
  if (!g.ok()) return ReplyError(c, g.status());
  ReplyGroup(s, c, *g);
}

void AuthzDeleteGroup(Api::State& s, Call& c) {
  if (!RequireAdmin(c) || !CheckId(c, "group", c.params[0])) return;
  auto g = s.deps.accounts->groups().Get(c.params[0]);
  if (!g.ok()) return ReplyError(c, g.status());
  auto accounts = s.deps.accounts->List();
  if (!accounts.ok()) return ReplyError(c, accounts.status());
  bj::object doc = GroupJson(*g, *accounts);  // as it was, members included
  if (auto st = s.deps.accounts->DeleteGroup(g->id); !st.ok()) return ReplyError(c, st);
  Reply(c, 200, doc);
}

}  // namespace

std::span<const Route> AuthorizationRoutes() {
  static const Route kRoutes[] = {
      {"GET", "/authorization/accounts", AuthzListAccounts, true},
      {"POST", "/authorization/accounts", AuthzCreateAccount, true},
      {"GET", "/authorization/accounts/:id", AuthzGetAccount, true},
      {"PATCH", "/authorization/accounts/:id", AuthzPatchAccount, true},
      {"DELETE", "/authorization/accounts/:id", AuthzDeleteAccount, true},
      {"POST", "/authorization/accounts/:id/forceLogout", AuthzForceLogout, true},
      {"GET", "/authorization/methods", AuthzListMethods, true},
      {"GET", "/authorization/groups", AuthzListGroups, true},
      {"POST", "/authorization/groups", AuthzCreateGroup, true},
      {"GET", "/authorization/groups/:id", AuthzGetGroup, true},
      {"PATCH", "/authorization/groups/:id", AuthzPatchGroup, true},
      {"DELETE", "/authorization/groups/:id", AuthzDeleteGroup, true},
  };
  return kRoutes;
}

std::string RouteApplication(std::string_view path) {
  static const std::pair<const char*, const char*> kPrefixes[] = {
      {"/operations-manager/", "OperationsManager"}, {"/operations_manager/", "OperationsManager"},
      {"/workflow_engine/", "WorkFlowEngine"},       {"/automation-studio/", "AutomationStudio"},
      {"/workflow_builder/", "WorkflowBuilder"},     {"/transformations", "Jst"},
      {"/authorization/", "Authorization"},          {"/health/", "Health"},
  };
  for (auto [prefix, app] : kPrefixes) {
    if (path.starts_with(prefix)) return app;
  }
  return "opsflow";
}

}  // namespace opsflow::api
