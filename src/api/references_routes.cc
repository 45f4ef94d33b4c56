// GET /automation-studio/references-to (IAP-REFERENCE §11, "AutomationStudio": getReferencesTo):
// which documents refer to given workflows or JSTs (docs/DECISIONS.md "references-to").
// Query: `target-type` (workflow | transformation), `target-identifiers` (one or more ids,
// repeated or comma-separated; a workflow may also be named), `referrer-type` (workflow |
// automation; absent: both that apply). Answer, IAP's shape:
//   {referencesByTarget: [{target: {identifier, identifer, type}, totalReferences,
//     totalReferencingInstances, references: [{type, document: {_id, name}, instances:
//     [{taskId, summary, method, property}] | [{property}]}]}]}
// (`identifer` is how IAP's reference spells it; both keys are given.) What refers to what:
// a workflow's childJob task (incoming `workflow`, by name) refers to a workflow; its
// transformation task (`tr_id`) and a childJob's `transformation` refer to a JST; an Operations
// Manager automation refers to its workflow (`componentId` by _id or name, `componentName`).
// A `$var` reference is dynamic and is not counted. Only referrers the caller may see are listed
// (workflows by their groups, automations as the automation list shows them).
#include <set>
#include <string>

#include "api/state.h"
#include "json/fields.h"

namespace opsflow::api {
namespace {

constexpr size_t kMaxTargets = 100;

// The names under which `ids` may be referred to: each id, plus the name of the workflow that
// has that _id (workflow targets).
struct Target {
  std::string identifier;
  std::set<std::string> keys;  // what a reference may hold
};

std::vector<std::string> Identifiers(const Call& c) {
  std::vector<std::string> out;
  for (const auto& [k, v] : c.req.query) {
    if (k != "target-identifiers") continue;
    size_t start = 0;
    while (start <= v.size()) {
      size_t comma = v.find(',', start);
      if (comma == std::string::npos) comma = v.size();
      std::string one = v.substr(start, comma - start);
      while (!one.empty() && one.front() == ' ') one.erase(0, 1);
      while (!one.empty() && one.back() == ' ') one.pop_back();
      if (!one.empty()) out.push_back(one);
      start = comma + 1;
    }
  }
  return out;
}

bj::object Instance(const model::TaskDef& t, const char* property) {
  return bj::object{
      {"taskId", t.id}, {"summary", t.summary}, {"method", t.method}, {"property", property}};
}

// The tasks of `wf` that refer to `target` of `type`.
bj::array WorkflowInstances(const model::Workflow& wf, const std::string& type,
                            const Target& target) {
  bj::array out;
  auto hits = [&](const model::TaskDef& t, const char* key) {
    const bj::value* v = t.incoming.if_contains(key);
    return v && v->is_string() && target.keys.contains(std::string(v->get_string()));
  };
  for (const model::TaskDef& t : wf.tasks()) {
    if (t.location == "Adapter") continue;
    if (type == "workflow") {
      if (t.method == "childJob" && hits(t, "workflow")) out.push_back(Instance(t, "workflow"));
    } else {
      if (t.method == "transformation" && hits(t, "tr_id")) out.push_back(Instance(t, "tr_id"));
      if (t.method == "childJob" && hits(t, "transformation")) {
        out.push_back(Instance(t, "transformation"));
      }
    }
  }
  return out;
}

void ReferencesTo(Api::State& s, Call& c) {
  const std::string* type = c.req.Query("target-type");
  if (!type || type->empty()) {
    return ReplyError(c, 400, "target-type is required (workflow or transformation)");
  }
  if (*type != "workflow" && *type != "transformation") {
    return ReplyError(c, 400,
                      "target-type '" + *type +
                          "' is not tracked by opsflow; use workflow or transformation");
  }
  std::vector<std::string> ids = Identifiers(c);
  if (ids.empty()) return ReplyError(c, 400, "target-identifiers is required (one or more ids)");
  if (ids.size() > kMaxTargets) {
    return ReplyError(c, 400,
                      "target-identifiers names more than " + std::to_string(kMaxTargets) +
                          " documents");
  }
  bool want_workflows = true, want_automations = *type == "workflow";
  if (const std::string* r = c.req.Query("referrer-type"); r && !r->empty()) {
    if (*r == "workflow") {
      want_automations = false;
    } else if (*r == "automation") {
      if (*type != "workflow") {
        return ReplyError(c, 400, "automations refer only to workflows, not to a " + *type);
      }
      want_workflows = false;
    } else {
      return ReplyError(c, 400, "referrer-type '" + *r + "' is not tracked by opsflow; use "
                                "workflow or automation");
    }
  }
  bj::array automations;
  if (want_automations && s.deps.triggers) {
    model::ListQuery q;
    q.limit = int64_t(1) << 40;
    auto page = s.deps.triggers->ListAutomations(ViewerOf(c), q);
    if (!page.ok()) return ReplyError(c, page.status());
    automations = std::move(page->items);
  }
  std::vector<std::shared_ptr<const model::Workflow>> workflows;
  if (want_workflows) {
    for (auto& wf : s.workflows.All()) {
      if (CanSeeWorkflow(c, *wf)) workflows.push_back(std::move(wf));
    }
  }
  bj::array by_target;
  for (const std::string& id : ids) {
    Target target{id, {id}};
    if (*type == "workflow") {
      if (auto wf = s.workflows.FindById(id); wf && CanSeeWorkflow(c, *wf)) {
        target.keys.insert(wf->name());
      }
    }
    bj::array refs;
    int64_t instances = 0;
    for (const auto& wf : workflows) {
      bj::array hits = WorkflowInstances(*wf, *type, target);
      if (hits.empty()) continue;
      instances += static_cast<int64_t>(hits.size());
      refs.push_back(bj::object{
          {"type", "workflow"},
          {"document", bj::object{{"_id", json::StringField(wf->doc(), "_id")}, {"name", wf->name()}}},
          {"instances", std::move(hits)}});
    }
    for (const bj::value& a : automations) {
      if (!a.is_object()) continue;
      const bj::object& o = a.get_object();
      bj::array hits;
      for (const char* key : {"componentId", "componentName"}) {
        if (target.keys.contains(json::StringField(o, key))) hits.push_back(bj::object{{"property", key}});
      }
      if (hits.empty()) continue;
      instances += static_cast<int64_t>(hits.size());
      refs.push_back(bj::object{
          {"type", "automation"},
          {"document", bj::object{{"_id", json::StringField(o, "_id")}, {"name", json::StringField(o, "name")}}},
          {"instances", std::move(hits)}});
    }
    int64_t total = static_cast<int64_t>(refs.size());
    by_target.push_back(bj::object{
        {"target", bj::object{{"identifier", id}, {"identifer", id}, {"type", *type}}},
        {"totalReferences", total},
        {"totalReferencingInstances", instances},
        {"references", std::move(refs)}});
  }
  Reply(c, 200, bj::object{{"referencesByTarget", std::move(by_target)}});
}

}  // namespace

std::span<const Route> ReferencesRoutes() {
  static const Route kRoutes[] = {
      {"GET", "/automation-studio/references-to", ReferencesTo, true},
  };
  return kRoutes;
}

}  // namespace opsflow::api
