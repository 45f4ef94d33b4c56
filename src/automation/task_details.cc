#include "automation/task_details.h"

#include <boost/json.hpp>
#include <string>

#include "tasks/task.h"
#include "tasks/task_catalog.h"

namespace opsflow::automation {
namespace bj = boost::json;

namespace {

constexpr std::string_view kApp = "WorkFlowEngine";

bj::object Variables(const std::vector<tasks::TaskVariableInfo>& vars) {
  bj::object out;
  for (const tasks::TaskVariableInfo& v : vars) {
    bj::object schema{{"title", v.name}};
    if (v.type != "*") schema["type"] = v.type;
    out[v.name] = bj::object{{"type", v.type},
                             {"description", v.description},
                             {"required", v.required},
                             {"schema", std::move(schema)}};
  }
  return out;
}

bj::object Details(const tasks::TaskInfo& t) {
  const tasks::TaskDescriptor* d = tasks::FindMethod(t.method);
  bool manual = d && d->kind == tasks::TaskKind::kManual;
  bool runs = d && d->kind != tasks::TaskKind::kNotBuiltIn;
  return bj::object{
      {"location", "Application"},
      {"app", kApp},
      {"name", t.method},
      {"summary", t.summary},
      {"description", t.description},
      {"type", manual ? "manual" : "operation"},
      {"deprecated", false},
      {"supported", runs},  // opsflow: false for a method this version does not run
      {"variables", bj::object{{"incoming", Variables(t.incoming)},
                               {"outgoing", Variables(t.outgoing)},
                               {"error", ""},
                               {"decorators", bj::array()}}}};
}

}  // namespace

std::string_view BuiltinTaskApp() { return kApp; }

size_t BuiltinTaskCount() { return tasks::TaskCatalog().size(); }

bj::array BuiltinTaskNames() {
  bj::array out;
  for (const tasks::TaskInfo& t : tasks::TaskCatalog()) out.emplace_back(t.method);
  return out;
}

base::Result<bj::object> TaskDetails(std::string_view location, std::string_view pckg,
                                     std::string_view method) {
  if (location != "Application" && location != "Adapter" && location != "Broker") {
    return base::InvalidArgument("location must be Application, Adapter or Broker, not '" +
                                 std::string(location) + "'");
  }
  if (location != "Application") {
    return base::NotFound("no task details for " + std::string(location) + " '" +
                          std::string(pckg) + "': opsflow keeps task metadata only for " +
                          std::string(kApp));
  }
  if (pckg != kApp) {
    return base::NotFound("application '" + std::string(pckg) + "' not found; opsflow's tasks are "
                          "in " + std::string(kApp));
  }
  const tasks::TaskInfo* t = tasks::FindTaskInfo(method);
  if (!t) {
    return base::NotFound("task '" + std::string(method) + "' not found in " + std::string(kApp));
  }
  return Details(*t);
}

}  // namespace opsflow::automation
