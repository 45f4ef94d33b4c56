// The boundary between the HTTP front (http/) and the API (api/): plain request and response
// values and an asynchronous handler. No Boost.Beast types cross it.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace opsflow::api {

struct Request {
  std::string method;  // upper case: "GET", "POST", ...
  std::string target;  // as received, e.g. "/operations-manager/jobs?limit=5"
  std::string path;    // percent-decoded path without the query
  std::vector<std::pair<std::string, std::string>> query;    // decoded, in order, repeats kept
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;
  std::string remote_addr;

  // The first header named `name` (lower case), or "".
  std::string_view Header(std::string_view name) const;
  // The value of cookie `name` from the Cookie header, or "".
  std::string Cookie(std::string_view name) const;
  // The first query parameter named `name`, or nullptr.
  const std::string* Query(std::string_view name) const;
};

class Stream;

struct Response {
  int status = 200;
  std::string content_type = "application/json; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers (Set-Cookie ...)
  // When set, the response is streamed: status and headers first, then whatever is pushed to
  // the stream (`body` is ignored). The connection closes when the stream ends.
  std::shared_ptr<Stream> stream;
};

// A response body produced over time (server-sent events). A handler makes one, answers with a
// Response whose `stream` points at it, and pushes chunks from any thread; the HTTP front sends
// them as they come (chunked encoding on HTTP/1.1) and closes the connection when it ends.
// Memory is bounded: unsent bytes beyond `max_queued_bytes` end the stream with
// `overflow_chunk` (a client that stops reading cannot make the server grow).
// Thread-safety: every method is safe from any thread.
class Stream {
 public:
  struct Options {
    size_t max_queued_bytes = 1 << 20;
    std::string overflow_chunk;  // sent last when the queue overflows
    // When > 0, `heartbeat_chunk` is sent after this long without output (it also detects a
    // vanished client, whose socket errors on write).
    std::chrono::milliseconds heartbeat{0};
    std::string heartbeat_chunk;
  };

  explicit Stream(Options options) : options_(std::move(options)) {}
  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;

  const Options& options() const { return options_; }

  // Queues `chunk`. False when the stream is over or ending (the chunk is dropped). On overflow
  // the unsent chunks are dropped, overflow_chunk becomes the last chunk and false is returned.
  bool Push(std::string chunk);
  // Ends the stream once the queued chunks are sent.
  void End();
  // Sets the callback run exactly once when the stream is over for any reason (ended and sent,
  // overflowed, client gone, server stopping). Set it before answering. It runs on an HTTP
  // thread (or the thread of Server::Stop), never inside Push or End, so it may unsubscribe
  // from whatever calls Push. It must not block for long.
  void SetOnClose(std::function<void()> cb);
  // True once the stream is ending or over: further pushes are dropped.
  bool closed() const;

  // ---- the HTTP front's side ----
  // `wake` is called (on the pushing thread, no lock held) when there is something new to take
  // after the last Take(); it must only schedule work.
  void Attach(std::function<void()> wake);
  struct Taken {
    std::string data;    // the queued chunks, concatenated
    bool ended = false;  // no chunk follows these
  };
  Taken Take();
  // Marks the stream over and runs the close callback (once). Idempotent.
  void Close();

 private:
  // Called with mu_ held: returns the wake callback to run once the lock is released.
  std::function<void()> WakeLocked();

  const Options options_;
  mutable std::mutex mu_;
  std::string queued_;              // guarded by mu_
  bool ending_ = false;             // guarded by mu_: End() or overflow; nothing more is queued
  bool closed_ = false;             // guarded by mu_: Close() ran
  bool wake_pending_ = false;       // guarded by mu_: woken since the last Take()
  std::function<void()> wake_;      // guarded by mu_
  std::function<void()> on_close_;  // guarded by mu_
};

// Completes a request. Must be called exactly once, from any thread.
using Responder = std::function<void(Response)>;

// The API as the HTTP front sees it.
// Thread-safety: Handle is called concurrently from the HTTP threads.
class Handler {
 public:
  virtual ~Handler() = default;
  virtual void Handle(Request req, Responder done) = 0;
};

// Builds a JSON error envelope {"message":..., "data":null, "metadata":{}} response.
Response ErrorResponse(int status, std::string_view message);

}  // namespace opsflow::api
