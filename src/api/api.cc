#include "api/api.h"

#include <cstdio>
#include <string_view>

#include "api/openapi.h"
#include "api/routes.h"
#include "api/state.h"
#include "auth/bearer.h"
#include "base/log.h"
#include "base/metrics.h"
#include "runtime/event_relay.h"

namespace opsflow::api {
namespace {

bool Match(std::string_view pattern, std::string_view path, std::vector<std::string>* params) {
  params->clear();
  while (true) {
    if (pattern.empty() || path.empty()) return pattern.empty() && path.empty();
    if (pattern[0] != '/' || path[0] != '/') return false;
    pattern.remove_prefix(1);
    path.remove_prefix(1);
    size_t pe = pattern.find('/');
    size_t ae = path.find('/');
    std::string_view pseg = pattern.substr(0, pe);
    std::string_view aseg = path.substr(0, ae);
    if (!pseg.empty() && pseg[0] == ':') {
      if (aseg.empty()) return false;
      params->emplace_back(aseg);
    } else if (pseg != aseg) {
      return false;
    }
    pattern = pe == std::string_view::npos ? std::string_view() : pattern.substr(pe);
    path = ae == std::string_view::npos ? std::string_view() : path.substr(ae);
  }
}

std::string TokenOf(const Request& req) {
  if (std::string token = auth::BearerToken(req.Header("authorization")); !token.empty()) {
    return token;
  }
  if (const std::string* t = req.Query("token")) return *t;
  return req.Cookie("token");
}

// Counts the answer under the route template (never the path: bounded labels) and times it.
Responder Measured(const char* route, const char* method, int64_t t0, Responder done) {
  return [route, method, t0, done = std::move(done)](Response r) {
    auto& m = base::metrics::Get();
    char code[8];
    std::snprintf(code, sizeof code, "%d", r.status);
    m.http_requests.At({route, method, code}).Inc();
    m.http_duration.At({route, method}).Observe(base::metrics::SecondsSince(t0));
    done(std::move(r));
  };
}

}  // namespace

const char kStartBodySchema[] = R"({"type":"object","required":["workflow","options"],
    "additionalProperties":false,
    "properties":{"workflow":{"type":"string"},
     "options":{"type":"object","properties":{"description":{"type":"string"},
       "type":{"type":"string"},"variables":{"type":"object","additionalProperties":true},
       "groups":{"type":"array","items":{"$ref":"common#/definitions/ObjectIdLikeString"}}}}}})";
const char kStartCommonSchema[] =
    R"({"definitions":{"ObjectIdLikeString":{"type":"string","pattern":"^[0-9a-fA-F]{24}$"}}})";

const std::vector<Route>& AllRoutes() {
  static const std::vector<Route> table = [] {
    std::vector<Route> t;
    for (std::span<const Route> rows : {AuthRoutes(),           AuthorizationRoutes(),
                                        OpenApiRoutes(),        WorkflowRoutes(),
                                        ValidateRoutes(),       TransformationRoutes(),
                                        StubRoutes(),           AdapterWorkerRoutes(),
                                        AdapterRoutes(),        JobRoutes(),
                                        JobControlRoutes(),     JobWatchRoutes(),
                                        JobWaitingRoutes(),     ManualTaskRoutes(),
                                        EventRoutes(),          AutomationRoutes(),
                                        TriggerRoutes(),        WorkflowEngineRoutes(),
                                        ProjectRoutes(),        TemplateRoutes(),
                                        HealthRoutes(),         TaskCatalogRoutes(),
                                        ReferencesRoutes(),     RoleRoutes(),
                                        ComponentGroupRoutes(), LargeDataRoutes(),
                                        JsonFormsRoutes()}) {
      t.insert(t.end(), rows.begin(), rows.end());
    }
    return t;
  }();
  return table;
}

const std::vector<RouteInfo>& RouteTable() {
  static const std::vector<RouteInfo> table = [] {
    std::vector<RouteInfo> t;
    for (const Route& r : AllRoutes()) t.push_back({r.method, r.pattern, r.auth});
    return t;
  }();
  return table;
}

Api::Api(ApiDeps deps, ApiOptions opts)
    : state_(new State{deps, opts, WorkflowRegistry(deps.docs), nullptr}) {}

Api::~Api() = default;

base::Status Api::Init() {
  OPSFLOW_RETURN_IF_ERROR(state_->workflows.Load());
  if (runtime::EventRelay* relay = state_->deps.relay) {
    WorkflowRegistry* workflows = &state_->workflows;
    workflows->SetOnChange(
        [relay](const std::string& name) { relay->PublishDocChange("workflow", name); });
    relay->SetOnDocChange([workflows](const std::string& kind, const std::string& key) {
      if (kind.empty() || kind == "workflow") workflows->Refresh(key);
    });
  }
  // SPEC §1: the jobs/start body schema.
  auto schema = bj::parse(kStartBodySchema);
  json::SchemaOptions so;
  so.named["common"] = bj::parse(kStartCommonSchema);
  auto compiled = json::Schema::Compile(schema, so);
  if (!compiled.ok()) return compiled.status();
  state_->start_schema = *compiled;
  InitTriggers(*state_);
  return base::Status::Ok();
}

void Api::Drain() { state_->draining = true; }

void Api::Handle(Request req, Responder done) {
  State& s = *state_;
  const int64_t t0 = base::metrics::NowNs();
  if (s.draining) {
    done = Measured("(draining)", "(any)", t0, std::move(done));
    done(ErrorResponse(503, "server is shutting down"));
    return;
  }
  std::vector<std::string> params;
  const Route* found = nullptr;
  bool path_known = false;
  for (const Route& r : AllRoutes()) {
    if (!Match(r.pattern, req.path, &params)) continue;
    path_known = true;
    if (req.method == r.method) {
      found = &r;
      break;
    }
  }
  if (!found) {
    done = Measured("(unmatched)", "(any)", t0, std::move(done));
    if (path_known) {
      done(ErrorResponse(405, "method " + req.method + " is not allowed on " + req.path));
    } else {
      done(ErrorResponse(404, "no route for " + req.method + " " + req.path));
    }
    return;
  }
  done = Measured(found->pattern, found->method, t0, std::move(done));
  // Match again to get this route's params (the loop may have matched another row last).
  (void)Match(found->pattern, req.path, &params);
  auth::Account account;
  if (found->auth) {
    auto a = s.deps.accounts->Authenticate(TokenOf(req));
    if (!a.ok()) {
      done(ErrorResponse(401, a.status().message()));
      return;
    }
    account = std::move(a).value();
  }
  Call call{req, std::move(params), found->auth ? &account : nullptr, std::move(done)};
  found->fn(s, call);
}

}  // namespace opsflow::api
