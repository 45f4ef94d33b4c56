// /adapter-workers: external adapter workers poll for adapter tasks and report their outcome
// (an opsflow extension, SPEC §7).
#include "api/state.h"
#include "auth/access.h"
#include "base/clock.h"
#include "runtime/adapter_queue.h"

namespace opsflow::api {
namespace {

constexpr int64_t kDefaultLeaseMs = 30'000;
constexpr int64_t kMaxLeaseMs = 3'600'000;
constexpr int64_t kMaxTasks = 100;

bool ReadInt(Call& c, const bj::object& body, const char* key, int64_t lo, int64_t hi,
             int64_t* out) {
  const bj::value* v = body.if_contains(key);
  if (!v) return true;
  if (!v->is_int64() || v->get_int64() < lo || v->get_int64() > hi) {
    ReplyError(c, 400,
               std::string("'") + key + "' must be an integer from " + std::to_string(lo) + " to " +
                   std::to_string(hi));
    return false;
  }
  *out = v->get_int64();
  return true;
}

// {worker, apps:[...], lease_ms?, max_tasks?} -> the tasks leased to this worker.
void PollAdapterWork(Api::State& s, Call& c) {
  bj::object body;
  if (!ParseBodyObject(s, c, &body)) return;
  const bj::value* worker = body.if_contains("worker");
  if (!worker || !worker->is_string() || worker->get_string().empty()) {
    ReplyError(c, 400, "'worker' (a name for this worker) is required");
    return;
  }
  const bj::value* apps = body.if_contains("apps");
  if (!apps || !apps->is_array()) {
    ReplyError(c, 400,
               "'apps' (the adapter apps or instances this worker serves) must be an array");
    return;
  }
  std::vector<std::string> names;
  for (const bj::value& a : apps->get_array()) {
    if (!a.is_string()) {
      ReplyError(c, 400, "'apps' must hold strings");
      return;
    }
    names.emplace_back(a.get_string());
  }
  int64_t lease_ms = kDefaultLeaseMs, max = 1;
  if (!ReadInt(c, body, "lease_ms", 100, kMaxLeaseMs, &lease_ms)) return;
  if (!ReadInt(c, body, "max_tasks", 1, kMaxTasks, &max)) return;
  int64_t now = base::SystemClock::Get()->NowMs();
  // A worker takes only the tasks of jobs its account may see (their incoming values, secrets
  // included, go to it).
  auto may_take = [&](const std::vector<std::string>& groups) {
    return auth::CanSee(*c.account, groups);
  };
  auto work = s.deps.runtime->adapters()->Poll(std::string(worker->get_string()), names, lease_ms,
                                               static_cast<size_t>(max), now, may_take);
  bj::array data;
  for (auto& w : work) {
    data.push_back(bj::object{{"_id", w.id},
                              {"job", bj::object{{"_id", w.job_id}, {"task", w.task_id}}},
                              {"app", w.app},
                              {"adapter_id", w.adapter_id},
                              {"method", w.method},
                              {"incoming", std::move(w.incoming)},
                              {"lease", w.lease},
                              {"lease_expires", w.lease_until_ms}});
  }
  std::string message = std::to_string(data.size()) + " task(s) leased";
  ReplyEnvelope(c, message, std::move(data));
}

void Report(Api::State& s, Call& c, runtime::AdapterOutcome outcome) {
  bj::object body;
  if (!ParseBodyObject(s, c, &body)) return;
  const bj::value* lease = body.if_contains("lease");
  if (!lease || !lease->is_string()) {
    ReplyError(c, 400, "'lease' (the token the poll returned) is required");
    return;
  }
  runtime::AdapterReport r;
  r.outcome = outcome;
  if (const bj::value* out = body.if_contains("outgoing")) {
    if (!out->is_object()) {
      ReplyError(c, 400, "'outgoing' must be an object of output values");
      return;
    }
    r.outgoing = out->get_object();
  }
  if (const bj::value* m = body.if_contains("message"); m && m->is_string()) {
    r.message = std::string(m->get_string());
  }
  // On a cluster the task may wait on the process that drives its job: the runtime hands the
  // report there (README "Cluster").
  std::string id = c.params[0];
  s.deps.runtime->ReportAdapterWork(id, std::string(lease->get_string()), std::move(r),
                                    [done = std::move(c.done), id](base::Status st) {
                                      if (!st.ok()) {
                                        done(ErrorResponse(HttpStatus(st.code()), st.message()));
                                        return;
                                      }
                                      done(EnvelopeResponse(200, "Report accepted", bj::value(id)));
                                    });
}

void CompleteAdapterWork(Api::State& s, Call& c) {
  Report(s, c, runtime::AdapterOutcome::kComplete);
}
void FailAdapterWork(Api::State& s, Call& c) { Report(s, c, runtime::AdapterOutcome::kFail); }
void ErrorAdapterWork(Api::State& s, Call& c) { Report(s, c, runtime::AdapterOutcome::kError); }

}  // namespace

std::span<const Route> AdapterWorkerRoutes() {
  static const Route kRoutes[] = {
      {"POST", "/adapter-workers/poll", PollAdapterWork, true},
      {"POST", "/adapter-workers/tasks/:id/complete", CompleteAdapterWork, true},
      {"POST", "/adapter-workers/tasks/:id/fail", FailAdapterWork, true},
      {"POST", "/adapter-workers/tasks/:id/error", ErrorAdapterWork, true},
  };
  return kRoutes;
}

}  // namespace opsflow::api
