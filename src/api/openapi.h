// GET /openapi.json: an OpenAPI 3.1 document generated from the route table that dispatches
// requests (api.cc), so the two cannot drift: every row is an operation with its method, path
// parameters, authentication, the body schema where the server validates one, and the error
// envelope. Thread-safety: stateless functions.
#pragma once

#include <boost/json/fwd.hpp>
#include <string>
#include <vector>

namespace opsflow::api {

struct RouteInfo {
  const char* method;
  const char* pattern;  // ":x" is path parameter x
  bool auth;            // a token is required
};

// Every row of the route table, in dispatch order (defined in api.cc next to the table).
const std::vector<RouteInfo>& RouteTable();

// The JSON Schema of POST /operations-manager/jobs/start (SPEC §1) and the named schema
// "common" its `$ref`s point into; Api::Init compiles the same texts (api.cc).
extern const char kStartBodySchema[];
extern const char kStartCommonSchema[];

// The document for `routes`; `release` is the API's version.
boost::json::value OpenApiDocument(const std::vector<RouteInfo>& routes,
                                   const std::string& release);

}  // namespace opsflow::api
