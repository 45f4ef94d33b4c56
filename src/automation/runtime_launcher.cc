#include "automation/runtime_launcher.h"

#include <boost/json.hpp>

#include "auth/access.h"
#include "model/groups.h"
#include "model/start_check.h"

namespace opsflow::automation {
namespace bj = boost::json;

base::Result<std::shared_ptr<const model::Workflow>> RuntimeLauncher::VisibleTo(
    const std::string& as_user, const std::string& id_or_name) {
  auto missing = base::NotFound("workflow '" + id_or_name + "' not found");
  auto account = accounts_->Find(as_user);
  if (!account.ok()) return missing;
  std::shared_ptr<const model::Workflow> wf = workflows_->FindById(id_or_name);
  if (!wf) wf = workflows_->Find(id_or_name);
  if (!wf || !auth::CanSee(*account, auth::GroupsOfDoc(wf->doc()))) return missing;
  return wf;
}

base::Result<WorkflowRef> RuntimeLauncher::FindWorkflow(const std::string& as_user,
                                                        const std::string& id_or_name) {
  auto wf = VisibleTo(as_user, id_or_name);
  if (!wf.ok()) return wf.status();
  const bj::value* id = (*wf)->doc().if_contains("_id");
  return WorkflowRef{id && id->is_string() ? std::string(id->get_string()) : (*wf)->name(),
                     (*wf)->name()};
}

void RuntimeLauncher::StartJob(TriggerJob job, StartCallback done) {
  auto found = VisibleTo(job.as_user, job.workflow);
  if (!found.ok()) return done(found.status());
  std::shared_ptr<const model::Workflow> wf = *found;
  if (base::Status st = model::CheckStartable(*wf, job.variables, job.input_errors); !st.ok()) {
    return done(st);
  }
  runtime::StartRequest req;
  req.workflow = wf;
  req.variables = std::move(job.variables);
  req.description = std::move(job.description);
  const bj::value given(std::move(job.groups));
  for (const std::string& g :
       model::PrivateGroups(model::GroupsOf(&given), model::GroupsOfDoc(wf->doc()))) {
    req.groups.push_back(bj::value(g));
  }
  req.user = std::move(job.user);
  req.max_running_jobs = job.limited ? max_running_jobs_ : 0;
  req.also_commit = std::move(job.also_commit);
  runtime_->StartJob(std::move(req), std::move(done));
}

base::Result<bj::object> RuntimeLauncher::GetJob(const std::string& id) {
  return runtime_->GetJobDocument(id);
}

}  // namespace opsflow::automation
