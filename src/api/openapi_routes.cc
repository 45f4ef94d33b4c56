// GET /openapi.json (the document of openapi.h, built once) and GET /metrics (admin only; the
// Prometheus text of base/metrics.h).
#include <boost/json.hpp>

#include "api/openapi.h"
#include "api/state.h"
#include "base/metrics.h"

namespace opsflow::api {
namespace {

void GetOpenApi(Api::State& s, Call& c) {
  // Built once: the route table and the release do not change while the server runs.
  static const std::string doc = bj::serialize(OpenApiDocument(RouteTable(), s.opts.release));
  Response r;
  r.body = doc;
  c.done(std::move(r));
}

void GetMetrics(Api::State&, Call& c) {
  if (!RequireAdmin(c, "read the metrics")) return;
  Response r;
  r.content_type = "text/plain; version=0.0.4; charset=utf-8";
  r.body = base::metrics::Render();
  c.done(std::move(r));
}

}  // namespace

std::span<const Route> OpenApiRoutes() {
  static const Route kRoutes[] = {
      {"GET", "/openapi.json", GetOpenApi, false},
      {"GET", "/metrics", GetMetrics, true},
  };
  return kRoutes;
}

}  // namespace opsflow::api
