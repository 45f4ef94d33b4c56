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
#include "api/respond.h"
#include "api/routes.h"
#include "json/schema.h"
#include "model/query.h"
#include "model/workflow.h"

namespace opsflow::api {

namespace bj = boost::json;

// Workflows by name, parsed once; the store holds the documents. Workflow `_id`s are unique: a
// document whose _id another workflow holds is refused (AlreadyExists), except the one it
// replaces. A store that already holds duplicates (written before ids were checked) keeps them,
// logs them at Load and reports them through DuplicateIdOf (validation).
// Thread-safety: every method is safe from any thread.
class WorkflowRegistry {
 public:
  explicit WorkflowRegistry(store::DocStore* docs) : docs_(docs) {}
  base::Status Load();
  std::shared_ptr<const model::Workflow> Find(const std::string& name) const;
  std::shared_ptr<const model::Workflow> FindById(const std::string& id) const;
  std::vector<std::shared_ptr<const model::Workflow>> All() const;
  // Stores and indexes `doc` under its name, replacing any workflow of that name, and the one
  // named `replaces` when given (a rename keeps its _id). AlreadyExists when another workflow
  // holds the document's _id.
  base::Result<std::shared_ptr<const model::Workflow>> Put(bj::object doc,
                                                           const std::string& replaces = "");
  base::Status Remove(const std::string& name);
  // The name of another workflow that shares the _id of workflow `name`; empty when none does.
  std::string DuplicateIdOf(const std::string& name) const;

 private:
  static std::string IdOf(const model::Workflow& wf);
  void IndexLocked(const std::shared_ptr<const model::Workflow>& wf);
  void UnindexLocked(const std::string& name);

  store::DocStore* docs_;
  mutable std::shared_mutex mu_;
  std::map<std::string, std::shared_ptr<const model::Workflow>> by_name_;
  std::map<std::string, std::vector<std::string>> names_by_id_;  // _id -> names (one, or dups)
};

struct Api::State {
  ApiDeps deps;
  ApiOptions opts;
  WorkflowRegistry workflows;
  std::shared_ptr<const json::Schema> start_schema;
  std::atomic<bool> draining{false};
  std::unique_ptr<runtime::TriggerActions> trigger_actions{};  // handed to deps.triggers
};

// The account's groups as /whoami lists them: [{id, _id, provenance, name}]
// (authorization_routes.cc; auth_routes.cc answers /whoami with it).
bj::array WhoAmIGroups(Api::State& s, const auth::Account& a);

// /operations-manager/automations and /triggers (automation_routes.cc, trigger_routes.cc).
void InitTriggers(Api::State& s);  // gives deps.triggers its workflow and job-start port
runtime::Viewer ViewerOf(const Call& c);
// List parameters of the OM automation/trigger lists (equals+equalsField ...; default sort
// name); with reject_brackets, `equals[f]`-style parameters get 400.
bool ParseOmList(Api::State& s, Call& c, bool reject_brackets, model::ListQuery* q);
void ReplyPage(Call& c, const model::ListQuery& q, base::Result<runtime::DocPage> page);
// Per-item import results: 200 unless every item failed (400 naming the first problem).
void ReplyImport(Call& c, const std::string& what, bj::array results);

}  // namespace opsflow::api
