// /workflow_engine/*: IAP's WorkFlowEngine application (IAP-REFERENCE §11, "WorkFlowEngine"):
//   * the workers of this process: POST /workflow_engine/deactivate and /activate (the job worker
//     and the task worker together: no new job starts and no task starts; what runs finishes),
//     POST /workflow_engine/jobWorker/deactivate and /activate (new root jobs only), GET
//     /workflow_engine/workers/status (IAP's {jobWorker, taskWorker} shape) and the deprecated
//     GET|POST /workflow_engine/active (true while both run). Changes are admin-only; they act on
//     this process only (runtime::Runtime::SetJobWorkerActive), and a restart turns both on.
//   * testing a task before saving it: POST /workflow_engine/query ({query, obj, pass_on_null}:
//     the json-query result, bare, as IAP answers) and /runEvaluationGroup(s) (an evaluation task's
//     groups: true or false), run by the same built-ins as in a job.
//   * POST /workflow_engine/diffToHTML, deprecated by IAP: 410 Gone.
// GET /workflow_engine/{jobs,tasks}/metrics are not answered yet (docs/DECISIONS.md).
#include <boost/json.hpp>

#include "api/state.h"
#include "base/clock.h"
#include "runtime/task_methods.h"

namespace opsflow::api {
namespace {

bj::object WorkerStatus(bool running) {
  return {{"running", running},
          {"clusterValue", "not defined"},
          {"localValue", "not defined"},
          {"startupValue", true}};
}

void SetWorkers(Api::State& s, Call& c, const char* what, bool jobs, bool tasks, bool active) {
  if (!RequireAdmin(c, std::string(active ? "activate " : "deactivate ") + what)) return;
  if (jobs) s.deps.runtime->SetJobWorkerActive(active);
  if (tasks) s.deps.runtime->SetTaskWorkerActive(active);
  Reply(c, 200, bj::value(true));
}

void Activate(Api::State& s, Call& c) { SetWorkers(s, c, "the workflow engine", true, true, true); }
void Deactivate(Api::State& s, Call& c) {
  SetWorkers(s, c, "the workflow engine", true, true, false);
}
void ActivateJobWorker(Api::State& s, Call& c) {
  SetWorkers(s, c, "the job worker", true, false, true);
}
void DeactivateJobWorker(Api::State& s, Call& c) {
  SetWorkers(s, c, "the job worker", true, false, false);
}

void WorkersStatus(Api::State& s, Call& c) {
  Reply(c, 200,
        bj::object{{"jobWorker", WorkerStatus(s.deps.runtime->job_worker_active())},
                   {"taskWorker", WorkerStatus(s.deps.runtime->task_worker_active())}});
}

void IsActive(Api::State& s, Call& c) {
  Reply(c, 200,
        bj::value(s.deps.runtime->job_worker_active() && s.deps.runtime->task_worker_active()));
}

// Runs built-in `method` on `incoming`; a run that ends in error is a 400 naming it.
bool RunBuiltin(Call& c, const char* method, const bj::object& incoming,
                runtime::BuiltinRun* out) {
  auto r = runtime::RunPureBuiltin(method, incoming, base::SystemClock::Get()->NowMs());
  if (!r.ok()) {
    ReplyError(c, r.status());
    return false;
  }
  if (r->finish == "error") {
    ReplyError(c, 400, r->error.empty() ? std::string(method) + " failed" : r->error);
    return false;
  }
  *out = std::move(r).value();
  return true;
}

void Query(Api::State& s, Call& c) {
  bj::object body;
  if (!ParseBodyObject(s, c, &body)) return;
  bj::object incoming{{"pass_on_null", false}, {"query", ""}, {"obj", nullptr}};
  for (const char* k : {"pass_on_null", "query", "obj"}) {
    if (const bj::value* v = body.if_contains(k)) incoming[k] = *v;
  }
  runtime::BuiltinRun run;
  if (!RunBuiltin(c, "query", incoming, &run)) return;
  const bj::value* data = run.outgoing.if_contains("return_data");
  Reply(c, 200, data ? *data : bj::value());
}

// The evaluation task's answer for `groups` (its evaluation_groups) and top-level flag.
void Evaluate(Call& c, bj::value groups, bj::value all_true) {
  bj::object incoming{{"all_true_flag", std::move(all_true)},
                      {"evaluation_groups", std::move(groups)}};
  runtime::BuiltinRun run;
  if (!RunBuiltin(c, "evaluation", incoming, &run)) return;
  Reply(c, 200, bj::value(run.finish == "success"));
}

// {evaluation_group: [{evaluations, all_true_flag}], all_true_flag}
void RunEvaluationGroups(Api::State& s, Call& c) {
  bj::object body;
  if (!ParseBodyObject(s, c, &body)) return;
  const bj::value* groups = body.if_contains("evaluation_group");
  if (!groups) groups = body.if_contains("evaluation_groups");
  if (!groups || !groups->is_array()) {
    return ReplyError(c, 400, "evaluation_group must be an array of {evaluations, all_true_flag}");
  }
  const bj::value* flag = body.if_contains("all_true_flag");
  Evaluate(c, *groups, flag ? *flag : bj::value(true));
}

// One group: {evaluation_group: {evaluations, all_true_flag}} or the group itself.
void RunEvaluationGroup(Api::State& s, Call& c) {
  bj::object body;
  if (!ParseBodyObject(s, c, &body)) return;
  const bj::value* group = body.if_contains("evaluation_group");
  bj::value one = group ? *group : bj::value(body);
  if (!one.is_object() || !one.as_object().contains("evaluations")) {
    return ReplyError(c, 400, "the body must be an evaluation group {evaluations, all_true_flag}");
  }
  Evaluate(c, bj::array{std::move(one)}, bj::value(true));
}

void DiffToHtml(Api::State&, Call& c) {
  ReplyError(c, 410,
             "POST /workflow_engine/diffToHTML is deprecated by IAP and not provided by opsflow");
}

}  // namespace

std::span<const Route> WorkflowEngineRoutes() {
  static const Route kRoutes[] = {
      {"POST", "/workflow_engine/activate", Activate, true},
      {"POST", "/workflow_engine/deactivate", Deactivate, true},
      {"POST", "/workflow_engine/jobWorker/activate", ActivateJobWorker, true},
      {"POST", "/workflow_engine/jobWorker/deactivate", DeactivateJobWorker, true},
      {"GET", "/workflow_engine/workers/status", WorkersStatus, true},
      {"GET", "/workflow_engine/active", IsActive, true},
      {"POST", "/workflow_engine/active", IsActive, true},
      {"POST", "/workflow_engine/query", Query, true},
      {"POST", "/workflow_engine/runEvaluationGroup", RunEvaluationGroup, true},
      {"POST", "/workflow_engine/runEvaluationGroups", RunEvaluationGroups, true},
      {"POST", "/workflow_engine/diffToHTML", DiffToHtml, true},
  };
  return kRoutes;
}

}  // namespace opsflow::api
