// Internal to api/: the shared services every route handler uses (Api::State) and the helpers
// several routes files share; replies are respond.h, group-based access access_checks.h, the
// route rows routes.h.
#pragma once

#include <atomic>
#include <boost/json.hpp>
#include <map>
#include <memory>
#include <shared_mutex>
#include <string>
#include <vector>

#include "api/access_checks.h"
#include "api/api.h"
#include "api/compute_limits.h"
#include "api/job_doc_cache.h"
#include "api/respond.h"
#include "api/routes.h"
#include "automation/runtime_launcher.h"
#include "automation/workflow_registry.h"
#include "json/schema.h"
#include "model/query.h"
#include "model/workflow.h"

namespace opsflow::api {

namespace bj = boost::json;

using automation::WorkflowRegistry;  // automation/workflow_registry.h

struct Api::State {
  ApiDeps deps;
  ApiOptions opts;
  WorkflowRegistry workflows;
  std::shared_ptr<const json::Schema> start_schema;
  std::atomic<bool> draining{false};
  std::unique_ptr<automation::RuntimeLauncher> launcher{};  // handed to deps.triggers
  ComputeSlots compute{};  // per-user runs of the compute routes (compute_limits.h)
  JobDocCache job_docs{32u << 20};  // finished jobs' list documents (job_doc_cache.h)
};

// The account's groups as /whoami lists them: [{id, _id, provenance, name}]
// (authorization_routes.cc; auth_routes.cc answers /whoami with it).
bj::array WhoAmIGroups(Api::State& s, const auth::Account& a);

// /operations-manager/automations and /triggers (automation_routes.cc, trigger_routes.cc).
void InitTriggers(Api::State& s);  // gives deps.triggers its job launcher
// The caller as the trigger service sees it (an empty non-admin account on public routes).
const auth::Account& ViewerOf(const Call& c);
// List parameters of the OM automation/trigger lists (equals+equalsField ...; default sort
// name); with reject_brackets, `equals[f]`-style parameters get 400.
bool ParseOmList(Api::State& s, Call& c, bool reject_brackets, model::ListQuery* q);
void ReplyPage(Call& c, const model::ListQuery& q, base::Result<automation::DocPage> page);
// Per-item import results: 200 unless every item failed (400 naming the first problem).
void ReplyImport(Call& c, const std::string& what, bj::array results);

}  // namespace opsflow::api
