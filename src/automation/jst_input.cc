#include "automation/jst_input.h"

#include <boost/json.hpp>

#include "auth/access.h"
#include "json/parse.h"
#include "tasks/jst_apply.h"

namespace opsflow::automation {
namespace bj = boost::json;

namespace {

base::Result<bj::value> ReadJst(store::DocStore* docs, const std::string& id) {
  auto text = docs->Get("transformation", id);
  if (!text.ok()) return text.status();
  auto doc = json::Parse(*text);
  if (!doc.ok() || !doc->is_object()) {
    return base::Internal("transformation '" + id + "' is unreadable");
  }
  return std::move(doc).value();
}

}  // namespace

std::string JstIdOf(const bj::object& trigger) {
  const bj::value* v = trigger.if_contains("jst");
  if (!v) return "";
  if (v->is_string()) return std::string(v->get_string());
  if (v->is_object()) {
    const bj::value* id = v->get_object().if_contains("_id");
    if (id && id->is_string()) return std::string(id->get_string());
  }
  return "";
}

bool JstVisible(store::DocStore* docs, const auth::Account& a, const std::string& id) {
  auto doc = ReadJst(docs, id);
  return doc.ok() && auth::CanSee(a, auth::GroupsOfDoc(doc->get_object()));
}

base::Result<bj::object> ApplyTriggerJst(store::DocStore* docs, const bj::object& trigger,
                                         const bj::value& input, int64_t now_ms) {
  std::string id = JstIdOf(trigger);
  auto doc = ReadJst(docs, id);
  if (!doc.ok()) {
    if (doc.status().code() == base::Code::kInternal) return doc.status();
    return base::InvalidArgument("transformation '" + id + "' not found");
  }
  return tasks::ApplyJstToInput(doc->get_object(), input, id, now_ms);
}

}  // namespace opsflow::automation
