// The JSON and WorkFlowEngine libraries and the Object/Null declarations of the JST runtime.
#include <boost/json.hpp>

#include "json/parse.h"
#include "tasks/jst/lib.h"
#include "tasks/query/json_query.h"

namespace opsflow::tasks::jst::internal {

namespace {

Ret JsonParse(Args& a) {
  auto r = opsflow::json::Parse(ToJsString(a[0]));
  if (!r.ok()) return a.Fail(r.status().message());
  return r;
}

Ret JsonStringify(Args& a) {
  bj::value v = a[0];
  Sanitize(v);
  return bj::value(opsflow::json::Serialize(v));
}

// WorkFlowEngine.query(pass_on_null, query, obj): json-query as the query task runs it.
Ret Query(Args& a) {
  std::string q = a[1].is_null() ? "" : ToJsString(a[1]);
  auto r = JsonQuery(a[2], q);
  if (!r.ok()) return a.Fail(r.status().message());
  return r;
}

// new Object(x): x itself when it is an object, "{...}" text parsed as JSON (the JST
// designer stores an empty object literal as the string "{}"), {} otherwise.
Ret NewObject(Args& a) {
  if (a[0].is_object()) return a[0];
  if (a[0].is_string()) {
    auto r = opsflow::json::Parse(a[0].get_string());
    if (r.ok() && r->is_object()) return r;
  }
  return bj::object();
}

Ret NewNull(Args&) { return bj::value(); }

// JSON."type of": JS typeof. Null reads as undefined (the runtime's unset value); arrays, a
// RegExp and objects are "object". A Date is its ISO string, so "string".
Ret TypeOf(Args& a) {
  const bj::value& v = a[0];
  const char* t = "object";
  if (v.is_null()) {
    t = "undefined";
  } else if (v.is_string()) {
    t = "string";
  } else if (v.is_bool()) {
    t = "boolean";
  } else if (IsNumber(v)) {
    t = "number";
  }
  return bj::value(bj::string(t));
}

}  // namespace

std::vector<Entry> MiscMethods() {
  return {
      {"JSON.parse", JsonParse},       {"JSON.stringify", JsonStringify},
      {"WorkFlowEngine.query", Query}, {"Object.new Object", NewObject},
      {"Null.new Null", NewNull},       {"JSON.type of", TypeOf},
  };
}

}  // namespace opsflow::tasks::jst::internal
