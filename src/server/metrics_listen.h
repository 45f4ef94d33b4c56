// `serve --metrics-listen HOST:PORT`: a second, plain-HTTP listener that answers only
// GET /metrics (Prometheus text, base/metrics.h) without a token, for a scraper on a private
// network; every other request gets 404. Thread-safety: as http::Server.
#pragma once

#include <memory>
#include <string>

#include "base/status.h"
#include "http/server.h"

namespace opsflow::server {

// Starts the listener on `listen` (HOST:PORT); the caller stops it before the runtime goes.
base::Result<std::unique_ptr<http::Server>> StartMetricsListener(const std::string& host,
                                                                 uint16_t port);

}  // namespace opsflow::server
