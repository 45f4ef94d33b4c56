// One client connection of the HTTP server, and the state the server shares with its sessions.
// Internal to http/. Thread-safety: a Session runs on its io_context's single thread; only
// PostResponse and RequestStop may be called from other threads (an api::Stream wakes the
// session by posting to that thread). ServerState is thread-safe.
#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

#include "api/http_types.h"
#include "base/mutex.h"
#include "http/request_convert.h"
#include "http/server.h"
#include "http/transport.h"

namespace opsflow::http {

class Session;

// What the listener and every session share: options, the handler, connection accounting.
class ServerState {
 public:
  ServerState(ServerOptions options, std::shared_ptr<api::Handler> handler)
      : options_(std::move(options)), handler_(std::move(handler)) {}

  const ServerOptions& options() const { return options_; }
  api::Handler& handler() const { return *handler_; }

  // Counts a new connection from `ip` against the limits; false when it must be refused (then
  // `why` says which limit).
  bool Admit(const std::string& ip, std::string* why);
  // Registers a live session (admitted or being refused) so that Stop can reach it.
  void Register(Session* s, std::weak_ptr<Session> w);
  // Called by ~Session: forgets it and, when `admitted`, releases its slot for `ip`.
  void Unregister(Session* s, bool admitted, const std::string& ip);

  std::vector<std::shared_ptr<Session>> LiveSessions();
  size_t admitted_count() const;
  size_t live_count() const;
  // Waits until no session is live or until `deadline`.
  bool WaitUntilEmpty(std::chrono::steady_clock::time_point deadline);

  std::atomic<bool> stopping{false};

 private:
  const ServerOptions options_;
  const std::shared_ptr<api::Handler> handler_;
  mutable base::Mutex mu_;
  base::CondVar empty_cv_;  // signalled when live_ becomes empty
  std::unordered_map<std::string, size_t> per_ip_ GUARDED_BY(mu_);
  size_t admitted_ GUARDED_BY(mu_) = 0;
  std::unordered_map<Session*, std::weak_ptr<Session>> live_ GUARDED_BY(mu_);
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(std::shared_ptr<boost::asio::io_context> ioc, Transport socket,
          std::shared_ptr<ServerState> state, std::string remote_ip, bool admitted);
  ~Session();

  // Serves requests until the client goes away. Call once, on the session's thread.
  void Start();
  // Answers 503 with `message` and closes. Call once instead of Start().
  void StartRefuse(std::string message);
  // From any thread: no further requests; an in-flight one is still answered (Connection: close).
  void RequestStop();
  // Closes the socket now. Only when no io thread runs the session's io_context.
  void ForceClose();
  // From any thread: completes the current request.
  void PostResponse(api::Response res);

 private:
  enum class Phase { kWaiting, kHeader, kBody, kHandler, kWriting, kStreaming, kClosing };

  // TLS listener (session_tls.cc): reads the first bytes; a TLS ClientHello gets the handshake,
  // then requests are served as usual; plain HTTP gets 400 in plain HTTP and the close.
  void StartTls();
  void OnTlsDetected(boost::beast::error_code ec, bool is_tls);

  void WaitForRequest(std::chrono::milliseconds timeout);
  void ReadHeader();
  void OnHeader(boost::beast::error_code ec);
  void ReadBody();
  void OnBody(boost::beast::error_code ec);
  void Dispatch();
  void OnStop();
  void WriteResponse(api::Response res, bool keep_alive);
  void OnWrite(boost::beast::error_code ec);
  // Streamed responses (session_stream.cc): the header, then the stream's chunks as they come.
  void StartStream(api::Response res);
  void StreamRead();
  void PumpStream();
  void WriteStreamOut();
  void OnStreamWrite(boost::beast::error_code ec);
  void OnStreamTimeout();
  void OnStreamStop();
  // Frames `data` as one chunk (HTTP/1.1) or leaves it as it is (HTTP/1.0, close-delimited).
  void AppendFramed(std::string_view data);
  // Answers a request that could not be read (4xx) and closes the connection.
  void FailRequest(int status, std::string_view message);
  // Handles a read error: a limit or parse error gets its status, anything else just closes.
  void OnReadError(boost::beast::error_code ec);
  // Half-closes, drains what the client still sends for a short while, then closes.
  void LingerClose();
  void Drain();
  void CloseNow();
  // Sets the deadline of the current phase; on expiry OnTimeout runs.
  void ArmTimer(std::chrono::milliseconds d);
  void DisarmTimer();
  void OnTimeout();

  // Declared first so that the socket is destroyed before its io_context.
  std::shared_ptr<boost::asio::io_context> ioc_;
  Transport socket_;  // plain TCP, or TLS (session_tls.cc)
  boost::asio::steady_timer timer_;  // the deadline of the current phase
  std::shared_ptr<ServerState> state_;
  const std::string remote_ip_;
  const bool admitted_;

  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  BeastResponse response_;
  Phase phase_ = Phase::kWaiting;
  bool first_request_ = true;
  bool keep_alive_ = false;
  bool head_ = false;
  bool close_after_write_ = false;
  unsigned version_ = 11;
  bool stop_requested_ = false;
  bool timed_out_ = false;
  bool linger_ = false;
  uint64_t timer_generation_ = 0;
  size_t drained_ = 0;
  // The streamed response in progress (phase kStreaming); closed by CloseNow and ~Session.
  std::shared_ptr<api::Stream> stream_;
  std::string stream_out_;  // bytes being written (header, framed chunks)
  bool stream_chunked_ = false;
  bool stream_writing_ = false;
  bool stream_last_ = false;  // the terminating write is in flight: close after it
};

}  // namespace opsflow::http
