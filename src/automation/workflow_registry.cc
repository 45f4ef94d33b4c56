#include "automation/workflow_registry.h"

#include <algorithm>
#include <boost/json.hpp>

#include "base/log.h"
#include "json/parse.h"

namespace opsflow::automation {
namespace bj = boost::json;

std::string WorkflowRegistry::IdOf(const model::Workflow& wf) {
  const bj::value* id = wf.doc().if_contains("_id");
  return id && id->is_string() ? std::string(id->get_string()) : std::string();
}

void WorkflowRegistry::IndexLocked(const std::shared_ptr<const model::Workflow>& wf) const {
  by_name_[wf->name()] = wf;
  std::string id = IdOf(*wf);
  if (id.empty()) return;
  std::vector<std::string>& names = names_by_id_[id];
  if (std::find(names.begin(), names.end(), wf->name()) == names.end()) {
    names.push_back(wf->name());
  }
}

void WorkflowRegistry::UnindexLocked(const std::string& name) {
  auto it = by_name_.find(name);
  if (it == by_name_.end()) return;
  std::string id = IdOf(*it->second);
  by_name_.erase(it);
  auto ids = names_by_id_.find(id);
  if (ids == names_by_id_.end()) return;
  std::vector<std::string>& names = ids->second;
  names.erase(std::remove(names.begin(), names.end(), name), names.end());
  if (names.empty()) names_by_id_.erase(ids);
}

base::Status WorkflowRegistry::Load() {
  auto all = docs_->List("workflow");
  if (!all.ok()) return all.status();
  std::unique_lock<std::shared_mutex> l(mu_);
  for (const auto& d : *all) {
    auto v = json::Parse(d.doc_json, {.max_depth = 256, .max_bytes = size_t(1) << 30});
    if (!v.ok() || !v->is_object()) continue;
    auto wf = model::Workflow::FromJson(std::move(v->as_object()));
    if (wf.ok()) IndexLocked(*wf);
  }
  for (const auto& [id, names] : names_by_id_) {
    if (names.size() < 2) continue;
    std::string list;
    for (const std::string& n : names) list += (list.empty() ? "" : ", ") + n;
    base::LogWarn("workflows share an _id; give each its own (re-import with a new _id)",
                  "\"_id\":\"" + base::JsonEscape(id) + "\",\"workflows\":\"" +
                      base::JsonEscape(list) + "\"");
  }
  return base::Status::Ok();
}

std::shared_ptr<const model::Workflow> WorkflowRegistry::Find(const std::string& name) const {
  {
    std::shared_lock<std::shared_mutex> l(mu_);
    auto it = by_name_.find(name);
    if (it != by_name_.end()) return it->second;
  }
  // Not known here: another process of a cluster may have stored it since Load (README
  // "Cluster"); read it from the store once and keep it.
  auto text = docs_->Get("workflow", name);
  if (!text.ok()) return nullptr;
  auto v = json::Parse(*text, {.max_depth = 256, .max_bytes = size_t(1) << 30});
  if (!v.ok() || !v->is_object()) return nullptr;
  auto wf = model::Workflow::FromJson(std::move(v->as_object()));
  if (!wf.ok() || (*wf)->name() != name) return nullptr;
  std::unique_lock<std::shared_mutex> l(mu_);
  if (auto it = by_name_.find(name); it != by_name_.end()) return it->second;
  IndexLocked(*wf);
  return *wf;
}

std::shared_ptr<const model::Workflow> WorkflowRegistry::FindById(const std::string& id) const {
  std::shared_lock<std::shared_mutex> l(mu_);
  auto it = names_by_id_.find(id);
  if (it == names_by_id_.end() || it->second.empty()) return nullptr;
  auto wf = by_name_.find(it->second.front());
  return wf == by_name_.end() ? nullptr : wf->second;
}

std::vector<std::shared_ptr<const model::Workflow>> WorkflowRegistry::All() const {
  std::shared_lock<std::shared_mutex> l(mu_);
  std::vector<std::shared_ptr<const model::Workflow>> out;
  for (const auto& [k, v] : by_name_) out.push_back(v);
  return out;
}

base::Result<std::shared_ptr<const model::Workflow>> WorkflowRegistry::Put(
    bj::object doc, const std::string& replaces) {
  auto wf = model::Workflow::FromJson(std::move(doc));
  if (!wf.ok()) return wf.status();
  const std::string& name = (*wf)->name();
  std::string id = IdOf(**wf);
  std::unique_lock<std::shared_mutex> l(mu_);
  if (auto it = names_by_id_.find(id); !id.empty() && it != names_by_id_.end()) {
    for (const std::string& holder : it->second) {
      if (holder != name && holder != replaces) {
        return base::AlreadyExists("a workflow with _id '" + id +
                                   "' already exists under another name; import it without "
                                   "an _id or with its own");
      }
    }
  }
  OPSFLOW_RETURN_IF_ERROR(docs_->Put("workflow", name, bj::serialize((*wf)->doc())));
  UnindexLocked(name);
  IndexLocked(*wf);
  l.unlock();
  if (on_change_) on_change_(name);
  return *wf;
}

base::Status WorkflowRegistry::Remove(const std::string& name) {
  std::unique_lock<std::shared_mutex> l(mu_);
  OPSFLOW_RETURN_IF_ERROR(docs_->Delete("workflow", name));
  UnindexLocked(name);
  l.unlock();
  if (on_change_) on_change_(name);
  return base::Status::Ok();
}

void WorkflowRegistry::Refresh(const std::string& name) {
  if (name.empty()) {
    {
      std::unique_lock<std::shared_mutex> l(mu_);
      by_name_.clear();
      names_by_id_.clear();
    }
    if (base::Status st = Load(); !st.ok()) {
      base::LogWarn("cannot read the workflows again; each is read when next used",
                    "\"error\":\"" + base::JsonEscape(st.message()) + "\"");
    }
    return;
  }
  std::shared_ptr<const model::Workflow> wf;
  auto text = docs_->Get("workflow", name);
  if (text.ok()) {
    auto v = json::Parse(*text, {.max_depth = 256, .max_bytes = size_t(1) << 30});
    if (v.ok() && v->is_object()) {
      auto parsed = model::Workflow::FromJson(std::move(v->as_object()));
      if (parsed.ok() && (*parsed)->name() == name) wf = *parsed;
    }
  } else if (text.status().code() != base::Code::kNotFound) {
    // Unknown: forget it, so that its next use reads the store (Find).
    base::LogWarn("cannot read a workflow another process changed",
                  "\"error\":\"" + base::JsonEscape(text.status().message()) + "\"");
  }
  std::unique_lock<std::shared_mutex> l(mu_);
  UnindexLocked(name);
  if (wf) IndexLocked(wf);
}

std::string WorkflowRegistry::DuplicateIdOf(const std::string& name) const {
  std::shared_lock<std::shared_mutex> l(mu_);
  auto it = by_name_.find(name);
  if (it == by_name_.end()) return "";
  auto ids = names_by_id_.find(IdOf(*it->second));
  if (ids == names_by_id_.end()) return "";
  for (const std::string& other : ids->second) {
    if (other != name) return other;
  }
  return "";
}

}  // namespace opsflow::automation
