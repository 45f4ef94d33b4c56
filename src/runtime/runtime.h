// Runtime: drives the engine over a store. One runtime thread owns every active job's state,
// a writer thread group-commits the state changes of many jobs in one transaction, and a small
// worker pool runs built-in tasks. Nothing is acted on (task dispatched, client answered)
// before the state change that caused it is durable.
// Thread-safety: public methods are safe from any thread; callbacks run on the runtime thread.
#pragma once

#include <boost/json/object.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/status.h"
#include "engine/engine.h"
#include "model/records.h"
#include "model/workflow.h"
#include "runtime/events.h"
#include "store/cluster.h"
#include "store/job_store.h"
#include "store/secret_box.h"

namespace opsflow::runtime {

class StubRegistry;
class AdapterQueue;
class ManualTasks;
struct ManualFinish;
struct ManualWork;
struct ManualChangeRequest;
struct AdapterReport;

struct RuntimeOptions {
  int task_workers = 2;
  engine::EngineOptions engine;
  size_t max_batch_rows = 20000;  // rows per group commit
  // An adapter task that no worker finishes within this time ends in error.
  int64_t adapter_task_timeout_ms = 5 * 60 * 1000;
  // childJob loops: the most elements a `data_array` may have (SPEC §10).
  size_t max_child_loop = 10000;
  // What one job may make the server hold (SPEC §10, README "Limits"); a hit is a task error
  // naming the limit. Child jobs nest at most max_child_depth below their root job, one root job
  // has at most max_descendants child jobs in all, one value a task produces and a job's
  // variables are at most these many bytes as JSON text.
  size_t max_child_depth = 10;
  size_t max_descendants = 100000;
  size_t max_value_bytes = size_t(16) << 20;
  size_t max_variables_bytes = size_t(16) << 20;
  // Seals the values of `encryption` decorators before they reach the store (runtime/secrets.h);
  // null: they are stored masked, and cannot be handed to later tasks after a restart.
  const store::SecretBox* secret_box = nullptr;
  // The event bus's replay history and linger (runtime/events.h).
  EventBusOptions events;
  // Many processes on one store (store/cluster.h, README "Cluster"); null: this process is alone
  // and resumes every unfinished job at Start. With a cluster the runtime joins with a lease of
  // lease_ttl_ms (renewed every third of it), drives the jobs it creates and the job trees it
  // claims (orphans: their process stopped, or its lease ran out), stamps every group commit with
  // its lease token, and drops every job it holds when the lease is lost, then joins again.
  store::Cluster* cluster = nullptr;
  std::string node_id;       // this process's name in the cluster (GET /health/status)
  std::string node_address;  // where it listens (informational)
  int64_t lease_ttl_ms = 10000;
  int64_t claim_interval_ms = 500;  // how often it looks for orphaned jobs
  // getJobs / getTasks list only what this returns for the job's initiator (username) and its
  // `groups` (JSON text): the group ids whose items it may see (items with no groups, or sharing
  // one), nullopt for everything (auth::JobTaskVisibility). Unset: lists are not filtered.
  std::function<std::optional<std::vector<std::string>>(const std::string& user,
                                                        std::string_view groups_json)>
      task_visibility;
  // A `transformation` task runs a JST only when this allows it for the job's initiator
  // (username), the job's `groups` (JSON text) and the JST document; otherwise the task fails
  // as for a missing JST (docs/ACCOUNTS.md "Transformations"). Unset: every JST.
  std::function<bool(const std::string& user, std::string_view groups_json,
                     const boost::json::object& jst)>
      jst_visible;
};

struct StartRequest {
  std::shared_ptr<const model::Workflow> workflow;
  boost::json::object variables;
  std::string description;
  std::string type = "automation";
  boost::json::array groups;
  std::string user;  // initiator
  // At most this many of the initiator's root jobs may be running or paused at once, this one
  // included (0: no limit; the API leaves admins unlimited): ResourceExhausted otherwise.
  size_t max_running_jobs = 0;
  // Child jobs: the `parent` object and `ancestors` array as JSON text (defaults: none, self).
  std::string parent_json;
  std::string parent_ancestors_json;  // the parent's ancestors; the child's id is appended
  // Documents committed in the same transaction as the new job (a schedule's next due time).
  std::vector<store::DocPut> also_commit;
};

// Everything needed to build a job document outside the runtime thread.
struct JobSnapshot {
  model::JobRecord record;
  std::shared_ptr<const model::Workflow> workflow;
  std::string state;  // encoded engine state
  boost::json::object variables;
  boost::json::array errors;
  boost::json::object ToDocument() const;
};

using StartCallback = std::function<void(base::Result<JobSnapshot>)>;
using DoneCallback = std::function<void(base::Status)>;

enum class JobAction { kPause, kResume, kCancel };

class Runtime {
 public:
  // `docs` holds the transformations (JSTs) that `transformation` tasks run; may be null.
  Runtime(store::JobStore* store, store::DocStore* docs, base::Clock* clock, RuntimeOptions opts);
  ~Runtime();
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;

  // Loads every unfinished job from the store and resumes it, then starts the threads.
  base::Status Start();
  // Stops accepting work, lets committed state settle, joins the threads. Jobs stay in the
  // store and resume on the next Start().
  void Stop();

  // Creates a job. `done` runs once the job (with workflow_start complete) is durable.
  void StartJob(StartRequest req, StartCallback done);

  // Job control (SPEC §5): pause (no new task starts; running ones finish), resume, cancel
  // (running tasks are canceled). `done` runs once the change is durable, or with
  // FailedPrecondition/NotFound saying why the move is illegal (nothing changes then).
  // `user`: the account asking; a pause records it and its time in the job's state (kept until
  // the job is resumed) for the waiting explanation.
  void ControlJob(const std::string& job_id, JobAction action, DoneCallback done,
                  const std::string& user = "");
  // Re-runs task `task_id` of a job in `error` (a new iteration), putting the job back to
  // running; `variables`, when given, are merged into the job's variables first.
  void RetryTask(const std::string& job_id, const std::string& task_id,
                 std::optional<boost::json::object> variables, DoneCallback done);

  // continue {fromTask} (a job in error or paused) and revert {fromTask, toTask} (a paused job);
  // see docs/ENGINE.md. `done` as for ControlJob.
  void ContinueJob(const std::string& job_id, const std::string& from_task, DoneCallback done);
  void RevertJob(const std::string& job_id, const std::string& from_task,
                 const std::string& to_task, DoneCallback done);

  // Finishes the manual task `task_id` of job `job_id` waiting here (ManualTasks::Finish), or,
  // on a cluster, waiting on the process that drives the job (the request goes there). `done`
  // gets ManualTasks::Finish's answer.
  void FinishManualTask(const std::string& job_id, const std::string& task_id,
                        const std::string& user, ManualFinish finish, DoneCallback done);

  // The manual task (iteration) `id` waiting for a person here or, on a cluster, on any process
  // (read from the store); NotFound when it waits nowhere.
  base::Result<ManualWork> WaitingManualTask(const std::string& id);
  // The same by job and task key (ManualTasks::Find).
  base::Result<ManualWork> FindManualTask(const std::string& job_id, const std::string& task_id);

  // Claims, releases or assigns the manual task `r.id` of job `job_id` (ManualTasks::Change)
  // waiting here or, on a cluster, on the process that drives the job (the request goes there).
  // `done` gets the task as it is afterwards.
  void ChangeManualTask(const std::string& job_id, ManualChangeRequest r,
                        std::function<void(base::Result<ManualWork>)> done);

  // Reports the outcome of adapter task `iteration_id` leased as `lease` (AdapterQueue::Report)
  // here or, on a cluster, on the process that drives its job (the report goes there).
  void ReportAdapterWork(const std::string& iteration_id, const std::string& lease,
                         AdapterReport report, DoneCallback done);

  // Tells the runtime that job `job_id`'s groups are now `groups_json` (already stored): its
  // events, the children it starts and its tasks' visibility follow from then on.
  void JobGroupsChanged(const std::string& job_id, std::string groups_json);

  // Reads a job document from the store (any thread).
  base::Result<boost::json::object> GetJobDocument(const std::string& id);
  // Builds the document of a stored job record; `with_iterations` adds each task's iteration
  // ids (one more store read).
  base::Result<boost::json::object> BuildJobDocument(const model::JobRecord& rec,
                                                     bool with_iterations);
  // A workflow snapshot by version, parsed once and cached.
  base::Result<std::shared_ptr<const model::Workflow>> WorkflowVersion(const std::string& v);

  size_t active_jobs() const;
  // Cluster: this process's lease token (0 while it holds none, and without a cluster) and how
  // many times it lost its lease and joined again.
  int64_t lease_token() const;
  int64_t leases_lost() const;
  // True when this process is one of a cluster (RuntimeOptions::cluster).
  bool clustered() const;

  // The workers of this process (IAP's WorkFlowEngine job and task workers; POST
  // /workflow_engine/{activate,deactivate} and /jobWorker/{activate,deactivate}). With the job
  // worker off, StartJob refuses new root jobs (Unavailable); children of running jobs still
  // start. With the task worker off, no task starts (scheduled tasks wait; running ones finish);
  // turning it on again starts what waits. Both are on when the runtime starts; safe from any
  // thread.
  void SetJobWorkerActive(bool active);
  void SetTaskWorkerActive(bool active);
  bool job_worker_active() const;
  bool task_worker_active() const;
  // The stub adapters consulted before every task runs. REQUIRES: built with a DocStore.
  StubRegistry* stubs();
  // Adapter tasks waiting for external workers.
  AdapterQueue* adapters();
  // Manual tasks waiting for a person.
  ManualTasks* manual();
  // Job and task events, published once durable.
  EventBus* events();
  // Blocks until no job is active; for tests and shutdown. False on timeout.
  bool WaitIdle(int64_t timeout_ms);

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace opsflow::runtime
