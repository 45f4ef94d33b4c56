#include "api/state.h"
#include "json/parse.h"

namespace opsflow::api {

base::Status WorkflowRegistry::Load() {
  auto all = docs_->List("workflow");
  if (!all.ok()) return all.status();
  std::unique_lock<std::shared_mutex> l(mu_);
  for (const auto& d : *all) {
    auto v = json::Parse(d.doc_json, {.max_depth = 256, .max_bytes = size_t(1) << 30});
    if (!v.ok() || !v->is_object()) continue;
    auto wf = model::Workflow::FromJson(std::move(v->as_object()));
    if (wf.ok()) by_name_[d.key] = *wf;
  }
  return base::Status::Ok();
}

std::shared_ptr<const model::Workflow> WorkflowRegistry::Find(const std::string& name) const {
  std::shared_lock<std::shared_mutex> l(mu_);
  auto it = by_name_.find(name);
  return it == by_name_.end() ? nullptr : it->second;
}

std::vector<std::shared_ptr<const model::Workflow>> WorkflowRegistry::All() const {
  std::shared_lock<std::shared_mutex> l(mu_);
  std::vector<std::shared_ptr<const model::Workflow>> out;
  for (const auto& [k, v] : by_name_) out.push_back(v);
  return out;
}

base::Result<std::shared_ptr<const model::Workflow>> WorkflowRegistry::Put(bj::object doc) {
  auto wf = model::Workflow::FromJson(std::move(doc));
  if (!wf.ok()) return wf.status();
  std::unique_lock<std::shared_mutex> l(mu_);
  OPSFLOW_RETURN_IF_ERROR(docs_->Put("workflow", (*wf)->name(), bj::serialize((*wf)->doc())));
  by_name_[(*wf)->name()] = *wf;
  return *wf;
}

base::Status WorkflowRegistry::Remove(const std::string& name) {
  std::unique_lock<std::shared_mutex> l(mu_);
  OPSFLOW_RETURN_IF_ERROR(docs_->Delete("workflow", name));
  by_name_.erase(name);
  return base::Status::Ok();
}

}  // namespace opsflow::api
