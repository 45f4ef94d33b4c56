#include "runtime/adapter_queue.h"

#include <algorithm>

#include "base/ids.h"
#include "base/metrics.h"

namespace opsflow::runtime {

void AdapterQueue::Add(AdapterWork work) {
  base::MutexLock l(&mu_);
  std::string id = work.id;
  items_[id] = std::move(work);
}

std::vector<AdapterWork> AdapterQueue::Poll(const std::string& worker,
                                            const std::vector<std::string>& apps, int64_t lease_ms,
                                            size_t max, int64_t now_ms,
                                            const GroupsFilter& may_take) {
  std::vector<AdapterWork> out;
  base::MutexLock l(&mu_);
  for (auto& [id, w] : items_) {
    if (out.size() >= max) break;
    if (!w.lease.empty() && w.lease_until_ms > now_ms) continue;
    bool serves =
        apps.empty() || std::find(apps.begin(), apps.end(), w.app) != apps.end() ||
        (!w.adapter_id.empty() && std::find(apps.begin(), apps.end(), w.adapter_id) != apps.end());
    if (!serves || (may_take && !may_take(w.groups))) continue;
    base::metrics::Get().adapter_tasks_leased.Inc();
    w.lease = base::RandomHex(16);
    w.worker = worker;
    w.lease_until_ms = now_ms + lease_ms;
    out.push_back(w);
  }
  return out;
}

base::Status AdapterQueue::Report(const std::string& id, const std::string& lease,
                                  AdapterReport report, int64_t now_ms) {
  AdapterWork w;
  {
    base::MutexLock l(&mu_);
    auto it = items_.find(id);
    if (it == items_.end()) {
      return base::NotFound("task " + id + " is not waiting for an adapter worker");
    }
    if (it->second.lease.empty() || it->second.lease != lease) {
      return base::FailedPrecondition("task " + id + " is not leased under this lease");
    }
    if (it->second.lease_until_ms <= now_ms) {
      return base::FailedPrecondition("the lease on task " + id +
                                      " ran out; the task will be handed out again");
    }
    w = std::move(it->second);
    items_.erase(it);
  }
  deliver_(w, std::move(report));
  return base::Status::Ok();
}

base::Result<AdapterWork> AdapterQueue::Find(const std::string& job_id,
                                             const std::string& task_id) const {
  if (!base::IsObjectId(job_id)) return base::NotFound("no such job");
  std::string prefix = base::IterationUuidPrefix(job_id);  // a job's tasks sort together
  base::MutexLock l(&mu_);
  for (auto it = items_.lower_bound(prefix); it != items_.lower_bound(prefix + "~"); ++it) {
    if (it->second.job_id == job_id && it->second.task_id == task_id) return it->second;
  }
  return base::NotFound("task " + task_id + " of job " + job_id +
                        " is not waiting for an adapter worker");
}

bool AdapterQueue::Remove(const std::string& id) {
  base::MutexLock l(&mu_);
  return items_.erase(id) > 0;
}

void AdapterQueue::SetJobGroups(const std::string& job_id, const std::vector<std::string>& groups) {
  if (!base::IsObjectId(job_id)) return;
  std::string prefix = base::IterationUuidPrefix(job_id);  // a job's tasks sort together
  base::MutexLock l(&mu_);
  for (auto it = items_.lower_bound(prefix); it != items_.lower_bound(prefix + "~"); ++it) {
    it->second.groups = groups;
  }
}

void AdapterQueue::RemoveJob(const std::string& job_id) {
  if (!base::IsObjectId(job_id)) return;
  std::string prefix = base::IterationUuidPrefix(job_id);
  base::MutexLock l(&mu_);
  items_.erase(items_.lower_bound(prefix), items_.lower_bound(prefix + "~"));
}

size_t AdapterQueue::size() const {
  base::MutexLock l(&mu_);
  return items_.size();
}

}  // namespace opsflow::runtime
