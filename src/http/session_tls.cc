// The start of a Session on a TLS listener: the first bytes tell a TLS ClientHello from plain
// HTTP. TLS gets the handshake (within the header timeout), then the session serves requests as
// on a plain listener, its reads and writes going through the TLS layer. Plain HTTP gets a 400
// that says to use https (written in clear, so that the client can read it) and the close.
#include <boost/asio/ssl/stream_base.hpp>
#include <boost/beast/core/detect_ssl.hpp>

#include "base/log.h"
#include "http/session.h"

namespace opsflow::http {

namespace beast = boost::beast;
namespace ssl = boost::asio::ssl;

void Session::StartTls() {
  phase_ = Phase::kWaiting;  // on timeout: CloseNow
  ArmTimer(state_->options().header_timeout);
  beast::async_detect_ssl(socket_.socket(), buffer_,
                          [self = shared_from_this()](beast::error_code ec, bool is_tls) {
                            self->OnTlsDetected(ec, is_tls);
                          });
}

void Session::OnTlsDetected(beast::error_code ec, bool is_tls) {
  if (ec || stop_requested_ || phase_ != Phase::kWaiting) return CloseNow();
  if (!is_tls) {
    version_ = 11;
    return FailRequest(400,
                       "This port speaks HTTPS: plain HTTP is refused; use an https:// URL");
  }
  // The bytes read so far (the start of the ClientHello) are the handshake's first input.
  socket_.BeginTls().async_handshake(
      ssl::stream_base::server, buffer_.cdata(),
      // Variadic: Beast 1.81 declares this handler as void(error_code) while Asio calls it
      // with (error_code, bytes used); the bytes do not matter, the buffer is dropped below.
      [self = shared_from_this()](beast::error_code hec, auto&&...) {
        if (hec || self->stop_requested_ || self->phase_ != Phase::kWaiting) {
          if (hec && hec != boost::asio::error::operation_aborted) {
            base::LogInfo("tls handshake failed",
                           "\"client\":\"" + base::JsonEscape(self->remote_ip_) +
                               "\",\"error\":\"" + base::JsonEscape(hec.message()) + "\"");
          }
          return self->CloseNow();
        }
        self->buffer_.clear();  // nothing of a request can precede the end of the handshake
        self->WaitForRequest(self->state_->options().header_timeout);
      });
}

}  // namespace opsflow::http
