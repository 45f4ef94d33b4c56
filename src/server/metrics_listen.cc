#include "server/metrics_listen.h"

#include "base/metrics.h"

namespace opsflow::server {
namespace {

class MetricsHandler final : public api::Handler {
 public:
  void Handle(api::Request req, api::Responder done) override {
    if (req.path != "/metrics") {
      done(api::ErrorResponse(404, "this listener serves only GET /metrics"));
      return;
    }
    if (req.method != "GET") {
      done(api::ErrorResponse(405, "method " + req.method + " is not allowed on /metrics"));
      return;
    }
    api::Response r;
    r.content_type = "text/plain; version=0.0.4; charset=utf-8";
    r.body = base::metrics::Render();
    done(std::move(r));
  }
};

}  // namespace

base::Result<std::unique_ptr<http::Server>> StartMetricsListener(const std::string& host,
                                                                 uint16_t port) {
  http::ServerOptions so;
  so.address = host;
  so.port = port;
  so.threads = 1;
  so.max_connections = 16;
  auto server = std::make_unique<http::Server>(so, std::make_shared<MetricsHandler>());
  OPSFLOW_RETURN_IF_ERROR(server->Start());
  return server;
}

}  // namespace opsflow::server
