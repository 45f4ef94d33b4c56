#include "http/session.h"

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <exception>

#include "base/log.h"

namespace opsflow::http {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace beast_http = boost::beast::http;
using std::chrono::milliseconds;

namespace {

constexpr size_t kReadChunk = 8 * 1024;
constexpr milliseconds kLingerTimeout{1000};
constexpr size_t kLingerMaxBytes = 4 * 1024 * 1024;
constexpr char kContinue[] = "HTTP/1.1 100 Continue\r\n\r\n";

bool ExpectsContinue(const beast_http::request_parser<beast_http::string_body>& parser) {
  auto it = parser.get().find(beast_http::field::expect);
  if (it == parser.get().end()) return false;
  return beast::iequals(it->value(), "100-continue");
}

// Holds the session for one in-flight request; answers 500 if the handler drops every copy of
// its responder without calling it, so that a connection can never hang on a lost request.
struct ResponderState {
  explicit ResponderState(std::shared_ptr<Session> s) : session(std::move(s)) {}
  ~ResponderState() {
    if (!done.exchange(true) && session) {
      session->PostResponse(api::ErrorResponse(500, "The request was dropped without a response"));
    }
  }
  std::shared_ptr<Session> session;
  std::atomic<bool> done{false};
};

}  // namespace

// ---- ServerState ----

bool ServerState::Admit(const std::string& ip, std::string* why) {
  base::MutexLock lock(&mu_);
  if (admitted_ >= options_.max_connections) {
    *why = "The server has too many open connections (max-connections: " +
           std::to_string(options_.max_connections) + "); try again later";
    return false;
  }
  size_t& n = per_ip_[ip];
  if (n >= options_.max_connections_per_ip) {
    if (n == 0) per_ip_.erase(ip);
    *why = "Too many open connections from this address (max-connections-per-client: " +
           std::to_string(options_.max_connections_per_ip) + "); try again later";
    return false;
  }
  ++n;
  ++admitted_;
  return true;
}

void ServerState::Register(Session* s, std::weak_ptr<Session> w) {
  base::MutexLock lock(&mu_);
  live_.emplace(s, std::move(w));
}

void ServerState::Unregister(Session* s, bool admitted, const std::string& ip) {
  base::MutexLock lock(&mu_);
  live_.erase(s);
  if (admitted) {
    --admitted_;
    auto it = per_ip_.find(ip);
    if (it != per_ip_.end() && --it->second == 0) per_ip_.erase(it);
  }
  if (live_.empty()) empty_cv_.NotifyAll();
}

std::vector<std::shared_ptr<Session>> ServerState::LiveSessions() {
  base::MutexLock lock(&mu_);
  std::vector<std::shared_ptr<Session>> out;
  out.reserve(live_.size());
  for (auto& [ptr, weak] : live_) {
    if (auto s = weak.lock()) out.push_back(std::move(s));
  }
  return out;
}

size_t ServerState::admitted_count() const {
  base::MutexLock lock(&mu_);
  return admitted_;
}

size_t ServerState::live_count() const {
  base::MutexLock lock(&mu_);
  return live_.size();
}

bool ServerState::WaitUntilEmpty(std::chrono::steady_clock::time_point deadline) {
  base::MutexLock lock(&mu_);
  return empty_cv_.WaitUntil(&lock, deadline, [this] {
    mu_.AssertHeld();  // the wait calls it with mu_ held
    return live_.empty();
  });
}

// ---- Session ----

Session::Session(std::shared_ptr<net::io_context> ioc, Transport socket,
                 std::shared_ptr<ServerState> state, std::string remote_ip, bool admitted)
    : ioc_(std::move(ioc)),
      socket_(std::move(socket)),
      timer_(socket_.get_executor()),
      state_(std::move(state)),
      remote_ip_(std::move(remote_ip)),
      admitted_(admitted) {}

Session::~Session() {
  if (stream_) stream_->Close();
  state_->Unregister(this, admitted_, remote_ip_);
}

void Session::Start() {
  state_->Register(this, weak_from_this());
  if (state_->stopping.load()) return CloseNow();
  if (socket_.awaiting_tls()) return StartTls();
  // A fresh connection must start its request within the header timeout.
  WaitForRequest(state_->options().header_timeout);
}

void Session::StartRefuse(std::string message) {
  state_->Register(this, weak_from_this());
  version_ = 11;
  linger_ = true;
  WriteResponse(api::ErrorResponse(503, message), /*keep_alive=*/false);
}

void Session::ArmTimer(milliseconds d) {
  uint64_t generation = ++timer_generation_;
  timer_.expires_after(d);
  timer_.async_wait([weak = weak_from_this(), generation](beast::error_code ec) {
    if (ec) return;
    auto self = weak.lock();
    if (!self || self->timer_generation_ != generation) return;
    self->OnTimeout();
  });
}

void Session::DisarmTimer() {
  ++timer_generation_;
  timer_.cancel();
}

void Session::OnTimeout() {
  switch (phase_) {
    case Phase::kHeader:
    case Phase::kBody: {
      // Cancel the read; its handler answers 408.
      timed_out_ = true;
      beast::error_code ec;
      socket_.cancel(ec);
      return;
    }
    case Phase::kHandler:
      return;  // never armed while the handler works
    case Phase::kStreaming:
      return OnStreamTimeout();
    case Phase::kWaiting:
    case Phase::kWriting:
    case Phase::kClosing:
      return CloseNow();
  }
}

void Session::WaitForRequest(milliseconds timeout) {
  phase_ = Phase::kWaiting;
  ArmTimer(timeout);
  socket_.async_read_some(buffer_.prepare(kReadChunk),
                          [self = shared_from_this()](beast::error_code ec, size_t n) {
                            // idle timeout, client gone, or Stop()
                            if (ec) return self->CloseNow();
                            self->buffer_.commit(n);
                            self->ReadHeader();
                          });
}

void Session::ReadHeader() {
  if (stop_requested_) return CloseNow();
  phase_ = Phase::kHeader;
  parser_.emplace();
  parser_->header_limit(static_cast<uint32_t>(state_->options().max_header_bytes));
  parser_->body_limit(state_->options().max_body_bytes);
  ArmTimer(state_->options().header_timeout);
  beast_http::async_read_header(
      socket_, buffer_, *parser_,
      [self = shared_from_this()](beast::error_code ec, size_t) { self->OnHeader(ec); });
}

void Session::OnHeader(beast::error_code ec) {
  if (ec) return OnReadError(ec);
  first_request_ = false;
  if (parser_->is_done()) return Dispatch();
  phase_ = Phase::kBody;
  ArmTimer(state_->options().body_timeout);
  if (ExpectsContinue(*parser_)) {
    net::async_write(socket_, net::buffer(kContinue, sizeof(kContinue) - 1),
                     [self = shared_from_this()](beast::error_code wec, size_t) {
                       if (wec) return self->OnReadError(wec);
                       self->ReadBody();
                     });
    return;
  }
  ReadBody();
}

void Session::ReadBody() {
  beast_http::async_read(
      socket_, buffer_, *parser_,
      [self = shared_from_this()](beast::error_code ec, size_t) { self->OnBody(ec); });
}

void Session::OnBody(beast::error_code ec) {
  if (ec) return OnReadError(ec);
  Dispatch();
}

void Session::OnReadError(beast::error_code ec) {
  const ServerOptions& o = state_->options();
  if (timed_out_) {
    timed_out_ = false;
    // Messages name the limit as the serve flag does (README "Configuration").
    return FailRequest(
        408, phase_ == Phase::kBody
                 ? "The request body was not received within " +
                       std::to_string(o.body_timeout.count()) + " ms (body-timeout-ms)"
                 : "The request headers were not received within " +
                       std::to_string(o.header_timeout.count()) + " ms (header-timeout-ms)");
  }
  if (stop_requested_ || phase_ == Phase::kClosing) return CloseNow();
  if (ec == beast_http::error::header_limit) {
    return FailRequest(431, "The request headers are larger than the limit of " +
                                std::to_string(o.max_header_bytes) + " bytes (max-header-bytes)");
  }
  if (ec == beast_http::error::body_limit) {
    return FailRequest(413, "The request body is larger than the limit of " +
                                std::to_string(o.max_body_bytes) + " bytes (max-body-bytes)");
  }
  const bool parse_error =
      ec.category() == beast_http::make_error_code(beast_http::error::bad_method).category() &&
      ec != beast_http::error::end_of_stream && ec != beast_http::error::partial_message &&
      ec != beast_http::error::need_more;
  if (!parse_error) return CloseNow();  // the client went away
  FailRequest(400, "Malformed HTTP request: " + ec.message());
}

void Session::FailRequest(int status, std::string_view message) {
  parser_.reset();
  linger_ = true;  // the client may still be sending the rest of its request
  WriteResponse(api::ErrorResponse(status, message), /*keep_alive=*/false);
}

void Session::Dispatch() {
  BeastRequest req = parser_->release();
  parser_.reset();
  keep_alive_ = req.keep_alive();
  head_ = req.method() == beast_http::verb::head;
  version_ = req.version();
  auto api_req = ToApiRequest(req, remote_ip_);
  if (!api_req.ok()) {
    return WriteResponse(api::ErrorResponse(400, api_req.status().message()), keep_alive_);
  }
  phase_ = Phase::kHandler;
  DisarmTimer();
  auto st = std::make_shared<ResponderState>(shared_from_this());
  api::Responder done = [st](api::Response res) {
    if (st->done.exchange(true)) return;  // a second call is a handler bug; ignore it
    std::shared_ptr<Session> s = std::move(st->session);
    s->PostResponse(std::move(res));
  };
  try {
    state_->handler().Handle(std::move(*api_req), std::move(done));
  } catch (const std::exception& e) {
    base::LogError("http handler threw", "\"error\":\"" + base::JsonEscape(e.what()) + "\"");
    if (!st->done.exchange(true)) {
      st->session.reset();
      WriteResponse(api::ErrorResponse(500, "Internal server error"), false);
    }
  }
}

void Session::PostResponse(api::Response res) {
  net::post(socket_.get_executor(), [self = shared_from_this(), res = std::move(res)]() mutable {
    self->WriteResponse(std::move(res), self->keep_alive_);
  });
}

void Session::WriteResponse(api::Response res, bool keep_alive) {
  if (phase_ == Phase::kClosing) {
    if (res.stream) res.stream->Close();
    return;
  }
  if (res.stream) return StartStream(std::move(res));
  keep_alive = keep_alive && !stop_requested_ && !state_->stopping.load();
  close_after_write_ = !keep_alive;
  phase_ = Phase::kWriting;
  response_ = ToBeastResponse(std::move(res), version_ == 10 ? 10 : 11, keep_alive, head_);
  head_ = false;
  ArmTimer(state_->options().write_timeout);
  beast_http::async_write(
      socket_, response_,
      [self = shared_from_this()](beast::error_code ec, size_t) { self->OnWrite(ec); });
}

void Session::OnWrite(beast::error_code ec) {
  response_ = {};
  if (ec) return CloseNow();
  if (close_after_write_) {
    // Drain what the client may still send after an error, so that it reads our answer
    // instead of a reset; a complete exchange closes at once.
    if (linger_ && !state_->stopping.load()) return LingerClose();
    return CloseNow();
  }
  if (stop_requested_) return CloseNow();
  if (buffer_.size() > 0) return ReadHeader();  // a pipelined request is already here
  WaitForRequest(state_->options().idle_timeout);
}

void Session::RequestStop() {
  net::post(socket_.get_executor(), [self = shared_from_this()] { self->OnStop(); });
}

void Session::OnStop() {
  stop_requested_ = true;
  // A request being read or waited for is abandoned; one being handled or written finishes.
  if (phase_ == Phase::kWaiting || phase_ == Phase::kHeader || phase_ == Phase::kBody) {
    CloseNow();
  } else if (phase_ == Phase::kStreaming) {
    OnStreamStop();
  }
}

void Session::LingerClose() {
  phase_ = Phase::kClosing;
  beast::error_code ec;
  socket_.shutdown(net::ip::tcp::socket::shutdown_send, ec);
  if (ec) return CloseNow();
  buffer_.clear();
  drained_ = 0;
  ArmTimer(kLingerTimeout);
  Drain();
}

void Session::Drain() {
  socket_.async_read_some(buffer_.prepare(kReadChunk),
                          [self = shared_from_this()](beast::error_code ec, size_t n) {
                            self->drained_ += n;
                            if (ec || self->drained_ > kLingerMaxBytes) return self->CloseNow();
                            self->Drain();
                          });
}

void Session::CloseNow() {
  phase_ = Phase::kClosing;
  DisarmTimer();
  if (stream_) {
    // Reset first: the close callback may unsubscribe, and nothing may reach the stream after.
    std::shared_ptr<api::Stream> stream = std::move(stream_);
    stream_.reset();
    stream->Close();
  }
  beast::error_code ec;
  socket_.shutdown(net::ip::tcp::socket::shutdown_both, ec);
  socket_.close(ec);
}

void Session::ForceClose() { CloseNow(); }

}  // namespace opsflow::http
