#include "runtime/stubs.h"

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "json/parse.h"

namespace opsflow::runtime {
namespace bj = boost::json;

base::Result<std::vector<Stub>> StubRegistry::ParseStubs(const bj::array& entries) {
  std::vector<Stub> out;
  for (size_t i = 0; i < entries.size(); ++i) {
    const bj::object* e = entries[i].if_object();
    std::string where = "stub " + std::to_string(i);
    if (!e) return base::InvalidArgument(where + " must be an object");
    const bj::value* id = e->if_contains("taskId");
    if (!id || !id->is_string() || id->get_string().empty()) {
      return base::InvalidArgument(where + " needs a taskId string");
    }
    Stub s;
    s.task_id = std::string(id->get_string());
    const bj::value* outgoing = e->if_contains("outgoing");
    if (const bj::value* vars = e->if_contains("variables");
        !outgoing && vars && vars->is_object()) {
      outgoing = vars->get_object().if_contains("outgoing");
    }
    if (outgoing && !outgoing->is_object()) {
      return base::InvalidArgument(where + " (task " + s.task_id + "): outgoing must be an object");
    }
    if (outgoing) s.outgoing = outgoing->get_object();
    if (const bj::value* f = e->if_contains("finish_state")) {
      if (!f->is_string() || !model::ParseFinishState(f->get_string(), &s.finish) ||
          s.finish == model::FinishState::kLoop) {
        return base::InvalidArgument(where + " (task " + s.task_id +
                                     "): finish_state must be success, failure or error");
      }
    }
    out.push_back(std::move(s));
  }
  return out;
}

bj::object StubRegistry::ToJson(const std::string& workflow, const std::vector<Stub>& stubs,
                                const std::optional<Stub>& adapter_default) {
  bj::array tasks;
  for (const Stub& s : stubs) {
    tasks.push_back(bj::object{{"taskId", s.task_id},
                               {"finish_state", model::FinishStateName(s.finish)},
                               {"outgoing", s.outgoing}});
  }
  bj::object out{{"workflow", workflow}, {"stubTasks", std::move(tasks)}};
  if (adapter_default) {
    out["adapterDefault"] =
        bj::object{{"finish_state", model::FinishStateName(adapter_default->finish)},
                   {"outgoing", adapter_default->outgoing}};
  }
  return out;
}

base::Status StubRegistry::Load() {
  auto all = docs_->List("stubs");
  if (!all.ok()) return all.status();
  base::WriterLock l(&mu_);
  for (const auto& d : *all) {
    auto v = json::Parse(d.doc_json, {.max_depth = 256, .max_bytes = size_t(1) << 30});
    if (!v.ok() || !v->is_object()) continue;
    const bj::value* tasks = v->get_object().if_contains("stubTasks");
    if (!tasks || !tasks->is_array()) continue;
    auto stubs = ParseStubs(tasks->get_array());
    if (!stubs.ok()) continue;
    for (Stub& s : *stubs) by_workflow_[d.key][s.task_id] = std::move(s);
    if (const bj::value* def = v->get_object().if_contains("adapterDefault");
        def && def->is_object()) {
      bj::object entry = def->get_object();
      entry["taskId"] = "*";
      auto parsed = ParseStubs(bj::array{entry});
      if (parsed.ok()) adapter_default_[d.key] = parsed->front();
    }
  }
  return base::Status::Ok();
}

base::Status StubRegistry::Save(const std::string& workflow) {
  std::vector<Stub> list;
  for (const auto& [id, s] : by_workflow_[workflow]) list.push_back(s);
  std::optional<Stub> def;
  if (auto it = adapter_default_.find(workflow); it != adapter_default_.end()) def = it->second;
  return docs_->Put("stubs", workflow, bj::serialize(ToJson(workflow, list, def)));
}

base::Status StubRegistry::Put(const std::string& workflow, const std::vector<Stub>& stubs) {
  if (workflow.empty()) return base::InvalidArgument("stubs need a workflow name");
  base::WriterLock l(&mu_);
  auto before = by_workflow_[workflow];
  for (const Stub& s : stubs) by_workflow_[workflow][s.task_id] = s;
  base::Status st = Save(workflow);
  if (!st.ok()) by_workflow_[workflow] = std::move(before);
  return st;
}

base::Status StubRegistry::Clear(const std::string& workflow) {
  base::WriterLock l(&mu_);
  auto it = by_workflow_.find(workflow);
  if (it == by_workflow_.end()) return base::NotFound("no stubs for workflow '" + workflow + "'");
  OPSFLOW_RETURN_IF_ERROR(docs_->Delete("stubs", workflow));
  by_workflow_.erase(it);
  adapter_default_.erase(workflow);
  return base::Status::Ok();
}

std::optional<Stub> StubRegistry::AdapterDefault(const std::string& workflow) const {
  base::ReaderLock l(&mu_);
  if (adapter_default_.empty()) return std::nullopt;
  auto it = adapter_default_.find(workflow);
  if (it == adapter_default_.end()) return std::nullopt;
  return it->second;
}

base::Status StubRegistry::SetAdapterDefault(const std::string& workflow,
                                             std::optional<Stub> stub) {
  base::WriterLock l(&mu_);
  auto before = adapter_default_;
  if (stub) {
    adapter_default_[workflow] = std::move(*stub);
  } else {
    adapter_default_.erase(workflow);
  }
  by_workflow_[workflow];  // the workflow has a stubs document from now on
  base::Status st = Save(workflow);
  if (!st.ok()) adapter_default_ = std::move(before);
  return st;
}

std::optional<Stub> StubRegistry::Find(const std::string& workflow,
                                       const std::string& task_id) const {
  base::ReaderLock l(&mu_);
  if (by_workflow_.empty()) return std::nullopt;
  auto w = by_workflow_.find(workflow);
  if (w == by_workflow_.end()) return std::nullopt;
  auto t = w->second.find(task_id);
  if (t == w->second.end()) return std::nullopt;
  return t->second;
}

std::map<std::string, std::vector<Stub>> StubRegistry::All() const {
  base::ReaderLock l(&mu_);
  std::map<std::string, std::vector<Stub>> out;
  for (const auto& [wf, tasks] : by_workflow_) {
    out[wf];
    for (const auto& [id, s] : tasks) out[wf].push_back(s);
  }
  return out;
}

}  // namespace opsflow::runtime
