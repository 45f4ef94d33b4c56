// /login, /logout, /whoami, /health/*.
#include "api/state.h"

namespace opsflow::api {

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
  auto token = s.deps.accounts->Login(std::string(user->get_string()),
                                      std::string(pass->get_string()));
  if (!token.ok()) {
    ReplyError(c, token.status());
    return;
  }
  Response r;
  r.content_type = "text/plain; charset=utf-8";
  r.body = *token;
  r.headers.emplace_back("Set-Cookie", "token=" + *token + "; Path=/; HttpOnly; SameSite=Strict");
  c.done(std::move(r));
}

void Logout(Api::State& s, Call& c) {
  std::string_view authz = c.req.Header("authorization");
  std::string token;
  if (authz.size() > 7) token = std::string(authz.substr(7));
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

void WhoAmI(Api::State&, Call& c) {
  const auth::Account& a = *c.account;
  bj::array groups;
  for (const auto& g : a.groups) {
    groups.push_back(bj::object{{"id", g}, {"provenance", "opsflow"}, {"name", g}});
  }
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

void HealthServer(Api::State& s, Call& c) {
  Reply(c, 200,
        bj::object{{"version", s.opts.release},
                   {"release", s.opts.release},
                   {"product", "opsflow"},
                   {"status", "running"}});
}

void HealthStatus(Api::State& s, Call& c) {
  Reply(c, 200,
        bj::object{{"status", "running"},
                   {"active_jobs", static_cast<int64_t>(s.deps.runtime->active_jobs())},
                   {"apps", bj::array()},
                   {"adapters", bj::array()}});
}

}  // namespace opsflow::api
