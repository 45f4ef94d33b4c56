// Store ports: what the runtime and the API need from a backend. sqlite/ implements them;
// postgres/ will too. Every method is a transaction of its own unless noted.
// Thread-safety: implementations are safe to call from any thread.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "model/query.h"
#include "model/records.h"

namespace opsflow::store {

// A job row change: the fields that move while a job runs.
struct JobUpdate {
  std::string id;
  std::string status;
  std::string state;
  double progress = 0;
  int64_t last_updated_ms = 0;
  int64_t end_ms = 0;
  std::optional<std::string> variables_json;  // set when variables changed
  std::optional<std::string> errors_json;     // set when error[] changed
  std::optional<std::string> description;     // set when the description changed
};

struct WorkflowVersion {
  std::string version;
  std::string doc_json;
};

// A document written with a group commit (e.g. a schedule trigger advanced by the job it
// starts: both durable together, or neither).
struct DocPut {
  std::string kind;
  std::string key;
  std::string doc_json;
};

// One group commit: everything in it becomes durable in one transaction, in order.
struct WriteBatch {
  std::vector<WorkflowVersion> versions;  // inserted if absent
  std::vector<model::JobRecord> new_jobs;
  std::vector<JobUpdate> job_updates;
  std::vector<model::IterationRecord> iterations;  // upserted by id
  // Iterations still running that end as canceled: (id, end time).
  std::vector<std::pair<std::string, int64_t>> canceled_iterations;
  std::vector<DocPut> doc_puts;  // upserted into the DocStore's documents
  // Cluster (store/cluster.h): the committing process's lease token. When not 0 the commit
  // fails with Code::kAborted, writing nothing, unless that lease is still held, and the new
  // jobs are owned by it. 0: a single process (the embedded store ignores it).
  int64_t fence = 0;
  bool empty() const {
    return versions.empty() && new_jobs.empty() && job_updates.empty() && iterations.empty() &&
           canceled_iterations.empty() && doc_puts.empty();
  }
  size_t size() const {
    return versions.size() + new_jobs.size() + job_updates.size() + iterations.size() +
           canceled_iterations.size() + doc_puts.size();
  }
};

// What DeleteJobTree removed.
struct DeletedJobs {
  int64_t jobs = 0;   // the root and every job below it
  int64_t tasks = 0;  // their task iterations
};

// One group of JobStore::Metrics: how many jobs (or task iterations) of a workflow share a
// status, and how long those that ended ran.
struct MetricRow {
  std::string workflow_name;  // the job's workflow (for tasks: the workflow of the task's job)
  std::string task_id;        // tasks only: the task's key in the workflow
  std::string method;         // tasks only: the task's method (its `name`)
  std::string status;         // the job's status, or the iteration's
  std::string finish_state;   // tasks only: the iteration's finish_state ("" while it runs)
  int64_t count = 0;
  // The sum of end - start over the rows of the group that ended (start > 0 and end >= start).
  int64_t run_ms = 0;
};

enum class MetricsOf { kJobs, kTasks };

template <typename T>
struct Page {
  std::vector<T> items;
  int64_t total = 0;
};

class JobStore {
 public:
  virtual ~JobStore() = default;
  // Commits the batch in one durable (fsync'd) transaction.
  virtual base::Status Commit(const WriteBatch& batch) = 0;
  virtual base::Result<model::JobRecord> GetJob(const std::string& id) = 0;
  virtual base::Result<std::string> GetWorkflowVersion(const std::string& version) = 0;
  // Jobs whose status is running or paused (or error, which may be retried), for recovery.
  virtual base::Result<std::vector<model::JobRecord>> LoadActiveJobs() = 0;
  // The jobs whose parent (parent_json's `job`) is `parent_id`, oldest first.
  virtual base::Result<std::vector<model::JobRecord>> ChildJobs(const std::string& parent_id) = 0;
  virtual base::Result<std::vector<model::IterationRecord>> IterationsOfJob(
      const std::string& job_id) = 0;
  virtual base::Result<model::IterationRecord> GetIteration(const std::string& id) = 0;
  // Lists by the query's filters on columns the store knows (`_id`, `name`, `status`,
  // `description`, `type`, `metrics.start_time`, `metrics.end_time`, `metrics.progress`,
  // `created`, `last_updated`, `created_by`; iterations: `_id`, `job._id`, `job.task`, `name`,
  // `status`, `metrics.*`). `residual` receives the filters it could not apply; when any are
  // left, the store returns every row matching the rest (ignoring skip/limit/sort) and the
  // caller filters and pages.
  virtual base::Result<Page<model::JobRecord>> ListJobs(const model::ListQuery& q,
                                                        std::vector<model::Expr>* residual) = 0;
  virtual base::Result<Page<model::IterationRecord>> ListIterations(
      const model::ListQuery& q, std::vector<model::Expr>* residual) = 0;
  // Reads job `id`, lets `edit` change its `watchers_json` and `groups_json`, and writes those
  // two columns back, all in one transaction. NotFound when there is no such job; `edit`'s
  // error aborts without writing.
  virtual base::Result<model::JobRecord> EditJobLists(
      const std::string& id, const std::function<base::Status(model::JobRecord*)>& edit) = 0;
  // Reads job `id` and every job below it (children, their children ...; `tree` holds the job
  // first, then the others breadth first), lets `check` refuse, and deletes them all with their
  // task iterations, in one transaction. NotFound when there is no such job; `check`'s error
  // aborts without deleting anything.
  virtual base::Result<DeletedJobs> DeleteJobTree(
      const std::string& id,
      const std::function<base::Status(const std::vector<model::JobRecord>& tree)>& check) = 0;
  // Aggregates over every job, computed by the backend (GROUP BY), never by reading the jobs:
  // kJobs groups jobs by (workflow_name, status); kTasks groups task iterations by (their job's
  // workflow_name, task_id, method, status, finish_state). Rows come in that key order.
  // Only jobs (and their iterations) that `visible_groups` admits (ListQuery::visible_groups:
  // nullopt for every job; else those with no groups or one of these).
  virtual base::Result<std::vector<MetricRow>> Metrics(
      MetricsOf of, const std::optional<std::vector<std::string>>& visible_groups) = 0;
};

// Workflows and transformations: documents keyed by name (workflows) or _id (JSTs).
struct StoredDoc {
  std::string key;
  std::string doc_json;
};

class DocStore {
 public:
  virtual ~DocStore() = default;
  // kind: "workflow" | "transformation" | "account" | "token" ...
  virtual base::Status Put(const std::string& kind, const std::string& key,
                           const std::string& doc_json) = 0;
  virtual base::Result<std::string> Get(const std::string& kind, const std::string& key) = 0;
  virtual base::Status Delete(const std::string& kind, const std::string& key) = 0;
  virtual base::Result<std::vector<StoredDoc>> List(const std::string& kind) = 0;
};

}  // namespace opsflow::store
