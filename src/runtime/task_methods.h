// The WorkFlowEngine methods the runtime knows (tasks/registry.cc), for the layers above it
// that may not include tasks/ (api's workflow validator; ARCHITECTURE.md's layering table).
// Thread-safety: pure functions over a constant table.
#pragma once

#include <string_view>

namespace opsflow::runtime {

// True when `method` is a WorkFlowEngine method opsflow knows (SPEC §6): a built-in, a runtime
// task (childJob, forEach, getJobs, getTasks), a manual view, or one not built in this version.
bool IsKnownWorkflowEngineMethod(std::string_view method);

}  // namespace opsflow::runtime
