// The WorkFlowEngine methods the runtime knows (tasks/registry.cc), for the layers above it
// that may not include tasks/ (api's workflow validator; ARCHITECTURE.md's layering table).
// Thread-safety: pure functions over a constant table.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"

namespace opsflow::runtime {

// True when `method` is a WorkFlowEngine method opsflow knows (SPEC §6): a built-in, a runtime
// task (childJob, forEach, getJobs, getTasks), a manual view, or one not built in this version.
bool IsKnownWorkflowEngineMethod(std::string_view method);

// What a built-in did when run outside a job.
struct BuiltinRun {
  std::string finish;            // "success", "failure" or "error"
  boost::json::object outgoing;  // its output values by name (e.g. return_data)
  std::string error;             // when finish is "error"
};

// Runs the built-in `method` on `incoming` outside any job (POST /workflow_engine/query and
// /runEvaluationGroup(s), which builders use to test a task before saving): only built-ins that
// are functions of their inputs (tasks::TaskKind::kPure) and read no job variables;
// InvalidArgument names any other.
base::Result<BuiltinRun> RunPureBuiltin(std::string_view method,
                                        const boost::json::object& incoming, int64_t now_ms);

// Runs the JST document `jst` on `incoming` (its incoming values by $id) the way the
// `transformation` task does (same runtime, same options, same messages): `options` holds
// validateIncoming, revertToDefaultValue and extractOutput (booleans; absent is false). The
// outgoing values are by outgoing $id (null for one nothing was assigned to). finish is
// "success" or "error" (with the task's message).
BuiltinRun RunTransformation(const boost::json::object& jst, const boost::json::object& incoming,
                             const boost::json::object& options, int64_t now_ms);

}  // namespace opsflow::runtime
