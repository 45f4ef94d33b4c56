// Whether a workflow may start a job with given variables (SPEC §1): the one check behind
// jobs/start, every trigger type and childJob. Thread-safety: safe from any thread (the compiled
// inputSchemas are cached under a mutex).
#pragma once

#include <boost/json/fwd.hpp>
#include <memory>
#include <string>
#include <vector>

#include "base/status.h"
#include "json/schema.h"
#include "model/workflow.h"

namespace opsflow::model {

// The workflow's compiled inputSchema, cached by snapshot version; null when it has none;
// `error` set when the schema does not compile.
std::shared_ptr<const json::Schema> InputSchemaOf(const Workflow& wf, std::string* error);

// Not a draft, has workflow_start and workflow_end, and the variables match its inputSchema.
// The job's own `_id` and `initiator` count as present (IAP puts them into the variables, and
// exports list `_id` among `required`): a schema that fails only for want of them passes.
// InvalidArgument with a message naming the problem; `errs` (optional) gets the schema errors.
base::Status CheckStartable(const Workflow& wf, const boost::json::object& variables,
                            std::vector<json::SchemaError>* errs = nullptr);

}  // namespace opsflow::model
