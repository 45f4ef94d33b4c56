// The task catalogue: for every WorkFlowEngine method opsflow knows (registry.cc's AllMethods),
// its summary and its incoming and outgoing variables with their types, as IAP's task details
// describe them (GET /automation-studio/locations/Application/packages/WorkFlowEngine/tasks/:m,
// POST /automation-studio/multipleTaskDetails). One row per method in task_catalog.cc;
// task_catalog_test.cc checks that the catalogue and the registry list the same methods.
// Types are IAP's: "string", "number", "boolean", "array", "object" or "*" (any).
// Thread-safety: a constant table; safe from any thread.
#pragma once

#include <string_view>
#include <vector>

namespace opsflow::tasks {

struct TaskVariableInfo {
  std::string_view name;
  std::string_view type;  // string | number | boolean | array | object | *
  std::string_view description;
  bool required = false;
};

struct TaskInfo {
  std::string_view method;   // e.g. "query"
  std::string_view summary;  // the name the canvas shows, e.g. "Query Data"
  std::string_view description;
  std::vector<TaskVariableInfo> incoming;
  std::vector<TaskVariableInfo> outgoing;
};

// Every row, in the registry's order.
const std::vector<TaskInfo>& TaskCatalog();
// The row of `method`, or nullptr.
const TaskInfo* FindTaskInfo(std::string_view method);

}  // namespace opsflow::tasks
