#include "model/start_check.h"

#include <boost/json.hpp>
#include <map>
#include <mutex>

namespace opsflow::model {
namespace bj = boost::json;

namespace {

// Cached compiled schemas: bounded, so a stream of new workflow versions cannot grow it forever.
constexpr size_t kMaxCachedSchemas = 1000;

}  // namespace

std::shared_ptr<const json::Schema> InputSchemaOf(const Workflow& wf, std::string* error) {
  static std::mutex mu;
  static std::map<std::string, std::shared_ptr<const json::Schema>> cache;
  {
    std::lock_guard<std::mutex> l(mu);
    if (auto it = cache.find(wf.version()); it != cache.end()) return it->second;
  }
  const bj::value* schema = wf.doc().if_contains("inputSchema");
  std::shared_ptr<const json::Schema> compiled;
  if (schema && schema->is_object() && !schema->get_object().empty()) {
    auto c = json::Schema::Compile(*schema);
    if (!c.ok()) {
      *error = "workflow inputSchema is invalid: " + c.status().message();
      return nullptr;
    }
    compiled = *c;
  }
  std::lock_guard<std::mutex> l(mu);
  if (cache.size() >= kMaxCachedSchemas) cache.clear();
  cache[wf.version()] = compiled;
  return compiled;
}

base::Status CheckStartable(const Workflow& wf, const bj::object& variables,
                            std::vector<json::SchemaError>* errs) {
  if (wf.is_draft()) {
    return base::InvalidArgument("Workflow '" + wf.name() +
                                 "' has validation errors (a draft) and cannot start");
  }
  if (wf.start() < 0 || wf.end() < 0) {
    return base::InvalidArgument("Workflow '" + wf.name() +
                                 "' has no workflow_start or workflow_end task");
  }
  std::string schema_error;
  auto input_schema = InputSchemaOf(wf, &schema_error);
  if (!schema_error.empty()) return base::InvalidArgument(schema_error);
  if (!input_schema) return base::Status::Ok();
  auto verrs = input_schema->Validate(bj::value(variables));
  if (!verrs.empty() && (!variables.contains("_id") || !variables.contains("initiator"))) {
    // The job's own _id and initiator are added when it starts: check with stand-ins for them
    // (only on this path, so a passing start copies nothing).
    bj::object with = variables;
    if (!with.contains("_id")) with["_id"] = "000000000000000000000000";
    if (!with.contains("initiator")) with["initiator"] = "";
    verrs = input_schema->Validate(bj::value(std::move(with)));
  }
  if (verrs.empty()) return base::Status::Ok();
  std::string message =
      "Job variables do not match the workflow inputSchema: " + json::ErrorsToMessage(verrs);
  if (errs) *errs = std::move(verrs);
  return base::InvalidArgument(message);
}

}  // namespace opsflow::model
