// What the automation module hands a job to: the JobLauncher port (a trigger's job goes through
// the same checks as jobs/start) and the job a trigger wants started. RuntimeLauncher
// (runtime_launcher.h) is the real one; tests use a fake.
// Thread-safety: implementations are called from any thread.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <string>
#include <vector>

#include "base/status.h"
#include "json/schema.h"
#include "runtime/events.h"
#include "runtime/runtime.h"
#include "store/job_store.h"

namespace opsflow::automation {

using runtime::Event;
using runtime::EventBus;
using runtime::JobSnapshot;
using runtime::StartCallback;

struct WorkflowRef {
  std::string id;  // the workflow's _id
  std::string name;
};

// A job a trigger wants started.
struct TriggerJob {
  std::string workflow;  // the workflow's name (resolved by the service)
  boost::json::object variables;
  std::string description;
  boost::json::array groups;
  std::string user;  // initiator
  // The account whose access the start is checked against (the runner of a manual or endpoint
  // trigger; the automation's last writer for schedules and events): the workflow must be one it
  // may see. `limited`: the running-jobs limit of a non-admin applies to `user`.
  std::string as_user;
  bool limited = false;
  // Committed with the job (runtime::StartRequest::also_commit): a schedule's advanced doc.
  std::vector<store::DocPut> also_commit;
  // When set, receives the ajv-style errors of variables that fail the workflow's inputSchema
  // (the run then answers like jobs/start: the message, and the list in `data`).
  std::vector<json::SchemaError>* input_errors = nullptr;
};

class JobLauncher {
 public:
  virtual ~JobLauncher() = default;
  // The workflow with this _id, or else this name, when account `as_user` may see it; NotFound
  // otherwise (a workflow it may not see reads as missing).
  virtual base::Result<WorkflowRef> FindWorkflow(const std::string& as_user,
                                                 const std::string& id_or_name) = 0;
  // Checks that job.as_user may see the workflow and the variables against its inputSchema, and
  // starts the job like jobs/start, with groups as private as the workflow's.
  // `done` runs exactly once, on any thread.
  virtual void StartJob(TriggerJob job, StartCallback done) = 0;
  // The current document of a job (for event payloads).
  virtual base::Result<boost::json::object> GetJob(const std::string& id) = 0;
};

}  // namespace opsflow::automation
