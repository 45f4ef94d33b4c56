// Internal to api/: the shared services and helpers every route handler uses.
#pragma once

#include <atomic>
#include <boost/json.hpp>
#include <map>
#include <memory>
#include <shared_mutex>
#include <string>
#include <vector>

#include "api/api.h"
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
};

struct Call {
  const Request& req;
  std::vector<std::string> params;  // path parameters in order
  const auth::Account* account;     // null on public routes
  Responder done;
};

// ---- response helpers (respond.cc) ----
int HttpStatus(base::Code code);
void Reply(Call& c, int status, const bj::value& body);
void ReplyEnvelope(Call& c, const std::string& message, bj::value data,
                   bj::value metadata = bj::object());
void ReplyError(Call& c, const base::Status& st);
void ReplyError(Call& c, int status, const std::string& message);
// Parses the body as JSON (limits from the options); replies 400 and returns false on failure.
bool ParseBody(Api::State& s, Call& c, bj::value* out);
// The reply to a job start (jobs/start, trigger runs): the new job as IAP answers it; a failure
// as its status says (a running-jobs limit: 429), with the ajv-style list `errs` in `data` when
// the variables failed the workflow's inputSchema.
runtime::StartCallback StartedJobReply(
    Responder done, std::shared_ptr<std::vector<json::SchemaError>> errs = nullptr);
bool ParseBodyObject(Api::State& s, Call& c, bj::object* out);
// Parses the request's list parameters with the configured `limit` cap; replies 400 and returns
// false when they are malformed.
bool ParseList(Api::State& s, Call& c, model::ListQuery* q);
// True when `id` is a 24-hex job id; otherwise replies 400 naming it.
bool CheckJobId(Call& c, const std::string& id);
// List metadata {skip, limit, total, nextPageSkip, previousPageSkip, currentPageSize, hints}.
bj::object ListMetadata(int64_t skip, int64_t limit, int64_t total, size_t page_size);

// ---- group-based access (access_checks.cc; the policy itself is auth/access.h) ----
// True for admins; otherwise replies 403 "only an admin may <what>; '<user>' is not an admin".
bool RequireAdmin(Call& c, const std::string& what);
// What a caller gets for a job it may not see: exactly what it gets for a job that does not exist.
base::Status JobNotFound(const std::string& id);
// Job `id`'s record when it exists and the caller may see it; JobNotFound otherwise.
base::Result<model::JobRecord> VisibleJob(Api::State& s, const Call& c, const std::string& id);
bool CanSeeWorkflow(const Call& c, const model::Workflow& wf);
// The workflow named `name` when it exists and the caller may see it; null otherwise.
std::shared_ptr<const model::Workflow> FindVisibleWorkflow(Api::State& s, const Call& c,
                                                           const std::string& name);
// Limits a list query to the jobs (or tasks of jobs) the caller may see.
void ScopeToCaller(const Call& c, model::ListQuery* q);
// Account `a` may act on manual task `task_id` of the (visible) job `rec`: PermissionDenied when
// the task definition has groups and `a` is in none of them.
base::Status CheckManualTaskGroups(Api::State& s, const auth::Account& a,
                                   const model::JobRecord& rec, const std::string& task_id);
// Whether manual task `task_id` of job `job_id` may be assigned to `user` (a username or an
// account `_id`): the account exists, may see the job and is in the task's groups. Gives the
// assignee's username; InvalidArgument naming the reason otherwise.
base::Result<std::string> CheckAssignee(Api::State& s, const std::string& job_id,
                                        const std::string& task_id, const std::string& user);
// A stored workflow's `groups` going from `before` to `after` (an update or a re-import) under
// the rules of a job's groups: a non-admin adds only existing groups they belong to, removes
// only their own groups, and never leaves a restricted workflow open to everyone.
base::Status CheckGroupsChange(Api::State& s, const Call& c, const std::vector<std::string>& before,
                               const std::vector<std::string>& after);

// ---- route handlers ----
void Login(Api::State& s, Call& c);
void OAuthToken(Api::State& s, Call& c);
void Logout(Api::State& s, Call& c);
void WhoAmI(Api::State& s, Call& c);
void HealthServer(Api::State& s, Call& c);
void HealthStatus(Api::State& s, Call& c);

// /authorization/* (authorization_routes.cc): admin-only account and group management.
void AuthzListAccounts(Api::State& s, Call& c);
void AuthzCreateAccount(Api::State& s, Call& c);
void AuthzGetAccount(Api::State& s, Call& c);
void AuthzPatchAccount(Api::State& s, Call& c);
void AuthzDeleteAccount(Api::State& s, Call& c);
void AuthzUnlockAccount(Api::State& s, Call& c);  // auth_routes.cc
void AuthzListGroups(Api::State& s, Call& c);
void AuthzCreateGroup(Api::State& s, Call& c);
void AuthzGetGroup(Api::State& s, Call& c);
void AuthzPatchGroup(Api::State& s, Call& c);
void AuthzDeleteGroup(Api::State& s, Call& c);
// The account's groups as /whoami lists them: [{id, _id, provenance, name}].
bj::array WhoAmIGroups(Api::State& s, const auth::Account& a);

void ListWorkflows(Api::State& s, Call& c);
void GetWorkflowDetailed(Api::State& s, Call& c);
void CreateAutomation(Api::State& s, Call& c);
void ImportAutomations(Api::State& s, Call& c);
void UpdateAutomation(Api::State& s, Call& c);
void ExportWorkflow(Api::State& s, Call& c);
void ImportWorkflowLegacy(Api::State& s, Call& c);
void DeleteWorkflow(Api::State& s, Call& c);
void ValidateWorkflow(Api::State& s, Call& c);

void ListTransformations(Api::State& s, Call& c);
void GetTransformation(Api::State& s, Call& c);
void CreateTransformation(Api::State& s, Call& c);
void UpdateTransformation(Api::State& s, Call& c);
void DeleteTransformation(Api::State& s, Call& c);

void PutStubs(Api::State& s, Call& c);
void ListStubs(Api::State& s, Call& c);
void DeleteStubs(Api::State& s, Call& c);

void PollAdapterWork(Api::State& s, Call& c);
void CompleteAdapterWork(Api::State& s, Call& c);
void FailAdapterWork(Api::State& s, Call& c);
void ErrorAdapterWork(Api::State& s, Call& c);

void GetManualController(Api::State& s, Call& c);
void FinishManualTask(Api::State& s, Call& c);
void ClaimTask(Api::State& s, Call& c);
void ReleaseTask(Api::State& s, Call& c);
void AssignTask(Api::State& s, Call& c);

void PauseJobs(Api::State& s, Call& c);
void ResumeJobs(Api::State& s, Call& c);
void CancelJobs(Api::State& s, Call& c);
void RetryTask(Api::State& s, Call& c);
void ContinueJob(Api::State& s, Call& c);
void RevertJob(Api::State& s, Call& c);
void WatchJob(Api::State& s, Call& c);
void UnwatchJob(Api::State& s, Call& c);
void AddJobGroup(Api::State& s, Call& c);
void RemoveJobGroup(Api::State& s, Call& c);

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
void OmListAutomations(Api::State& s, Call& c);
void OmGetAutomation(Api::State& s, Call& c);
void OmExportAutomation(Api::State& s, Call& c);
void OmCreateAutomation(Api::State& s, Call& c);
void OmPatchAutomation(Api::State& s, Call& c);
void OmDeleteAutomation(Api::State& s, Call& c);
void OmImportAutomations(Api::State& s, Call& c);
void OmListTriggers(Api::State& s, Call& c);
void OmGetTrigger(Api::State& s, Call& c);
void OmCreateTrigger(Api::State& s, Call& c);
void OmPatchTrigger(Api::State& s, Call& c);
void OmDeleteTrigger(Api::State& s, Call& c);
void OmDeleteTriggersOfAction(Api::State& s, Call& c);
void OmImportTriggers(Api::State& s, Call& c);
void OmRunManualTrigger(Api::State& s, Call& c);
void OmRunEndpointTrigger(Api::State& s, Call& c);

void StartJob(Api::State& s, Call& c);
void GetJob(Api::State& s, Call& c);
// GET /operations-manager/jobs/:id/waiting (job_waiting_routes.cc): why a job waits.
void GetJobWaiting(Api::State& s, Call& c);
// GET /operations-manager/work-queue: the manual tasks waiting for a person.
void ListWorkQueue(Api::State& s, Call& c);
void ListJobs(Api::State& s, Call& c);
void GetTask(Api::State& s, Call& c);
void ListTasks(Api::State& s, Call& c);

// GET /operations-manager/events (event_routes.cc): job and task events as server-sent events.
void StreamEvents(Api::State& s, Call& c);

// GET /openapi.json (openapi_routes.cc) and GET /metrics (admin only; base/metrics.h).
void GetOpenApi(Api::State& s, Call& c);
void GetMetrics(Api::State& s, Call& c);

}  // namespace opsflow::api
