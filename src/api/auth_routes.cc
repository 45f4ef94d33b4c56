// /login, /logout, /whoami, /health/*, and an admin's unlock of an account's login throttle.
#include <algorithm>
#include <map>

#include "api/state.h"
#include "auth/bearer.h"
#include "base/ids.h"

namespace opsflow::api {
namespace {

// A throttled login (auth::Accounts answers ResourceExhausted) is 429 Too Many Requests with a
// Retry-After header (seconds).
void ReplyLoginError(Call& c, const base::Status& st, int64_t retry_after_s) {
  if (st.code() == base::Code::kResourceExhausted) {
    Response r = ErrorResponse(429, st.message());
    r.headers.emplace_back("Retry-After", std::to_string(std::max<int64_t>(retry_after_s, 1)));
    c.done(std::move(r));
    return;
  }
  ReplyError(c, st);
}

void Login(Api::State& s, Call& c) {
  bj::object body;
  if (!ParseBodyObject(s, c, &body)) return;
  const bj::object* creds = &body;
  if (auto u = body.if_contains("user"); u && u->is_object()) creds = &u->get_object();
  const bj::value* user = creds->if_contains("username");
  const bj::value* pass = creds->if_contains("password");
  if (!user || !user->is_string() || !pass || !pass->is_string()) {
    ReplyError(c, 400,
               "login needs {\"user\":{\"username\",\"password\"}} or {\"username\",\"password\"} "
               "as strings");
    return;
  }
  int64_t retry_after_s = 0;
  auto token =
      s.deps.accounts->Login(std::string(user->get_string()), std::string(pass->get_string()),
                             c.req.remote_addr, &retry_after_s);
  if (!token.ok()) {
    ReplyLoginError(c, token.status(), retry_after_s);
    return;
  }
  Response r;
  r.content_type = "text/plain; charset=utf-8";
  r.body = *token;
  r.headers.emplace_back("Set-Cookie", "token=" + *token + "; Path=/; HttpOnly; SameSite=Strict");
  c.done(std::move(r));
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Decodes application/x-www-form-urlencoded text; false on bad percent-encoding.
bool ParseForm(const std::string& body, std::map<std::string, std::string>* out) {
  size_t pos = 0;
  while (pos < body.size()) {
    size_t amp = body.find('&', pos);
    std::string part = body.substr(pos, amp == std::string::npos ? std::string::npos : amp - pos);
    pos = amp == std::string::npos ? body.size() : amp + 1;
    std::string key, value, *cur = &key;
    for (size_t i = 0; i < part.size(); ++i) {
      char ch = part[i];
      if (ch == '=' && cur == &key) {
        cur = &value;
      } else if (ch == '+') {
        cur->push_back(' ');
      } else if (ch == '%') {
        if (i + 2 >= part.size() || HexValue(part[i + 1]) < 0 || HexValue(part[i + 2]) < 0) {
          return false;
        }
        cur->push_back(static_cast<char>(HexValue(part[i + 1]) * 16 + HexValue(part[i + 2])));
        i += 2;
      } else {
        cur->push_back(ch);
      }
    }
    if (!key.empty()) (*out)[key] = value;
  }
  return true;
}

// OAuth 2 client credentials (SPEC §3): the client id and secret are an account's username and
// password. Only form-encoded bodies are accepted, as IAP does.
void OAuthToken(Api::State& s, Call& c) {
  std::string_view type = c.req.Header("content-type");
  if (type.find("application/x-www-form-urlencoded") == std::string_view::npos) {
    ReplyError(c, 415, "/oauth/token takes an application/x-www-form-urlencoded body");
    return;
  }
  std::map<std::string, std::string> form;
  if (!ParseForm(c.req.body, &form)) {
    ReplyError(c, 400, "malformed form body");
    return;
  }
  if (form["grant_type"] != "client_credentials") {
    ReplyError(c, 400, "grant_type must be client_credentials");
    return;
  }
  if (form["client_id"].empty() || form["client_secret"].empty()) {
    ReplyError(c, 400, "client_id and client_secret are required");
    return;
  }
  int64_t retry_after_s = 0;
  auto token = s.deps.accounts->Login(form["client_id"], form["client_secret"], c.req.remote_addr,
                                      &retry_after_s);
  if (!token.ok()) {
    ReplyLoginError(c, token.status(), retry_after_s);
    return;
  }
  Reply(c, 200,
        bj::object{{"access_token", *token},
                   {"token_type", "bearer"},
                   {"expires_in", s.deps.accounts->token_ttl_ms() / 1000}});
}

void Logout(Api::State& s, Call& c) {
  std::string token = auth::BearerToken(c.req.Header("authorization"));
  if (token.empty()) {
    if (const std::string* t = c.req.Query("token")) token = *t;
  }
  if (token.empty()) token = c.req.Cookie("token");
  s.deps.accounts->Logout(token);
  Response r;
  r.content_type = "text/plain; charset=utf-8";
  r.body = "logged out";
  r.headers.emplace_back("Set-Cookie", "token=; Path=/; HttpOnly; Max-Age=0");
  c.done(std::move(r));
}

// POST /authorization/accounts/:id/unlock (admin only): clears the login throttle of the
// account's username from every address (docs/ACCOUNTS.md "Logins"). Answers {_id, username,
// cleared}: how many addresses had failures counted for it.
void AuthzUnlockAccount(Api::State& s, Call& c) {
  if (!RequireAdmin(c, "manage accounts and groups")) return;
  const std::string& id = c.params[0];
  if (!base::IsObjectId(id)) {
    ReplyError(c, 400, "account id '" + id + "' is not a 24-hex ObjectId");
    return;
  }
  auto a = s.deps.accounts->Get(id);
  if (!a.ok()) {
    ReplyError(c, a.status());
    return;
  }
  size_t cleared = s.deps.accounts->Unlock(a->username);
  Reply(c, 200,
        bj::object{
            {"_id", a->id}, {"username", a->username}, {"cleared", static_cast<int64_t>(cleared)}});
}

void WhoAmI(Api::State& s, Call& c) {
  const auth::Account& a = *c.account;
  bj::array groups = WhoAmIGroups(s, a);
  Reply(c, 200,
        bj::object{{"id", a.id},
                   {"_id", a.id},
                   {"provenance", "opsflow"},
                   {"username", a.username},
                   {"firstname", a.username},
                   {"admin", a.admin},
                   {"groups", groups},
                   {"routes", bj::array()}});
}

// This process in its cluster: its node id, whether it holds a lease, how many jobs it drives,
// and its peers as the store knows them (id, jobs at their last renewal, whether their lease ran
// out). A single process reports itself alone.
bj::object ClusterOf(Api::State& s) {
  const int64_t token = s.deps.runtime->lease_token();
  bj::object node{{"id", s.opts.node_id},
                  {"jobs", static_cast<int64_t>(s.deps.runtime->active_jobs())},
                  {"clustered", s.deps.cluster != nullptr},
                  {"leased", s.deps.cluster == nullptr || token != 0},
                  {"leases_lost", s.deps.runtime->leases_lost()}};
  bj::array peers;
  if (s.deps.cluster) {
    auto nodes = s.deps.cluster->Nodes();
    if (nodes.ok()) {
      for (const store::NodeInfo& n : *nodes) {
        if (n.token == token) continue;
        peers.push_back(bj::object{
            {"id", n.node_id}, {"jobs", n.jobs}, {"alive", !n.expired}, {"renewed", n.renewed_ms}});
      }
    } else {
      node["peers_error"] = nodes.status().message();
    }
  }
  node["peers"] = std::move(peers);
  return node;
}

void HealthServer(Api::State& s, Call& c) {
  Reply(c, 200,
        bj::object{{"version", s.opts.release},
                   {"release", s.opts.release},
                   {"product", "opsflow"},
                   {"status", "running"},
                   {"node", ClusterOf(s)}});
}

void HealthStatus(Api::State& s, Call& c) {
  Reply(c, 200,
        bj::object{{"status", "running"},
                   {"active_jobs", static_cast<int64_t>(s.deps.runtime->active_jobs())},
                   {"node", ClusterOf(s)},
                   {"apps", bj::array()},
                   {"adapters", bj::array()}});
}

}  // namespace

std::span<const Route> AuthRoutes() {
  static const Route kRoutes[] = {
      {"POST", "/login", Login, false},
      {"POST", "/login/", Login, false},
      {"POST", "/oauth/token", OAuthToken, false},
      {"POST", "/logout", Logout, true},
      {"GET", "/whoami", WhoAmI, true},
      {"POST", "/authorization/accounts/:id/unlock", AuthzUnlockAccount, true},
      {"GET", "/health/server", HealthServer, false},
      {"GET", "/health/status", HealthStatus, false},
  };
  return kRoutes;
}

}  // namespace opsflow::api
