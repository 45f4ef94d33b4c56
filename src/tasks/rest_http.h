// A blocking HTTP(S) exchange with libcurl's easy interface, for the restCall task.
// Internal to the tasks module. Thread-safety: PerformHttp is reentrant (one easy handle per
// call; libcurl's global state is initialised once, thread-safely).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/status.h"

namespace opsflow::tasks::internal {

struct HttpRequest {
  std::string method = "GET";        // GET, HEAD, POST, PUT, PATCH or DELETE
  std::string uri;                   // http:// or https:// only (also enforced in libcurl)
  std::vector<std::string> headers;  // "Name: value" lines, already validated
  std::optional<std::string> body;   // sent as is when present (not for HEAD)
  std::optional<std::pair<std::string, std::string>> basic_auth;  // user, password
  int64_t connect_timeout_ms = 10'000;
  int64_t timeout_ms = 60'000;
  int64_t max_response_bytes = 10 * 1024 * 1024;
  int64_t max_header_bytes = 1024 * 1024;
  int64_t max_redirects = 5;
};

struct HttpResponse {
  long status = 0;  // of the final response, after redirects
  // Header fields of the final response in order, names as received, values trimmed.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;  // decoded (Content-Encoding undone), raw bytes
};

// Performs the exchange. Any HTTP status is a result; errors are transport failures
// (Unavailable: refused, DNS, TLS, timeout, too many redirects, a disallowed redirect target)
// and limits (ResourceExhausted: "response larger than N bytes").
base::Result<HttpResponse> PerformHttp(const HttpRequest& req);

}  // namespace opsflow::tasks::internal
