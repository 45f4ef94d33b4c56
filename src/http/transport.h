// The byte stream under one HTTP session: a plain TCP socket, or TLS over it (Beast's
// ssl_stream). It is an Asio AsyncReadStream and AsyncWriteStream, so Beast's HTTP reads and
// writes and Asio's async_write work on it unchanged; each operation goes to the TLS layer once
// BeginTls() has run, else to the socket. A session on a TLS listener starts in plain mode so
// that it can look at the first bytes (and refuse plain HTTP in plain HTTP) before the
// handshake. Internal to http/.
// Thread-safety: like a socket, one read and one write at a time, on the session's thread.
#pragma once

#include <boost/asio/async_result.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <memory>
#include <optional>
#include <utility>

namespace opsflow::http {

class Transport {
 public:
  using tcp = boost::asio::ip::tcp;
  using TlsStream = boost::beast::ssl_stream<tcp::socket>;
  using executor_type = tcp::socket::executor_type;

  // `tls`: the context of a TLS listener (null for plain HTTP). The stream stays plain until
  // BeginTls().
  explicit Transport(tcp::socket socket,
                     std::shared_ptr<boost::asio::ssl::context> tls = nullptr)
      : executor_(socket.get_executor()), tcp_(std::move(socket)), tls_ctx_(std::move(tls)) {}

  executor_type get_executor() { return executor_; }

  // True on a TLS listener before the handshake began.
  bool awaiting_tls() const { return tls_ctx_ && !tls_; }
  // Wraps the socket in a TLS stream; reads and writes go through it from now on.
  TlsStream& BeginTls() {
    tls_.emplace(std::move(tcp_), *tls_ctx_);
    return *tls_;
  }
  bool is_tls() const { return tls_.has_value(); }

  tcp::socket& socket() { return tls_ ? tls_->next_layer() : tcp_; }

  template <class MutableBufferSequence, class Handler>
  auto async_read_some(const MutableBufferSequence& buffers, Handler&& handler) {
    return boost::asio::async_initiate<Handler, void(boost::beast::error_code, std::size_t)>(
        [this](auto h, const MutableBufferSequence& b) {
          if (tls_) {
            tls_->async_read_some(b, std::move(h));
          } else {
            tcp_.async_read_some(b, std::move(h));
          }
        },
        handler, buffers);
  }

  template <class ConstBufferSequence, class Handler>
  auto async_write_some(const ConstBufferSequence& buffers, Handler&& handler) {
    return boost::asio::async_initiate<Handler, void(boost::beast::error_code, std::size_t)>(
        [this](auto h, const ConstBufferSequence& b) {
          if (tls_) {
            tls_->async_write_some(b, std::move(h));
          } else {
            tcp_.async_write_some(b, std::move(h));
          }
        },
        handler, buffers);
  }

  // Socket operations act on the TCP socket under any TLS layer. Closing without a TLS
  // close_notify is fine for HTTP: every response is length-delimited or chunked.
  void cancel(boost::beast::error_code& ec) { socket().cancel(ec); }
  void shutdown(tcp::socket::shutdown_type what, boost::beast::error_code& ec) {
    socket().shutdown(what, ec);
  }
  void close(boost::beast::error_code& ec) { socket().close(ec); }

 private:
  executor_type executor_;
  tcp::socket tcp_;  // moved into tls_ by BeginTls()
  std::shared_ptr<boost::asio::ssl::context> tls_ctx_;  // keeps the context alive
  std::optional<TlsStream> tls_;
};

}  // namespace opsflow::http
