// Internal to runtime/: the runtime's state and its Impl class, shared by runtime.cc (threads,
// group commit, the facade), runtime_tasks.cc (dispatching and applying task results),
// runtime_control.cc (job creation, recovery, job control, documents, query tasks),
// runtime_child.cc (childJob tasks and their children) and runtime_events.cc (events).
// Thread-safety: as documented on Runtime; everything below is owned by the runtime thread
// unless it is GUARDED_BY a lock (mu_: the inbox; wmu_: the writer's hand-off; cache_mu_: the
// workflow cache) or atomic.
#pragma once

#include <pthread.h>

#include <atomic>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <map>
#include <optional>
#include <queue>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <variant>

#include "base/ids.h"
#include "base/log.h"
#include "base/mutex.h"
#include "engine/job_control.h"
#include "engine/job_doc.h"
#include "engine/variables.h"
#include "json/parse.h"
#include "model/groups.h"
#include "runtime/adapter_queue.h"
#include "runtime/manual_tasks.h"
#include "runtime/runtime.h"
#include "runtime/stubs.h"
#include "runtime/worker_pool.h"
#include "tasks/task.h"

namespace opsflow::runtime {

// The `"error":"..."` field of a log line about `st`.
inline std::string ErrorField(const base::Status& st) {
  return "\"error\":\"" + base::JsonEscape(st.message()) + "\"";
}
namespace bj = boost::json;
using engine::JobStatus;
using engine::TaskStatus;
using model::FinishState;

inline model::FinishState ToFinish(tasks::Finish f) {
  switch (f) {
    case tasks::Finish::kSuccess:
      return FinishState::kSuccess;
    case tasks::Finish::kFailure:
      return FinishState::kFailure;
    case tasks::Finish::kError:
      return FinishState::kError;
  }
  return FinishState::kError;
}

inline bj::object ParseObject(const std::string& text) {
  auto r = json::Parse(text);
  if (r.ok() && r->is_object()) return std::move(r->as_object());
  return {};
}

inline bj::array ParseArray(const std::string& text) {
  auto r = json::Parse(text);
  if (r.ok() && r->is_array()) return std::move(r->as_array());
  return {};
}

// The group ids of a job's `groups` (JSON text). An entry that is not a string reads as a group
// no account is in, so such a job is visible to admins only (as auth::ParseGroupsJson does).
inline std::vector<std::string> GroupIds(const std::string& groups_json) {
  std::vector<std::string> ids;
  for (const bj::value& g : ParseArray(groups_json)) {
    ids.emplace_back(g.is_string() ? std::string(g.get_string()) : "<unreadable groups>");
  }
  return ids;
}

// A job that is no child job (JobRecord::parent_json "null", or empty before it is set).
inline bool IsRoot(const model::JobRecord& r) {
  return r.parent_json.empty() || r.parent_json == "null";
}

// A childJob task waiting for its children: one per `data_array` element, or one without a
// loop (runtime_child.cc).
struct ChildWait {
  uint32_t run = 0;  // the parent task's run this wait belongs to
  std::string iteration_id;
  bj::object incoming;  // the task's resolved incoming values
  int64_t start_ms = 0;
  std::shared_ptr<const model::Workflow> child_wf;  // null after a restart until needed
  bool loop = false;
  bool sequential = false;
  std::vector<bj::object> inputs;      // per child: its start variables
  std::vector<std::string> child_ids;  // per child: "" until started
  std::vector<std::string> status;     // per child: its last committed status
  std::vector<bj::object> details;     // per child: its output variables once complete
  size_t ended = 0;                    // children complete or canceled
  size_t details_bytes = 0;            // the children's outputs held, as JSON text
};

struct ActiveJob {
  // The job's row, except its status: state.status is the job's status in memory, and the
  // stored `status` column is written from it (StatusText) where a row is written or published
  // (RecordOf, UpdateOf). rec.status stays empty.
  model::JobRecord rec;
  std::shared_ptr<const model::Workflow> wf;
  engine::JobState state;
  bj::object variables;
  bj::array errors;
  std::vector<bj::object> outputs;  // last outgoing values per task
  std::vector<uint64_t> sched_seq;  // batch in which each task was scheduled
  std::vector<int64_t> resume_due;  // recovered delay wake-ups per task
  std::vector<bool> timer_pending;
  uint32_t next_iteration = 0;                 // sequence for base::IterationUuid
  std::vector<std::string> current_iteration;  // per task: the id of its latest run
  std::map<int, ChildWait> waits;              // childJob tasks waiting for children, by task index
  // A child job: its parent's id, the parent's childJob task id and iteration, and its element
  // (null for other jobs, so they pay one pointer).
  struct ParentLink {
    std::string job, task, iteration;
    uint32_t element = 0;
  };
  std::unique_ptr<ParentLink> parent;
  // Events: the job status and per-task (status, runs) last published (no status: not yet).
  std::optional<JobStatus> published_status;
  std::vector<std::pair<uint8_t, uint32_t>> published_tasks;
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
  bool stubbed = false;               // answered by a stub adapter
  std::optional<FinishState> finish;  // set by tasks the runtime runs itself (forEach's loop)
  bool adapter_timeout = false;       // the adapter task's time ran out
};

struct StartCmd {
  StartRequest req;
  StartCallback done;
};

struct ControlCmd {
  std::string job_id;
  engine::ControlAction action = engine::ControlAction::kPause;
  std::string task_id;                  // retry; continue and revert: fromTask
  std::optional<bj::object> variables;  // retry
  DoneCallback done;
  std::string to_task;  // revert
  // Cluster: handed here by another process (runtime_cluster.cc); never handed on again.
  bool forwarded = false;
  std::string user = {};  // who asked (pause records it); "" when not known
};

// A job's groups were changed in the store (the API edits them there): the runtime's copy, used
// for its events, its children and its tasks' visibility, follows.
struct GroupsCmd {
  std::string job_id;
  std::string groups_json;
};

// The task worker was turned on again: every running job starts what its tasks wait for.
struct WorkersCmd {};

struct Batch;
struct Committed {
  std::unique_ptr<Batch> batch;
};

// Cluster (runtime_cluster.cc): job trees claimed under lease `token`; the lease `token` was
// lost (a renewal or a commit was refused); a group commit was refused by the fence (nothing of
// it was written).
struct AdoptCmd {
  int64_t token = 0;
  std::vector<model::JobRecord> jobs;
};
struct LeaseLostCmd {
  int64_t token = 0;
};
struct Fenced {
  std::unique_ptr<Batch> batch;
};

using Command = std::variant<StartCmd, TaskDone, Committed, ControlCmd, GroupsCmd, WorkersCmd,
                             AdoptCmd, LeaseLostCmd, Fenced>;

struct Batch {
  uint64_t seq = 0;
  store::WriteBatch wb;
  std::vector<std::string> touched;  // job ids
  std::vector<std::pair<StartCallback, JobSnapshot>> replies;
  std::vector<DoneCallback> acks;  // job-control answers, sent once the batch is durable
  // Waiting tasks whose running iteration is in this batch: offered to workers and people once
  // it is durable (so a task that can be acted on can also be read).
  std::vector<AdapterWork> adapter_work;
  std::vector<ManualWork> manual_work;
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
        manual_([this](const ManualWork& w, ManualFinish f) { Finished(w, std::move(f)); }),
        events_(opts.events) {}
  ManualTasks* manual() { return &manual_; }
  EventBus* events() { return &events_; }
  StubRegistry* stubs() { return &stubs_; }
  AdapterQueue* adapters() { return &adapters_; }

  base::Status Start();
  void Stop() EXCLUDES(mu_, wmu_);
  // Runtime::SetJobWorkerActive / SetTaskWorkerActive (read by the runtime thread).
  std::atomic<bool> job_worker_active_{true};
  std::atomic<bool> task_worker_active_{true};

  void Post(Command c) EXCLUDES(mu_) {
    {
      base::MutexLock l(&mu_);
      inbox_.push_back(std::move(c));
    }
    cv_.NotifyOne();
  }
  base::Result<std::shared_ptr<const model::Workflow>> WorkflowVersion(const std::string& v)
      EXCLUDES(cache_mu_);
  size_t active() const { return active_count_.load(); }
  store::Cluster* cluster() const { return opts_.cluster; }
  bool WaitIdle(int64_t timeout_ms);
  store::JobStore* store() { return store_; }
  store::DocStore* docs() { return docs_; }

 private:
  void Loop() EXCLUDES(mu_);
  void WriterLoop() EXCLUDES(wmu_);
  void Handle(StartCmd& c);
  void Handle(TaskDone& d);
  void Handle(Committed& c);
  // True while task `task` of job `job_id` is still running its run `run`.
  bool StillRunning(const std::string& job_id, int task, uint32_t run) const;
  void Handle(ControlCmd& c);
  void Handle(GroupsCmd& c);
  void Handle(WorkersCmd& c);
  // runtime_cluster.cc
  void Handle(AdoptCmd& c);
  void Handle(LeaseLostCmd& c);
  void Handle(Fenced& c);
  // Joins and claims the orphaned job trees before the threads start.
  base::Status StartCluster();
  // The lease thread: renews, claims orphans, joins again after a loss.
  void ClusterLoop();
  void StopCluster();
  // Forgets every job (the lease is gone: others drive them now) and fails what waits on them.
  void DropAllJobs(const std::string& why);
  // A job not in memory, for job control on a cluster: ours to load (Ok), or driven elsewhere.
  base::Status ClaimForControl(const model::JobRecord& rec);

 public:
  // Cluster commands (runtime_cluster.cc): a request for a job another process drives goes to
  // it through the store; `done` gets its answer (or Unavailable when none comes in time).
  void Forward(const std::string& job_id, std::string body, DoneCallback done)
      EXCLUDES(cluster_mu_);
  // Runs a command another process handed here and answers it.
  void RunCommand(const store::Command& cmd);
  // Cluster: stores `w` as it is now for the other processes (kManualWorkKind).
  void PublishManualWork(const ManualWork& w);
  // The forwarder's round: sends what waits, collects answers, times out the rest.
  void ForwardRound() EXCLUDES(cluster_mu_);
  void ForwardControl(ControlCmd& c);

 private:
  struct PendingCommand {
    std::string job_id, body;
    DoneCallback done;
    int64_t deadline_ms = 0;
    int64_t id = 0;  // 0 until sent
  };
  std::vector<PendingCommand> forwards_ GUARDED_BY(cluster_mu_);
  // Cluster: running or paused root jobs per user on the other processes (read each second),
  // counted with running_by_user_ against --max-running-jobs-per-user.
  std::unordered_map<std::string, int64_t> others_running_ GUARDED_BY(cluster_mu_);
  // How many running or paused root jobs `user` has on the other processes of a cluster.
  int64_t OthersRunning(const std::string& user) EXCLUDES(cluster_mu_);
  std::thread forward_thread_;
  // Decides (engine::DecideControl) and applies one job control request.
  base::Status ApplyControl(ActiveJob& j, ControlCmd& c);
  ActiveJob* LoadForControl(const std::string& id, base::Status* st);
  // Puts a job into jobs_ / takes it out, keeping the counts beside it.
  ActiveJob& Adopt(std::unique_ptr<ActiveJob> j);
  void Forget(const std::string& id);
  void FireTimers();
  void MaybeHandOff() EXCLUDES(wmu_);
  void MarkDirty(ActiveJob& j);
  void Pump(ActiveJob& j);
  void Dispatch(ActiveJob& j, int task);
  void RunForEach(const ActiveJob& j, int task, TaskDone& d);
  // runtime_control.cc: creates a job (a start, a trigger, or a childJob's child).
  ActiveJob& CreateJob(StartRequest& req);
  // runtime_child.cc
  void StartChildren(ActiveJob& j, int task, std::shared_ptr<TaskDone> d);
  base::Status PrepareChildren(const ActiveJob& j, const TaskDone& d, ChildWait* w);
  base::Status CheckChildLimits(const ActiveJob& j, size_t children) const;
  base::Result<bj::object> ChildVariables(const ActiveJob& j, const TaskDone& d,
                                          const model::Workflow& child, bj::object vars,
                                          const bj::value* element);
  // What the job's initiator may see (RuntimeOptions::task_visibility; unset: everything).
  model::Visibility VisibilityOf(const ActiveJob& j) const;
  void StartChild(ActiveJob& parent, int task, ChildWait& w, size_t element);
  void ChildChanged(const ActiveJob& child);
  void AdvanceChildren(ActiveJob& j, int task);
  void FinishChildWait(ActiveJob& j, int task);
  void ReconnectChildren(ActiveJob& j, int task, const model::IterationRecord& it);
  void PropagateControl(ActiveJob& j, engine::ControlAction action);
  void RunReconciles();
  // runtime_events.cc
  void PublishEvents(ActiveJob& j);
  // runtime_control.cc: the getJobs / getTasks tasks.
  // `visible`: ListQuery::visible_groups for the job's initiator (RuntimeOptions::task_visibility).
  tasks::TaskResult RunQueryTask(const std::string& method, const bj::object& incoming,
                                 std::optional<std::vector<std::string>> visible);

 public:
  base::Result<bj::object> BuildDoc(const model::JobRecord& rec, bool with_iterations);

 private:
  WaitingWork RecordWaiting(ActiveJob& j, const TaskDone& d, bj::object incoming);
  void QueueForAdapter(ActiveJob& j, int task, std::shared_ptr<TaskDone> d);
  void Delivered(const AdapterWork& w, AdapterReport r);
  void QueueForPerson(ActiveJob& j, int task, std::shared_ptr<TaskDone> d);
  void Finished(const ManualWork& w, ManualFinish f);
  bool RunsEagerly(const ActiveJob& j, int task);
  void Apply(ActiveJob& j, TaskDone& d);
  base::Status UpdateVariables(ActiveJob& j, bj::object updates);
  static model::IterationRecord RunningIteration(const ActiveJob& j, const TaskDone& d);
  void Recover(const model::JobRecord& rec);
  store::JobUpdate UpdateOf(ActiveJob& j);
  // The job's row as stored and published: rec with its status from state.status.
  static model::JobRecord RecordOf(const ActiveJob& j);
  JobSnapshot SnapshotOf(const ActiveJob& j);
  void AddError(ActiveJob& j, const std::string& task, const std::string& message);

  store::JobStore* store_;
  store::DocStore* docs_;
  base::Clock* clock_;
  RuntimeOptions opts_;

  base::Mutex mu_;
  base::CondVar cv_;  // signalled when inbox_ or stop_ changes
  std::vector<Command> inbox_ GUARDED_BY(mu_);
  bool stop_ GUARDED_BY(mu_) = false;

  // Runtime-thread state.
  std::unordered_map<std::string, std::unique_ptr<ActiveJob>> jobs_;
  std::unique_ptr<Batch> current_ = std::make_unique<Batch>();
  uint64_t next_seq_ = 1;
  uint64_t committed_seq_ = 0;
  bool writer_busy_ = false;
  std::priority_queue<Timer, std::vector<Timer>, std::greater<Timer>> timers_;
  std::atomic<size_t> active_count_{0};
  // Root jobs in jobs_ (running or paused) per initiator (StartRequest::max_running_jobs), and
  // child jobs started under each root job since it was loaded (RuntimeOptions::max_descendants).
  // Kept by Adopt and Forget.
  std::unordered_map<std::string, size_t> running_by_user_;
  std::unordered_map<std::string, size_t> descendants_;
  // Recovered childJob waits to advance or finish once the runtime thread runs (job id, task).
  std::vector<std::pair<std::string, int>> reconciles_;
  // Adapter work recorded in a batch not yet durable (its timeout waits for it to be offered).
  std::unordered_set<std::string> pending_adapter_work_;
  // Workflow versions handed to the writer (each is written with the first job that uses it;
  // the writer retries a failed batch until it commits). A batch refused by a lost lease is
  // never written: its versions are forgotten then (runtime_cluster.cc).
  std::unordered_set<std::string> stored_versions_;

  // Writer thread.
  base::Mutex wmu_;
  base::CondVar wcv_;  // signalled when to_write_ or wstop_ changes
  std::unique_ptr<Batch> to_write_ GUARDED_BY(wmu_);
  bool wstop_ GUARDED_BY(wmu_) = false;

 public:
  std::atomic<int64_t> commits_{0}, commit_rows_{0}, commit_us_{0};

 private:
  base::Mutex cache_mu_;
  std::unordered_map<std::string, std::shared_ptr<const model::Workflow>> wf_cache_
      GUARDED_BY(cache_mu_);

  StubRegistry stubs_;
  AdapterQueue adapters_;
  ManualTasks manual_;
  EventBus events_;
  std::unique_ptr<WorkerPool> workers_;
  std::thread loop_thread_;
  std::thread writer_thread_;

 public:
  // Cluster: the lease token batches are stamped with (0: none held; written by the runtime
  // thread, read by the lease thread), and the lease thread.
  std::atomic<int64_t> token_{0};
  std::atomic<int64_t> leases_lost_{0};

 private:
  std::thread cluster_thread_;
  base::Mutex cluster_mu_;
  base::CondVar cluster_cv_;
  bool cluster_stop_ GUARDED_BY(cluster_mu_) = false;
};

// The job's status as the store's column and the API spell it.
inline const char* StatusText(const ActiveJob& j) { return engine::JobStatusName(j.state.status); }

// The TaskDone that ends a waiting task (adapter or manual).
inline TaskDone DoneOf(const WaitingWork& w) {
  TaskDone d;
  d.job_id = w.job_id;
  d.task = w.task;
  d.run = w.run;
  d.iteration_id = w.id;
  d.incoming = w.incoming;
  d.start_ms = w.created_ms;
  return d;
}

}  // namespace opsflow::runtime
