// The HTTP/1.1 front: a Boost.Beast server that turns each request into an api::Request, hands
// it to an api::Handler and writes the response it is given, possibly later and from another
// thread. Keep-alive and pipelining (one request at a time per connection, answered in order).
// Every limit below is answered with an api::ErrorResponse envelope, never a crash.
// A handler may answer with a streamed response (api::Response::stream, for server-sent events):
// the status and headers, then chunks as they are pushed (chunked encoding on HTTP/1.1), and the
// connection closes when the stream ends, the client goes away (seen at once: a read stays
// posted) or Stop() runs. A stream is not subject to the idle timeout; write_timeout applies to
// each write, and the stream's own bounded queue (api::Stream::Options) caps its memory.
// Thread-safety: Start/Stop/port from one controlling thread; the Handler is called
// concurrently from the io threads.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "api/http_types.h"
#include "base/status.h"

namespace opsflow::http {

class TlsContext;  // http/tls_context.h

struct ServerOptions {
  std::string address = "0.0.0.0";
  uint16_t port = 3000;  // 0 = an ephemeral port; see Server::port()
  int threads = 0;       // io threads, each with its own io_context; 0 = one per core

  size_t max_body_bytes = 10 * 1024 * 1024;  // larger bodies get 413
  size_t max_header_bytes = 16 * 1024;       // request line + headers; larger gets 431

  // A request whose headers have started but not finished within header_timeout gets 408 and
  // the connection is closed; likewise a body not received within body_timeout.
  std::chrono::milliseconds header_timeout{10'000};
  std::chrono::milliseconds body_timeout{60'000};
  // A keep-alive connection with no request for this long is closed.
  std::chrono::milliseconds idle_timeout{60'000};
  // A client that does not read its response within this long is dropped.
  std::chrono::milliseconds write_timeout{60'000};
  // Stop() waits this long for in-flight requests to be answered, then closes everything.
  std::chrono::milliseconds stop_grace{5'000};

  // Connections beyond these limits are answered 503 and closed.
  size_t max_connections = 10'000;
  size_t max_connections_per_ip = 256;

  int listen_backlog = 1024;

  // When set, the listener speaks HTTPS only: each new connection uses tls->Current() (so a
  // Reload() reaches new connections), and plain HTTP is answered 400. Null: plain HTTP.
  std::shared_ptr<TlsContext> tls;
};

class Server {
 public:
  // `handler` must outlive the server (and any responder still held after Stop()).
  Server(ServerOptions options, std::shared_ptr<api::Handler> handler);
  ~Server();  // calls Stop()
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds, listens and starts the io threads. Unavailable when the address cannot be bound.
  base::Status Start();
  // The bound port (the ephemeral one when options.port was 0); 0 before Start().
  uint16_t port() const;
  // Stops accepting, lets in-flight requests finish (up to options.stop_grace), closes every
  // connection and joins the io threads. Idempotent. Never call it from a Handler or an io
  // thread (it waits for those threads). A responder called after Stop() is ignored.
  void Stop();

  // Open client connections right now (for metrics and tests).
  size_t connection_count() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace opsflow::http
