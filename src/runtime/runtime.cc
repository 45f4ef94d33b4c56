#include "runtime/runtime_impl.h"
#include "runtime/secrets.h"

namespace opsflow::runtime {

bj::object JobSnapshot::ToDocument() const {
  auto st = engine::DecodeState(state);
  engine::JobState js = st.ok() ? std::move(st).value() : engine::JobState::ForWorkflow(*workflow);
  return engine::BuildJobDocument({record, *workflow, js, variables, errors, nullptr});
}

// Recovers the jobs the store holds as running or paused, then starts the writer and the runtime
// thread (which owns every active job from then on).
base::Status Runtime::Impl::Start() {
  if (docs_) OPSFLOW_RETURN_IF_ERROR(stubs_.Load());
  if (opts_.cluster) {
    OPSFLOW_RETURN_IF_ERROR(StartCluster());  // only the orphaned job trees (runtime_cluster.cc)
  } else {
    auto active = store_->LoadActiveJobs();
    if (!active.ok()) return active.status();
    for (const model::JobRecord& rec : *active) {
      if (rec.status == "running" || rec.status == "paused") Recover(rec);
    }
  }
  workers_ = std::make_unique<WorkerPool>(opts_.task_workers);
  writer_thread_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "of-writer");
    WriterLoop();
  });
  loop_thread_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "of-runtime");
    Loop();
  });
  if (opts_.cluster) {
    cluster_thread_ = std::thread([this] {
      pthread_setname_np(pthread_self(), "of-lease");
      ClusterLoop();
    });
  }
  if (!jobs_.empty()) {
    base::LogInfo("resumed unfinished jobs", "\"count\":" + std::to_string(jobs_.size()));
  }
  return base::Status::Ok();
}

void Runtime::Impl::Stop() {
  {
    base::MutexLock l(&mu_);
    if (stop_) return;
    stop_ = true;
  }
  cv_.NotifyAll();
  StopCluster();  // no more claims; the lease is given up below, once everything is written
  if (workers_) workers_->Stop();
  if (loop_thread_.joinable()) loop_thread_.join();
  {
    base::MutexLock l(&wmu_);
    wstop_ = true;
  }
  wcv_.NotifyAll();
  if (writer_thread_.joinable()) writer_thread_.join();
  if (opts_.cluster && token_.load() != 0) {
    // A clean stop hands the jobs back at once instead of after the lease's TTL.
    if (base::Status st = opts_.cluster->Leave(token_.load()); !st.ok()) {
      base::LogError(
          "could not leave the cluster; others take this process's jobs when its "
          "lease expires",
          "\"error\":\"" + base::JsonEscape(st.message()) + "\"");
    }
  }
  base::LogInfo("runtime stopped",
                "\"commits\":" + std::to_string(commits_.load()) +
                    ",\"rows\":" + std::to_string(commit_rows_.load()) +
                    ",\"commit_ms\":" + std::to_string(commit_us_.load() / 1000));
}

bool Runtime::Impl::WaitIdle(int64_t timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (active_count_.load() > 0) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return true;
}

base::Result<std::shared_ptr<const model::Workflow>> Runtime::Impl::WorkflowVersion(
    const std::string& v) {
  {
    base::MutexLock l(&cache_mu_);
    if (auto it = wf_cache_.find(v); it != wf_cache_.end()) return it->second;
  }
  auto text = store_->GetWorkflowVersion(v);
  if (!text.ok()) return text.status();
  auto doc = json::Parse(*text, {.max_depth = 256, .max_bytes = size_t(1) << 30});
  if (!doc.ok() || !doc->is_object()) return base::Internal("corrupt workflow snapshot " + v);
  auto wf = model::Workflow::FromJson(std::move(doc->as_object()));
  if (!wf.ok()) return wf.status();
  base::MutexLock l(&cache_mu_);
  wf_cache_[v] = *wf;
  return *wf;
}

void Runtime::Impl::Loop() {
  RunReconciles();
  for (auto& [id, j] : jobs_) Pump(*j);
  MaybeHandOff();
  std::vector<Command> local;
  while (true) {
    {
      base::MutexLock l(&mu_);
      auto ready = [&] {
        mu_.AssertHeld();  // the wait calls it with mu_ held
        return stop_ || !inbox_.empty();
      };
      if (timers_.empty()) {
        cv_.Wait(&l, ready);
      } else {
        int64_t wait = timers_.top().due_ms - clock_->NowMs();
        if (wait > 0)
          cv_.WaitFor(&l, std::chrono::milliseconds(std::min<int64_t>(wait, 1000)), ready);
      }
      if (stop_) break;
      local.swap(inbox_);
    }
    for (Command& c : local) {
      std::visit([this](auto& cmd) { Handle(cmd); }, c);
    }
    local.clear();
    if (!reconciles_.empty()) RunReconciles();
    FireTimers();
    MaybeHandOff();
  }
  // Flush what is decided but not yet written, so a clean stop loses nothing decided.
  while (writer_busy_ || !current_->touched.empty() || !current_->wb.empty()) {
    MaybeHandOff();
    base::MutexLock l(&mu_);
    cv_.WaitFor(&l, std::chrono::milliseconds(5));
    for (Command& c : inbox_) {
      if (auto* cm = std::get_if<Committed>(&c)) {
        writer_busy_ = false;
        committed_seq_ = cm->batch->seq;
        for (auto& [cb, snap] : cm->batch->replies) cb(std::move(snap));
        for (auto& ack : cm->batch->acks) ack(base::Status::Ok());
      } else if (auto* fenced = std::get_if<Fenced>(&c)) {
        writer_busy_ = false;
        const base::Status lost = base::Unavailable("this process lost its lease; try again");
        for (auto& [cb, snap] : fenced->batch->replies) cb(lost);
        for (auto& ack : fenced->batch->acks) ack(lost);
        current_ = std::make_unique<Batch>();  // written under the lost lease: refused too
      } else if (auto* cc = std::get_if<ControlCmd>(&c)) {
        cc->done(base::Unavailable("server is shutting down"));
      } else if (auto* sc = std::get_if<StartCmd>(&c)) {
        sc->done(base::Unavailable("server is shutting down"));
      }
    }
    inbox_.clear();
  }
  base::MutexLock l(&mu_);
  for (Command& c : inbox_) {
    if (auto* sc = std::get_if<StartCmd>(&c))
      sc->done(base::Unavailable("server is shutting down"));
    if (auto* cc = std::get_if<ControlCmd>(&c))
      cc->done(base::Unavailable("server is shutting down"));
  }
  inbox_.clear();
}

void Runtime::Impl::WriterLoop() {
  while (true) {
    std::unique_ptr<Batch> b;
    {
      base::MutexLock l(&wmu_);
      while (!wstop_ && !to_write_) wcv_.Wait(&l);
      if (!to_write_ && wstop_) return;
      b = std::move(to_write_);
    }
    while (true) {
      auto t0 = std::chrono::steady_clock::now();
      base::Status st = store_->Commit(b->wb);
      auto us = std::chrono::duration_cast<std::chrono::microseconds>(
                    std::chrono::steady_clock::now() - t0)
                    .count();
      commits_++;
      commit_rows_ += b->wb.size();
      commit_us_ += us;
      if (st.ok()) break;
      if (st.code() == base::Code::kAborted && b->wb.fence != 0) {
        // The fence refused it: this process's lease was taken over (runtime_cluster.cc).
        base::LogError("group commit refused: the lease was lost", ErrorField(st));
        Post(Fenced{std::move(b)});
        b = nullptr;
        break;
      }
      base::LogError("group commit failed; retrying", ErrorField(st));
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    if (b) Post(Committed{std::move(b)});
  }
}

void Runtime::Impl::MarkDirty(ActiveJob& j) {
  if (j.touched_seq != next_seq_) {
    j.touched_seq = next_seq_;
    current_->touched.push_back(j.rec.id);
  }
  j.dirty = true;
}

store::JobUpdate Runtime::Impl::UpdateOf(ActiveJob& j) {
  store::JobUpdate u;
  u.id = j.rec.id;
  u.status = StatusText(j);
  u.state = engine::EncodeState(j.state);
  u.progress = j.rec.progress;
  u.last_updated_ms = j.rec.last_updated_ms;
  u.end_ms = j.rec.end_ms;
  if (j.vars_dirty) u.variables_json = bj::serialize(j.variables);
  if (j.errors_dirty) u.errors_json = bj::serialize(j.errors);
  if (j.desc_dirty) u.description = j.rec.description;
  j.vars_dirty = j.errors_dirty = j.desc_dirty = false;
  return u;
}

model::JobRecord Runtime::Impl::RecordOf(const ActiveJob& j) {
  model::JobRecord rec = j.rec;
  rec.status = StatusText(j);
  return rec;
}

JobSnapshot Runtime::Impl::SnapshotOf(const ActiveJob& j) {
  JobSnapshot snap{RecordOf(j), j.wf, engine::EncodeState(j.state), j.variables, j.errors};
  MaskSnapshot(&snap);  // secrets stay in the runtime (runtime/secrets.h)
  return snap;
}

void Runtime::Impl::MaybeHandOff() {
  if (writer_busy_ || (current_->touched.empty() && current_->wb.empty())) return;
  std::unique_ptr<Batch> b = std::move(current_);
  current_ = std::make_unique<Batch>();
  b->seq = next_seq_++;
  for (const std::string& id : b->touched) {
    auto it = jobs_.find(id);
    if (it == jobs_.end()) continue;
    ActiveJob& j = *it->second;
    j.dirty = false;
    if (j.is_new) {
      j.rec.state = engine::EncodeState(j.state);
      j.is_new = false;
      j.rec.variables_json = bj::serialize(j.variables);
      j.rec.errors_json = bj::serialize(j.errors);
      j.vars_dirty = j.errors_dirty = j.desc_dirty = false;
      // A workflow version goes to the store once: not again when a batch made it durable
      // before, nor twice in one batch (serializing the workflow per new job was a cost).
      if (stored_versions_.insert(j.wf->version()).second) {
        b->wb.versions.push_back({j.wf->version(), bj::serialize(j.wf->doc())});
      }
      b->wb.new_jobs.push_back(RecordOf(j));
      // The serialized copies went to the store; in memory the live values are the truth.
      std::string().swap(j.rec.variables_json);
      std::string().swap(j.rec.errors_json);
      std::string().swap(j.rec.state);
    } else {
      b->wb.job_updates.push_back(UpdateOf(j));
    }
  }
  // Nothing clear goes to the store: decorated values are sealed (runtime/secrets.h).
  SealBatch(&b->wb, opts_.secret_box, [this](const std::string& id) -> std::optional<JobView> {
    auto it = jobs_.find(id);
    if (it == jobs_.end()) return std::nullopt;
    return JobView{it->second->wf.get(), &it->second->variables};
  });
  b->wb.fence = token_.load();  // 0 without a cluster
  writer_busy_ = true;
  {
    base::MutexLock l(&wmu_);
    to_write_ = std::move(b);
  }
  wcv_.NotifyOne();
}

bool Runtime::Impl::StillRunning(const std::string& job_id, int task, uint32_t run) const {
  auto it = jobs_.find(job_id);
  if (it == jobs_.end()) return false;
  const engine::TaskState& ts = it->second->state.tasks[task];
  return ts.status == TaskStatus::kRunning && ts.runs == run;
}

void Runtime::Impl::Handle(Committed& c) {
  writer_busy_ = false;
  committed_seq_ = c.batch->seq;
  for (AdapterWork& w : c.batch->adapter_work) {
    pending_adapter_work_.erase(w.id);
    if (StillRunning(w.job_id, w.task, w.run)) adapters_.Add(std::move(w));
  }
  for (ManualWork& w : c.batch->manual_work) {
    if (StillRunning(w.job_id, w.task, w.run)) manual_.Add(std::move(w));
  }
  for (const std::string& id : c.batch->touched) {
    auto it = jobs_.find(id);
    if (it == jobs_.end()) continue;
    ActiveJob& j = *it->second;
    PublishEvents(j);
    if (j.parent) {
      ChildChanged(j);  // may start jobs (a sequential loop's next child): `it` is stale
      it = jobs_.find(id);
    }
    JobStatus s = j.state.status;
    if (s == JobStatus::kComplete || s == JobStatus::kError || s == JobStatus::kCanceled) {
      adapters_.RemoveJob(j.rec.id);
      manual_.RemoveJob(j.rec.id);
      if (j.touched_seq <= committed_seq_ && !j.dirty) Forget(id);
      continue;
    }
    Pump(j);
  }
  // Replies go out after the pump, so work the new state started (a manual task waiting, an
  // adapter task queued) is visible to a client as soon as it has its answer. Building and
  // sending them happens off the runtime thread.
  for (auto& [cb, snap] : c.batch->replies) {
    workers_->Submit(
        [cb = std::move(cb), snap = std::move(snap)]() mutable { cb(std::move(snap)); });
  }
  for (auto& ack : c.batch->acks) {
    workers_->Submit([ack = std::move(ack)] { ack(base::Status::Ok()); });
  }
}

// ---- Runtime ----
Runtime::Runtime(store::JobStore* store, store::DocStore* docs, base::Clock* clock,
                 RuntimeOptions opts)
    : impl_(std::make_unique<Impl>(store, docs, clock, opts)) {}
Runtime::~Runtime() { impl_->Stop(); }
base::Status Runtime::Start() { return impl_->Start(); }
void Runtime::Stop() { impl_->Stop(); }
void Runtime::StartJob(StartRequest req, StartCallback done) {
  impl_->Post(StartCmd{std::move(req), std::move(done)});
}

void Runtime::ControlJob(const std::string& job_id, JobAction action, DoneCallback done,
                         const std::string& user) {
  engine::ControlAction a = action == JobAction::kPause    ? engine::ControlAction::kPause
                            : action == JobAction::kResume ? engine::ControlAction::kResume
                                                           : engine::ControlAction::kCancel;
  ControlCmd c{job_id, a, "", std::nullopt, std::move(done), ""};
  c.user = user;
  impl_->Post(std::move(c));
}

void Runtime::ContinueJob(const std::string& job_id, const std::string& from_task,
                          DoneCallback done) {
  impl_->Post(ControlCmd{job_id, engine::ControlAction::kContinue, from_task, std::nullopt,
                         std::move(done), ""});
}

void Runtime::RevertJob(const std::string& job_id, const std::string& from_task,
                        const std::string& to_task, DoneCallback done) {
  impl_->Post(ControlCmd{job_id, engine::ControlAction::kRevert, from_task, std::nullopt,
                         std::move(done), to_task});
}

void Runtime::RetryTask(const std::string& job_id, const std::string& task_id,
                        std::optional<bj::object> variables, DoneCallback done) {
  impl_->Post(ControlCmd{job_id, engine::ControlAction::kRetry, task_id, std::move(variables),
                         std::move(done), ""});
}
size_t Runtime::active_jobs() const { return impl_->active(); }
int64_t Runtime::lease_token() const { return impl_->token_.load(); }
int64_t Runtime::leases_lost() const { return impl_->leases_lost_.load(); }
bool Runtime::clustered() const { return impl_->cluster() != nullptr; }

void Runtime::SetJobWorkerActive(bool active) { impl_->job_worker_active_ = active; }

void Runtime::SetTaskWorkerActive(bool active) {
  bool was = impl_->task_worker_active_.exchange(active);
  if (active && !was) impl_->Post(WorkersCmd{});
}

bool Runtime::job_worker_active() const { return impl_->job_worker_active_; }
bool Runtime::task_worker_active() const { return impl_->task_worker_active_; }
StubRegistry* Runtime::stubs() { return impl_->stubs(); }
AdapterQueue* Runtime::adapters() { return impl_->adapters(); }
ManualTasks* Runtime::manual() { return impl_->manual(); }
EventBus* Runtime::events() { return impl_->events(); }
bool Runtime::WaitIdle(int64_t timeout_ms) { return impl_->WaitIdle(timeout_ms); }
base::Result<std::shared_ptr<const model::Workflow>> Runtime::WorkflowVersion(
    const std::string& v) {
  return impl_->WorkflowVersion(v);
}

namespace {
// A forwarded request's answer when no live process drives its job (Cluster::SendCommand): the
// task is waiting nowhere. Any other refusal comes from the driving process and stands.
bool NotDrivenAnywhere(const base::Status& fwd) {
  return fwd.code() == base::Code::kFailedPrecondition &&
         fwd.message().find("driven by no live process") != std::string::npos;
}
}  // namespace

void Runtime::FinishManualTask(const std::string& job_id, const std::string& task_id,
                               const std::string& user, ManualFinish finish, DoneCallback done) {
  bj::object vars = impl_->cluster() ? finish.variables : bj::object();
  std::string state = finish.finish_state;
  base::Status st = impl_->manual()->Finish(job_id, task_id, user, std::move(finish));
  if (st.code() != base::Code::kNotFound || !impl_->cluster()) {
    done(st);
    return;
  }
  // Not waiting here: on a cluster it may wait on the process that drives the job.
  bj::object body{{"op", "finish"},
                  {"task", task_id},
                  {"user", user},
                  {"finish_state", state},
                  {"variables", std::move(vars)}};
  impl_->Forward(job_id, bj::serialize(body), [st, done = std::move(done)](base::Status fwd) {
    // A job no process drives: the task is not waiting anywhere.
    done(NotDrivenAnywhere(fwd) ? st : fwd);
  });
}

base::Result<ManualWork> Runtime::WaitingManualTask(const std::string& id) {
  base::Result<ManualWork> local = impl_->manual()->Get(id);
  if (local.ok() || !impl_->cluster() || impl_->docs() == nullptr) return local;
  auto doc = impl_->docs()->Get(kManualWorkKind, id);
  if (!doc.ok()) return doc.status().code() == base::Code::kNotFound ? local : doc.status();
  auto it = impl_->store()->GetIteration(id);  // a document outlives a task canceled elsewhere
  if (!it.ok() || it->status != "running") return local;
  auto parsed = json::Parse(*doc);
  if (!parsed.ok() || !parsed->is_object()) return base::Internal("unreadable manual task " + id);
  return ManualWorkFromJson(parsed->as_object());
}

base::Result<ManualWork> Runtime::FindManualTask(const std::string& job_id,
                                                 const std::string& task_id) {
  base::Result<ManualWork> local = impl_->manual()->Find(job_id, task_id);
  if (local.ok() || !impl_->cluster()) return local;
  auto its = impl_->store()->IterationsOfJob(job_id);
  if (!its.ok()) return local;
  for (const model::IterationRecord& it : *its) {
    if (it.task_id == task_id && it.status == "running") {
      if (auto w = WaitingManualTask(it.id); w.ok()) return w;
    }
  }
  return local;
}

void Runtime::ChangeManualTask(const std::string& job_id, ManualChangeRequest r,
                               std::function<void(base::Result<ManualWork>)> done) {
  base::Result<ManualWork> local = impl_->manual()->Change(r);
  if (local.status().code() != base::Code::kNotFound || !impl_->cluster()) {
    if (local.ok()) impl_->PublishManualWork(*local);
    done(std::move(local));
    return;
  }
  // Not waiting here: on a cluster it may wait on the process that drives the job, which
  // answers with the task (ManualWorkJson) as the reply's message.
  bj::object body{{"op", "manual"}, {"change", ManualChangeName(r.change)},
                  {"id", r.id},     {"user", r.user},
                  {"by", r.by},     {"force", r.force}};
  base::Status missing = local.status();
  impl_->Forward(job_id, bj::serialize(body), [missing, done = std::move(done)](base::Status fwd) {
    if (NotDrivenAnywhere(fwd)) {
      done(missing);
      return;
    }
    if (!fwd.ok()) {
      done(fwd);
      return;
    }
    auto doc = json::Parse(fwd.message());
    if (!doc.ok() || !doc->is_object()) {
      done(base::Internal("unreadable answer to a forwarded manual task change"));
      return;
    }
    done(ManualWorkFromJson(doc->as_object()));
  });
}

void Runtime::ReportAdapterWork(const std::string& iteration_id, const std::string& lease,
                                AdapterReport report, DoneCallback done) {
  const bool clustered = impl_->cluster() != nullptr;
  bj::object body;
  if (clustered) {
    body = bj::object{{"op", "report"},
                      {"iteration", iteration_id},
                      {"lease", lease},
                      {"outcome", static_cast<int64_t>(report.outcome)},
                      {"outgoing", report.outgoing},
                      {"message", report.message}};
  }
  base::Status st = impl_->adapters()->Report(iteration_id, lease, std::move(report),
                                              base::SystemClock::Get()->NowMs());
  if (st.code() != base::Code::kNotFound || !clustered) {
    done(st);
    return;
  }
  // Not waiting here: on a cluster it may wait on the process that drives its job.
  auto it = impl_->store()->GetIteration(iteration_id);
  if (!it.ok()) {
    done(st);
    return;
  }
  impl_->Forward(it->job_id, bj::serialize(body), [st, done = std::move(done)](base::Status fwd) {
    done(NotDrivenAnywhere(fwd) ? st : fwd);
  });
}

void Runtime::JobGroupsChanged(const std::string& job_id, std::string groups_json) {
  impl_->Post(GroupsCmd{job_id, std::move(groups_json)});
}

base::Result<bj::object> Runtime::GetJobDocument(const std::string& id) {
  auto rec = impl_->store()->GetJob(id);
  if (!rec.ok()) return rec.status();
  return BuildJobDocument(*rec, true);
}

base::Result<bj::object> Runtime::BuildJobDocument(const model::JobRecord& rec,
                                                   bool with_iterations) {
  return impl_->BuildDoc(rec, with_iterations);
}

}  // namespace opsflow::runtime
