// $var resolution (SPEC §5 "Variables", IAP-REFERENCE §3): what a task receives and where its
// outputs go. Pure functions over the job's variables and earlier tasks' outputs.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <functional>
#include <string_view>

#include "model/workflow.h"

namespace opsflow::engine {

// Looks up the last outgoing values of a task by id; nullptr when it has not run.
using OutputLookup = std::function<const boost::json::object*(std::string_view task_id)>;

struct VarScope {
  const boost::json::object& job_variables;
  OutputLookup outputs;
};

// Resolves a "$var.job.x" / "$var.<task>.<out>" string (with an optional "#/json/pointer"
// suffix). Returns false when `text` is not a reference; `out` is null when it names nothing.
bool ResolveVarString(std::string_view text, const VarScope& scope, boost::json::value* out);

// Resolves a structured reference {task: "job"|"static"|<taskId>, variable|value: ...}.
boost::json::value ResolveStructured(const boost::json::object& ref, const VarScope& scope);

// The incoming values a task receives: top-level "$var" strings resolved, plus the structured
// references of evaluation, merge and childJob, and the values of transformation.variableMap,
// GatewayManager.runService(Static).params, runCode.data and AgentSessionManager.runAgent.inputs.
boost::json::object ResolveIncoming(const model::TaskDef& def, const VarScope& scope);

// Copies outputs to job variables per the task's `outgoing` map ("out": "$var.job.x").
void ApplyOutgoing(const model::TaskDef& def, const boost::json::object& outputs,
                   boost::json::object* job_variables);

}  // namespace opsflow::engine
