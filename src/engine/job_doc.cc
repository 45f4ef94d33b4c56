#include "engine/job_doc.h"

#include <boost/json/array.hpp>
#include <boost/json/value.hpp>

#include "base/clock.h"
#include "json/parse.h"

namespace opsflow::engine {
namespace bj = boost::json;
namespace {

bj::value ParseOr(const std::string& text, bj::value fallback) {
  auto r = json::Parse(text);
  return r.ok() ? std::move(r).value() : fallback;
}

bj::value Ms(int64_t ms) { return ms == 0 ? bj::value() : bj::value(ms); }

bj::object ReKeyTransitions(const model::Workflow& wf, int task) {
  bj::object out{{"success", bj::array()}, {"failure", bj::array()}, {"error", bj::array()}};
  for (int e : wf.tasks()[task].out_edges) {
    const model::Edge& edge = wf.edges()[e];
    std::string state = model::FinishStateName(edge.state);
    if (!out.contains(state)) out[state] = bj::array();
    out[state].as_array().push_back(bj::object{{"task", wf.tasks()[edge.to].id},
                                               {"type", edge.revert ? "revert" : "standard"}});
  }
  return out;
}

bj::object Previous(const model::Workflow& wf, const JobState& s, int task) {
  bj::array incomplete, complete, error;
  for (int e : wf.tasks()[task].in_edges) {
    int from = wf.edges()[e].from;
    const std::string& id = wf.tasks()[from].id;
    switch (s.tasks[from].status) {
      case TaskStatus::kComplete:
        complete.push_back(bj::value(id));
        break;
      case TaskStatus::kError:
        error.push_back(bj::value(id));
        break;
      default:
        incomplete.push_back(bj::value(id));
        break;
    }
  }
  return {{"incomplete", incomplete}, {"complete", complete}, {"error", error}};
}

void AddTaskRuntime(const JobDocInput& in, int i, bj::object* task) {
  const TaskState& t = in.state.tasks[i];
  const model::TaskDef& def = in.wf.tasks()[i];
  bj::object& o = *task;
  o["status"] = TaskStatusName(t.status);
  if (t.finish != model::FinishState::kNone) o["finish_state"] = model::FinishStateName(t.finish);
  o["taskId"] = def.id;
  if (t.start_ms) o["start_time"] = base::IsoTime(t.start_ms);
  if (t.end_ms) o["end_time"] = t.end_ms;
  bj::array iters;
  if (in.iterations) {
    if (auto it = in.iterations->find(def.id); it != in.iterations->end()) {
      for (const auto& id : it->second) iters.push_back(bj::value(id));
    }
  }
  o["iterations"] = std::move(iters);
  o["previous"] = Previous(in.wf, in.state, i);
  o["transitions"] = ReKeyTransitions(in.wf, i);
  o["metrics"] = bj::object{{"start_time", Ms(t.start_ms)},
                            {"user", in.rec.created_by},
                            {"finish_state", t.finish == model::FinishState::kNone
                                                 ? bj::value()
                                                 : bj::value(model::FinishStateName(t.finish))}};
  if (def.is_end) {
    bj::array inc, comp, err;
    for (size_t k = 0; k < in.state.tasks.size(); ++k) {
      const std::string& id = in.wf.tasks()[k].id;
      switch (in.state.tasks[k].status) {
        case TaskStatus::kComplete:
          comp.push_back(bj::value(id));
          break;
        case TaskStatus::kError:
          err.push_back(bj::value(id));
          break;
        default:
          inc.push_back(bj::value(id));
          break;
      }
    }
    o["endTasks"] = bj::object{{"incomplete", inc}, {"complete", comp}, {"error", err}};
  }
}

}  // namespace

bj::object BuildJobDocument(const JobDocInput& in) {
  // The workflow's fields in their order, but not its task definitions: `tasks` is rebuilt below
  // (each definition copied once, with its run state), so copying them twice is avoided.
  bj::object doc;
  doc.reserve(in.wf.doc().size() + 16);
  for (const auto& kv : in.wf.doc()) {
    doc.emplace(kv.key(), kv.key() == "tasks" ? bj::value() : kv.value());
  }
  const model::JobRecord& r = in.rec;
  doc["_id"] = r.id;
  doc["name"] = r.workflow_name;
  doc["description"] = r.description.empty() ? bj::value() : bj::value(r.description);
  doc["type"] = r.type;
  doc["status"] = r.status;
  doc["variables"] = in.variables;
  doc["error"] = in.errors;
  if (!doc.contains("warnings")) doc["warnings"] = bj::array();
  doc["validationErrors"] = bj::array();
  doc["watchers"] = ParseOr(r.watchers_json, bj::array());
  doc["groups"] = ParseOr(r.groups_json, bj::array());
  doc["ancestors"] = ParseOr(r.ancestors_json, bj::array{bj::value(r.id)});
  doc["parent"] = ParseOr(r.parent_json, bj::value());
  doc["metrics"] = bj::object{{"start_time", Ms(r.start_ms)},
                              {"end_time", Ms(r.end_ms)},
                              {"user", r.created_by},
                              {"progress", r.progress},
                              {"owner", r.created_by}};
  doc["created"] = base::IsoTime(r.created_ms);
  doc["created_by"] = r.created_by;
  doc["last_updated"] = base::IsoTime(r.last_updated_ms);
  doc["last_updated_by"] = r.created_by;
  bj::object tasks;
  const bj::object* src = nullptr;
  if (auto it = in.wf.doc().find("tasks"); it != in.wf.doc().end()) src = it->value().if_object();
  for (size_t i = 0; i < in.wf.tasks().size(); ++i) {
    const std::string& id = in.wf.tasks()[i].id;
    bj::object task;
    if (in.wf.tasks()[i].is_error_handler) {
      // The workflow's errorHandler shows among the tasks once it has run.
      if (in.state.tasks[i].runs == 0) continue;
      if (const bj::value* eh = in.wf.doc().if_contains("errorHandler"); eh && eh->is_object()) {
        task = eh->get_object();
      }
    } else if (src) {
      if (auto it = src->find(id); it != src->end() && it->value().is_object()) {
        task = it->value().get_object();
      }
    }
    AddTaskRuntime(in, static_cast<int>(i), &task);
    tasks[id] = std::move(task);
  }
  doc["tasks"] = std::move(tasks);
  return doc;
}

}  // namespace opsflow::engine
