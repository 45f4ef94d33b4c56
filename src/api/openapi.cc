#include "api/openapi.h"

#include <boost/json.hpp>
#include <map>
#include <string_view>

#include "api/state.h"

namespace opsflow::api {
namespace {

constexpr const char* kCommonRef = "common#/definitions/";
constexpr const char* kComponentRef = "#/components/schemas/";

// "/jobs/:jobId/tasks/:taskId" -> "/jobs/{jobId}/tasks/{taskId}", the names in `params`.
std::string OpenApiPath(std::string_view pattern, std::vector<std::string>* params) {
  std::string out;
  size_t i = 0;
  while (i < pattern.size()) {
    if (pattern[i] == ':' && i > 0 && pattern[i - 1] == '/') {
      size_t end = pattern.find('/', i);
      if (end == std::string_view::npos) end = pattern.size();
      std::string name(pattern.substr(i + 1, end - i - 1));
      out += "{" + name + "}";
      params->push_back(std::move(name));
      i = end;
    } else {
      out += pattern[i++];
    }
  }
  return out;
}

// Rewrites the `$ref`s into the named schema "common" to the document's components.
void RewriteRefs(bj::value& v) {
  if (v.is_array()) {
    for (auto& e : v.get_array()) RewriteRefs(e);
    return;
  }
  if (!v.is_object()) return;
  for (auto& [k, e] : v.get_object()) {
    if (k == "$ref" && e.is_string() && e.get_string().starts_with(kCommonRef)) {
      std::string_view rest = e.get_string();
      rest.remove_prefix(std::string_view(kCommonRef).size());
      e = std::string(kComponentRef) + std::string(rest);
    } else {
      RewriteRefs(e);
    }
  }
}

std::string OperationId(const RouteInfo& r) {
  std::string id;
  for (char ch : std::string_view(r.method)) id += static_cast<char>(ch - 'A' + 'a');
  for (char ch : std::string_view(r.pattern)) {
    if (ch == '/')
      id += '_';
    else if (ch != ':')
      id += ch;
  }
  return id;
}

bj::object Ref(const std::string& name) {
  return {{"$ref", std::string(kComponentRef) + name}};
}

bj::object JsonContent(bj::value schema) {
  return {{"application/json", bj::object{{"schema", std::move(schema)}}}};
}

// The schemas the server validates request bodies with, by "METHOD pattern".
const std::map<std::string, std::string>& ValidatedBodies() {
  static const std::map<std::string, std::string> m = {
      {"POST /operations-manager/jobs/start", "StartJobBody"},
      {"POST /operations_manager/jobs/start", "StartJobBody"},
  };
  return m;
}

bj::object Operation(const RouteInfo& r, const std::vector<std::string>& params) {
  bj::object op;
  std::string_view pattern = r.pattern;
  size_t seg_end = pattern.find('/', 1);
  op["operationId"] = OperationId(r);
  op["tags"] = bj::array{std::string(pattern.substr(1, seg_end == std::string_view::npos
                                                           ? std::string_view::npos
                                                           : seg_end - 1))};
  op["summary"] = std::string(r.method) + " " + r.pattern;
  bj::array ps;
  for (const std::string& p : params) {
    ps.push_back(bj::object{
        {"name", p}, {"in", "path"}, {"required", true}, {"schema", {{"type", "string"}}}});
  }
  if (!ps.empty()) op["parameters"] = std::move(ps);
  std::string method(r.method);
  if (method == "POST" || method == "PUT" || method == "PATCH") {
    auto v = ValidatedBodies().find(method + " " + r.pattern);
    bj::object body;
    if (v != ValidatedBodies().end()) {
      body["required"] = true;
      body["content"] = JsonContent(Ref(v->second));
    } else {
      body["required"] = false;
      body["description"] = "A JSON document; this route checks it in its handler.";
      body["content"] = JsonContent(bj::object{});
    }
    op["requestBody"] = std::move(body);
  }
  bj::object responses;
  responses["200"] = bj::object{{"description", "Success"}};
  responses["default"] = bj::object{{"$ref", "#/components/responses/Error"}};
  if (r.auth) responses["401"] = bj::object{{"$ref", "#/components/responses/Error"}};
  op["responses"] = std::move(responses);
  op["security"] = r.auth ? bj::array{bj::object{{"bearer", bj::array()}},
                                      bj::object{{"tokenQuery", bj::array()}},
                                      bj::object{{"tokenCookie", bj::array()}}}
                          : bj::array{bj::object{}};
  return op;
}

bj::object Components() {
  bj::object schemas;
  bj::value start = bj::parse(kStartBodySchema);
  RewriteRefs(start);
  schemas["StartJobBody"] = std::move(start);
  bj::value common = bj::parse(kStartCommonSchema);
  for (auto& [k, v] : common.at("definitions").as_object()) schemas[k] = v;
  schemas["ErrorEnvelope"] = bj::parse(R"js({
    "type":"object","required":["message","data","metadata"],
    "properties":{"message":{"type":"string","description":"What went wrong, in a sentence."},
      "data":{"description":"null, or details (e.g. the schema errors of a body)"},
      "metadata":{"type":"object"}}})js");
  bj::object responses;
  responses["Error"] = bj::object{
      {"description", "An error: 4xx for bad input, missing or insufficient rights, 5xx for the "
                      "server; the body is the error envelope."},
      {"content", JsonContent(Ref("ErrorEnvelope"))}};
  bj::object security{
      {"bearer", {{"type", "http"}, {"scheme", "bearer"}}},
      {"tokenQuery", {{"type", "apiKey"}, {"in", "query"}, {"name", "token"}}},
      {"tokenCookie", {{"type", "apiKey"}, {"in", "cookie"}, {"name", "token"}}}};
  return {{"schemas", std::move(schemas)},
          {"responses", std::move(responses)},
          {"securitySchemes", std::move(security)}};
}

}  // namespace

bj::value OpenApiDocument(const std::vector<RouteInfo>& routes, const std::string& release) {
  bj::object paths;
  for (const RouteInfo& r : routes) {
    std::vector<std::string> params;
    std::string path = OpenApiPath(r.pattern, &params);
    std::string method(r.method);
    for (char& ch : method) ch = static_cast<char>(ch - 'A' + 'a');
    bj::value& item = paths[path];
    if (!item.is_object()) item = bj::object();
    item.as_object()[method] = Operation(r, params);
  }
  return bj::object{
      {"openapi", "3.1.0"},
      {"info",
       {{"title", "opsflow"},
        {"version", release},
        {"description", "The REST API of opsflow, generated from the route table that "
                        "dispatches requests. Lists take the parameters of SPEC §2 "
                        "(equals[f], q, sort, skip, limit, include ...)."}}},
      {"paths", std::move(paths)},
      {"components", Components()}};
}

}  // namespace opsflow::api
