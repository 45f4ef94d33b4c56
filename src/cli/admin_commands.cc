#include "cli/admin_commands.h"

#include <boost/json.hpp>

#include "cli/api_client.h"
#include "json/fields.h"

namespace opsflow::cli {

namespace bj = boost::json;

namespace {

int Fail(std::ostream& err, const std::string& message) {
  err << "error: " << message << "\n";
  return 1;
}

// The one list element whose `field` equals `value` (server-side equals[] filter).
base::Result<bj::value> FindOne(ApiClient& client, const std::string& collection,
                                const std::string& field, const std::string& value,
                                const std::string& what) {
  std::string path =
      "/authorization/" + collection + "?limit=2&equals%5B" + field + "%5D=" + UrlEncode(value);
  OPSFLOW_ASSIGN_OR_RETURN(bj::value reply, client.Call("GET", path));
  const bj::value* results = reply.is_object() ? reply.as_object().if_contains("results") : nullptr;
  if (!results || !results->is_array()) {
    return base::Internal("GET " + path + " answered without a results list");
  }
  if (results->as_array().empty())
    return base::NotFound("there is no " + what + " '" + value + "'");
  return results->as_array()[0];
}

// Every element of a {results, total} list, paging by 1000.
base::Result<bj::array> ListAll(ApiClient& client, const std::string& collection) {
  bj::array all;
  while (true) {
    std::string path =
        "/authorization/" + collection + "?limit=1000&skip=" + std::to_string(all.size());
    OPSFLOW_ASSIGN_OR_RETURN(bj::value reply, client.Call("GET", path));
    const bj::value* results =
        reply.is_object() ? reply.as_object().if_contains("results") : nullptr;
    if (!results || !results->is_array()) {
      return base::Internal("GET " + path + " answered without a results list");
    }
    for (const auto& r : results->as_array()) all.push_back(r);
    const bj::value* total = reply.as_object().if_contains("total");
    if (results->as_array().empty() || !total || !total->is_int64() ||
        static_cast<int64_t>(all.size()) >= total->as_int64()) {
      return all;
    }
  }
}

std::string GroupList(const bj::value& account) {
  std::string out;
  const bj::value* groups =
      account.is_object() ? account.as_object().if_contains("groups") : nullptr;
  if (!groups || !groups->is_array()) return out;
  for (const auto& g : groups->as_array()) {
    std::string name = json::StringField(g, "name");
    out += (out.empty() ? "" : ",") + (name.empty() ? json::StringField(g, "_id") : name);
  }
  return out;
}

int UserAdd(ApiClient& client, const AdminArgs& a, std::ostream& out, std::ostream& err) {
  bj::array group_ids;
  for (const auto& name : a.groups) {
    auto g = FindOne(client, "groups", "name", name, "group");
    if (!g.ok()) return Fail(err, g.status().message());
    group_ids.emplace_back(json::StringField(*g, "_id"));
  }
  bj::value body = bj::object{{"username", a.name},
                              {"password", a.password},
                              {"admin", a.admin},
                              {"groups", std::move(group_ids)}};
  auto reply = client.Call("POST", "/authorization/accounts", &body);
  if (!reply.ok()) return Fail(err, reply.status().message());
  out << json::StringField(*reply, "_id") << "\n";
  return 0;
}

int UserPasswd(ApiClient& client, const AdminArgs& a, std::ostream& out, std::ostream& err) {
  auto user = FindOne(client, "accounts", "username", a.name, "user");
  if (!user.ok()) return Fail(err, user.status().message());
  bj::value body = bj::object{{"password", a.password}};
  auto reply =
      client.Call("PATCH", "/authorization/accounts/" + json::StringField(*user, "_id"), &body);
  if (!reply.ok()) return Fail(err, reply.status().message());
  out << "changed the password of '" << a.name << "'; its tokens were revoked\n";
  return 0;
}

int UserDel(ApiClient& client, const AdminArgs& a, std::ostream& out, std::ostream& err) {
  auto user = FindOne(client, "accounts", "username", a.name, "user");
  if (!user.ok()) return Fail(err, user.status().message());
  auto reply = client.Call("DELETE", "/authorization/accounts/" + json::StringField(*user, "_id"));
  if (!reply.ok()) return Fail(err, reply.status().message());
  out << "deleted user '" << a.name << "'\n";
  return 0;
}

// Clears the account's login throttle (POST /authorization/accounts/:id/unlock).
int UserUnlock(ApiClient& client, const AdminArgs& a, std::ostream& out, std::ostream& err) {
  auto user = FindOne(client, "accounts", "username", a.name, "user");
  if (!user.ok()) return Fail(err, user.status().message());
  auto reply =
      client.Call("POST", "/authorization/accounts/" + json::StringField(*user, "_id") + "/unlock");
  if (!reply.ok()) return Fail(err, reply.status().message());
  const bj::value* n = reply->is_object() ? reply->as_object().if_contains("cleared") : nullptr;
  int64_t cleared = n && n->is_int64() ? n->as_int64() : 0;
  out << "cleared the failed logins of '" << a.name << "' (" << cleared
      << (cleared == 1 ? " address" : " addresses") << ")\n";
  return 0;
}

int UserList(ApiClient& client, std::ostream& out, std::ostream& err) {
  auto all = ListAll(client, "accounts");
  if (!all.ok()) return Fail(err, all.status().message());
  for (const auto& u : *all) {
    const bj::value* admin = u.as_object().if_contains("admin");
    bool is_admin = admin && admin->is_bool() && admin->as_bool();
    out << json::StringField(u, "_id") << "  " << json::StringField(u, "username")
        << (is_admin ? "  admin" : "") << "  groups=" << GroupList(u) << "\n";
  }
  return 0;
}

}  // namespace

int RunUserCommand(ApiClient& client, const AdminArgs& args, std::ostream& out, std::ostream& err) {
  if (args.action == "list") return UserList(client, out, err);
  if (args.name.empty()) return Fail(err, "'opsflow user " + args.action + "' needs a USERNAME");
  if ((args.action == "add" || args.action == "passwd") && args.password.empty()) {
    return Fail(err, "'opsflow user " + args.action + "' needs --password");
  }
  if (args.action == "add") return UserAdd(client, args, out, err);
  if (args.action == "passwd") return UserPasswd(client, args, out, err);
  if (args.action == "unlock") return UserUnlock(client, args, out, err);
  return UserDel(client, args, out, err);
}

int RunGroupCommand(ApiClient& client, const AdminArgs& args, std::ostream& out,
                    std::ostream& err) {
  if (args.action == "list") {
    auto all = ListAll(client, "groups");
    if (!all.ok()) return Fail(err, all.status().message());
    for (const auto& g : *all) {
      std::string roles;
      if (const bj::value* r = g.as_object().if_contains("roles"); r && r->is_array()) {
        for (const auto& e : r->as_array()) {
          if (e.is_string()) roles += (roles.empty() ? "" : ",") + std::string(e.as_string());
        }
      }
      out << json::StringField(g, "_id") << "  " << json::StringField(g, "name")
          << "  roles=" << roles << "  " << json::StringField(g, "description") << "\n";
    }
    return 0;
  }
  if (args.name.empty()) return Fail(err, "'opsflow group " + args.action + "' needs a NAME");
  if (args.action == "add") {
    bj::value body = bj::object{{"name", args.name}, {"description", args.description}};
    auto reply = client.Call("POST", "/authorization/groups", &body);
    if (!reply.ok()) return Fail(err, reply.status().message());
    out << json::StringField(*reply, "_id") << "\n";
    return 0;
  }
  auto g = FindOne(client, "groups", "name", args.name, "group");
  if (!g.ok()) return Fail(err, g.status().message());
  auto reply = client.Call("DELETE", "/authorization/groups/" + json::StringField(*g, "_id"));
  if (!reply.ok()) return Fail(err, reply.status().message());
  out << "deleted group '" << args.name << "'\n";
  return 0;
}

}  // namespace opsflow::cli
