// The `transformation` built-in (runs a JST document); registered in registry.cc.
// Thread-safety: reentrant.
#pragma once

#include "tasks/task.h"

namespace opsflow::tasks::internal {

TaskResult RunTransformation(const TaskContext& ctx);

}  // namespace opsflow::tasks::internal
