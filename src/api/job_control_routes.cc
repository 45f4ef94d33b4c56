// Job control (SPEC §5): bulk pause/resume/cancel {jobIds} (at most 100, per-id results) and
// task retry. Each illegal move is refused with a message saying why and changes nothing.
// Job deletion (IAP deleteJob, deleteJobs): a root job that is complete or canceled, with every
// job below it and their task iterations, in one store transaction (JobStore::DeleteJobTree).
// A job in error is refused (it may still be retried or canceled: cancel it first), and so is a
// tree with a job still running or paused. A finished job is no longer in the runtime's memory
// (Runtime forgets it once its last state is durable), so only the store holds it.
#include <atomic>
#include <mutex>

#include "api/job_bulk.h"
#include "api/state.h"
#include "auth/access.h"
#include "base/ids.h"
#include "json/fields.h"
#include "json/parse.h"

namespace opsflow::api {
namespace {

constexpr size_t kMaxBulk = 100;

// Collects the per-id answers of a bulk request and replies once all have come in.
struct BulkReply {
  std::mutex mu;
  bj::array results;
  size_t pending = 0;
  size_t ok = 0;
  std::string verb;
  Responder done;

  void Add(size_t index, const std::string& id, const base::Status& st) {
    std::lock_guard<std::mutex> l(mu);
    bj::object r{{"_id", id}, {"success", st.ok()}};
    r["message"] = st.ok() ? verb + " job " + id : st.message();
    results[index] = std::move(r);
    if (st.ok()) ++ok;
    if (--pending == 0) Finish();
  }
  void Finish() {
    done(EnvelopeResponse(
        200, std::to_string(ok) + " of " + std::to_string(results.size()) + " job(s) " + verb,
        results));
  }
};

void Bulk(Api::State& s, Call& c, runtime::JobAction action, const char* verb) {
  bj::object body;
  if (!ParseBodyObject(s, c, &body)) return;
  const bj::value* ids = body.if_contains("jobIds");
  if (!ids || !ids->is_array() || ids->get_array().empty()) {
    ReplyError(c, 400, "body must be {\"jobIds\": [<job id>, ...]} with at least one id");
    return;
  }
  if (ids->get_array().size() > kMaxBulk) {
    ReplyError(c, 400, "at most " + std::to_string(kMaxBulk) + " jobIds per request");
    return;
  }
  for (const bj::value& id : ids->get_array()) {
    if (!id.is_string() || !base::IsObjectId(id.get_string())) {
      ReplyError(c, 400, "jobIds must be 24-hex job ids; got " + bj::serialize(id));
      return;
    }
  }
  auto reply = std::make_shared<BulkReply>();
  reply->results.resize(ids->get_array().size());
  reply->pending = ids->get_array().size();
  reply->verb = verb;
  reply->done = std::move(c.done);
  size_t i = 0;
  for (const bj::value& id : ids->get_array()) {
    std::string job(id.get_string());
    // A job the caller may not see answers "not found", as an unknown one does.
    if (auto rec = VisibleJob(s, c, job); !rec.ok()) {
      reply->Add(i++, job, rec.status());
      continue;
    }
    s.deps.runtime->ControlJob(
        job, action, [reply, i, job](base::Status st) { reply->Add(i, job, st); },
        c.account->username);
    ++i;
  }
}

void PauseJobs(Api::State& s, Call& c) { Bulk(s, c, runtime::JobAction::kPause, "paused"); }
void ResumeJobs(Api::State& s, Call& c) { Bulk(s, c, runtime::JobAction::kResume, "resumed"); }
void CancelJobs(Api::State& s, Call& c) { Bulk(s, c, runtime::JobAction::kCancel, "canceled"); }

// Replies 200 with `message` when the runtime accepted the move, else the refusal.
runtime::DoneCallback Answer(Responder done, std::string message, bj::value data) {
  return [done = std::move(done), message = std::move(message),
          data = std::move(data)](base::Status st) {
    if (!st.ok()) {
      done(ErrorResponse(HttpStatus(st.code()), st.message()));
      return;
    }
    done(EnvelopeResponse(200, message, data));
  };
}

// Reads a required task key from the body; replies 400 and returns "" when it is missing.
std::string TaskKey(const bj::object& body, const char* key, Call& c) {
  const bj::value* v = body.if_contains(key);
  if (!v || !v->is_string() || v->get_string().empty()) {
    ReplyError(c, 400, std::string("'") + key + "' (a task key of the job) is required");
    return {};
  }
  return std::string(v->get_string());
}

// True when the path's job is one the caller may see; otherwise replies as for an unknown job.
bool CheckVisibleJob(Api::State& s, Call& c) {
  if (!CheckJobId(c, c.params[0])) return false;
  auto rec = VisibleJob(s, c, c.params[0]);
  if (!rec.ok()) ReplyError(c, rec.status());
  return rec.ok();
}

// POST /operations-manager/jobs/:jobId/continue {fromTask}
void ContinueJob(Api::State& s, Call& c) {
  if (!CheckVisibleJob(s, c)) return;
  bj::object body;
  if (!ParseBodyObject(s, c, &body)) return;
  std::string from = TaskKey(body, "fromTask", c);
  if (from.empty()) return;
  std::string job = c.params[0];
  s.deps.runtime->ContinueJob(job, from,
                              Answer(std::move(c.done), "Continuing job " + job + " from " + from,
                                     bj::object{{"job", job}, {"fromTask", from}}));
}

// POST /operations-manager/jobs/:jobId/revert {fromTask, toTask}
void RevertJob(Api::State& s, Call& c) {
  if (!CheckVisibleJob(s, c)) return;
  bj::object body;
  if (!ParseBodyObject(s, c, &body)) return;
  std::string from = TaskKey(body, "fromTask", c);
  if (from.empty()) return;
  std::string to = TaskKey(body, "toTask", c);
  if (to.empty()) return;
  std::string job = c.params[0];
  s.deps.runtime->RevertJob(
      job, from, to,
      Answer(std::move(c.done), "Reverted job " + job + " from " + from + " to " + to,
             bj::object{{"job", job}, {"fromTask", from}, {"toTask", to}}));
}

// POST /operations-manager/jobs/:jobId/tasks/:taskId/retry {variables?}
void RetryTask(Api::State& s, Call& c) {
  if (!CheckVisibleJob(s, c)) return;
  std::optional<bj::object> vars;
  if (!c.req.body.empty()) {
    bj::object body;
    if (!ParseBodyObject(s, c, &body)) return;
    if (const bj::value* v = body.if_contains("variables")) {
      if (!v->is_object()) {
        ReplyError(c, 400, "'variables' must be an object");
        return;
      }
      vars = v->get_object();
    }
  }
  Responder done = std::move(c.done);
  std::string job = c.params[0], task = c.params[1];
  s.deps.runtime->RetryTask(job, task, std::move(vars), [done, job, task](base::Status st) {
    if (!st.ok()) {
      done(ErrorResponse(HttpStatus(st.code()), st.message()));
      return;
    }
    done(EnvelopeResponse(200, "Retrying task " + task + " of job " + job,
                          bj::object{{"job", job}, {"task", task}}));
  });
}

// ---- deletion ----

// Whether `tree` (the job first, then every job below it) may be deleted by `a`.
base::Status CheckDeletable(const auth::Account& a, const std::vector<model::JobRecord>& tree) {
  const model::JobRecord& job = tree.front();
  if (!auth::CanSee(a, auth::ParseGroupsJson(job.groups_json))) return JobNotFound(job.id);
  if (!job.parent_json.empty() && job.parent_json != "null") {
    auto parent = json::Parse(job.parent_json);
    std::string pid =
        parent.ok() && parent->is_object() ? json::StringField(parent->as_object(), "job") : "";
    return base::InvalidArgument("job " + job.id + " is a child job" +
                                 (pid.empty() ? std::string() : " of job " + pid) +
                                 "; only a root job can be deleted (with its children)");
  }
  if (job.status != "complete" && job.status != "canceled") {
    return base::FailedPrecondition(
        "job " + job.id + " is " + job.status +
        (job.status == "error" ? " (it may still be retried or canceled: cancel it first)" : "") +
        "; only a complete or canceled job can be deleted");
  }
  // Deleting a job deletes the jobs below it: a child the caller may not see (its groups are
  // its own workflow's) is not theirs to delete. That one exists is all the refusal reveals.
  for (size_t i = 1; i < tree.size(); ++i) {
    if (!auth::CanSee(a, auth::ParseGroupsJson(tree[i].groups_json))) {
      return base::PermissionDenied("job " + job.id + " has child jobs that '" + a.username +
                                    "' may not see; only an account that sees every job below "
                                    "it may delete it");
    }
  }
  for (size_t i = 1; i < tree.size(); ++i) {
    if (tree[i].status == "running" || tree[i].status == "paused") {
      return base::FailedPrecondition("job " + job.id + " has child job " + tree[i].id +
                                      " still " + tree[i].status + "; it cannot be deleted yet");
    }
  }
  return base::Status::Ok();
}

base::Result<store::DeletedJobs> DeleteTree(Api::State& s, const auth::Account& a,
                                            const std::string& id) {
  return s.deps.jobs->DeleteJobTree(
      id, [&](const std::vector<model::JobRecord>& tree) { return CheckDeletable(a, tree); });
}

bj::object DeletedData(const store::DeletedJobs& d, bj::array results) {
  return bj::object{
      {"jobsDeleted", d.jobs}, {"tasksDeleted", d.tasks}, {"results", std::move(results)}};
}

// DELETE /operations-manager/jobs/:jobId
void DeleteJob(Api::State& s, Call& c) {
  const std::string& id = c.params[0];
  if (!CheckJobId(c, id)) return;
  auto d = DeleteTree(s, *c.account, id);
  if (!d.ok()) return ReplyError(c, d.status());
  ReplyEnvelope(c, "Successfully deleted job " + id,
                DeletedData(*d, bj::array{bj::object{{"_id", id}, {"status", "deleted"}}}));
}

// POST /operations-manager/jobs/delete {jobIds}: per-id results; a job that cannot be deleted
// (unknown, hidden, not finished, a child job) is "ignored" with the reason, as IAP ignores it.
void DeleteJobs(Api::State& s, Call& c) {
  std::vector<std::string> ids;
  if (!ParseJobIds(s, c, &ids)) return;
  store::DeletedJobs total;
  bj::array results;
  for (const std::string& id : ids) {
    auto d = DeleteTree(s, *c.account, id);
    bj::object r{{"_id", id}, {"status", d.ok() ? "deleted" : "ignored"}};
    if (d.ok()) {
      total.jobs += d->jobs;
      total.tasks += d->tasks;
    } else if (d.status().code() == base::Code::kNotFound ||
               d.status().code() == base::Code::kPermissionDenied ||
               d.status().code() == base::Code::kInvalidArgument ||
               d.status().code() == base::Code::kFailedPrecondition) {
      r["message"] = d.status().message();
    } else {
      return ReplyError(c, d.status());  // the store failed: say so, not "ignored"
    }
    results.push_back(std::move(r));
  }
  ReplyEnvelope(c,
                "Deleted " + std::to_string(total.jobs) + " job(s) (" + std::to_string(ids.size()) +
                    " requested)",
                DeletedData(total, std::move(results)));
}

}  // namespace

std::span<const Route> JobControlRoutes() {
  static const Route kRoutes[] = {
      {"POST", "/operations-manager/jobs/pause", PauseJobs, true},
      {"POST", "/operations-manager/jobs/resume", ResumeJobs, true},
      {"POST", "/operations-manager/jobs/cancel", CancelJobs, true},
      {"POST", "/operations-manager/jobs/:jobId/tasks/:taskId/retry", RetryTask, true},
      {"POST", "/operations-manager/jobs/:jobId/continue", ContinueJob, true},
      {"POST", "/operations-manager/jobs/:jobId/revert", RevertJob, true},
      {"DELETE", "/operations-manager/jobs/:jobId", DeleteJob, true},
      {"POST", "/operations-manager/jobs/delete", DeleteJobs, true},
  };
  return kRoutes;
}

}  // namespace opsflow::api
