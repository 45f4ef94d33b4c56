// /transformations CRUD: JST documents keyed by _id.
#include "api/state.h"
#include "base/ids.h"
#include "json/parse.h"

namespace opsflow::api {
namespace {

bool ValidJst(Call& c, const bj::object& doc) {
  for (const char* k : {"incoming", "outgoing", "steps"}) {
    const bj::value* v = doc.if_contains(k);
    if (!v || !v->is_array()) {
      ReplyError(c, 400, std::string("transformation must have an array '") + k + "'");
      return false;
    }
  }
  return true;
}

void Store(Api::State& s, Call& c, bj::object doc) {
  if (!ValidJst(c, doc)) return;
  base::Status st = s.deps.docs->Put("transformation", std::string(doc.at("_id").get_string()),
                                     bj::serialize(doc));
  if (!st.ok()) {
    ReplyError(c, st);
    return;
  }
  Reply(c, 200, doc);
}

}  // namespace

void ListTransformations(Api::State& s, Call& c) {
  auto all = s.deps.docs->List("transformation");
  if (!all.ok()) {
    ReplyError(c, all.status());
    return;
  }
  bj::array results;
  for (const auto& d : *all) {
    auto v = json::Parse(d.doc_json, {.max_depth = 256, .max_bytes = size_t(1) << 30});
    if (v.ok()) results.push_back(std::move(v).value());
  }
  int64_t total = static_cast<int64_t>(results.size());
  Reply(c, 200, bj::object{{"results", std::move(results)}, {"total", total}});
}

void GetTransformation(Api::State& s, Call& c) {
  auto d = s.deps.docs->Get("transformation", c.params[0]);
  if (!d.ok()) {
    ReplyError(c, 404, "Transformation '" + c.params[0] + "' not found");
    return;
  }
  auto v = json::Parse(*d, {.max_depth = 256, .max_bytes = size_t(1) << 30});
  if (!v.ok()) {
    ReplyError(c, v.status());
    return;
  }
  Reply(c, 200, *v);
}

void CreateTransformation(Api::State& s, Call& c) {
  bj::object doc;
  if (!ParseBodyObject(s, c, &doc)) return;
  if (!doc.contains("_id") || !doc["_id"].is_string() || doc["_id"].get_string().empty()) {
    doc["_id"] = base::NewObjectId();
  }
  Store(s, c, std::move(doc));
}

void UpdateTransformation(Api::State& s, Call& c) {
  bj::object doc;
  if (!ParseBodyObject(s, c, &doc)) return;
  if (!s.deps.docs->Get("transformation", c.params[0]).ok()) {
    ReplyError(c, 404, "Transformation '" + c.params[0] + "' not found");
    return;
  }
  doc["_id"] = c.params[0];
  Store(s, c, std::move(doc));
}

void DeleteTransformation(Api::State& s, Call& c) {
  base::Status st = s.deps.docs->Delete("transformation", c.params[0]);
  if (!st.ok()) {
    ReplyError(c, 404, "Transformation '" + c.params[0] + "' not found");
    return;
  }
  ReplyEnvelope(c, "Transformation deleted", bj::value(c.params[0]));
}

}  // namespace opsflow::api
