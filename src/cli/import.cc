#include "cli/import.h"

#include <algorithm>
#include <boost/json.hpp>
#include <filesystem>
#include <map>
#include <set>

#include "cli/api_client.h"
#include "cli/vars.h"
#include "json/fields.h"
#include "json/parse.h"

namespace opsflow::cli {

namespace bj = boost::json;
namespace fs = std::filesystem;

namespace {

bool Has(const bj::object& o, std::string_view key) { return o.contains(key); }

using json::StringField;

bool IsTransformationObject(const bj::object& o) {
  return Has(o, "incoming") && Has(o, "outgoing") && Has(o, "steps");
}

// Renames childJob references to the project's own workflows.
void RenameChildJobReferences(bj::object& workflow, const std::string& project_id,
                              const std::set<std::string>& names) {
  auto* tasks = workflow.if_contains("tasks");
  if (!tasks || !tasks->is_object()) return;
  for (auto& [key, task] : tasks->as_object()) {
    if (!task.is_object() || StringField(task.as_object(), "name") != "childJob") continue;
    auto* vars = task.as_object().if_contains("variables");
    if (!vars || !vars->is_object()) continue;
    auto* incoming = vars->as_object().if_contains("incoming");
    if (!incoming || !incoming->is_object()) continue;
    auto* wf = incoming->as_object().if_contains("workflow");
    if (wf && wf->is_string() && names.count(std::string(wf->as_string()))) {
      *wf = ProjectWorkflowName(project_id, std::string(wf->as_string()));
    }
  }
}

// Per-item outcome of an import reply item (IAP answers [{success, data}], opsflow may add a
// message): "" on success, else the reason.
std::string ItemError(const bj::value& item) {
  if (!item.is_object()) return "the server's answer for this item is not an object";
  const bj::object& o = item.as_object();
  bool ok = true;
  if (auto* s = o.if_contains("success"); s && s->is_bool()) ok = s->as_bool();
  if (auto* s = o.if_contains("status"); s && s->is_string()) {
    ok = ok && s->as_string() != "error" && s->as_string() != "failed";
  }
  if (auto* e = o.if_contains("error"); e && !e->is_null() && !(e->is_bool() && !e->as_bool()) &&
                                        !(e->is_string() && e->as_string().empty())) {
    ok = false;
  }
  if (ok) return "";
  for (const char* key : {"message", "error", "data"}) {
    auto* v = o.if_contains(key);
    if (!v) continue;
    if (v->is_string()) return std::string(v->as_string());
    if (v->is_object()) {
      std::string m = StringField(v->as_object(), "message");
      if (!m.empty()) return m;
    }
  }
  return "rejected by the server";
}

}  // namespace

DocKind Classify(const bj::value& doc) {
  if (!doc.is_object()) return DocKind::kUnknown;
  const bj::object& o = doc.as_object();
  if (Has(o, "tasks") && Has(o, "transitions")) return DocKind::kWorkflow;
  if (IsTransformationObject(o)) return DocKind::kTransformation;
  if (auto* c = o.if_contains("components"); c && c->is_array()) return DocKind::kProject;
  if (Has(o, "stubTasks") || Has(o, "expectedTaskResults")) return DocKind::kStubFixture;
  if (Has(o, "struct") && (Has(o, "schema") || Has(o, "uiSchema"))) return DocKind::kJsonForm;
  return DocKind::kUnknown;
}

std::string SkipReason(DocKind kind) {
  switch (kind) {
    case DocKind::kStubFixture:
      return "an IAP stub fixture (test data for a job), not something to import";
    case DocKind::kJsonForm:
      return "a JSON form, which opsflow does not import yet";
    case DocKind::kUnknown:
      return "neither a workflow, a transformation nor a project export";
    default:
      return "";
  }
}

std::vector<std::string> ExpandImportPaths(const std::vector<std::string>& args,
                                           std::vector<std::string>* errors) {
  std::vector<std::string> out;
  for (const std::string& arg : args) {
    std::error_code ec;
    fs::file_status st = fs::status(arg, ec);
    if (ec || !fs::exists(st)) {
      errors->push_back("failed " + arg + ": no such file or directory");
      continue;
    }
    if (!fs::is_directory(st)) {
      out.push_back(arg);
      continue;
    }
    std::vector<std::string> found;
    fs::recursive_directory_iterator it(arg, fs::directory_options::skip_permission_denied, ec);
    for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      std::error_code fec;
      if (it->is_regular_file(fec) && it->path().extension() == ".json") {
        found.push_back(it->path().string());
      }
    }
    if (ec) errors->push_back("failed " + arg + ": cannot list the directory: " + ec.message());
    std::sort(found.begin(), found.end());
    out.insert(out.end(), found.begin(), found.end());
  }
  return out;
}

std::string ProjectWorkflowName(const std::string& project_id, const std::string& name) {
  std::string prefix = "@" + project_id + ": ";
  if (name.rfind(prefix, 0) == 0) return name;
  return prefix + name;
}

void AddProjectToPlan(const std::string& source, const bj::object& project, ImportPlan* plan) {
  std::string id = StringField(project, "_id");
  if (id.empty()) id = StringField(project, "id");
  if (id.empty()) {
    plan->errors.push_back("failed " + source + ": the project export has no _id");
    return;
  }
  const bj::array& components = project.at("components").as_array();
  std::set<std::string> workflow_names;
  for (const bj::value& c : components) {
    if (!c.is_object() || StringField(c.as_object(), "type") != "workflow") continue;
    auto* doc = c.as_object().if_contains("document");
    if (doc && doc->is_object()) workflow_names.insert(StringField(doc->as_object(), "name"));
  }
  std::map<std::string, int> other;
  for (const bj::value& c : components) {
    if (!c.is_object()) continue;
    const bj::object& comp = c.as_object();
    std::string type = StringField(comp, "type");
    auto* doc = comp.if_contains("document");
    if (!doc || !doc->is_object()) {
      ++other[type.empty() ? "unknown" : type];
      continue;
    }
    if (type == "workflow" && Classify(*doc) == DocKind::kWorkflow) {
      bj::object wf = doc->as_object();
      std::string name = ProjectWorkflowName(id, StringField(wf, "name"));
      wf["name"] = name;
      RenameChildJobReferences(wf, id, workflow_names);
      plan->workflows.push_back({source, name, std::move(wf)});
    } else if (type == "transformation" && IsTransformationObject(doc->as_object())) {
      const bj::object& jst = doc->as_object();
      plan->transformations.push_back({source, StringField(jst, "name"), jst});
    } else {
      ++other[type.empty() ? "unknown" : type];
    }
  }
  for (const auto& [type, n] : other) {
    plan->skipped.push_back("skipped " + std::to_string(n) + " '" + type +
                            "' component(s) of project " + source +
                            ": only workflows and transformations are imported");
  }
}

void AddDocumentToPlan(const std::string& source, bj::value doc, ImportPlan* plan) {
  DocKind kind = Classify(doc);
  switch (kind) {
    case DocKind::kWorkflow: {
      std::string name = StringField(doc.as_object(), "name");
      if (name.empty()) {
        plan->errors.push_back("failed " + source + ": the workflow has no name");
        return;
      }
      plan->workflows.push_back({source, name, std::move(doc.as_object())});
      return;
    }
    case DocKind::kTransformation: {
      std::string name = StringField(doc.as_object(), "name");
      plan->transformations.push_back({source, name, std::move(doc.as_object())});
      return;
    }
    case DocKind::kProject:
      return AddProjectToPlan(source, doc.as_object(), plan);
    default:
      plan->skipped.push_back("skipped " + source + ": " + SkipReason(kind));
  }
}

void AddFileToPlan(const std::string& path, ImportPlan* plan) {
  auto text = ReadFile(path);
  if (!text.ok()) {
    plan->errors.push_back("failed " + path + ": " + text.status().message());
    return;
  }
  json::ParseLimits limits;
  limits.max_bytes = 512u * 1024u * 1024u;
  limits.max_depth = 256;
  auto doc = json::Parse(*text, limits);
  if (!doc.ok()) {
    plan->errors.push_back("failed " + path + ": not valid JSON: " + doc.status().message());
    return;
  }
  AddDocumentToPlan(path, std::move(doc).value(), plan);
}

std::vector<std::vector<const ImportItem*>> BatchWorkflows(const std::vector<ImportItem>& items,
                                                           size_t max_bytes, size_t max_items) {
  std::vector<std::vector<const ImportItem*>> batches;
  size_t bytes = 0;
  for (const ImportItem& item : items) {
    size_t size = bj::serialize(item.doc).size() + 1;
    if (batches.empty() || batches.back().size() >= max_items ||
        (bytes + size > max_bytes && !batches.back().empty())) {
      batches.emplace_back();
      bytes = 0;
    }
    batches.back().push_back(&item);
    bytes += size;
  }
  return batches;
}

int RunImport(ApiClient& client, const std::vector<std::string>& paths, std::ostream& out,
              std::ostream& err) {
  ImportPlan plan;
  for (const std::string& file : ExpandImportPaths(paths, &plan.errors)) {
    AddFileToPlan(file, &plan);
  }
  bool failed = !plan.errors.empty();
  for (const std::string& line : plan.errors) err << line << "\n";
  for (const std::string& line : plan.skipped) out << line << "\n";

  // Transformations first: workflows refer to them.
  for (const ImportItem& t : plan.transformations) {
    bj::value body = t.doc;
    auto res = client.Call("POST", "/transformations", &body);
    if (res.ok()) {
      out << "imported transformation " << t.name << "\n";
      continue;
    }
    err << "failed to import transformation " << t.name << " (" << t.source
        << "): " << res.status().message() << "\n";
    failed = true;
    if (res.status().code() == base::Code::kUnavailable ||
        res.status().code() == base::Code::kUnauthenticated) {
      return 1;
    }
  }
  // Keep each request well under the server's default 10 MiB body limit.
  for (const auto& batch : BatchWorkflows(plan.workflows, 8u * 1024u * 1024u, 100)) {
    bj::array list;
    for (const ImportItem* w : batch) list.push_back(w->doc);
    bj::value body = bj::object{{"automations", std::move(list)}};
    auto res = client.Call("POST", "/automation-studio/automations/import", &body);
    if (!res.ok()) {
      for (const ImportItem* w : batch) {
        err << "failed to import workflow " << w->name << ": " << res.status().message() << "\n";
      }
      failed = true;
      if (res.status().code() == base::Code::kUnavailable ||
          res.status().code() == base::Code::kUnauthenticated) {
        return 1;
      }
      continue;
    }
    const bj::value* data = res->is_object() ? res->as_object().if_contains("data") : nullptr;
    const bj::array* items = data && data->is_array() ? &data->as_array() : nullptr;
    for (size_t i = 0; i < batch.size(); ++i) {
      std::string why = (items && i < items->size()) ? ItemError((*items)[i]) : "";
      if (why.empty()) {
        out << "imported workflow " << batch[i]->name << "\n";
      } else {
        err << "failed to import workflow " << batch[i]->name << ": " << why << "\n";
        failed = true;
      }
    }
  }
  if (plan.transformations.empty() && plan.workflows.empty() && !failed) {
    out << "nothing to import\n";
  }
  return failed ? 1 : 0;
}

}  // namespace opsflow::cli
