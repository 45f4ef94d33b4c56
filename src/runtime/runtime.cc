#include "runtime/runtime.h"

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <pthread.h>

#include <condition_variable>
#include <map>
#include <optional>
#include <mutex>
#include <queue>
#include <thread>
#include <unordered_map>
#include <variant>

#include "base/ids.h"
#include "base/log.h"
#include "engine/job_doc.h"
#include "engine/variables.h"
#include "json/parse.h"
#include "model/iteration_doc.h"
#include "model/list_page.h"
#include "runtime/adapter_queue.h"
#include "runtime/manual_tasks.h"
#include "runtime/stubs.h"
#include "runtime/worker_pool.h"
#include "tasks/task.h"

namespace opsflow::runtime {
namespace bj = boost::json;
using engine::JobStatus;
using engine::TaskStatus;
using model::FinishState;

namespace {

model::FinishState ToFinish(tasks::Finish f) {
  switch (f) {
    case tasks::Finish::kSuccess: return FinishState::kSuccess;
    case tasks::Finish::kFailure: return FinishState::kFailure;
    case tasks::Finish::kError: return FinishState::kError;
  }
  return FinishState::kError;
}

bj::object ParseObject(const std::string& text) {
  auto r = json::Parse(text);
  if (r.ok() && r->is_object()) return std::move(r->as_object());
  return {};
}

bj::array ParseArray(const std::string& text) {
  auto r = json::Parse(text);
  if (r.ok() && r->is_array()) return std::move(r->as_array());
  return {};
}

}  // namespace

bj::object JobSnapshot::ToDocument() const {
  auto st = engine::DecodeState(state);
  engine::JobState js = st.ok() ? std::move(st).value() : engine::JobState::ForWorkflow(*workflow);
  return engine::BuildJobDocument({record, *workflow, js, variables, errors, nullptr});
}

// One active job, owned by the runtime thread.
struct ActiveJob {
  model::JobRecord rec;
  std::shared_ptr<const model::Workflow> wf;
  engine::JobState state;
  bj::object variables;
  bj::array errors;
  std::vector<bj::object> outputs;       // last outgoing values per task
  std::vector<uint64_t> sched_seq;       // batch in which each task was scheduled
  std::vector<int64_t> resume_due;       // recovered delay wake-ups per task
  std::vector<bool> timer_pending;
  uint32_t next_iteration = 0;  // sequence for base::IterationUuid
  std::vector<std::string> current_iteration;  // per task: the id of its latest run
  bool is_new = false;
  bool dirty = false;
  bool vars_dirty = false, errors_dirty = false, desc_dirty = false;
  uint64_t touched_seq = 0;
};

struct TaskDone {
  std::string job_id;
  int task = 0;
  uint32_t run = 0;
  std::string iteration_id;
  bj::object incoming;
  tasks::TaskResult result;
  int64_t start_ms = 0;
  bool stubbed = false;  // answered by a stub adapter
  std::optional<FinishState> finish;  // set by tasks the runtime runs itself (forEach's loop)
  bool adapter_timeout = false;       // the adapter task's time ran out
};

struct StartCmd {
  StartRequest req;
  StartCallback done;
};

struct ControlCmd {
  std::string job_id;
  std::string action;  // "pause" | "resume" | "cancel" | "retry"
  std::string task_id;  // retry
  std::optional<bj::object> variables;  // retry
  DoneCallback done;
};

struct Batch;
struct Committed {
  std::unique_ptr<Batch> batch;
};

using Command = std::variant<StartCmd, TaskDone, Committed, ControlCmd>;

struct Batch {
  uint64_t seq = 0;
  store::WriteBatch wb;
  std::vector<std::string> touched;  // job ids
  std::vector<std::pair<StartCallback, JobSnapshot>> replies;
  std::vector<DoneCallback> acks;  // job-control answers, sent once the batch is durable
};

struct Timer {
  int64_t due_ms;
  std::string job_id;
  int task;
  uint32_t run;
  std::shared_ptr<TaskDone> result;  // null: dispatch a scheduled task
  bool operator>(const Timer& o) const { return due_ms > o.due_ms; }
};

class Runtime::Impl {
 public:
  Impl(store::JobStore* store, store::DocStore* docs, base::Clock* clock, RuntimeOptions opts)
      : store_(store),
        docs_(docs),
        clock_(clock),
        opts_(opts),
        stubs_(docs),
        adapters_([this](const AdapterWork& w, AdapterReport r) { Delivered(w, std::move(r)); }),
        manual_([this](const ManualWork& w, ManualFinish f) { Finished(w, std::move(f)); }) {}
  ManualTasks* manual() { return &manual_; }
  StubRegistry* stubs() { return &stubs_; }
  AdapterQueue* adapters() { return &adapters_; }

  base::Status Start();
  void Stop();
  void Post(Command c) {
    {
      std::lock_guard<std::mutex> l(mu_);
      inbox_.push_back(std::move(c));
    }
    cv_.notify_one();
  }
  base::Result<std::shared_ptr<const model::Workflow>> WorkflowVersion(const std::string& v);
  size_t active() const { return active_count_.load(); }
  bool WaitIdle(int64_t timeout_ms);
  store::JobStore* store() { return store_; }

 private:
  void Loop();
  void WriterLoop();
  void Handle(StartCmd& c);
  void Handle(TaskDone& d);
  void Handle(Committed& c);
  void Handle(ControlCmd& c);
  base::Status ApplyControl(ActiveJob& j, ControlCmd& c);
  ActiveJob* LoadForControl(const std::string& id, base::Status* st);
  void FireTimers();
  void MaybeHandOff();
  void MarkDirty(ActiveJob& j);
  void Pump(ActiveJob& j);
  void Dispatch(ActiveJob& j, int task);
  void RunForEach(const ActiveJob& j, int task, TaskDone& d);
  tasks::TaskResult RunQueryTask(const std::string& method, const bj::object& incoming);

 public:
  base::Result<bj::object> BuildDoc(const model::JobRecord& rec, bool with_iterations);

 private:
  void QueueForAdapter(ActiveJob& j, int task, std::shared_ptr<TaskDone> d);
  void Delivered(const AdapterWork& w, AdapterReport r);
  void QueueForPerson(ActiveJob& j, int task, std::shared_ptr<TaskDone> d);
  void Finished(const ManualWork& w, ManualFinish f);
  bool RunsEagerly(const ActiveJob& j, int task);
  void Apply(ActiveJob& j, TaskDone& d);
  static model::IterationRecord RunningIteration(const ActiveJob& j, const TaskDone& d);
  void Recover(const model::JobRecord& rec);
  store::JobUpdate UpdateOf(ActiveJob& j);
  JobSnapshot SnapshotOf(const ActiveJob& j);
  void AddError(ActiveJob& j, const std::string& task, const std::string& message);

  store::JobStore* store_;
  store::DocStore* docs_;
  base::Clock* clock_;
  RuntimeOptions opts_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Command> inbox_;
  bool stop_ = false;

  // Runtime-thread state.
  std::unordered_map<std::string, std::unique_ptr<ActiveJob>> jobs_;
  std::unique_ptr<Batch> current_ = std::make_unique<Batch>();
  uint64_t next_seq_ = 1;
  uint64_t committed_seq_ = 0;
  bool writer_busy_ = false;
  std::priority_queue<Timer, std::vector<Timer>, std::greater<Timer>> timers_;
  std::atomic<size_t> active_count_{0};

  // Writer thread.
  std::mutex wmu_;
  std::condition_variable wcv_;
  std::unique_ptr<Batch> to_write_;
  bool wstop_ = false;

 public:
  std::atomic<int64_t> commits_{0}, commit_rows_{0}, commit_us_{0};

 private:

  std::mutex cache_mu_;
  std::unordered_map<std::string, std::shared_ptr<const model::Workflow>> wf_cache_;

  StubRegistry stubs_;
  AdapterQueue adapters_;
  ManualTasks manual_;
  std::unique_ptr<WorkerPool> workers_;
  std::thread loop_thread_;
  std::thread writer_thread_;
};

base::Status Runtime::Impl::Start() {
  if (docs_) OPSFLOW_RETURN_IF_ERROR(stubs_.Load());
  auto active = store_->LoadActiveJobs();
  if (!active.ok()) return active.status();
  for (const model::JobRecord& rec : *active) {
    if (rec.status == "running" || rec.status == "paused") Recover(rec);
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
  if (!jobs_.empty()) {
    base::LogInfo("resumed unfinished jobs", "\"count\":" + std::to_string(jobs_.size()));
  }
  return base::Status::Ok();
}

void Runtime::Impl::Stop() {
  {
    std::lock_guard<std::mutex> l(mu_);
    if (stop_) return;
    stop_ = true;
  }
  cv_.notify_all();
  if (workers_) workers_->Stop();
  if (loop_thread_.joinable()) loop_thread_.join();
  {
    std::lock_guard<std::mutex> l(wmu_);
    wstop_ = true;
  }
  wcv_.notify_all();
  if (writer_thread_.joinable()) writer_thread_.join();
  base::LogInfo("runtime stopped", "\"commits\":" + std::to_string(commits_.load()) +
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
    std::lock_guard<std::mutex> l(cache_mu_);
    if (auto it = wf_cache_.find(v); it != wf_cache_.end()) return it->second;
  }
  auto text = store_->GetWorkflowVersion(v);
  if (!text.ok()) return text.status();
  auto doc = json::Parse(*text, {.max_depth = 256, .max_bytes = size_t(1) << 30});
  if (!doc.ok() || !doc->is_object()) return base::Internal("corrupt workflow snapshot " + v);
  auto wf = model::Workflow::FromJson(std::move(doc->as_object()));
  if (!wf.ok()) return wf.status();
  std::lock_guard<std::mutex> l(cache_mu_);
  wf_cache_[v] = *wf;
  return *wf;
}

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
  size_t n = j->wf->tasks().size();
  if (j->state.tasks.size() != n) return;
  j->variables = ParseObject(rec.variables_json);
  j->errors = ParseArray(rec.errors_json);
  std::string().swap(j->rec.variables_json);
  std::string().swap(j->rec.errors_json);
  std::string().swap(j->rec.state);
  j->outputs.resize(n);
  j->sched_seq.assign(n, 0);
  j->resume_due.assign(n, 0);
  j->timer_pending.assign(n, false);
  j->current_iteration.assign(n, "");
  auto iters = store_->IterationsOfJob(rec.id);
  if (iters.ok()) {
    std::vector<int> best(n, -1);
    for (const auto& it : *iters) {
      // A run the process did not finish is closed; the task runs again as a new iteration.
      if (it.status == "running") {
        current_->wb.canceled_iterations.emplace_back(it.id, clock_->NowMs());
      }
      int64_t seq = base::IterationUuidSeq(it.id);
      if (seq >= j->next_iteration) j->next_iteration = static_cast<uint32_t>(seq + 1);
      int t = j->wf->FindTask(it.task_id);
      if (t < 0 || it.status != "complete" || it.iteration < best[t]) continue;
      best[t] = it.iteration;
      j->outputs[t] = ParseObject(it.outgoing_json);
    }
  }
  for (size_t t = 0; t < n; ++t) {
    engine::TaskState& ts = j->state.tasks[t];
    if (ts.status != TaskStatus::kRunning) continue;
    // A forEach in its loop waits for its body, which resumes on its own.
    if (ts.finish == FinishState::kLoop) continue;
    // It was running when the process stopped: it runs again (at least once).
    j->resume_due[t] = ts.due_ms;
    ts.status = TaskStatus::kScheduled;
    ts.due_ms = 0;
  }
  jobs_[rec.id] = std::move(j);
  active_count_++;
}

void Runtime::Impl::Loop() {
  for (auto& [id, j] : jobs_) Pump(*j);
  MaybeHandOff();
  std::vector<Command> local;
  while (true) {
    {
      std::unique_lock<std::mutex> l(mu_);
      auto ready = [&] { return stop_ || !inbox_.empty(); };
      if (timers_.empty()) {
        cv_.wait(l, ready);
      } else {
        int64_t wait = timers_.top().due_ms - clock_->NowMs();
        if (wait > 0) cv_.wait_for(l, std::chrono::milliseconds(std::min<int64_t>(wait, 1000)), ready);
      }
      if (stop_) break;
      local.swap(inbox_);
    }
    for (Command& c : local) {
      std::visit([this](auto& cmd) { Handle(cmd); }, c);
    }
    local.clear();
    FireTimers();
    MaybeHandOff();
  }
  // Flush what is decided but not yet written, so a clean stop loses nothing decided.
  while (writer_busy_ || !current_->touched.empty() || !current_->wb.empty()) {
    MaybeHandOff();
    std::unique_lock<std::mutex> l(mu_);
    cv_.wait_for(l, std::chrono::milliseconds(5));
    for (Command& c : inbox_) {
      if (auto* cm = std::get_if<Committed>(&c)) {
        writer_busy_ = false;
        committed_seq_ = cm->batch->seq;
        for (auto& [cb, snap] : cm->batch->replies) cb(std::move(snap));
        for (auto& ack : cm->batch->acks) ack(base::Status::Ok());
      } else if (auto* cc = std::get_if<ControlCmd>(&c)) {
        cc->done(base::Unavailable("server is shutting down"));
      } else if (auto* sc = std::get_if<StartCmd>(&c)) {
        sc->done(base::Unavailable("server is shutting down"));
      }
    }
    inbox_.clear();
  }
  std::lock_guard<std::mutex> l(mu_);
  for (Command& c : inbox_) {
    if (auto* sc = std::get_if<StartCmd>(&c)) sc->done(base::Unavailable("server is shutting down"));
    if (auto* cc = std::get_if<ControlCmd>(&c)) cc->done(base::Unavailable("server is shutting down"));
  }
  inbox_.clear();
}

void Runtime::Impl::WriterLoop() {
  while (true) {
    std::unique_ptr<Batch> b;
    {
      std::unique_lock<std::mutex> l(wmu_);
      wcv_.wait(l, [&] { return wstop_ || to_write_; });
      if (!to_write_ && wstop_) return;
      b = std::move(to_write_);
    }
    while (true) {
      auto t0 = std::chrono::steady_clock::now();
      base::Status st = store_->Commit(b->wb);
      auto us = std::chrono::duration_cast<std::chrono::microseconds>(
                    std::chrono::steady_clock::now() - t0).count();
      commits_++;
      commit_rows_ += b->wb.size();
      commit_us_ += us;
      if (st.ok()) break;
      base::LogError("group commit failed; retrying", "\"error\":\"" +
                                                          base::JsonEscape(st.message()) + "\"");
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    Post(Committed{std::move(b)});
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
  u.status = j.rec.status;
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

JobSnapshot Runtime::Impl::SnapshotOf(const ActiveJob& j) {
  return JobSnapshot{j.rec, j.wf, engine::EncodeState(j.state), j.variables, j.errors};
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
      b->wb.versions.push_back({j.wf->version(), bj::serialize(j.wf->doc())});
      b->wb.new_jobs.push_back(j.rec);
      // The serialized copies went to the store; in memory the live values are the truth.
      std::string().swap(j.rec.variables_json);
      std::string().swap(j.rec.errors_json);
      std::string().swap(j.rec.state);
    } else {
      b->wb.job_updates.push_back(UpdateOf(j));
    }
  }
  writer_busy_ = true;
  {
    std::lock_guard<std::mutex> l(wmu_);
    to_write_ = std::move(b);
  }
  wcv_.notify_one();
}

void Runtime::Impl::Handle(Committed& c) {
  writer_busy_ = false;
  committed_seq_ = c.batch->seq;
  for (const std::string& id : c.batch->touched) {
    auto it = jobs_.find(id);
    if (it == jobs_.end()) continue;
    ActiveJob& j = *it->second;
    const std::string& s = j.rec.status;
    if (s == "complete" || s == "error" || s == "canceled") {
      adapters_.RemoveJob(j.rec.id);
      manual_.RemoveJob(j.rec.id);
      if (j.touched_seq <= committed_seq_ && !j.dirty) {
        jobs_.erase(it);
        active_count_--;
      }
      continue;
    }
    Pump(j);
  }
  // Replies go out after the pump, so work the new state started (a manual task waiting, an
  // adapter task queued) is visible to a client as soon as it has its answer. Building and
  // sending them happens off the runtime thread.
  for (auto& [cb, snap] : c.batch->replies) {
    workers_->Submit([cb = std::move(cb), snap = std::move(snap)]() mutable { cb(std::move(snap)); });
  }
  for (auto& ack : c.batch->acks) {
    workers_->Submit([ack = std::move(ack)] { ack(base::Status::Ok()); });
  }
}

void Runtime::Impl::Pump(ActiveJob& j) {
  if (j.rec.status != "running") return;
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
    if (j.rec.status != "running") return;
  }
}

bool Runtime::Impl::RunsEagerly(const ActiveJob& j, int t) {
  const model::TaskDef& def = j.wf->tasks()[t];
  if (def.is_start || def.is_end) return true;
  if (stubs_.Find(j.rec.workflow_name, def.id)) return true;
  if (def.location == "Adapter" && stubs_.AdapterDefault(j.rec.workflow_name)) return true;
  if (def.location == "Adapter" || def.is_manual) return false;
  const tasks::TaskDescriptor* desc = tasks::FindBuiltin(def.method);
  return desc == nullptr || !desc->external;
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

// An adapter task waits for an external worker (SPEC §7). Its running iteration is recorded,
// and a timer ends it in error if no worker finishes it in time.
void Runtime::Impl::QueueForAdapter(ActiveJob& j, int t, std::shared_ptr<TaskDone> d) {
  const model::TaskDef& def = j.wf->tasks()[t];
  AdapterWork w;
  w.id = d->iteration_id;
  w.job_id = j.rec.id;
  w.task_id = def.id;
  w.task = t;
  w.run = d->run;
  w.app = def.app;
  if (const bj::value* a = d->incoming.if_contains("adapter_id"); a && a->is_string()) {
    w.adapter_id = std::string(a->get_string());
  }
  w.method = def.method;
  w.incoming = d->incoming;
  w.created_ms = d->start_ms;
  current_->wb.iterations.push_back(RunningIteration(j, *d));
  MarkDirty(j);
  adapters_.Add(std::move(w));
  auto timeout = std::make_shared<TaskDone>(*d);
  timeout->adapter_timeout = true;
  timeout->result = tasks::Error("No adapter worker finished " + def.app + "." + def.method +
                                 " within " + std::to_string(opts_.adapter_task_timeout_ms) +
                                 " ms");
  timers_.push(Timer{d->start_ms + opts_.adapter_task_timeout_ms, j.rec.id, t, d->run,
                     std::move(timeout)});
}

// A manual task waits for a person: its running iteration (with the resolved incoming values
// the person's view shows) is recorded, and it costs one entry in `manual_`.
void Runtime::Impl::QueueForPerson(ActiveJob& j, int t, std::shared_ptr<TaskDone> d) {
  const model::TaskDef& def = j.wf->tasks()[t];
  ManualWork w;
  w.id = d->iteration_id;
  w.job_id = j.rec.id;
  w.task_id = def.id;
  w.task = t;
  w.run = d->run;
  w.method = def.method;
  w.view = def.view;
  w.incoming = d->incoming;
  w.created_ms = d->start_ms;
  current_->wb.iterations.push_back(RunningIteration(j, *d));
  MarkDirty(j);
  manual_.Add(std::move(w));
}

// The TaskDone that ends a waiting task (adapter or manual) of job `job_id`.
template <typename Work>
static TaskDone DoneOf(const Work& w) {
  TaskDone d;
  d.job_id = w.job_id;
  d.task = w.task;
  d.run = w.run;
  d.iteration_id = w.id;
  d.incoming = w.incoming;
  d.start_ms = w.created_ms;
  return d;
}

void Runtime::Impl::Finished(const ManualWork& w, ManualFinish f) {
  TaskDone d = DoneOf(w);
  bj::object out = std::move(f.variables);
  // ErrorHandling answers in `response` (success, failure, retry, error).
  if (w.method == "ErrorHandling" && !out.contains("response")) out["response"] = f.finish_state;
  d.result = f.finish_state == "failure" ? tasks::Failure(std::move(out))
                                         : tasks::Success(std::move(out));
  Post(std::move(d));
}

void Runtime::Impl::Delivered(const AdapterWork& w, AdapterReport r) {
  TaskDone d = DoneOf(w);
  switch (r.outcome) {
    case AdapterOutcome::kComplete: d.result = tasks::Success(std::move(r.outgoing)); break;
    case AdapterOutcome::kFail: d.result = tasks::Failure(std::move(r.outgoing)); break;
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
  if (def.is_start || def.is_end) {
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
  if (!stub && def.location == "Adapter") stub = stubs_.AdapterDefault(j.rec.workflow_name);
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
  if (def.is_for_each && def.location != "Adapter") {
    RunForEach(j, t, *d);
    Post(std::move(*d));
    return;
  }
  if (def.is_manual) {
    QueueForPerson(j, t, d);
    return;
  }
  if (def.location == "Adapter") {
    QueueForAdapter(j, t, d);
    return;
  }
  if (def.method == "getJobs" || def.method == "getTasks") {
    workers_->Submit([this, d, method = def.method]() mutable {
      d->result = RunQueryTask(method, d->incoming);
      Post(std::move(*d));
    });
    return;
  }
  const tasks::TaskDescriptor* desc = tasks::FindBuiltin(def.method);
  if (!desc) {
    d->result =
        tasks::Error("Unknown task method '" + def.method + "' (app " + def.app + ")");
    Post(std::move(*d));
    return;
  }
  bj::object vars = desc->reads_job_variables ? j.variables : bj::object();
  std::string tr_id;
  if (def.method == "transformation") {
    if (const bj::value* v = d->incoming.if_contains("tr_id"); v && v->is_string()) {
      tr_id = std::string(v->get_string());
    }
  }
  workers_->Submit([this, d, desc, vars = std::move(vars), now, tr_id]() mutable {
    tasks::TaskContext ctx{d->incoming, vars, now};
    bj::object jst;
    if (!tr_id.empty() && docs_) {
      if (auto text = docs_->Get("transformation", tr_id); text.ok()) {
        auto parsed = json::Parse(*text, {.max_depth = 256, .max_bytes = size_t(1) << 30});
        if (parsed.ok() && parsed->is_object()) {
          jst = std::move(parsed->as_object());
          ctx.transformation = &jst;
        }
      }
    }
    d->result = desc->run(ctx);
    Post(std::move(*d));
  });
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
      // A worker's report may already be on its way: only a task still waiting times out.
      if (t.result->adapter_timeout && !adapters_.Remove(t.result->iteration_id)) continue;
      Apply(j, *t.result);
    } else {
      j.timer_pending[t.task] = false;
      Pump(j);
    }
  }
}

void Runtime::Impl::AddError(ActiveJob& j, const std::string& task, const std::string& message) {
  j.errors.push_back(bj::object{{"task", task},
                                {"message", message},
                                {"timestamp", clock_->NowMs()}});
  j.errors_dirty = true;
}

void Runtime::Impl::Apply(ActiveJob& j, TaskDone& d) {
  const model::TaskDef& def = j.wf->tasks()[d.task];
  int64_t now = clock_->NowMs();
  tasks::TaskResult& r = d.result;
  for (auto& [name, value] : r.set_job_variables) {
    j.variables[name] = std::move(value);
    j.vars_dirty = true;
  }
  if (r.job_description) {
    j.rec.description = *r.job_description;
    j.desc_dirty = true;
  }
  FinishState finish = d.finish ? *d.finish : ToFinish(r.finish);
  // A task that could not do its work (error) leaves the job's variables as they were. A stub's
  // canned result feeds `$var.<task>.<out>` references but, as in the IAP fixtures recorded
  // from the real platform, does not write job variables.
  if (!def.outgoing.empty() && finish != FinishState::kError && !d.stubbed) {
    engine::ApplyOutgoing(def, r.outgoing, &j.variables);
    j.vars_dirty = true;
  }
  model::IterationRecord it;
  it.id = d.iteration_id;
  it.job_id = j.rec.id;
  it.task_id = def.id;
  it.iteration = static_cast<int>(d.run) - 1;
  it.method = def.method;
  it.status = finish == FinishState::kError ? "error" : "complete";
  it.finish_state = model::FinishStateName(finish);
  it.start_ms = d.start_ms;
  it.end_ms = now;
  it.incoming_json = bj::serialize(d.incoming);
  it.outgoing_json = bj::serialize(r.outgoing);
  it.error = r.error;
  current_->wb.iterations.push_back(std::move(it));
  j.outputs[d.task] = std::move(r.outgoing);
  if (finish == FinishState::kError) {
    AddError(j, def.id, r.error.empty() ? "Task " + def.id + " ended in error" : r.error);
  }
  engine::Decision dec =
      engine::TaskFinished(*j.wf, &j.state, d.task, finish, now, opts_.engine, r.error);
  for (int s : dec.start) j.sched_seq[s] = next_seq_;
  if (dec.job_error) {
    bool duplicate = dec.error_task == def.id && finish == FinishState::kError;
    if (!duplicate) AddError(j, dec.error_task, dec.error_message);
    j.rec.status = "error";
  }
  if (dec.job_complete) {
    j.rec.status = "complete";
    j.rec.end_ms = now;
  }
  j.rec.progress = j.state.Progress();
  j.rec.last_updated_ms = now;
  MarkDirty(j);
  if (!dec.start.empty()) Pump(j);
}

void Runtime::Impl::Handle(StartCmd& c) {
  auto j = std::make_unique<ActiveJob>();
  const model::Workflow& wf = *c.req.workflow;
  int64_t now = clock_->NowMs();
  j->wf = c.req.workflow;
  j->rec.id = base::NewObjectId();
  j->rec.workflow_name = wf.name();
  j->rec.workflow_version = wf.version();
  j->rec.status = "running";
  j->rec.description = c.req.description;
  j->rec.type = c.req.type;
  j->rec.created_by = c.req.user;
  j->rec.created_ms = j->rec.last_updated_ms = j->rec.start_ms = now;
  j->rec.groups_json = bj::serialize(c.req.groups);
  j->rec.ancestors_json = "[\"" + j->rec.id + "\"]";
  j->variables = std::move(c.req.variables);
  j->variables["_id"] = j->rec.id;
  j->variables["initiator"] = c.req.user;
  j->state = engine::JobState::ForWorkflow(wf);
  size_t n = wf.tasks().size();
  j->outputs.resize(n);
  j->sched_seq.assign(n, 0);
  j->resume_due.assign(n, 0);
  j->timer_pending.assign(n, false);
  j->current_iteration.assign(n, "");
  j->is_new = true;
  engine::Decision d = engine::StartJob(wf, &j->state, now);
  ActiveJob& ref = *j;
  jobs_[j->rec.id] = std::move(j);
  active_count_++;
  MarkDirty(ref);
  if (d.job_error) {
    AddError(ref, d.error_task, d.error_message);
    ref.rec.status = "error";
  } else {
    // workflow_start completes at once (SPEC §1: the reply shows it complete).
    Dispatch(ref, wf.start());
  }
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
  bj::array errors = ParseArray(rec.errors_json);
  return engine::BuildJobDocument({rec, **wf, *st, vars, errors, with_iterations ? &ids : nullptr});
}

// getJobs / getTasks: the same list query as the API, run against the store on a worker.
// incoming `queryParameters` {"equals":{"name":"x"}, "limit":10, ...} (an object, or its JSON
// text); outgoing `jobs` / `tasks` (the documents) and `total`.
tasks::TaskResult Runtime::Impl::RunQueryTask(const std::string& method,
                                              const bj::object& incoming) {
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
  return tasks::Success({{method == "getJobs" ? "jobs" : "tasks", std::move(list)},
                         {"total", total}});
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
  if (rec->status != "error") {
    *st = base::FailedPrecondition("job " + id + " is " + rec->status + " and can no longer change");
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
  ActiveJob* j = LoadForControl(c.job_id, &st);
  if (j) st = ApplyControl(*j, c);
  if (!st.ok()) {
    // An `error` job loaded only for this request goes back to the store.
    if (j && !was_loaded && !j->dirty) {
      jobs_.erase(j->rec.id);
      active_count_--;
    }
    workers_->Submit([done = std::move(c.done), st] { done(st); });
    return;
  }
  // Tasks start again (resume, retry) only once the change is durable: the commit pumps the job.
  current_->acks.push_back(std::move(c.done));
}

// The moves of the job state table (docs/ENGINE.md); anything else is refused, changing nothing.
base::Status Runtime::Impl::ApplyControl(ActiveJob& j, ControlCmd& c) {
  const std::string& s = j.rec.status;
  const std::string& id = j.rec.id;
  int64_t now = clock_->NowMs();
  if (c.action == "pause") {
    if (s != "running") return base::FailedPrecondition("job " + id + " is " + s + "; only a running job can be paused");
    j.rec.status = "paused";
  } else if (c.action == "resume") {
    if (s != "paused") return base::FailedPrecondition("job " + id + " is " + s + "; only a paused job can be resumed");
    j.rec.status = "running";
  } else if (c.action == "cancel") {
    if (s != "running" && s != "paused" && s != "error") {
      return base::FailedPrecondition("job " + id + " is " + s + " and cannot be canceled");
    }
    j.rec.status = "canceled";
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
    j.state.status = JobStatus::kCanceled;
    adapters_.RemoveJob(id);
    manual_.RemoveJob(id);
  } else if (c.action == "retry") {
    int t = j.wf->FindTask(c.task_id);
    if (t < 0) return base::NotFound("job " + id + " has no task " + c.task_id);
    if (s != "error") return base::FailedPrecondition("job " + id + " is " + s + "; only a job in error can be retried");
    if (j.state.tasks[t].status != TaskStatus::kError) {
      return base::FailedPrecondition("task " + c.task_id + " of job " + id + " is " +
                                      engine::TaskStatusName(j.state.tasks[t].status) +
                                      "; only a task in error can be retried");
    }
    if (c.variables) {
      for (auto& kv : *c.variables) j.variables[kv.key()] = kv.value();
      j.vars_dirty = true;
    }
    j.state.tasks[t].status = TaskStatus::kScheduled;
    j.state.tasks[t].finish = FinishState::kNone;
    j.state.tasks[t].retries = 0;
    j.state.tasks[t].due_ms = 0;
    j.sched_seq[t] = next_seq_;
    j.state.status = JobStatus::kRunning;
    j.rec.status = "running";
  } else {
    return base::InvalidArgument("unknown action " + c.action);
  }
  j.state.status = j.rec.status == "paused" ? JobStatus::kPaused
                   : j.rec.status == "canceled" ? JobStatus::kCanceled
                   : j.rec.status == "running" ? JobStatus::kRunning
                                               : j.state.status;
  j.rec.last_updated_ms = now;
  MarkDirty(j);
  return base::Status::Ok();
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

void Runtime::ControlJob(const std::string& job_id, JobAction action, DoneCallback done) {
  const char* name = action == JobAction::kPause    ? "pause"
                     : action == JobAction::kResume ? "resume"
                                                    : "cancel";
  impl_->Post(ControlCmd{job_id, name, "", std::nullopt, std::move(done)});
}

void Runtime::RetryTask(const std::string& job_id, const std::string& task_id,
                        std::optional<bj::object> variables, DoneCallback done) {
  impl_->Post(ControlCmd{job_id, "retry", task_id, std::move(variables), std::move(done)});
}
size_t Runtime::active_jobs() const { return impl_->active(); }
StubRegistry* Runtime::stubs() { return impl_->stubs(); }
AdapterQueue* Runtime::adapters() { return impl_->adapters(); }
ManualTasks* Runtime::manual() { return impl_->manual(); }
bool Runtime::WaitIdle(int64_t timeout_ms) { return impl_->WaitIdle(timeout_ms); }
base::Result<std::shared_ptr<const model::Workflow>> Runtime::WorkflowVersion(
    const std::string& v) {
  return impl_->WorkflowVersion(v);
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
