#include "tasks/jst/validate.h"

#include <boost/json.hpp>
#include <string>
#include <vector>

#include "json/schema.h"
#include "tasks/jst/lib.h"

namespace opsflow::tasks::jst::internal {

namespace {

// The schema objects of `key` ("incoming"/"outgoing") with their $id.
base::Result<std::vector<std::pair<std::string, const bj::object*>>> Schemas(const bj::object& jst,
                                                                             std::string_view key) {
  std::vector<std::pair<std::string, const bj::object*>> out;
  const bj::value* list = jst.if_contains(key);
  if (!list || list->is_null()) return out;
  if (!list->is_array())
    return base::InvalidArgument("JST " + std::string(key) + " must be an array");
  for (const bj::value& s : list->get_array()) {
    const bj::value* id = s.is_object() ? s.get_object().if_contains("$id") : nullptr;
    if (!id || !id->is_string()) {
      return base::InvalidArgument("JST " + std::string(key) + " schema without a string $id");
    }
    out.emplace_back(std::string(id->get_string()), &s.get_object());
  }
  return out;
}

// The schema with its own $id removed (a bare name such as "vpcId" is not a URI).
bj::value WithoutId(const bj::object& schema) {
  bj::object copy = schema;
  copy.erase("$id");
  return copy;
}

}  // namespace

base::Result<bj::object> PrepareInputs(const bj::object& jst, const bj::object& inputs,
                                       const JstOptions& opts) {
  OPSFLOW_ASSIGN_OR_RETURN(auto schemas, Schemas(jst, "incoming"));
  bj::object prepared;
  std::vector<std::string> missing;
  for (const auto& [id, schema] : schemas) {
    if (const bj::value* v = inputs.if_contains(id)) {
      prepared[id] = *v;
    } else if (const bj::value* d = schema->if_contains("default"); d && opts.revert_to_default) {
      prepared[id] = *d;
    } else {
      const bj::value* opt = schema->if_contains("optional");
      if (!(opt && opt->is_bool() && opt->get_bool())) missing.push_back(id);
    }
  }
  if (!opts.validate_incoming) return prepared;
  if (!missing.empty()) {
    std::string msg = "Missing one of the following required instances: ";
    for (size_t i = missing.size(); i-- > 0;) {
      msg += missing[i];
      if (i > 0) msg += ", ";
    }
    return base::InvalidArgument(msg);
  }
  for (const auto& [id, schema] : schemas) {
    auto compiled = opsflow::json::Schema::Compile(WithoutId(*schema));
    if (!compiled.ok()) continue;  // a schema we cannot compile does not block the run
    auto errors = (*compiled)->Validate(prepared.at(id), 5);
    if (!errors.empty()) {
      return base::InvalidArgument("Incoming \"" + id +
                                   "\" is invalid: " + opsflow::json::ErrorsToMessage(errors));
    }
  }
  return prepared;
}

base::Result<bj::object> FinishOutputs(const bj::object& jst, bj::object out,
                                       const JstOptions& opts) {
  OPSFLOW_ASSIGN_OR_RETURN(auto schemas, Schemas(jst, "outgoing"));
  bj::object result;
  for (const auto& [id, schema] : schemas) {
    if (bj::value* v = out.if_contains(id)) {
      Sanitize(*v);
      result[id] = std::move(*v);
    } else if (const bj::value* d = schema->if_contains("default"); d && opts.revert_to_default) {
      result[id] = *d;
    }
  }
  return result;
}

}  // namespace opsflow::tasks::jst::internal
