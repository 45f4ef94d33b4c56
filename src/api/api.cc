#include "api/api.h"

#include <cstdio>
#include <string_view>

#include "api/adapter_routes.h"
#include "api/openapi.h"
#include "api/state.h"
#include "auth/bearer.h"
#include "base/log.h"
#include "base/metrics.h"

namespace opsflow::api {
namespace {

using RouteFn = void (*)(Api::State&, Call&);

// The route table: one row per endpoint.
struct Route {
  const char* method;
  const char* pattern;  // ":x" matches one path segment
  RouteFn fn;
  bool auth;
};

const Route kRoutes[] = {
    {"POST", "/login", Login, false},
    {"POST", "/login/", Login, false},
    {"POST", "/oauth/token", OAuthToken, false},
    {"POST", "/logout", Logout, true},
    {"GET", "/whoami", WhoAmI, true},
    {"GET", "/authorization/accounts", AuthzListAccounts, true},
    {"POST", "/authorization/accounts", AuthzCreateAccount, true},
    {"GET", "/authorization/accounts/:id", AuthzGetAccount, true},
    {"PATCH", "/authorization/accounts/:id", AuthzPatchAccount, true},
    {"DELETE", "/authorization/accounts/:id", AuthzDeleteAccount, true},
    {"POST", "/authorization/accounts/:id/unlock", AuthzUnlockAccount, true},
    {"GET", "/authorization/groups", AuthzListGroups, true},
    {"POST", "/authorization/groups", AuthzCreateGroup, true},
    {"GET", "/authorization/groups/:id", AuthzGetGroup, true},
    {"PATCH", "/authorization/groups/:id", AuthzPatchGroup, true},
    {"DELETE", "/authorization/groups/:id", AuthzDeleteGroup, true},
    {"GET", "/health/server", HealthServer, false},
    {"GET", "/health/status", HealthStatus, false},
    {"GET", "/openapi.json", GetOpenApi, false},
    {"GET", "/metrics", GetMetrics, true},
    {"GET", "/automation-studio/workflows", ListWorkflows, true},
    {"GET", "/automation-studio/workflows/detailed/:name", GetWorkflowDetailed, true},
    {"POST", "/automation-studio/automations", CreateAutomation, true},
    {"POST", "/automation-studio/automations/import", ImportAutomations, true},
    {"PUT", "/automation-studio/automations/:id", UpdateAutomation, true},
    {"POST", "/automation-studio/workflows/validate", ValidateWorkflow, true},
    {"POST", "/workflow_builder/export", ExportWorkflow, true},
    {"POST", "/workflow_builder/import", ImportWorkflowLegacy, true},
    {"DELETE", "/workflow_builder/workflows/delete/:name", DeleteWorkflow, true},
    {"POST", "/workflow_engine/workflows/validate", ValidateWorkflow, true},
    {"GET", "/transformations", ListTransformations, true},
    {"POST", "/transformations", CreateTransformation, true},
    {"GET", "/transformations/:id", GetTransformation, true},
    {"PUT", "/transformations/:id", UpdateTransformation, true},
    {"DELETE", "/transformations/:id", DeleteTransformation, true},
    {"POST", "/adapter-stubs", PutStubs, true},
    {"GET", "/adapter-stubs", ListStubs, true},
    {"DELETE", "/adapter-stubs/:workflow", DeleteStubs, true},
    {"POST", "/adapter-workers/poll", PollAdapterWork, true},
    {"POST", "/adapter-workers/tasks/:id/complete", CompleteAdapterWork, true},
    {"POST", "/adapter-workers/tasks/:id/fail", FailAdapterWork, true},
    {"POST", "/adapter-workers/tasks/:id/error", ErrorAdapterWork, true},
    {"POST", "/adapter-workers/status", ReportAdapterStatus, true},
    {"GET", "/health/adapters", ListAdapterHealth, true},
    {"GET", "/health/adapters/:name", GetAdapterHealth, true},
    {"POST", "/operations-manager/jobs/start", StartJob, true},
    {"POST", "/operations_manager/jobs/start", StartJob, true},
    {"POST", "/operations-manager/jobs/pause", PauseJobs, true},
    {"POST", "/operations-manager/jobs/resume", ResumeJobs, true},
    {"POST", "/operations-manager/jobs/cancel", CancelJobs, true},
    {"POST", "/operations-manager/jobs/:jobId/tasks/:taskId/retry", RetryTask, true},
    {"POST", "/operations-manager/jobs/:jobId/continue", ContinueJob, true},
    {"POST", "/operations-manager/jobs/:jobId/revert", RevertJob, true},
    {"POST", "/operations-manager/jobs/:jobId/watch", WatchJob, true},
    {"POST", "/operations-manager/jobs/:jobId/unwatch", UnwatchJob, true},
    {"POST", "/operations-manager/jobs/:jobId/groups", AddJobGroup, true},
    {"DELETE", "/operations-manager/jobs/:jobId/groups/:groupId", RemoveJobGroup, true},
    {"GET", "/operations-manager/jobs", ListJobs, true},
    {"GET", "/operations-manager/jobs/:id", GetJob, true},
    {"GET", "/operations-manager/jobs/:id/waiting", GetJobWaiting, true},
    {"GET", "/operations-manager/jobs/:jobId/tasks/:taskId/manual-controller", GetManualController,
     true},
    {"POST", "/operations-manager/jobs/:jobId/tasks/:taskId/finish", FinishManualTask, true},
    {"POST", "/operations-manager/tasks/:id/claim", ClaimTask, true},
    {"POST", "/operations-manager/tasks/:id/release", ReleaseTask, true},
    {"POST", "/operations-manager/tasks/:id/assign", AssignTask, true},
    {"GET", "/operations-manager/tasks", ListTasks, true},
    {"GET", "/operations-manager/work-queue", ListWorkQueue, true},
    {"GET", "/operations-manager/tasks/:id", GetTask, true},
    {"GET", "/operations-manager/events", StreamEvents, true},
    {"GET", "/operations-manager/automations", OmListAutomations, true},
    {"POST", "/operations-manager/automations", OmCreateAutomation, true},
    {"PUT", "/operations-manager/automations", OmImportAutomations, true},
    {"GET", "/operations-manager/automations/:id", OmGetAutomation, true},
    {"PATCH", "/operations-manager/automations/:id", OmPatchAutomation, true},
    {"DELETE", "/operations-manager/automations/:id", OmDeleteAutomation, true},
    {"GET", "/operations-manager/automations/:id/export", OmExportAutomation, true},
    {"GET", "/operations-manager/triggers", OmListTriggers, true},
    {"POST", "/operations-manager/triggers", OmCreateTrigger, true},
    {"PUT", "/operations-manager/triggers", OmImportTriggers, true},
    {"GET", "/operations-manager/triggers/:id", OmGetTrigger, true},
    {"PATCH", "/operations-manager/triggers/:id", OmPatchTrigger, true},
    {"DELETE", "/operations-manager/triggers/:id", OmDeleteTrigger, true},
    {"DELETE", "/operations-manager/triggers/action/:id", OmDeleteTriggersOfAction, true},
    {"POST", "/operations-manager/triggers/manual/:id/run", OmRunManualTrigger, true},
    {"POST", "/operations-manager/triggers/endpoint/:routeName", OmRunEndpointTrigger, true},
};

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

const std::vector<RouteInfo>& RouteTable() {
  static const std::vector<RouteInfo> table = [] {
    std::vector<RouteInfo> t;
    for (const Route& r : kRoutes) t.push_back({r.method, r.pattern, r.auth});
    return t;
  }();
  return table;
}

Api::Api(ApiDeps deps, ApiOptions opts)
    : state_(new State{deps, opts, WorkflowRegistry(deps.docs), nullptr}) {}

Api::~Api() = default;

base::Status Api::Init() {
  OPSFLOW_RETURN_IF_ERROR(state_->workflows.Load());
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
  for (const Route& r : kRoutes) {
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
