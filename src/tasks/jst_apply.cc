#include "tasks/jst_apply.h"

#include <boost/json.hpp>
#include <vector>

#include "tasks/jst/jst.h"

namespace opsflow::tasks {
namespace bj = boost::json;

namespace {

// The $ids of a JST's incoming or outgoing schemas.
std::vector<std::string> SchemaIds(const bj::object& jst, const char* list) {
  std::vector<std::string> out;
  const bj::value* v = jst.if_contains(list);
  if (!v || !v->is_array()) return out;
  for (const bj::value& s : v->get_array()) {
    const bj::value* id = s.is_object() ? s.get_object().if_contains("$id") : nullptr;
    out.push_back(id && id->is_string() ? std::string(id->get_string()) : std::string());
  }
  return out;
}

}  // namespace

base::Result<bj::object> ApplyJstToInput(const bj::object& jst, const bj::value& input,
                                         const std::string& name, int64_t now_ms) {
  auto in_ids = SchemaIds(jst, "incoming");
  const bj::object* in_obj = input.if_object();
  bj::object inputs;
  if (in_ids.size() == 1) {
    inputs[in_ids[0]] = input;
  } else if (in_obj) {
    for (const std::string& k : in_ids) {
      if (const bj::value* v = in_obj->if_contains(k)) inputs[k] = *v;
    }
  }
  jst::JstOptions jo;
  jo.now_ms = now_ms;
  auto out = jst::RunJst(jst, inputs, jo);
  if (!out.ok()) {
    return base::InvalidArgument("transformation '" + name + "' failed: " + out.status().message());
  }
  auto out_ids = SchemaIds(jst, "outgoing");
  if (out_ids.size() == 1) {
    bj::value* v = out->if_contains(out_ids[0]);
    if (v && v->is_object()) return std::move(v->as_object());
    return bj::object{{out_ids[0], v ? *v : bj::value()}};
  }
  return std::move(out).value();
}

}  // namespace opsflow::tasks
