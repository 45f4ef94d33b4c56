#include "runtime/manual_tasks.h"

#include "base/ids.h"

namespace opsflow::runtime {

void ManualTasks::Add(ManualWork work) {
  base::MutexLock l(&mu_);
  std::string id = work.id;
  items_[id] = std::move(work);
}

base::Result<ManualWork> ManualTasks::Find(const std::string& job_id,
                                           const std::string& task_id) const {
  if (base::IsObjectId(job_id)) {
    std::string prefix = base::IterationUuidPrefix(job_id);
    base::MutexLock l(&mu_);
    for (auto it = items_.lower_bound(prefix); it != items_.end() && it->first < prefix + "~";
         ++it) {
      if (it->second.task_id == task_id) return it->second;
    }
  }
  return base::NotFound("task " + task_id + " of job " + job_id +
                        " is not a manual task waiting for a person");
}

base::Result<ManualWork> ManualTasks::Get(const std::string& id) const {
  base::MutexLock l(&mu_);
  auto it = items_.find(id);
  if (it == items_.end()) {
    return base::NotFound("task " + id + " is not a manual task waiting for a person");
  }
  return it->second;
}

base::Status ManualTasks::Claim(const std::string& id, const std::string& user) {
  base::MutexLock l(&mu_);
  auto it = items_.find(id);
  if (it == items_.end()) {
    return base::NotFound("task " + id + " is not a manual task waiting for a person");
  }
  if (!it->second.owner.empty() && it->second.owner != user) {
    return base::FailedPrecondition("task " + id + " is already claimed by " + it->second.owner);
  }
  it->second.owner = user;
  return base::Status::Ok();
}

base::Status ManualTasks::Release(const std::string& id, const std::string& user, bool force) {
  base::MutexLock l(&mu_);
  auto it = items_.find(id);
  if (it == items_.end()) {
    return base::NotFound("task " + id + " is not a manual task waiting for a person");
  }
  if (it->second.owner.empty()) return base::FailedPrecondition("task " + id + " is not claimed");
  if (it->second.owner != user && !force) {
    return base::FailedPrecondition("task " + id + " is claimed by " + it->second.owner +
                                    "; only they (or an admin) can release it");
  }
  it->second.owner.clear();
  return base::Status::Ok();
}

base::Status ManualTasks::Assign(const std::string& id, const std::string& user,
                                 const std::string& by, bool force) {
  base::MutexLock l(&mu_);
  auto it = items_.find(id);
  if (it == items_.end()) {
    return base::NotFound("task " + id + " is not a manual task waiting for a person");
  }
  const std::string& owner = it->second.owner;
  if (!owner.empty() && owner != by && owner != user && !force) {
    return base::FailedPrecondition("task " + id + " is claimed by " + owner +
                                    "; only they (or an admin) can reassign it");
  }
  it->second.owner = user;
  return base::Status::Ok();
}

base::Status ManualTasks::Finish(const std::string& job_id, const std::string& task_id,
                                 const std::string& user, ManualFinish finish) {
  ManualWork w;
  {
    auto found = Find(job_id, task_id);
    if (!found.ok()) return found.status();
    base::MutexLock l(&mu_);
    auto it = items_.find(found->id);
    if (it == items_.end()) return base::NotFound("task " + task_id + " was finished meanwhile");
    if (!it->second.owner.empty() && it->second.owner != user) {
      return base::FailedPrecondition("task " + task_id + " is claimed by " + it->second.owner);
    }
    w = std::move(it->second);
    items_.erase(it);
  }
  deliver_(w, std::move(finish));
  return base::Status::Ok();
}

void ManualTasks::RemoveJob(const std::string& job_id) {
  if (!base::IsObjectId(job_id)) return;
  std::string prefix = base::IterationUuidPrefix(job_id);
  base::MutexLock l(&mu_);
  items_.erase(items_.lower_bound(prefix), items_.lower_bound(prefix + "~"));
}

size_t ManualTasks::size() const {
  base::MutexLock l(&mu_);
  return items_.size();
}

}  // namespace opsflow::runtime
