// Streamed responses (server-sent events) of a Session: the status line and headers, then the
// api::Stream's chunks as the handler pushes them, until the stream ends, the client goes away,
// or the server stops. While streaming, a read stays posted so that a disconnect is seen at once
// (and unsubscribes); the write timeout applies to each write, not to the life of the stream.
#include <algorithm>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/write.hpp>
#include <sstream>

#include "http/session.h"

namespace opsflow::http {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace beast_http = boost::beast::http;
using std::chrono::milliseconds;

namespace {

constexpr size_t kStreamReadChunk = 4 * 1024;
// The last write after Stop() (the terminating chunk) gets at most this long.
constexpr milliseconds kStopWriteTimeout{1000};
constexpr char kLastChunk[] = "0\r\n\r\n";

}  // namespace

void Session::StartStream(api::Response res) {
  stream_ = std::move(res.stream);
  phase_ = Phase::kStreaming;
  stream_chunked_ = version_ != 10;
  beast_http::response<beast_http::empty_body> h;
  h.version(version_ == 10 ? 10 : 11);
  if (res.status < 100 || res.status > 999) res.status = 500;
  h.result(static_cast<unsigned>(res.status));
  if (!res.content_type.empty()) h.set(beast_http::field::content_type, res.content_type);
  for (auto& [name, value] : res.headers) h.insert(name, value);
  if (stream_chunked_) h.chunked(true);
  h.keep_alive(false);  // the connection ends with the stream
  std::ostringstream os;
  os << h.base();
  stream_out_ = os.str();
  buffer_.consume(buffer_.size());  // anything pipelined behind this request is not answered
  const bool head = head_;
  head_ = false;
  if (head || stop_requested_ || state_->stopping.load()) {
    if (stream_chunked_ && !head) stream_out_ += kLastChunk;
    stream_last_ = true;
    stream_->Close();
    stream_.reset();
    return WriteStreamOut();
  }
  stream_->Attach([ioc = ioc_, weak = weak_from_this()] {
    net::post(*ioc, [weak] {
      if (auto self = weak.lock()) self->PumpStream();
    });
  });
  StreamRead();
  WriteStreamOut();
}

void Session::StreamRead() {
  socket_.async_read_some(buffer_.prepare(kStreamReadChunk),
                          [self = shared_from_this()](beast::error_code ec, size_t n) {
                            if (self->phase_ != Phase::kStreaming) return;
                            // The client closed (or reset) its side: the stream is over.
                            if (ec) return self->CloseNow();
                            // Bytes a client sends while it streams are read and dropped.
                            self->buffer_.commit(n);
                            self->buffer_.consume(self->buffer_.size());
                            self->StreamRead();
                          });
}

void Session::AppendFramed(std::string_view data) {
  if (data.empty()) return;
  if (stream_chunked_) {
    char size[24];
    int len = std::snprintf(size, sizeof(size), "%zx\r\n", data.size());
    stream_out_.append(size, static_cast<size_t>(len));
    stream_out_.append(data);
    stream_out_.append("\r\n");
  } else {
    stream_out_.append(data);
  }
}

void Session::PumpStream() {
  if (phase_ != Phase::kStreaming || stream_writing_ || !stream_ || stream_last_) return;
  api::Stream::Taken t = stream_->Take();
  AppendFramed(t.data);
  if (t.ended) {
    if (stream_chunked_) stream_out_ += kLastChunk;
    stream_last_ = true;
  }
  if (!stream_out_.empty()) return WriteStreamOut();
  if (stream_last_) return CloseNow();
  // Nothing to send: the heartbeat fires after a quiet spell.
  if (stream_->options().heartbeat.count() > 0) {
    ArmTimer(stream_->options().heartbeat);
  } else {
    DisarmTimer();
  }
}

void Session::WriteStreamOut() {
  stream_writing_ = true;
  milliseconds limit = state_->options().write_timeout;
  if (stop_requested_) limit = std::min(limit, kStopWriteTimeout);
  ArmTimer(limit);
  net::async_write(
      socket_, net::buffer(stream_out_),
      [self = shared_from_this()](beast::error_code ec, size_t) { self->OnStreamWrite(ec); });
}

void Session::OnStreamWrite(beast::error_code ec) {
  stream_writing_ = false;
  stream_out_.clear();
  if (ec || phase_ != Phase::kStreaming || stream_last_) return CloseNow();
  if (stop_requested_) return OnStreamStop();
  PumpStream();
}

void Session::OnStreamTimeout() {
  // A write that did not finish in time: the client stopped reading.
  if (stream_writing_) return CloseNow();
  if (!stream_ || stream_->options().heartbeat_chunk.empty()) return;
  AppendFramed(stream_->options().heartbeat_chunk);
  WriteStreamOut();
}

void Session::OnStreamStop() {
  if (stream_writing_) {
    // OnStreamWrite finishes the stop; a client that does not read gets little time for it.
    ArmTimer(std::min(state_->options().write_timeout, kStopWriteTimeout));
    return;
  }
  if (stream_) {
    std::shared_ptr<api::Stream> stream = std::move(stream_);
    stream_.reset();
    stream->Close();
  }
  if (stream_chunked_) stream_out_ = kLastChunk;
  if (stream_out_.empty()) return CloseNow();
  stream_last_ = true;
  WriteStreamOut();
}

}  // namespace opsflow::http
