#include "runtime/manual_tasks.h"

#include "base/ids.h"
#include "json/fields.h"

namespace opsflow::runtime {

std::string_view ManualChangeName(ManualChange c) {
  switch (c) {
    case ManualChange::kClaim:
      return "claim";
    case ManualChange::kRelease:
      return "release";
    case ManualChange::kAssign:
      return "assign";
  }
  return "claim";
}

base::Result<ManualChange> ParseManualChange(std::string_view name) {
  for (ManualChange c : {ManualChange::kClaim, ManualChange::kRelease, ManualChange::kAssign}) {
    if (ManualChangeName(c) == name) return c;
  }
  return base::InvalidArgument("unknown manual task change '" + std::string(name) + "'");
}

boost::json::object ManualWorkJson(const ManualWork& w) {
  return {{"id", w.id},
          {"job", w.job_id},
          {"task_id", w.task_id},
          {"task", w.task},
          {"run", w.run},
          {"method", w.method},
          {"view", w.view},
          {"owner", w.owner},
          {"incoming", w.incoming},
          {"created_ms", w.created_ms}};
}

ManualWork ManualWorkFromJson(const boost::json::object& o) {
  ManualWork w;
  w.id = json::StringField(o, "id");
  w.job_id = json::StringField(o, "job");
  w.task_id = json::StringField(o, "task_id");
  if (const auto* t = o.if_contains("task"); t && t->is_int64())
    w.task = static_cast<int>(t->get_int64());
  if (const auto* r = o.if_contains("run"); r && r->is_uint64())
    w.run = static_cast<uint32_t>(r->get_uint64());
  if (const auto* r = o.if_contains("run"); r && r->is_int64())
    w.run = static_cast<uint32_t>(r->get_int64());
  w.method = json::StringField(o, "method");
  w.view = json::StringField(o, "view");
  w.owner = json::StringField(o, "owner");
  if (const auto* in = o.if_contains("incoming"); in && in->is_object())
    w.incoming = in->get_object();
  if (const auto* c = o.if_contains("created_ms"); c && c->is_int64())
    w.created_ms = c->get_int64();
  return w;
}

base::Result<ManualWork> ManualTasks::Change(const ManualChangeRequest& r) {
  base::Status st;
  switch (r.change) {
    case ManualChange::kClaim:
      st = Claim(r.id, r.user);
      break;
    case ManualChange::kRelease:
      st = Release(r.id, r.user, r.force);
      break;
    case ManualChange::kAssign:
      st = Assign(r.id, r.user, r.by, r.force);
      break;
  }
  if (!st.ok()) return st;
  return Get(r.id);
}

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
