// Process-wide limits of the restCall built-in task (SPEC §10: "restCall timeout and response
// size" are configurable). The server sets them once from its configuration at start-up; tests
// lower them. Thread-safety: Set/Get are safe from any thread; a task reads them once at start.
#pragma once

#include <cstdint>

namespace opsflow::tasks {

struct RestCallLimits {
  int64_t connect_timeout_ms = 10'000;  // TCP + TLS handshake
  int64_t timeout_ms = 60'000;          // whole transfer, when incoming `timeout` is absent
  int64_t max_timeout_ms = 600'000;     // incoming `timeout` is capped at this
  int64_t max_response_bytes = 10 * 1024 * 1024;  // decoded body; over it the task errs
  int64_t max_header_bytes = 1024 * 1024;         // all response header lines together
  int64_t max_redirects = 5;
};

void SetRestCallLimits(const RestCallLimits& limits);
RestCallLimits GetRestCallLimits();

}  // namespace opsflow::tasks
