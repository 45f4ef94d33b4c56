// POST /workflow_engine/workflows/validate: the problems SPEC §4 lists, without running anything.
#include <algorithm>
#include <optional>
#include <set>

#include "api/adapter_store.h"
#include "api/state.h"
#include "runtime/task_methods.h"

namespace opsflow::api {
namespace {

bj::object Problem(const std::string& task, const std::string& name, const std::string& msg) {
  return {{"task", task}, {"name", name}, {"message", msg}};
}

// Task ids an incoming value refers to: "$var.<task>.<out>" strings (top level, and the values
// of transformation.variableMap) and {task, variable|value} objects at any depth.
void CollectRefs(const bj::value& v, bool strings, int depth, std::vector<std::string>* out) {
  if (depth > 32) return;
  if (v.is_string() && strings) {
    std::string_view s = v.get_string();
    if (s.substr(0, 5) == "$var." && s.substr(0, 9) != "$var.job.") {
      std::string_view rest = s.substr(5);
      out->emplace_back(rest.substr(0, rest.find('.')));
    }
    return;
  }
  if (const bj::object* o = v.if_object()) {
    const bj::value* task = o->if_contains("task");
    if (task && task->is_string() && (o->contains("variable") || o->contains("value"))) {
      std::string_view t = task->get_string();
      if (!t.empty() && t != "job" && t != "static") out->emplace_back(t);
    }
    for (const auto& kv : *o) CollectRefs(kv.value(), false, depth + 1, out);
  } else if (const bj::array* a = v.if_array()) {
    for (const auto& x : *a) CollectRefs(x, false, depth + 1, out);
  }
}

void CheckReferences(const model::Workflow& wf, int i, bj::array* errors) {
  const model::TaskDef& t = wf.tasks()[i];
  std::vector<std::string> refs;
  for (const auto& kv : t.incoming) CollectRefs(kv.value(), true, 0, &refs);
  if (const bj::value* vm = t.incoming.if_contains("variableMap"); vm && vm->is_object()) {
    for (const auto& kv : vm->get_object()) CollectRefs(kv.value(), true, 0, &refs);
  }
  std::sort(refs.begin(), refs.end());
  refs.erase(std::unique(refs.begin(), refs.end()), refs.end());
  for (const std::string& ref : refs) {
    int k = wf.FindTask(ref);
    if (k < 0) {
      errors->push_back(Problem(
          t.id, t.summary, "Incoming variables refer to task " + ref + " which does not exist"));
    } else if (k == i || !wf.Reaches(k, i)) {
      errors->push_back(
          Problem(t.id, t.summary,
                  "Incoming variables refer to task " + ref + " which cannot have run before it"));
    }
  }
}

bj::object Validate(Api::State& s, const model::Workflow& wf) {
  bj::array errors, warnings;
  std::optional<std::set<std::string>> served;  // adapter apps, read at the first adapter task
  if (wf.start() < 0)
    errors.push_back(Problem("workflow_start", "", "Missing workflow_start task"));
  if (wf.end() < 0) errors.push_back(Problem("workflow_end", "", "Missing workflow_end task"));
  if (wf.start() >= 0 && wf.end() >= 0) {
    // A standard (non-revert) path from start to end.
    std::vector<bool> seen(wf.tasks().size(), false);
    std::vector<int> stack{wf.start()};
    seen[wf.start()] = true;
    while (!stack.empty()) {
      int u = stack.back();
      stack.pop_back();
      for (int e : wf.tasks()[u].out_edges) {
        const model::Edge& edge = wf.edges()[e];
        // "Standard" means not a revert: real exports reach the end through failure edges too.
        if (edge.revert || seen[edge.to]) continue;
        seen[edge.to] = true;
        stack.push_back(edge.to);
      }
    }
    if (!seen[wf.end()]) {
      errors.push_back(Problem("workflow_end", "",
                               "Could not find standard transition path between workflow start "
                               "and workflow end"));
    }
  }
  for (size_t i = 0; i < wf.tasks().size(); ++i) {
    const model::TaskDef& t = wf.tasks()[i];
    if (t.is_start || t.is_end) continue;
    bool reachable = t.is_error_handler;  // the errorHandler runs outside the graph
    if (!reachable && wf.start() >= 0) {
      reachable = wf.Reaches(wf.start(), static_cast<int>(i));
    }
    if (!reachable) {
      errors.push_back(Problem(t.id, t.summary,
                               "Could not find standard transition path between workflow start "
                               "and task"));
    }
    if (t.app == "WorkFlowEngine" && !runtime::IsKnownWorkflowEngineMethod(t.method)) {
      errors.push_back(
          Problem(t.id, t.summary, "Unknown WorkFlowEngine task method '" + t.method + "'"));
    }
    if (t.method == "transformation") {
      const bj::value* tr = t.incoming.if_contains("tr_id");
      if (tr && tr->is_string() && !tr->get_string().starts_with("$var") &&
          !s.deps.docs->Get("transformation", std::string(tr->get_string())).ok()) {
        errors.push_back(
            Problem(t.id, t.summary,
                    "Transformation " + std::string(tr->get_string()) + " does not exist"));
      }
    }
    CheckReferences(wf, static_cast<int>(i), &errors);
    if (t.location == "Adapter") {
      if (!served) served = ServedAdapterApps(s.deps.docs);
      if (!served->contains(t.app)) {
        warnings.push_back(Problem(t.id, t.summary,
                                   "No running adapter instance serves app '" + t.app +
                                       "': its tasks wait for an adapter host or a worker"));
      }
    }
  }
  // Workflow _ids are unique (state.h WorkflowRegistry): a document whose _id another workflow
  // holds could not be imported, and a store holding such duplicates says so here.
  const bj::value* id = wf.doc().if_contains("_id");
  if (id && id->is_string()) {
    auto holder = s.workflows.FindById(std::string(id->get_string()));
    if (!s.workflows.DuplicateIdOf(wf.name()).empty() || (holder && holder->name() != wf.name())) {
      // The other workflow is not named: the caller may not be allowed to see it.
      errors.push_back(Problem("", "",
                               "workflow _id " + std::string(id->get_string()) +
                                   " is also used by another workflow; each workflow needs its "
                                   "own"));
    }
  }
  bool valid = errors.empty();
  return {{"isValid", valid}, {"errors", std::move(errors)}, {"warnings", std::move(warnings)}};
}

void ValidateWorkflow(Api::State& s, Call& c) {
  bj::object body;
  if (!ParseBodyObject(s, c, &body)) return;
  bj::value* doc = body.if_contains("asset");
  if (!doc) doc = body.if_contains("workflow");
  if (!doc && body.contains("tasks")) doc = nullptr;
  bj::object wf_doc;
  if (doc && doc->is_object()) {
    wf_doc = doc->get_object();
  } else if (doc && doc->is_string()) {
    auto wf = FindVisibleWorkflow(s, c, std::string(doc->get_string()));
    if (!wf) {
      ReplyError(c, 404, "Workflow '" + std::string(doc->get_string()) + "' not found");
      return;
    }
    wf_doc = wf->doc();
  } else if (body.contains("tasks")) {
    wf_doc = body;
  } else {
    ReplyError(c, 400, "body must be {\"asset\": <workflow document or name>}");
    return;
  }
  auto wf = model::Workflow::FromJson(std::move(wf_doc));
  if (!wf.ok()) {
    Reply(c, 200,
          bj::object{{"isValid", false},
                     {"errors", bj::array{Problem("", "", wf.status().message())}},
                     {"warnings", bj::array()}});
    return;
  }
  Reply(c, 200, Validate(s, **wf));
}

}  // namespace

std::span<const Route> ValidateRoutes() {
  static const Route kRoutes[] = {
      {"POST", "/automation-studio/workflows/validate", ValidateWorkflow, true},
      {"POST", "/workflow_engine/workflows/validate", ValidateWorkflow, true},
  };
  return kRoutes;
}

}  // namespace opsflow::api
