#include "model/iteration_doc.h"
#include "model/list_page.h"
#include "runtime/runtime_impl.h"
#include "runtime/secrets.h"

namespace opsflow::runtime {

void Runtime::Impl::Recover(const model::JobRecord& rec) {
  auto wf = WorkflowVersion(rec.workflow_version);
  auto st = engine::DecodeState(rec.state);
  if (!wf.ok() || !st.ok()) {
    base::LogError("cannot resume job", "\"job\":\"" + rec.id + "\"");
    return;
  }
  auto j = std::make_unique<ActiveJob>();
  j->rec = rec;
  j->wf = *wf;
  j->state = std::move(st).value();
  // The stored column is what the store selects active jobs by: the job resumes in that status.
  if (!engine::ParseJobStatus(rec.status, &j->state.status)) {
    base::LogError("cannot resume job", "\"job\":\"" + rec.id + "\"");
    return;
  }
  std::string().swap(j->rec.status);  // state.status is the job's status from here on
  size_t n = j->wf->tasks().size();
  if (j->state.tasks.size() != n) return;
  j->variables = ParseObject(rec.variables_json);
  OpenSealed(&j->variables, "/variables", opts_.secret_box, rec.id);  // runtime/secrets.h
  j->errors = ParseArray(rec.errors_json);
  std::string().swap(j->rec.variables_json);
  std::string().swap(j->rec.errors_json);
  std::string().swap(j->rec.state);
  j->outputs.resize(n);
  j->sched_seq.assign(n, 0);
  j->resume_due.assign(n, 0);
  j->timer_pending.assign(n, false);
  j->current_iteration.assign(n, "");
  j->published_status = j->state.status;
  if (rec.parent_json != "null" && !rec.parent_json.empty()) {
    bj::object p = ParseObject(rec.parent_json);
    auto str = [&](const char* k) {
      const bj::value* v = p.if_contains(k);
      return v && v->is_string() ? std::string(v->get_string()) : std::string();
    };
    j->parent = std::make_unique<ActiveJob::ParentLink>();
    j->parent->job = str("job");
    j->parent->task = str("task");
    j->parent->iteration = str("iteration");
    if (const bj::value* e = p.if_contains("element"); e && e->is_int64() && e->get_int64() >= 0) {
      j->parent->element = static_cast<uint32_t>(e->get_int64());
    }
  }
  auto iters = store_->IterationsOfJob(rec.id);
  if (iters.ok()) {
    std::vector<int> best(n, -1);
    for (const auto& it : *iters) {
      int wt = it.status == "running" ? j->wf->FindTask(it.task_id) : -1;
      if (wt >= 0 && j->wf->tasks()[wt].method == "childJob" &&
          j->state.tasks[wt].status == TaskStatus::kRunning &&
          it.iteration + 1 == static_cast<int>(j->state.tasks[wt].runs)) {
        // A childJob waiting for its children keeps waiting: its children were created in
        // the same commit that recorded this iteration, and are found again, never restarted.
        ReconnectChildren(*j, wt, it);
      } else if (it.status == "running") {
        // A run the process did not finish is closed; the task runs again as a new iteration.
        current_->wb.canceled_iterations.emplace_back(it.id, clock_->NowMs());
      }
      int64_t seq = base::IterationUuidSeq(it.id);
      if (seq >= j->next_iteration) j->next_iteration = static_cast<uint32_t>(seq + 1);
      int t = j->wf->FindTask(it.task_id);
      if (t < 0 || it.status != "complete" || it.iteration < best[t]) continue;
      best[t] = it.iteration;
      j->outputs[t] = ParseObject(it.outgoing_json);
      OpenSealed(&j->outputs[t], "/variables/outgoing", opts_.secret_box, rec.id);
    }
  }
  for (size_t t = 0; t < n; ++t) {
    engine::TaskState& ts = j->state.tasks[t];
    if (ts.status != TaskStatus::kRunning) continue;
    // A forEach in its loop waits for its body, which resumes on its own.
    if (ts.finish == FinishState::kLoop) continue;
    if (j->waits.count(static_cast<int>(t))) continue;  // a childJob waiting for children
    // It was running when the process stopped: it runs again (at least once).
    j->resume_due[t] = ts.due_ms;
    ts.status = TaskStatus::kScheduled;
    ts.due_ms = 0;
  }
  Adopt(std::move(j));
}

ActiveJob& Runtime::Impl::Adopt(std::unique_ptr<ActiveJob> j) {
  ActiveJob& ref = *j;
  if (IsRoot(ref.rec)) running_by_user_[ref.rec.created_by]++;
  jobs_[ref.rec.id] = std::move(j);
  active_count_++;
  return ref;
}

void Runtime::Impl::Forget(const std::string& id) {
  auto it = jobs_.find(id);
  if (it == jobs_.end()) return;
  const model::JobRecord& rec = it->second->rec;
  if (IsRoot(rec)) {
    auto u = running_by_user_.find(rec.created_by);
    if (u != running_by_user_.end() && --u->second == 0) running_by_user_.erase(u);
    descendants_.erase(rec.id);
  }
  jobs_.erase(it);
  active_count_--;
}

// Creates a job (the API's start, a trigger, or a childJob parent) and runs workflow_start.
ActiveJob& Runtime::Impl::CreateJob(StartRequest& req) {
  auto j = std::make_unique<ActiveJob>();
  const model::Workflow& wf = *req.workflow;
  int64_t now = clock_->NowMs();
  j->wf = req.workflow;
  j->rec.id = base::NewObjectId();
  j->rec.workflow_name = wf.name();
  j->rec.workflow_version = wf.version();
  j->rec.description = req.description;
  j->rec.type = req.type;
  j->rec.created_by = req.user;
  j->rec.created_ms = j->rec.last_updated_ms = j->rec.start_ms = now;
  j->rec.groups_json = bj::serialize(req.groups);
  if (req.parent_json.empty()) {
    j->rec.ancestors_json = "[\"" + j->rec.id + "\"]";
  } else {
    j->rec.parent_json = req.parent_json;
    bj::array ancestors = ParseArray(req.parent_ancestors_json);
    ancestors.push_back(bj::value(j->rec.id));
    j->rec.ancestors_json = bj::serialize(ancestors);
  }
  j->variables = std::move(req.variables);
  j->variables["_id"] = j->rec.id;
  j->variables["initiator"] = req.user;
  j->state = engine::JobState::ForWorkflow(wf);
  size_t n = wf.tasks().size();
  j->outputs.resize(n);
  j->sched_seq.assign(n, 0);
  j->resume_due.assign(n, 0);
  j->timer_pending.assign(n, false);
  j->current_iteration.assign(n, "");
  j->is_new = true;
  engine::Decision d = engine::StartJob(wf, &j->state, now);  // running, or error
  ActiveJob& ref = Adopt(std::move(j));
  MarkDirty(ref);
  if (d.job_error) {
    AddError(ref, d.error_task, d.error_message);
  } else {
    // workflow_start completes at once (SPEC §1: the reply shows it complete).
    Dispatch(ref, wf.start());
  }
  return ref;
}

void Runtime::Impl::Handle(StartCmd& c) {
  if (!job_worker_active_ && c.req.parent_json.empty()) {
    base::Status st = base::Unavailable(
        "the job worker of this process is deactivated; no new job starts here until "
        "POST /workflow_engine/jobWorker/activate");
    workers_->Submit([done = std::move(c.done), st] { done(st); });
    return;
  }
  if (opts_.cluster && token_.load() == 0) {
    base::Status st = base::Unavailable(
        "this process lost its cluster lease and is joining again; try again in a moment");
    workers_->Submit([done = std::move(c.done), st] { done(st); });
    return;
  }
  size_t max = c.req.max_running_jobs;
  if (max > 0 && c.req.parent_json.empty()) {
    auto u = running_by_user_.find(c.req.user);
    // On a cluster the user's jobs on the other processes count too (read each second).
    const size_t held = (u == running_by_user_.end() ? 0 : u->second) +
                        (opts_.cluster ? static_cast<size_t>(OthersRunning(c.req.user)) : 0);
    if (held >= max) {
      base::Status st =
          base::ResourceExhausted("'" + c.req.user + "' already has " + std::to_string(held) +
                                  " running or paused jobs; a user may have at most " +
                                  std::to_string(max) + " (--max-running-jobs-per-user)");
      workers_->Submit([done = std::move(c.done), st] { done(st); });
      return;
    }
  }
  for (store::DocPut& p : c.req.also_commit) current_->wb.doc_puts.push_back(std::move(p));
  ActiveJob& ref = CreateJob(c.req);
  // The reply shows the job as it was created (running, workflow_start complete) and is sent
  // once the batch that inserts the job is durable.
  current_->replies.emplace_back(std::move(c.done), SnapshotOf(ref));
}

base::Result<bj::object> Runtime::Impl::BuildDoc(const model::JobRecord& rec,
                                                 bool with_iterations) {
  auto wf = WorkflowVersion(rec.workflow_version);
  if (!wf.ok()) return wf.status();
  auto st = engine::DecodeState(rec.state);
  if (!st.ok()) return st.status();
  std::map<std::string, std::vector<std::string>> ids;
  if (with_iterations) {
    auto iters = store_->IterationsOfJob(rec.id);
    if (!iters.ok()) return iters.status();
    for (const auto& it : *iters) ids[it.task_id].push_back(it.id);
  }
  bj::object vars = ParseObject(rec.variables_json);
  MaskStoredVariables(&vars, **wf);  // runtime/secrets.h
  bj::array errors = ParseArray(rec.errors_json);
  return engine::BuildJobDocument({rec, **wf, *st, vars, errors, with_iterations ? &ids : nullptr});
}

// getJobs / getTasks: the same list query as the API, run against the store on a worker.
// incoming `queryParameters` {"equals":{"name":"x"}, "limit":10, ...} (an object, or its JSON
// text); outgoing `jobs` / `tasks` (the documents) and `total`.
tasks::TaskResult Runtime::Impl::RunQueryTask(const std::string& method, const bj::object& incoming,
                                              std::optional<std::vector<std::string>> visible) {
  bj::object qp;
  if (const bj::value* v = incoming.if_contains("queryParameters")) {
    if (v->is_object()) {
      qp = v->get_object();
    } else if (v->is_string() && !v->get_string().empty()) {
      auto parsed = json::Parse(v->get_string(), {.max_depth = 32, .max_bytes = 1 << 20});
      if (!parsed.ok() || !parsed->is_object()) {
        return tasks::Error(method + ": queryParameters must be an object (or its JSON text)");
      }
      qp = parsed->get_object();
    } else if (!v->is_null() && !(v->is_string() && v->get_string().empty())) {
      return tasks::Error(method + ": queryParameters must be an object");
    }
  }
  auto q = model::ParseListQuery(model::ParamsFromObject(qp), model::ListQueryOptions{});
  if (!q.ok()) return tasks::Error(method + ": " + q.status().message());
  q->visible_groups = std::move(visible);
  std::vector<model::Expr> rest;
  std::vector<bj::value> docs;
  int64_t total = 0;
  if (method == "getJobs") {
    if (q->sort.empty()) {
      q->sort = "metrics.start_time";
      q->order = -1;
    }
    auto page = store_->ListJobs(*q, &rest);
    if (!page.ok()) return tasks::Error(method + ": " + page.status().message());
    total = page->total;
    for (const auto& rec : page->items) {
      auto doc = BuildDoc(rec, false);
      if (doc.ok()) docs.emplace_back(std::move(doc).value());
    }
  } else {
    auto page = store_->ListIterations(*q, &rest);
    if (!page.ok()) return tasks::Error(method + ": " + page.status().message());
    total = page->total;
    for (const auto& rec : page->items) docs.emplace_back(model::IterationDocument(rec));
  }
  if (!rest.empty()) docs = model::FilterSortPage(*q, std::move(docs), rest, &total);
  bj::array list;
  for (auto& d : docs) list.push_back(std::move(d));
  return tasks::Success(
      {{method == "getJobs" ? "jobs" : "tasks", std::move(list)}, {"total", total}});
}

// A job that is not in memory (finished, or in error) is read from the store; an `error` job is
// brought back into memory so it can be retried or canceled.
ActiveJob* Runtime::Impl::LoadForControl(const std::string& id, base::Status* st) {
  if (auto it = jobs_.find(id); it != jobs_.end()) return it->second.get();
  auto rec = store_->GetJob(id);
  if (!rec.ok()) {
    *st = rec.status();
    return nullptr;
  }
  if (opts_.cluster) {
    // Running or paused but not here: another process drives it. At rest: taken here.
    if (base::Status mine = ClaimForControl(*rec); !mine.ok()) {
      *st = std::move(mine);
      return nullptr;
    }
  }
  if (base::Status at_rest = engine::CheckControlAtRest(id, rec->status); !at_rest.ok()) {
    *st = std::move(at_rest);
    return nullptr;
  }
  Recover(*rec);
  auto it = jobs_.find(id);
  if (it == jobs_.end()) {
    *st = base::Internal("job " + id + " could not be loaded");
    return nullptr;
  }
  return it->second.get();
}

void Runtime::Impl::Handle(ControlCmd& c) {
  base::Status st;
  bool was_loaded = jobs_.count(c.job_id) > 0;
  if (!was_loaded && opts_.cluster && !c.forwarded) {
    // Running or paused but not here: another process drives it, and the request goes there
    // (runtime_cluster.cc).
    auto rec = store_->GetJob(c.job_id);
    if (rec.ok() && (rec->status == "running" || rec->status == "paused")) {
      ForwardControl(c);
      return;
    }
  }
  ActiveJob* j = LoadForControl(c.job_id, &st);
  if (j) st = ApplyControl(*j, c);
  if (!st.ok()) {
    // An `error` job loaded only for this request goes back to the store.
    if (j && !was_loaded && !j->dirty) Forget(j->rec.id);
    workers_->Submit([done = std::move(c.done), st] { done(st); });
    return;
  }
  // Tasks start again (resume, retry) only once the change is durable: the commit pumps the job.
  current_->acks.push_back(std::move(c.done));
}

// The job control table (engine/job_control.h, docs/ENGINE.md) decides; this applies the
// decision. A refused request changes nothing.
base::Status Runtime::Impl::ApplyControl(ActiveJob& j, ControlCmd& c) {
  auto d = engine::DecideControl(*j.wf, j.state, {c.action, j.rec.id, c.task_id, c.to_task});
  if (!d.ok()) return d.status();
  int64_t now = clock_->NowMs();
  engine::Decision started;
  switch (d->effect) {
    case engine::ControlEffect::kNone:
      break;
    case engine::ControlEffect::kCancelTasks:
      j.rec.end_ms = now;
      for (size_t t = 0; t < j.state.tasks.size(); ++t) {
        engine::TaskState& ts = j.state.tasks[t];
        if (ts.status != TaskStatus::kRunning && ts.status != TaskStatus::kScheduled) continue;
        if (ts.status == TaskStatus::kRunning && !j.current_iteration[t].empty()) {
          current_->wb.canceled_iterations.emplace_back(j.current_iteration[t], now);
        }
        ts.status = TaskStatus::kCanceled;
        ts.end_ms = now;
      }
      adapters_.RemoveJob(j.rec.id);
      manual_.RemoveJob(j.rec.id);
      break;
    case engine::ControlEffect::kRetryTask: {
      if (c.variables) {
        for (auto& kv : *c.variables) j.variables[kv.key()] = kv.value();
        j.vars_dirty = true;
      }
      engine::TaskState& ts = j.state.tasks[d->task];
      ts.status = TaskStatus::kScheduled;
      ts.finish = FinishState::kNone;
      ts.retries = 0;
      ts.due_ms = 0;
      started.start.push_back(d->task);
      break;
    }
    case engine::ControlEffect::kContinueFrom:
      engine::ContinueFrom(&j.state, d->task, now, &started);
      break;
    case engine::ControlEffect::kRevert:
      engine::RevertTo(*j.wf, &j.state, d->task, d->to_task, now, &started);  // checked: leads
      break;
  }
  for (int t : started.start) j.sched_seq[t] = next_seq_;
  j.state.status = d->to;
  // Who paused the job and when: kept in its state while it stays paused (the waiting route).
  if (d->to == engine::JobStatus::kPaused) {
    if (c.action == engine::ControlAction::kPause) {
      j.state.paused_ms = now;
      j.state.paused_by = c.user;
    }
  } else {
    j.state.paused_ms = 0;
    j.state.paused_by.clear();
  }
  j.rec.last_updated_ms = now;
  MarkDirty(j);
  // SPEC §5: cancel and pause reach the job's children (and theirs); resume too.
  if (d->reaches_children) PropagateControl(j, c.action);
  return base::Status::Ok();
}

void Runtime::Impl::Handle(WorkersCmd&) {
  for (auto& [id, j] : jobs_) Pump(*j);
}

void Runtime::Impl::Handle(GroupsCmd& c) {
  // A job that is not in memory reads its groups from the store when it is loaded.
  if (auto it = jobs_.find(c.job_id); it != jobs_.end()) {
    adapters_.SetJobGroups(c.job_id, GroupIds(c.groups_json));
    it->second->rec.groups_json = std::move(c.groups_json);
  }
}

}  // namespace opsflow::runtime
