// POST /workflow_engine/workflows/validate: the problems SPEC §4 lists, without running anything.
#include <set>

#include "api/state.h"

namespace opsflow::api {
namespace {

// WorkFlowEngine methods opsflow knows of (SPEC §6), built-in in this version or not.
const std::set<std::string>& KnownMethods() {
  static const std::set<std::string> m = {
      "evaluation", "ViewData", "transformation", "query", "childJob", "stub", "merge",
      "deepmerge", "newVariable", "makeData", "setObjectKey", "push", "pop", "shift", "delay",
      "arrayLength", "arrayPush", "arrayIndexOf", "forEach", "replace", "parse", "join",
      "getTime", "stringConcat", "calculateTimeDiff", "modify", "substring", "stringLength",
      "numberToString", "updateJobDescription", "restCall", "ErrorHandling", "getJobs",
      "getTasks", "ViewHTML"};
  return m;
}

bj::object Problem(const std::string& task, const std::string& name, const std::string& msg) {
  return {{"task", task}, {"name", name}, {"message", msg}};
}

void CheckReferences(const model::Workflow& wf, int i, bj::array* errors) {
  const model::TaskDef& t = wf.tasks()[i];
  for (const auto& kv : t.incoming) {
    if (!kv.value().is_string()) continue;
    std::string_view v = kv.value().get_string();
    if (v.substr(0, 5) != "$var." || v.substr(0, 9) == "$var.job.") continue;
    std::string_view rest = v.substr(5);
    std::string ref(rest.substr(0, rest.find('.')));
    int k = wf.FindTask(ref);
    if (k < 0) {
      errors->push_back(Problem(t.id, t.summary, "Incoming variable '" + std::string(kv.key()) +
                                                     "' refers to task " + ref +
                                                     " which does not exist"));
    } else if (!wf.Reaches(k, i)) {
      errors->push_back(Problem(t.id, t.summary, "Incoming variable '" + std::string(kv.key()) +
                                                     "' refers to task " + ref +
                                                     " which cannot have run before it"));
    }
  }
}

bj::object Validate(Api::State& s, const model::Workflow& wf) {
  bj::array errors, warnings;
  if (wf.start() < 0) errors.push_back(Problem("workflow_start", "", "Missing workflow_start task"));
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
    bool reachable = false;
    if (wf.start() >= 0) {
      reachable = wf.Reaches(wf.start(), static_cast<int>(i));
    }
    if (!reachable) {
      errors.push_back(Problem(t.id, t.summary,
                               "Could not find standard transition path between workflow start "
                               "and task"));
    }
    if (t.app == "WorkFlowEngine" && !KnownMethods().count(t.method)) {
      errors.push_back(Problem(t.id, t.summary, "Unknown WorkFlowEngine task method '" +
                                                    t.method + "'"));
    }
    if (t.method == "transformation") {
      const bj::value* tr = t.incoming.if_contains("tr_id");
      if (tr && tr->is_string() && !tr->get_string().starts_with("$var") &&
          !s.deps.docs->Get("transformation", std::string(tr->get_string())).ok()) {
        errors.push_back(Problem(t.id, t.summary, "Transformation " +
                                                      std::string(tr->get_string()) +
                                                      " does not exist"));
      }
    }
    CheckReferences(wf, static_cast<int>(i), &errors);
  }
  bool valid = errors.empty();
  return {{"isValid", valid}, {"errors", std::move(errors)}, {"warnings", std::move(warnings)}};
}

}  // namespace

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
    auto wf = s.workflows.Find(std::string(doc->get_string()));
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
    Reply(c, 200, bj::object{{"isValid", false},
                             {"errors", bj::array{Problem("", "", wf.status().message())}},
                             {"warnings", bj::array()}});
    return;
  }
  Reply(c, 200, Validate(s, **wf));
}

}  // namespace opsflow::api
