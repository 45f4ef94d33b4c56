// RuntimeLauncher: the JobLauncher of a server: workflows from the WorkflowRegistry, access from
// auth (the account named by TriggerJob::as_user must see the workflow), the inputSchema check
// of jobs/start (model/start_check.h), and the job started on the runtime.
// Thread-safety: safe from any thread (its parts are).
#pragma once

#include <cstddef>
#include <memory>

#include "auth/accounts.h"
#include "automation/launcher.h"
#include "automation/workflow_registry.h"
#include "runtime/runtime.h"

namespace opsflow::automation {

class RuntimeLauncher final : public JobLauncher {
 public:
  // `max_running_jobs`: the running-jobs limit of a non-admin runner (TriggerJob::limited).
  RuntimeLauncher(WorkflowRegistry* workflows, auth::Accounts* accounts, runtime::Runtime* runtime,
                  size_t max_running_jobs)
      : workflows_(workflows),
        accounts_(accounts),
        runtime_(runtime),
        max_running_jobs_(max_running_jobs) {}

  base::Result<WorkflowRef> FindWorkflow(const std::string& as_user,
                                         const std::string& id_or_name) override;
  void StartJob(TriggerJob job, StartCallback done) override;
  base::Result<boost::json::object> GetJob(const std::string& id) override;

 private:
  // The workflow with this _id, or else this name, when account `as_user` may see it.
  base::Result<std::shared_ptr<const model::Workflow>> VisibleTo(const std::string& as_user,
                                                                 const std::string& id_or_name);

  WorkflowRegistry* workflows_;
  auth::Accounts* accounts_;
  runtime::Runtime* runtime_;
  size_t max_running_jobs_;
};

}  // namespace opsflow::automation
