// GET /operations-manager/jobs/:id/waiting (an opsflow extension, SPEC §9 "why is this job
// waiting"): what a job waits on, computed from its committed state, the workflow snapshot it
// runs, the manual-task registry and its child jobs. The CLI (`opsflow why`) and the web page
// print the same sentences. GBAC as every job route: a hidden job answers 404 as an unknown one.
#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>

#include "api/large_data.h"
#include "api/state.h"
#include "auth/access.h"
#include "base/clock.h"
#include "model/query.h"
#include "runtime/adapter_queue.h"
#include "runtime/manual_tasks.h"
#include "runtime/runtime.h"  // engine::DecodeState and JobState, as runtime exposes them

namespace opsflow::api {
namespace {

using engine::TaskStatus;

// The task definition's document (summary, groups) from the workflow snapshot.
const bj::object* TaskDoc(const model::Workflow& wf, const std::string& id) {
  const bj::value* tasks = wf.doc().if_contains("tasks");
  const bj::value* t = tasks && tasks->is_object() ? tasks->get_object().if_contains(id) : nullptr;
  return t && t->is_object() ? &t->get_object() : nullptr;
}

std::string Label(const model::TaskDef& def) {
  std::string name = def.summary.empty() ? def.method : def.summary;
  return "task " + def.id + " (" + name + ")";
}

std::string Join(const std::vector<std::string>& v) {
  std::string out;
  for (const std::string& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

// One reason: {kind, task, summary, text, ...kind-specific fields}.
bj::object Reason(const char* kind, const model::TaskDef* def, std::string text) {
  bj::object r{{"kind", kind}, {"text", std::move(text)}};
  if (def) {
    r["task"] = def->id;
    r["summary"] = def->summary.empty() ? def->method : def->summary;
    r["method"] = def->method;
  }
  return r;
}

bj::object ManualReason(Api::State& s, const model::JobRecord& rec, const model::Workflow& wf,
                        const model::TaskDef& def) {
  std::vector<std::string> groups;
  if (const bj::object* doc = TaskDoc(wf, def.id)) groups = auth::GroupsOfDoc(*doc);
  if (groups.empty()) groups = auth::ParseGroupsJson(rec.groups_json);
  std::string who =
      groups.empty() ? "any user who may see the job" : "members of group(s) " + Join(groups);
  auto w = s.deps.runtime->FindManualTask(rec.id, def.id);
  bj::array g;
  for (const std::string& x : groups) g.emplace_back(x);
  if (!w.ok()) {
    bj::object r =
        Reason("manual", &def, "manual " + Label(def) + " is about to be offered to " + who);
    r["groups"] = std::move(g);
    return r;
  }
  std::string since = base::IsoTime(w->created_ms);
  std::string text = w->owner.empty()
                         ? "manual " + Label(def) + " waits for a person: not claimed since " +
                               since + "; " + who + " may claim and finish it"
                         : "manual " + Label(def) + " is claimed by " + w->owner +
                               " (waiting since " + since + "); they may finish or release it";
  bj::object r = Reason("manual", &def, std::move(text));
  r["iteration"] = w->id;
  r["since"] = since;
  r["claimedBy"] = w->owner.empty() ? bj::value() : bj::value(w->owner);
  r["groups"] = std::move(g);
  r["view"] = w->view;
  return r;
}

bj::object ChildReason(Api::State& s, const model::JobRecord& rec, const model::TaskDef& def) {
  auto kids = s.deps.jobs->ChildJobs(rec.id);
  int64_t total = 0, running = 0, paused = 0, error = 0;
  bj::array open;
  if (kids.ok()) {
    for (const model::JobRecord& k : *kids) {
      if (k.parent_json.find("\"" + def.id + "\"") == std::string::npos) continue;
      ++total;
      if (k.status == "complete" || k.status == "canceled") continue;
      running += k.status == "running";
      paused += k.status == "paused";
      error += k.status == "error";
      if (open.size() < 20) open.push_back(bj::object{{"_id", k.id}, {"status", k.status}});
    }
  }
  int64_t unfinished = running + paused + error;
  std::string text = Label(def) + " waits for " + std::to_string(unfinished) + " of " +
                     std::to_string(total) + " child job(s): " + std::to_string(running) +
                     " running, " + std::to_string(paused) + " paused, " + std::to_string(error) +
                     " in error";
  if (error > 0) text += " (a child in error waits for a retry or a cancel)";
  bj::object r = Reason("childJobs", &def, std::move(text));
  r["total"] = total;
  r["unfinished"] = unfinished;
  r["children"] = std::move(open);
  return r;
}

// An adapter task: which worker holds its lease and until when, or that none has taken it yet
// (or its lease ran out and it will be handed out again). The lease lives in this process's
// adapter queue; on a cluster, a job another process drives shows "not leased here".
bj::object AdapterReason(Api::State& s, const model::JobRecord& rec, const model::TaskDef& def,
                         int64_t now) {
  std::string head =
      "adapter " + Label(def) + " waits for an adapter worker serving '" + def.app + "'";
  auto w = s.deps.runtime->adapters()->Find(rec.id, def.id);
  bj::object lease;
  std::string text;
  if (!w.ok()) {
    lease = bj::object{{"state", "unknown"}};
    text = head + " to take it and report its result";
  } else if (w->lease.empty()) {
    lease = bj::object{{"state", "notLeased"}, {"since", base::IsoTime(w->created_ms)}};
    text = head + ": not leased yet (waiting since " + base::IsoTime(w->created_ms) + ")";
  } else if (w->lease_until_ms <= now) {
    lease = bj::object{
        {"state", "expired"}, {"worker", w->worker}, {"until", base::IsoTime(w->lease_until_ms)}};
    text = head + ": the lease of worker " + w->worker + " ran out at " +
           base::IsoTime(w->lease_until_ms) + "; it will be handed out again";
  } else {
    lease = bj::object{
        {"state", "leased"}, {"worker", w->worker}, {"until", base::IsoTime(w->lease_until_ms)}};
    text = head + ": leased by worker " + w->worker + " until " + base::IsoTime(w->lease_until_ms) +
           ", waiting for its report";
  }
  bj::object r = Reason("adapter", &def, std::move(text));
  r["app"] = def.app;
  r["lease"] = std::move(lease);
  return r;
}

// The reasons for one task that is running or scheduled; none for a task that is not.
void TaskReasons(Api::State& s, const model::JobRecord& rec, const model::Workflow& wf,
                 const engine::TaskState& t, const model::TaskDef& def, int64_t now,
                 bj::array* out) {
  if (t.status == TaskStatus::kScheduled) {
    if (t.due_ms > now) {
      bj::object r =
          Reason("retry", &def, Label(def) + " will be retried at " + base::IsoTime(t.due_ms));
      r["at"] = base::IsoTime(t.due_ms);
      out->push_back(std::move(r));
    } else {
      out->push_back(Reason("ready", &def, Label(def) + " is ready to start"));
    }
    return;
  }
  if (t.status != TaskStatus::kRunning) return;
  if (def.is_manual) {
    out->push_back(ManualReason(s, rec, wf, def));
  } else if (def.method == "childJob" && def.location != "Adapter") {
    out->push_back(ChildReason(s, rec, def));
  } else if (def.location == "Adapter") {
    out->push_back(AdapterReason(s, rec, def, now));
  } else if (t.due_ms > 0) {
    bj::object r =
        Reason("delay", &def, Label(def) + " is a delay until " + base::IsoTime(t.due_ms));
    r["until"] = base::IsoTime(t.due_ms);
    out->push_back(std::move(r));
  } else {
    bj::object r = Reason("running", &def, Label(def) + " is running");
    if (t.start_ms) r["since"] = base::IsoTime(t.start_ms);
    out->push_back(std::move(r));
  }
}

std::string Summary(const model::JobRecord& rec, const bj::array& reasons) {
  if (rec.status == "complete" || rec.status == "canceled") {
    return "job " + rec.id + " is " + rec.status + ": it waits on nothing";
  }
  if (reasons.empty()) return "job " + rec.id + " is " + rec.status + " and waits on nothing";
  std::string first(reasons.front().as_object().at("text").as_string());
  std::string more =
      reasons.size() > 1 ? " (and " + std::to_string(reasons.size() - 1) + " more)" : std::string();
  return "job " + rec.id + " is " + rec.status + ": " + first + more;
}

// The running iterations of the caller's visible jobs, oldest first (at most `limit`).
base::Result<std::vector<model::IterationRecord>> RunningIterations(Api::State& s, const Call& c,
                                                                    int64_t limit) {
  model::ListQuery q;
  model::Expr running;
  running.pred = model::Predicate{model::Op::kEquals, "status", {bj::value("running")}};
  q.filters.push_back(std::move(running));
  q.limit = limit;
  ScopeToCaller(c, &q);
  std::vector<model::Expr> rest;
  auto page = s.deps.jobs->ListIterations(q, &rest);
  if (!page.ok()) return page.status();
  std::vector<model::IterationRecord> out;
  for (auto& it : page->items) {
    if (it.status == "running") out.push_back(std::move(it));
  }
  return out;
}

// GET /operations-manager/work-queue[?show=available|mine|all] (an opsflow extension): the manual
// tasks waiting for a person in jobs the caller may see, each with who holds it, since when, the
// groups that may act on it and whether the caller may. `available`: unclaimed or mine, and
// allowed to me; `mine`: claimed by me; `all` (default): every one.
void ListWorkQueue(Api::State& s, Call& c) {
  std::string show = c.req.Query("show") ? *c.req.Query("show") : "all";
  if (show != "all" && show != "mine" && show != "available") {
    return ReplyError(c, 400, "show must be available, mine or all; got '" + show + "'");
  }
  auto its = RunningIterations(s, c, s.opts.max_list_limit);
  if (!its.ok()) return ReplyError(c, its.status());
  const std::string& me = c.account->username;
  std::map<std::string, std::optional<model::JobRecord>> jobs;
  bj::array out;
  for (const model::IterationRecord& it : *its) {
    auto w = s.deps.runtime->WaitingManualTask(it.id);
    if (!w.ok()) continue;  // not a manual task (or no longer waiting)
    auto& rec = jobs[it.job_id];
    if (!rec) {
      auto r = VisibleJob(s, c, it.job_id);
      if (!r.ok()) continue;
      rec = std::move(r).value();
    }
    bool may_act = CheckManualTaskGroups(s, *c.account, *rec, w->task_id).ok();
    if (show == "mine" && w->owner != me) continue;
    if (show == "available" && (!may_act || (!w->owner.empty() && w->owner != me))) continue;
    std::vector<std::string> groups;
    if (auto wf = s.deps.runtime->WorkflowVersion(rec->workflow_version); wf.ok()) {
      int t = (*wf)->FindTask(w->task_id);
      if (t >= 0) {
        if (const bj::object* doc = TaskDoc(**wf, w->task_id)) groups = auth::GroupsOfDoc(*doc);
      }
    }
    bj::array g;
    for (const std::string& x : groups) g.emplace_back(x);
    bj::value item = bj::object{
        {"_id", w->id},
        {"job", bj::object{{"_id", w->job_id}, {"task", w->task_id}, {"name", rec->workflow_name}}},
        {"name", w->method},
        {"view", w->view},
        {"status", "running"},
        {"metrics", bj::object{{"owner", w->owner}, {"start_time", w->created_ms}}},
        {"groups", std::move(g)},
        {"mayAct", may_act},
        {"variables", bj::object{{"incoming", w->incoming}}}};
    MarkTaskLargeData(item, s.opts.large_data_bytes);  // large_data.h
    out.push_back(std::move(item));
  }
  int64_t n = static_cast<int64_t>(out.size());
  ReplyEnvelope(c, "Successfully retrieved items", std::move(out),
                ListMetadata(0, n, n, static_cast<size_t>(n)));
}

void GetJobWaiting(Api::State& s, Call& c) {
  const std::string& id = c.params[0];
  if (!CheckJobId(c, id)) return;
  auto rec = VisibleJob(s, c, id);
  if (!rec.ok()) return ReplyError(c, rec.status());
  auto wf = s.deps.runtime->WorkflowVersion(rec->workflow_version);
  if (!wf.ok()) return ReplyError(c, wf.status());
  auto state = engine::DecodeState(rec->state);
  if (!state.ok()) return ReplyError(c, state.status());
  const auto& defs = (*wf)->tasks();
  int64_t now = base::SystemClock::Get()->NowMs();
  bj::array reasons;
  if (rec->status == "paused") {
    // Who paused it and when (kept in the job's state while it is paused).
    std::string by = state->paused_by;
    std::string text = "the job is paused";
    if (!by.empty()) text += " by " + by;
    if (state->paused_ms > 0) text += " since " + base::IsoTime(state->paused_ms);
    if (by.empty() && rec->parent_json != "null" && !rec->parent_json.empty()) {
      text += " (with its parent job)";
    }
    bj::object r =
        Reason("paused", nullptr, text + ": no new task starts until someone resumes it");
    r["pausedBy"] = by.empty() ? bj::value() : bj::value(by);
    r["since"] = state->paused_ms > 0 ? bj::value(base::IsoTime(state->paused_ms)) : bj::value();
    reasons.push_back(std::move(r));
  }
  if (rec->status == "error") {
    bj::array failed;
    for (size_t i = 0; i < defs.size() && i < state->tasks.size(); ++i) {
      if (state->tasks[i].status == TaskStatus::kError) failed.emplace_back(defs[i].id);
    }
    bj::object r = Reason("error", nullptr,
                          "the job is in error: it waits for a retry of a failed task, a "
                          "continue or a cancel");
    r["tasks"] = std::move(failed);
    reasons.push_back(std::move(r));
  }
  if (rec->status == "running" || rec->status == "paused" || rec->status == "error") {
    for (size_t i = 0; i < defs.size() && i < state->tasks.size(); ++i) {
      TaskReasons(s, *rec, **wf, state->tasks[i], defs[i], now, &reasons);
    }
  }
  bj::object data{{"job", rec->id},
                  {"name", rec->workflow_name},
                  {"status", rec->status},
                  {"summary", Summary(*rec, reasons)},
                  {"reasons", std::move(reasons)}};
  ReplyEnvelope(c, "Successfully explained job " + id, std::move(data));
}

}  // namespace

std::span<const Route> JobWaitingRoutes() {
  static const Route kRoutes[] = {
      {"GET", "/operations-manager/jobs/:id/waiting", GetJobWaiting, true},
      {"GET", "/operations-manager/work-queue", ListWorkQueue, true},
  };
  return kRoutes;
}

}  // namespace opsflow::api
