// Where the runtime keeps a job's secret values sealed or masked (SPEC §5 "Decorators";
// the JSON rules are model/secrets.h). The runtime holds clear values in memory only: every row
// it hands to the store goes through SealBatch, every document it builds through a Mask*
// function, and recovery opens what was sealed. A job's decorators are those of its workflow
// snapshot (jobs/start merges `options.decorators` into it).
// Thread-safety: stateless functions; the SecretBox is immutable.
#pragma once

#include <boost/json/object.hpp>
#include <functional>
#include <optional>
#include <string>

#include "model/workflow.h"
#include "store/job_store.h"
#include "store/secret_box.h"

namespace opsflow::runtime {

struct JobSnapshot;

// What SealBatch needs to know of an active job.
struct JobView {
  const model::Workflow* wf = nullptr;
  const boost::json::object* variables = nullptr;  // clear, live
};
using FindJob = std::function<std::optional<JobView>(const std::string& job_id)>;

// Seals, in every new job row, job update and iteration of `wb`, the secrets of its job
// (`find`): variables at decorator pointers and any copy of a secret value elsewhere; error
// messages and descriptions get kMask instead. Without a box, secrets become kMask.
void SealBatch(store::WriteBatch* wb, const store::SecretBox* box, const FindJob& find);

// Opens, in place, every sealed value of an object read back from the store; `base` is the
// object's pointer in its document ("/variables" for job variables, "/variables/outgoing" for
// an iteration's outgoing values). A value that does not open stays sealed (and is logged,
// without its content).
void OpenSealed(boost::json::object* o, const std::string& base, const store::SecretBox* box,
                const std::string& job_id);

// Stored job variables for a document: sealed values and decorated values become kMask.
void MaskStoredVariables(boost::json::object* variables, const model::Workflow& wf);
// A snapshot (clear, from memory) made fit to leave the runtime: variables, errors and the
// description with their secrets masked.
void MaskSnapshot(JobSnapshot* snap);
// A task's clear values (e.g. the incoming values a person sees) with the job's secrets masked.
boost::json::object MaskValues(const boost::json::object& values, const model::Workflow& wf,
                               const boost::json::object& variables);

}  // namespace opsflow::runtime
