// The HTTP side of opsflow_loadgen: one-shot requests (login, list queries) and the pipelined
// job-start phase over keep-alive connections (Boost.Beast on one Asio thread).
// Thread-safety: every function runs its own io_context and may be called from any thread;
// none may be called concurrently with itself on the same StartStats.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "loadgen_options.h"

namespace opsflow::bench {

struct Reply {
  int status = 0;  // HTTP status; 0 when the exchange failed
  std::string body;
  std::string transport_error;  // set when status is 0
};

// Sends one request on a fresh connection and waits for the reply (30 s limit).
// `token` (may be empty) goes out as "Authorization: Bearer <token>".
Reply Fetch(const Options& o, std::string_view method, std::string_view target,
            std::string_view body, std::string_view token);

struct StartStats {
  std::vector<double> latencies_ms;        // one per successful request
  int errors = 0;                          // requests that failed, for any reason
  std::vector<std::string> error_samples;  // the first few failures, as sentences
  int64_t first_start_epoch_ms = 0;        // wall time just before the first request was sent
  double elapsed_s = 0;                    // first send to last reply, client side
  std::vector<std::string> job_ids;        // RunStarts: data._id of each successful start
};

// POSTs `body` to <prefix>/operations-manager/jobs/start o.jobs times over o.connections
// keep-alive connections; each connection sends its next request when the previous reply
// arrives. A start succeeds when the reply is 200 and its JSON has a string data._id.
StartStats RunStarts(const Options& o, const std::string& body, const std::string& token);

// POSTs `body` once to each of `targets` (paths below the URL prefix) in the same way, over
// at most o.connections connections. A request succeeds when the reply is 200.
StartStats RunPosts(const Options& o, const std::vector<std::string>& targets,
                    const std::string& body, const std::string& token);

// Percent-encodes `s` for a query string (everything but RFC 3986 unreserved characters).
std::string UrlEncode(std::string_view s);

}  // namespace opsflow::bench
