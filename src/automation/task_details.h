// Automation Studio's view of the task catalogue (tasks/task_catalog.h) in IAP's shapes, for the
// api layer, which may not include tasks/ (ARCHITECTURE.md's layering table):
// getTaskDetails / getMultipleTaskDetails give, per task,
//   {location: "Application", app: "WorkFlowEngine", name, summary, description,
//    type: "operation"|"manual", deprecated, variables: {incoming: {<name>: {type, description,
//    required, schema: {title, type?}}}, outgoing: {...}, error: "", decorators: []}}
// Only WorkFlowEngine's tasks have metadata: opsflow does not read adapter packages' task lists.
// Thread-safety: stateless functions over a constant table.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <string_view>

#include "base/status.h"

namespace opsflow::automation {

// The application whose tasks opsflow knows ("WorkFlowEngine").
std::string_view BuiltinTaskApp();
// The number of tasks in the catalogue.
size_t BuiltinTaskCount();
// The details of task `method` of package `pckg` at `location` (Application, Adapter, Broker).
// InvalidArgument for another location; NotFound naming what is unknown (an adapter's or
// broker's task: no metadata is kept for them).
base::Result<boost::json::object> TaskDetails(std::string_view location, std::string_view pckg,
                                              std::string_view method);
// The names of every catalogued task, in catalogue order.
boost::json::array BuiltinTaskNames();

}  // namespace opsflow::automation
