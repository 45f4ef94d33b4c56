#include "base/metrics.h"
#include "json/size.h"
#include "model/iteration_doc.h"
#include "runtime/runtime_impl.h"
#include "runtime/secrets.h"

namespace opsflow::runtime {

void Runtime::Impl::Pump(ActiveJob& j) {
  if (j.state.status != JobStatus::kRunning) return;
  if (!task_worker_active_) return;  // scheduled tasks wait for Handle(WorkersCmd)
  int64_t now = clock_->NowMs();
  for (size_t t = 0; t < j.state.tasks.size(); ++t) {
    const engine::TaskState& ts = j.state.tasks[t];
    if (ts.status != TaskStatus::kScheduled) continue;
    // Work with effects outside the job waits until the state that scheduled it is durable;
    // pure built-ins run at once (their results commit with the batch that records them).
    if (j.sched_seq[t] > committed_seq_ && !RunsEagerly(j, static_cast<int>(t))) continue;
    if (ts.due_ms > now) {
      if (!j.timer_pending[t]) {
        j.timer_pending[t] = true;
        timers_.push(Timer{ts.due_ms, j.rec.id, static_cast<int>(t), ts.runs, nullptr});
      }
      continue;
    }
    Dispatch(j, static_cast<int>(t));
    if (j.state.status != JobStatus::kRunning) return;
  }
}

bool Runtime::Impl::RunsEagerly(const ActiveJob& j, int t) {
  const model::TaskDef& def = j.wf->tasks()[t];
  tasks::TaskKind kind = tasks::ClassifyTask(def);
  if (kind == tasks::TaskKind::kBoundary) return true;
  if (stubs_.Find(j.rec.workflow_name, def.id)) return true;
  if (tasks::AtAdapter(def) && stubs_.AdapterDefault(j.rec.workflow_name)) return true;
  switch (kind) {
    case tasks::TaskKind::kChildJob:
    case tasks::TaskKind::kExternal:
      return false;
    case tasks::TaskKind::kAdapter:
    case tasks::TaskKind::kManual:
      // Adapter and manual tasks record their running iteration at once; the work itself is
      // offered to workers and people only when that batch is durable (Batch::adapter_work,
      // manual_work).
      return true;
    case tasks::TaskKind::kUnknown:
    case tasks::TaskKind::kBoundary:
    case tasks::TaskKind::kPure:
    case tasks::TaskKind::kForEach:
    case tasks::TaskKind::kJobQuery:
    case tasks::TaskKind::kNotBuiltIn:
      break;
  }
  return true;
}

// forEach: each run hands out the next element of `data_array` as `current_item` and ends in
// the `loop` state (the engine then runs the body); past the last element it succeeds. The
// array is read from the resolved incoming value at each element.
void Runtime::Impl::RunForEach(const ActiveJob& j, int t, TaskDone& d) {
  const bj::value* arr = d.incoming.if_contains("data_array");
  if (!arr || !arr->is_array()) {
    d.result = tasks::Error("forEach: incoming data_array must be an array");
    return;
  }
  uint32_t index = j.state.tasks[t].loop_index;
  if (index < arr->get_array().size()) {
    d.result.outgoing = {{"current_item", arr->get_array()[index]}};
    d.finish = FinishState::kLoop;
  } else {
    d.result.outgoing = {};
    d.finish = FinishState::kSuccess;
  }
}

// Records the running iteration of a task that will wait outside the runtime, and describes it.
WaitingWork Runtime::Impl::RecordWaiting(ActiveJob& j, const TaskDone& d, bj::object incoming) {
  const model::TaskDef& def = j.wf->tasks()[d.task];
  current_->wb.iterations.push_back(RunningIteration(j, d));
  MarkDirty(j);
  return WaitingWork{d.iteration_id,      j.rec.id,  def.id, d.task, d.run, def.method,
                     std::move(incoming), d.start_ms};
}

// An adapter task waits for an external worker (SPEC §7). Its running iteration is recorded,
// and a timer ends it in error if no worker finishes it in time.
void Runtime::Impl::QueueForAdapter(ActiveJob& j, int t, std::shared_ptr<TaskDone> d) {
  const model::TaskDef& def = j.wf->tasks()[t];
  AdapterWork w;
  static_cast<WaitingWork&>(w) = RecordWaiting(j, *d, d->incoming);
  w.app = def.app;
  w.groups = GroupIds(j.rec.groups_json);
  if (const bj::value* a = d->incoming.if_contains("adapter_id"); a && a->is_string()) {
    w.adapter_id = std::string(a->get_string());
  }
  pending_adapter_work_.insert(w.id);
  current_->adapter_work.push_back(std::move(w));  // handed out once its iteration is durable
  auto timeout = std::make_shared<TaskDone>(*d);
  timeout->adapter_timeout = true;
  timeout->result =
      tasks::Error("No adapter worker finished " + def.app + "." + def.method + " within " +
                   std::to_string(opts_.adapter_task_timeout_ms) + " ms");
  timers_.push(
      Timer{d->start_ms + opts_.adapter_task_timeout_ms, j.rec.id, t, d->run, std::move(timeout)});
}

// A manual task waits for a person: its running iteration (with the resolved incoming values
// the person's view shows) is recorded, and it costs one entry in `manual_`.
void Runtime::Impl::QueueForPerson(ActiveJob& j, int t, std::shared_ptr<TaskDone> d) {
  ManualWork w;
  // A person sees secrets masked.
  static_cast<WaitingWork&>(w) = RecordWaiting(j, *d, MaskValues(d->incoming, *j.wf, j.variables));
  w.view = j.wf->tasks()[t].view;
  if (cluster() != nullptr) {  // the other processes read it from the store (WaitingManualTask)
    current_->wb.doc_puts.push_back({kManualWorkKind, w.id, bj::serialize(ManualWorkJson(w))});
  }
  current_->manual_work.push_back(std::move(w));  // shown once its iteration is durable
}

void Runtime::Impl::Finished(const ManualWork& w, ManualFinish f) {
  if (cluster() != nullptr && docs_ != nullptr) {
    if (base::Status st = docs_->Delete(kManualWorkKind, w.id); !st.ok()) {
      base::LogError("cannot remove a finished manual task from the store", ErrorField(st));
    }
  }
  TaskDone d = DoneOf(w);
  bj::object out = std::move(f.variables);
  // ErrorHandling answers in `response` (success, failure, retry, error).
  if (w.method == "ErrorHandling" && !out.contains("response")) out["response"] = f.finish_state;
  d.result =
      f.finish_state == "failure" ? tasks::Failure(std::move(out)) : tasks::Success(std::move(out));
  Post(std::move(d));
}

void Runtime::Impl::Delivered(const AdapterWork& w, AdapterReport r) {
  TaskDone d = DoneOf(w);
  switch (r.outcome) {
    case AdapterOutcome::kComplete:
      d.result = tasks::Success(std::move(r.outgoing));
      break;
    case AdapterOutcome::kFail:
      d.result = tasks::Failure(std::move(r.outgoing));
      break;
    case AdapterOutcome::kError:
      d.result = tasks::Error(r.message.empty() ? "the adapter reported an error" : r.message);
      d.result.outgoing = std::move(r.outgoing);
      break;
  }
  Post(std::move(d));
}

void Runtime::Impl::Dispatch(ActiveJob& j, int t) {
  const model::TaskDef& def = j.wf->tasks()[t];
  int64_t now = clock_->NowMs();
  engine::MarkRunning(&j.state, t, now);
  auto d = std::make_shared<TaskDone>();
  d->job_id = j.rec.id;
  d->task = t;
  d->run = j.state.tasks[t].runs;
  d->iteration_id = base::IterationUuid(j.rec.id, j.next_iteration++);
  j.current_iteration[t] = d->iteration_id;
  d->start_ms = now;
  tasks::TaskKind kind = tasks::ClassifyTask(def);
  if (kind == tasks::TaskKind::kBoundary) {
    Apply(j, *d);
    return;
  }
  const std::vector<bj::object>& outs = j.outputs;
  const model::Workflow& wf = *j.wf;
  engine::VarScope scope{j.variables, [&](std::string_view id) -> const bj::object* {
                           int k = wf.FindTask(id);
                           return k < 0 ? nullptr : &outs[k];
                         }};
  d->incoming = engine::ResolveIncoming(def, scope);
  std::optional<Stub> stub = stubs_.Find(j.rec.workflow_name, def.id);
  if (!stub && tasks::AtAdapter(def)) stub = stubs_.AdapterDefault(j.rec.workflow_name);
  if (stub) {
    // A stub answers for the task; the result goes through the inbox (no recursion).
    d->result.finish = stub->finish == FinishState::kFailure ? tasks::Finish::kFailure
                       : stub->finish == FinishState::kError ? tasks::Finish::kError
                                                             : tasks::Finish::kSuccess;
    d->result.outgoing = std::move(stub->outgoing);
    if (d->result.finish == tasks::Finish::kError) d->result.error = "stubbed error";
    d->stubbed = true;
    Post(std::move(*d));
    return;
  }
  switch (kind) {
    case tasks::TaskKind::kForEach:
      RunForEach(j, t, *d);
      Post(std::move(*d));
      return;
    case tasks::TaskKind::kManual:
      QueueForPerson(j, t, d);
      return;
    case tasks::TaskKind::kChildJob:
      StartChildren(j, t, d);
      return;
    case tasks::TaskKind::kAdapter:
      QueueForAdapter(j, t, d);
      return;
    case tasks::TaskKind::kJobQuery:
      workers_->Submit([this, d, method = def.method, user = j.rec.created_by,
                        groups = j.rec.groups_json]() mutable {
        std::optional<std::vector<std::string>> visible;
        if (opts_.task_visibility) visible = opts_.task_visibility(user, groups);
        d->result = RunQueryTask(method, d->incoming, std::move(visible));
        Post(std::move(*d));
      });
      return;
    case tasks::TaskKind::kPure:
    case tasks::TaskKind::kExternal: {
      const tasks::TaskDescriptor* desc = tasks::FindBuiltin(def.method);
      bj::object vars = desc->reads_job_variables ? j.variables : bj::object();
      std::string tr_id;
      if (desc->reads_transformation) {
        if (const bj::value* v = d->incoming.if_contains("tr_id"); v && v->is_string()) {
          tr_id = std::string(v->get_string());
        }
      }
      workers_->Submit([this, d, desc, vars = std::move(vars), now, tr_id, user = j.rec.created_by,
                        groups = j.rec.groups_json]() mutable {
        tasks::TaskContext ctx{d->incoming, vars, now};
        bj::object jst;
        if (!tr_id.empty() && docs_) {
          if (auto text = docs_->Get("transformation", tr_id); text.ok()) {
            auto parsed = json::Parse(*text, {.max_depth = 256, .max_bytes = size_t(1) << 30});
            if (parsed.ok() && parsed->is_object() &&
                (!opts_.jst_visible || opts_.jst_visible(user, groups, parsed->as_object()))) {
              jst = std::move(parsed->as_object());
              ctx.transformation = &jst;
            }
          }
        }
        d->result = desc->run(ctx);
        Post(std::move(*d));
      });
      return;
    }
    case tasks::TaskKind::kUnknown:
    case tasks::TaskKind::kBoundary:
    case tasks::TaskKind::kNotBuiltIn:
      break;
  }
  d->result = tasks::Error("Unknown task method '" + def.method + "' (app " + def.app + ")");
  Post(std::move(*d));
}

void Runtime::Impl::Handle(TaskDone& d) {
  auto it = jobs_.find(d.job_id);
  if (it == jobs_.end()) return;
  ActiveJob& j = *it->second;
  const engine::TaskState& ts = j.state.tasks[d.task];
  if (ts.status != TaskStatus::kRunning || ts.runs != d.run) return;  // stale
  if (d.result.delay_ms > 0) {
    int64_t due = j.resume_due[d.task] > 0 ? j.resume_due[d.task] : d.start_ms + d.result.delay_ms;
    j.resume_due[d.task] = 0;
    j.state.tasks[d.task].due_ms = due;
    d.result.delay_ms = 0;
    MarkDirty(j);  // the wake-up time is durable, so a restart keeps waiting, not restarting
    current_->wb.iterations.push_back(RunningIteration(j, d));
    timers_.push(Timer{due, j.rec.id, d.task, d.run, std::make_shared<TaskDone>(std::move(d))});
    return;
  }
  Apply(j, d);
}

// The record of a task still running (a delay, later an adapter call or a person), so lists of
// running tasks show it; the final record replaces it (same id).
model::IterationRecord Runtime::Impl::RunningIteration(const ActiveJob& j, const TaskDone& d) {
  const model::TaskDef& def = j.wf->tasks()[d.task];
  model::IterationRecord it;
  it.id = d.iteration_id;
  it.job_id = j.rec.id;
  it.task_id = def.id;
  it.iteration = static_cast<int>(d.run) - 1;
  it.method = def.method;
  it.status = "running";
  it.start_ms = d.start_ms;
  it.incoming_json = bj::serialize(d.incoming);
  return it;
}

void Runtime::Impl::FireTimers() {
  int64_t now = clock_->NowMs();
  while (!timers_.empty() && timers_.top().due_ms <= now) {
    Timer t = timers_.top();
    timers_.pop();
    auto it = jobs_.find(t.job_id);
    if (it == jobs_.end()) continue;
    ActiveJob& j = *it->second;
    if (t.result) {
      const engine::TaskState& ts = j.state.tasks[t.task];
      if (ts.status != TaskStatus::kRunning || ts.runs != t.run) continue;
      if (t.result->adapter_timeout && pending_adapter_work_.count(t.result->iteration_id)) {
        // Not offered to workers yet (its batch is still being written): look again shortly.
        t.due_ms = now + 10;
        timers_.push(std::move(t));
        continue;
      }
      // A worker's report may already be on its way: only a task still waiting times out.
      if (t.result->adapter_timeout && !adapters_.Remove(t.result->iteration_id)) continue;
      if (t.result->adapter_timeout) base::metrics::Get().adapter_tasks_expired.Inc();
      Apply(j, *t.result);
    } else {
      j.timer_pending[t.task] = false;
      Pump(j);
    }
  }
}

void Runtime::Impl::AddError(ActiveJob& j, const std::string& task, const std::string& message) {
  j.errors.push_back(
      bj::object{{"task", task}, {"message", message}, {"timestamp", clock_->NowMs()}});
  j.errors_dirty = true;
}

void Runtime::Impl::Apply(ActiveJob& j, TaskDone& d) {
  const model::TaskDef& def = j.wf->tasks()[d.task];
  int64_t now = clock_->NowMs();
  tasks::TaskResult& r = d.result;
  if (r.job_description) {
    j.rec.description = *r.job_description;
    j.desc_dirty = true;
  }
  FinishState finish = d.finish ? *d.finish : ToFinish(r.finish);
  std::string outgoing_json = bj::serialize(r.outgoing);
  if (finish != FinishState::kError && outgoing_json.size() > opts_.max_value_bytes) {
    r = tasks::Error("task " + def.id + " produced " + std::to_string(outgoing_json.size()) +
                     " bytes of output; a task may produce at most " +
                     std::to_string(opts_.max_value_bytes) + " (--max-value-bytes)");
    finish = FinishState::kError;
    outgoing_json = "{}";
  }
  // A task that could not do its work (error) leaves the job's variables as they were. A stub's
  // canned result feeds `$var.<task>.<out>` references but, as in the IAP fixtures recorded
  // from the real platform, does not write job variables.
  bj::object updates;
  for (auto& [name, value] : r.set_job_variables) updates[name] = std::move(value);
  if (!def.outgoing.empty() && finish != FinishState::kError && !d.stubbed) {
    engine::ApplyOutgoing(def, r.outgoing, &updates);
  }
  if (!updates.empty()) {
    if (base::Status st = UpdateVariables(j, std::move(updates)); !st.ok()) {
      r = tasks::Error("task " + def.id + ": " + st.message());
      finish = FinishState::kError;
      outgoing_json = "{}";
    }
  }
  model::IterationRecord it = RunningIteration(j, d);
  it.status = finish == FinishState::kError ? "error" : "complete";
  it.finish_state = model::FinishStateName(finish);
  it.end_ms = now;
  it.outgoing_json = std::move(outgoing_json);
  it.error = r.error;
  current_->wb.iterations.push_back(std::move(it));
  j.outputs[d.task] = std::move(r.outgoing);
  if (finish == FinishState::kError) {
    AddError(j, def.id, r.error.empty() ? "Task " + def.id + " ended in error" : r.error);
  }
  engine::Decision dec =
      engine::TaskFinished(*j.wf, &j.state, d.task, finish, now, opts_.engine, r.error);
  for (int s : dec.start) j.sched_seq[s] = next_seq_;
  if (dec.error_handler_started) {
    j.variables["error"] = j.errors;  // the handler reads $var.job.error
    j.vars_dirty = true;
  }
  if (dec.job_error) {
    bool duplicate = dec.error_task == def.id && finish == FinishState::kError;
    if (!duplicate && !dec.error_message.empty()) AddError(j, dec.error_task, dec.error_message);
  }
  if (dec.job_complete) j.rec.end_ms = now;  // the engine set the job's status
  j.rec.progress = j.state.Progress();
  j.rec.last_updated_ms = now;
  MarkDirty(j);
  if (!dec.start.empty()) Pump(j);
}

// Writes `updates` (top-level job variables) unless the variables would then pass
// RuntimeOptions::max_variables_bytes: ResourceExhausted naming the limit, the variables as they
// were. The check walks the variables at most up to the limit (json::TextSize).
base::Status Runtime::Impl::UpdateVariables(ActiveJob& j, bj::object updates) {
  std::vector<std::string> added;  // keys that did not exist before
  for (auto& kv : updates) {
    bj::value* old = j.variables.if_contains(kv.key());
    if (!old) {
      added.emplace_back(kv.key());
      old = &j.variables[kv.key()];
    }
    std::swap(*old, kv.value());  // `updates` now holds the previous values
  }
  size_t size = json::TextSize(j.variables, opts_.max_variables_bytes);
  if (size > opts_.max_variables_bytes) {
    for (auto& kv : updates) std::swap(j.variables[kv.key()], kv.value());
    for (const std::string& k : added) j.variables.erase(k);
    return base::ResourceExhausted("the job's variables would hold more than " +
                                   std::to_string(opts_.max_variables_bytes) +
                                   " bytes; a job may hold at most that (--max-variables-bytes)");
  }
  j.vars_dirty = true;
  return base::Status::Ok();
}

}  // namespace opsflow::runtime
