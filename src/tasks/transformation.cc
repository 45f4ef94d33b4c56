// transformation (WorkFlowEngine): runs the JST document named by tr_id.
//
// IAP inputs:  tr_id (the JST's id; the runtime looks the document up and passes it as
//              ctx.transformation), variableMap {incoming $id: value} (already resolved),
//              options {extractOutput, validateIncoming, revertToDefaultValue}
// IAP outputs: one per outgoing $id of the JST.
// Rules: a JST failure (validation, unknown method, runtime error, step or recursion limit)
// -> error with the runtime's message; no document -> error "Transformation <tr_id> not
// found". Decisions: every outgoing $id becomes the outgoing variable of that name holding
// its value, with or without extractOutput (with a single outgoing schema, IAP's extracted
// result is that value, and without it the variable of that name reads the same value out of
// the wrapper); an outgoing value nothing was assigned to is null. Options accept booleans
// or "true"/"false"; a missing option is false.
#include "tasks/transformation.h"

#include <boost/json.hpp>

#include "tasks/jst/jst.h"
#include "tasks/task_util.h"

namespace opsflow::tasks::internal {

namespace json = boost::json;

namespace {

// The boolean option `name`, false when absent; nullopt when it is not a boolean.
std::optional<bool> Option(const json::object* options, std::string_view name) {
  if (!options) return false;
  const json::value* v = Find(*options, name);
  if (!v || v->is_null()) return false;
  return AsBool(*v);
}

}  // namespace

TaskResult RunTransformation(const TaskContext& ctx) {
  const json::value* id = Find(ctx.incoming, "tr_id");
  std::string tr_id = id ? ToText(*id) : "";
  if (!ctx.transformation) return Error("Transformation " + tr_id + " not found");

  const json::value* vm = Find(ctx.incoming, "variableMap");
  static const json::object kEmpty;
  if (vm && !vm->is_object() && !vm->is_null()) {
    return WrongType("transformation", "variableMap", "an object", vm);
  }
  const json::object& inputs = (vm && vm->is_object()) ? vm->get_object() : kEmpty;

  const json::value* ov = Find(ctx.incoming, "options");
  if (ov && !ov->is_object() && !ov->is_null()) {
    return WrongType("transformation", "options", "an object", ov);
  }
  const json::object* options = (ov && ov->is_object()) ? &ov->get_object() : nullptr;
  jst::JstOptions opts;
  for (auto [name, field] : {std::pair{"validateIncoming", &opts.validate_incoming},
                             std::pair{"revertToDefaultValue", &opts.revert_to_default}}) {
    auto b = Option(options, name);
    if (!b) return Error(std::string("transformation: option ") + name + " must be a boolean");
    *field = *b;
  }
  if (!Option(options, "extractOutput")) {
    return Error("transformation: option extractOutput must be a boolean");
  }
  opts.now_ms = ctx.now_ms;

  auto r = jst::RunJst(*ctx.transformation, inputs, opts);
  if (!r.ok()) return Error(r.status().message());
  json::object out;
  if (const json::value* list = ctx.transformation->if_contains("outgoing");
      list && list->is_array()) {
    for (const json::value& s : list->get_array()) {
      const json::value* sid = s.is_object() ? s.get_object().if_contains("$id") : nullptr;
      if (!sid || !sid->is_string()) continue;
      json::value* v = r->if_contains(sid->get_string());
      out[sid->get_string()] = v ? std::move(*v) : json::value();
    }
  }
  return Success(std::move(out));
}

}  // namespace opsflow::tasks::internal
