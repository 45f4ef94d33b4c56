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
#include "json/schema.h"
#include "model/query.h"
#include "model/workflow.h"

namespace opsflow::api {

namespace bj = boost::json;

// Workflows by name, parsed once; the store holds the documents.
class WorkflowRegistry {
 public:
  explicit WorkflowRegistry(store::DocStore* docs) : docs_(docs) {}
  base::Status Load();
  std::shared_ptr<const model::Workflow> Find(const std::string& name) const;
  std::vector<std::shared_ptr<const model::Workflow>> All() const;
  // Stores and indexes `doc` under its name (replacing any workflow of that name).
  base::Result<std::shared_ptr<const model::Workflow>> Put(bj::object doc);
  base::Status Remove(const std::string& name);

 private:
  store::DocStore* docs_;
  mutable std::shared_mutex mu_;
  std::map<std::string, std::shared_ptr<const model::Workflow>> by_name_;
};

struct Api::State {
  ApiDeps deps;
  ApiOptions opts;
  WorkflowRegistry workflows;
  std::shared_ptr<const json::Schema> start_schema;
  std::atomic<bool> draining{false};
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
bool ParseBodyObject(Api::State& s, Call& c, bj::object* out);
// Parses the request's list parameters with the configured `limit` cap; replies 400 and returns
// false when they are malformed.
bool ParseList(Api::State& s, Call& c, model::ListQuery* q);
// True when `id` is a 24-hex job id; otherwise replies 400 naming it.
bool CheckJobId(Call& c, const std::string& id);
// List metadata {skip, limit, total, nextPageSkip, previousPageSkip, currentPageSize, hints}.
bj::object ListMetadata(int64_t skip, int64_t limit, int64_t total, size_t page_size);

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

void StartJob(Api::State& s, Call& c);
void GetJob(Api::State& s, Call& c);
void ListJobs(Api::State& s, Call& c);
void GetTask(Api::State& s, Call& c);
void ListTasks(Api::State& s, Call& c);

}  // namespace opsflow::api
