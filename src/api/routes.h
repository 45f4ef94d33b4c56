// The dispatch table, split by file: each *_routes.cc exports its own rows (its handlers stay
// file-local), so a new route touches one routes file. api.cc concatenates the rows once, in the
// order of the accessors below, and dispatches to the first row whose method and pattern match
// (apart from POST /transformations/import, which sits before POST /transformations/:id, no two
// rows of one method have overlapping patterns, so the order decides little but the order of
// GET /openapi.json's paths; routes_test.cc lists the exceptions).
// Thread-safety: the rows are immutable; the accessors are safe from any thread.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "api/api.h"

namespace opsflow::api {

// One request as its handler sees it.
struct Call {
  const Request& req;
  std::vector<std::string> params;  // path parameters in order
  const auth::Account* account;     // null on public routes
  Responder done;
};

using RouteFn = void (*)(Api::State&, Call&);

// One endpoint.
struct Route {
  const char* method;
  const char* pattern;  // ":x" matches one path segment
  RouteFn fn;
  bool auth;  // a token is required
};

// The rows of each routes file (auth_routes.cc: AuthRoutes ...), in dispatch order.
std::span<const Route> AuthRoutes();           // /login, /oauth/token, /logout, /whoami, /health
std::span<const Route> AuthorizationRoutes();  // /authorization/* (admin)
std::span<const Route> OpenApiRoutes();        // /openapi.json, /metrics
std::span<const Route> WorkflowRoutes();       // /automation-studio, /workflow_builder
std::span<const Route> ValidateRoutes();       // .../workflows/validate
std::span<const Route> TransformationRoutes();
std::span<const Route> StubRoutes();           // /adapter-stubs
std::span<const Route> AdapterWorkerRoutes();  // /adapter-workers/poll, tasks/:id/...
std::span<const Route> AdapterRoutes();        // /adapter-workers/status, /health/adapters
std::span<const Route> JobRoutes();            // /operations-manager/jobs, tasks
std::span<const Route> JobControlRoutes();     // pause, resume, cancel, retry, continue, revert
std::span<const Route> JobWatchRoutes();       // watch, unwatch, job groups
std::span<const Route> JobWaitingRoutes();     // jobs/:id/waiting, work-queue
std::span<const Route> ManualTaskRoutes();
std::span<const Route> EventRoutes();           // /operations-manager/events
std::span<const Route> AutomationRoutes();      // /operations-manager/automations
std::span<const Route> TriggerRoutes();         // /operations-manager/triggers
std::span<const Route> WorkflowEngineRoutes();  // /workflow_engine/* (workers, query, evaluation)
std::span<const Route> ProjectRoutes();         // /automation-studio/projects
std::span<const Route> TemplateRoutes();        // /automation-studio/templates
std::span<const Route> HealthRoutes();          // /health/applications, /health/system
std::span<const Route> TaskCatalogRoutes();     // /automation-studio apps/list, task details
std::span<const Route> ReferencesRoutes();      // /automation-studio/references-to
std::span<const Route> RoleRoutes();            // /authorization/roles, /authorization/views
std::span<const Route> ComponentGroupRoutes();  // /automation-studio/component-groups
std::span<const Route> LargeDataRoutes();       // /operations-manager/large-data/:id
std::span<const Route> JsonFormsRoutes();       // /automation-studio/json-forms/method-options

// Every row, in dispatch order: the accessors above concatenated (api.cc).
const std::vector<Route>& AllRoutes();

// The IAP application a route path belongs to ("OperationsManager", "Jst", ...; "opsflow" for
// our own), as GET /authorization/methods names it (authorization_routes.cc).
std::string RouteApplication(std::string_view path);

}  // namespace opsflow::api
