// The stored workflows by name, parsed once; the DocStore (kind "workflow") holds the documents.
// Workflow `_id`s are unique: a document whose _id another workflow holds is refused
// (AlreadyExists), except the one it replaces. A store that already holds duplicates (written
// before ids were checked) keeps them, logs them at Load and reports them through DuplicateIdOf
// (validation). The API's workflow routes and the automations' job launcher share one registry.
// Thread-safety: every method is safe from any thread.
#pragma once

#include <boost/json/object.hpp>
#include <functional>
#include <map>
#include <memory>
#include <shared_mutex>
#include <string>
#include <vector>

#include "base/status.h"
#include "model/workflow.h"
#include "store/job_store.h"

namespace opsflow::automation {

class WorkflowRegistry {
 public:
  explicit WorkflowRegistry(store::DocStore* docs) : docs_(docs) {}
  base::Status Load();
  // A workflow not indexed yet is looked up in the store (another process of a cluster may have
  // stored it) and indexed when found. Changes and deletions made by other processes arrive
  // through Refresh (README "Cluster").
  std::shared_ptr<const model::Workflow> Find(const std::string& name) const;
  std::shared_ptr<const model::Workflow> FindById(const std::string& id) const;
  std::vector<std::shared_ptr<const model::Workflow>> All() const;
  // Stores and indexes `doc` under its name, replacing any workflow of that name, and the one
  // named `replaces` when given (a rename keeps its _id). AlreadyExists when another workflow
  // holds the document's _id.
  base::Result<std::shared_ptr<const model::Workflow>> Put(boost::json::object doc,
                                                           const std::string& replaces = "");
  base::Status Remove(const std::string& name);
  // Cluster: another process stored or removed workflow `name` (an empty name: any workflow
  // may have changed, the news were lost): read it (or every one) again from the store.
  void Refresh(const std::string& name);
  // Called with the name of each workflow this registry stores or removes, after the store has
  // it (to tell the other processes of a cluster). Set before use.
  void SetOnChange(std::function<void(const std::string& name)> on_change) {
    on_change_ = std::move(on_change);
  }
  // The name of another workflow that shares the _id of workflow `name`; empty when none does.
  std::string DuplicateIdOf(const std::string& name) const;

 private:
  static std::string IdOf(const model::Workflow& wf);
  void IndexLocked(const std::shared_ptr<const model::Workflow>& wf) const;
  void UnindexLocked(const std::string& name);

  store::DocStore* docs_;
  std::function<void(const std::string&)> on_change_;
  mutable std::shared_mutex mu_;
  // A cache of the store's workflows (Find fills it on a miss, hence mutable).
  mutable std::map<std::string, std::shared_ptr<const model::Workflow>> by_name_;
  mutable std::map<std::string, std::vector<std::string>>
      names_by_id_;  // _id -> names (one, or dups)
};

}  // namespace opsflow::automation
