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
//   * GET /workflow_engine/jobs/metrics and /tasks/metrics: aggregates per workflow and per task
//     (counts by status, run times), computed by the store (store::JobStore::Metrics), in IAP's
//     {results, total} envelope, paged with skip/limit. Admins see every workflow; others only
//     workflows that exist and that they may see (docs/DECISIONS.md).
#include <boost/json.hpp>
#include <map>

#include "api/state.h"
#include "auth/access.h"
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
bool RunBuiltin(Call& c, const char* method, const bj::object& incoming, runtime::BuiltinRun* out) {
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
  ComputeRun cr(s, c);
  if (!cr.Begin("POST /workflow_engine/query")) return;
  bj::object body;
  if (!ParseBodyObject(s, c, &body)) return;
  bj::object incoming{{"pass_on_null", false}, {"query", ""}, {"obj", nullptr}};
  for (const char* k : {"pass_on_null", "query", "obj"}) {
    if (const bj::value* v = body.if_contains(k)) incoming[k] = *v;
  }
  runtime::BuiltinRun run;
  if (!RunBuiltin(c, "query", incoming, &run)) return;
  const bj::value* data = run.outgoing.if_contains("return_data");
  cr.Reply(data ? *data : bj::value());
}

// The evaluation task's answer for `groups` (its evaluation_groups) and top-level flag.
void Evaluate(Call& c, ComputeRun& cr, bj::value groups, bj::value all_true) {
  bj::object incoming{{"all_true_flag", std::move(all_true)},
                      {"evaluation_groups", std::move(groups)}};
  runtime::BuiltinRun run;
  if (!RunBuiltin(c, "evaluation", incoming, &run)) return;
  cr.Reply(bj::value(run.finish == "success"));
}

// {evaluation_group: [{evaluations, all_true_flag}], all_true_flag}
void RunEvaluationGroups(Api::State& s, Call& c) {
  ComputeRun cr(s, c);
  if (!cr.Begin("POST /workflow_engine/runEvaluationGroups")) return;
  bj::object body;
  if (!ParseBodyObject(s, c, &body)) return;
  const bj::value* groups = body.if_contains("evaluation_group");
  if (!groups) groups = body.if_contains("evaluation_groups");
  if (!groups || !groups->is_array()) {
    return ReplyError(c, 400, "evaluation_group must be an array of {evaluations, all_true_flag}");
  }
  const bj::value* flag = body.if_contains("all_true_flag");
  Evaluate(c, cr, *groups, flag ? *flag : bj::value(true));
}

// One group: {evaluation_group: {evaluations, all_true_flag}} or the group itself.
void RunEvaluationGroup(Api::State& s, Call& c) {
  ComputeRun cr(s, c);
  if (!cr.Begin("POST /workflow_engine/runEvaluationGroup")) return;
  bj::object body;
  if (!ParseBodyObject(s, c, &body)) return;
  const bj::value* group = body.if_contains("evaluation_group");
  bj::value one = group ? *group : bj::value(body);
  if (!one.is_object() || !one.as_object().contains("evaluations")) {
    return ReplyError(c, 400, "the body must be an evaluation group {evaluations, all_true_flag}");
  }
  Evaluate(c, cr, bj::array{std::move(one)}, bj::value(true));
}

void DiffToHtml(Api::State&, Call& c) {
  ReplyError(c, 410,
             "POST /workflow_engine/diffToHTML is deprecated by IAP and not provided by opsflow");
}

// Whether the caller gets the metrics of workflow `name`: admins always (deleted workflows
// too); others when it exists and they may see it.
bool MetricsVisible(Api::State& s, const Call& c, const std::string& name,
                    std::map<std::string, std::shared_ptr<const model::Workflow>>* seen) {
  auto [it, fresh] = seen->try_emplace(name);
  if (fresh) it->second = s.workflows.Find(name);
  if (c.account->admin) return true;
  return it->second && CanSeeWorkflow(c, *it->second);
}

// Replies with skip/limit's page of `elems` ({results, total}).
void ReplyMetricsPage(Api::State& s, Call& c, ComputeRun& cr, std::vector<bj::object> elems) {
  model::ListQuery q;
  if (!ParseList(s, c, &q)) return;
  bj::array results;
  for (size_t i = static_cast<size_t>(q.skip);
       i < elems.size() && results.size() < static_cast<size_t>(q.limit); ++i) {
    results.push_back(std::move(elems[i]));
  }
  cr.Reply(
      bj::object{{"results", std::move(results)}, {"total", static_cast<int64_t>(elems.size())}});
}

// One element per workflow: {_id, workflow: {name}, metrics: [{status, count, totalRunTime}],
// jobsComplete, totalRunTime} (run times in ms; totalRunTime sums the complete jobs).
void JobMetrics(Api::State& s, Call& c) {
  ComputeRun cr(s, c);
  if (!cr.Begin("GET /workflow_engine/jobs/metrics")) return;
  auto rows = s.deps.jobs->Metrics(store::MetricsOf::kJobs, auth::VisibleGroups(*c.account));
  if (!rows.ok()) return ReplyError(c, rows.status());
  std::map<std::string, std::shared_ptr<const model::Workflow>> seen;
  std::vector<bj::object> elems;
  for (const store::MetricRow& r : *rows) {  // ordered by workflow
    if (!MetricsVisible(s, c, r.workflow_name, &seen)) continue;
    if (elems.empty() || elems.back()["_id"].as_string() != r.workflow_name) {
      elems.push_back(bj::object{{"_id", r.workflow_name},
                                 {"workflow", bj::object{{"name", r.workflow_name}}},
                                 {"metrics", bj::array()},
                                 {"jobsComplete", 0},
                                 {"totalRunTime", 0}});
    }
    bj::object& e = elems.back();
    e["metrics"].as_array().push_back(
        bj::object{{"status", r.status}, {"count", r.count}, {"totalRunTime", r.run_ms}});
    if (r.status == "complete") {
      e["jobsComplete"] = r.count;
      e["totalRunTime"] = r.run_ms;
    }
  }
  ReplyMetricsPage(s, c, cr, std::move(elems));
}

// The task's definition in the workflow's current document, when both exist.
const bj::object* TaskDefinition(const model::Workflow* wf, const std::string& task_id) {
  const bj::value* tasks = wf ? wf->doc().if_contains("tasks") : nullptr;
  const bj::value* t =
      tasks && tasks->is_object() ? tasks->get_object().if_contains(task_id) : nullptr;
  return t && t->is_object() ? &t->get_object() : nullptr;
}

std::string StringField(const bj::object* o, const char* key) {
  const bj::value* v = o ? o->if_contains(key) : nullptr;
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

// One element per (workflow, task, method): {_id, taskId, taskType, name, app, global,
// workflow: {name}, metrics: [{totalRuns, totalSuccesses, totalFailures, totalErrors,
// totalCanceled, totalRunning, totalSuccessRunTime, totalRunTime}]} (run times in ms).
// workflow_start and workflow_end are not tasks and are left out.
void TaskMetrics(Api::State& s, Call& c) {
  ComputeRun cr(s, c);
  if (!cr.Begin("GET /workflow_engine/tasks/metrics")) return;
  auto rows = s.deps.jobs->Metrics(store::MetricsOf::kTasks, auth::VisibleGroups(*c.account));
  if (!rows.ok()) return ReplyError(c, rows.status());
  std::map<std::string, std::shared_ptr<const model::Workflow>> seen;
  std::vector<bj::object> elems;
  std::string last_key;
  for (const store::MetricRow& r : *rows) {  // ordered by workflow, task, method
    if (r.task_id == "workflow_start" || r.task_id == "workflow_end") continue;
    if (!MetricsVisible(s, c, r.workflow_name, &seen)) continue;
    std::string key = r.workflow_name + ":" + r.task_id + ":" + r.method;
    if (elems.empty() || key != last_key) {
      last_key = key;
      const bj::object* def = TaskDefinition(seen[r.workflow_name].get(), r.task_id);
      std::string app = StringField(def, "app");
      if (app.empty() && runtime::IsKnownWorkflowEngineMethod(r.method)) app = "WorkFlowEngine";
      elems.push_back(
          bj::object{{"_id", key},
                     {"taskId", r.task_id},
                     {"taskType", StringField(def, "type") == "manual" ? "manual" : "automatic"},
                     {"name", r.method},
                     {"app", app},
                     {"global", false},
                     {"workflow", bj::object{{"name", r.workflow_name}}},
                     {"metrics", bj::array{bj::object{{"totalRuns", 0},
                                                      {"totalSuccesses", 0},
                                                      {"totalFailures", 0},
                                                      {"totalErrors", 0},
                                                      {"totalCanceled", 0},
                                                      {"totalRunning", 0},
                                                      {"totalSuccessRunTime", 0},
                                                      {"totalRunTime", 0}}}}});
    }
    bj::object& m = elems.back()["metrics"].as_array()[0].as_object();
    auto add = [&](const char* field, int64_t n) { m[field] = m[field].to_number<int64_t>() + n; };
    add("totalRuns", r.count);
    add("totalRunTime", r.run_ms);
    if (r.status == "error" || r.finish_state == "error") {
      add("totalErrors", r.count);
    } else if (r.status == "canceled") {
      add("totalCanceled", r.count);
    } else if (r.status == "running") {
      add("totalRunning", r.count);
    } else if (r.finish_state == "failure") {
      add("totalFailures", r.count);
    } else if (r.finish_state == "success") {
      add("totalSuccesses", r.count);
      add("totalSuccessRunTime", r.run_ms);
    }
  }
  ReplyMetricsPage(s, c, cr, std::move(elems));
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
      {"GET", "/workflow_engine/jobs/metrics", JobMetrics, true},
      {"GET", "/workflow_engine/tasks/metrics", TaskMetrics, true},
  };
  return kRoutes;
}

}  // namespace opsflow::api
