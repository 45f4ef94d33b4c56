#include "runtime/task_methods.h"

#include "tasks/task.h"

namespace opsflow::runtime {

bool IsKnownWorkflowEngineMethod(std::string_view method) {
  return tasks::FindMethod(method) != nullptr;
}

}  // namespace opsflow::runtime
