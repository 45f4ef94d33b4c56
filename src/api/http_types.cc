#include "api/http_types.h"

#include "base/log.h"

namespace opsflow::api {

std::string_view Request::Header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (k == name) return v;
  }
  return {};
}

std::string Request::Cookie(std::string_view name) const {
  std::string_view all = Header("cookie");
  size_t pos = 0;
  while (pos < all.size()) {
    size_t end = all.find(';', pos);
    if (end == std::string_view::npos) end = all.size();
    std::string_view part = all.substr(pos, end - pos);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    size_t eq = part.find('=');
    if (eq != std::string_view::npos && part.substr(0, eq) == name) {
      return std::string(part.substr(eq + 1));
    }
    pos = end + 1;
  }
  return {};
}

const std::string* Request::Query(std::string_view name) const {
  for (const auto& [k, v] : query) {
    if (k == name) return &v;
  }
  return nullptr;
}

std::function<void()> Stream::WakeLocked() {
  if (wake_pending_ || !wake_) return nullptr;
  wake_pending_ = true;
  return wake_;
}

bool Stream::Push(std::string chunk) {
  std::function<void()> wake;
  bool accepted = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (ending_ || closed_) return false;
    if (queued_.size() + chunk.size() > options_.max_queued_bytes) {
      queued_ = options_.overflow_chunk;
      ending_ = true;
    } else {
      queued_ += chunk;
      accepted = true;
    }
    wake = WakeLocked();
  }
  if (wake) wake();
  return accepted;
}

void Stream::End() {
  std::function<void()> wake;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (ending_ || closed_) return;
    ending_ = true;
    wake = WakeLocked();
  }
  if (wake) wake();
}

void Stream::SetOnClose(std::function<void()> cb) {
  std::lock_guard<std::mutex> lock(mu_);
  on_close_ = std::move(cb);
}

bool Stream::closed() const {
  std::lock_guard<std::mutex> lock(mu_);
  return ending_ || closed_;
}

void Stream::Attach(std::function<void()> wake) {
  std::function<void()> now;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return;
    wake_ = std::move(wake);
    wake_pending_ = false;
    if (!queued_.empty() || ending_) now = WakeLocked();
  }
  if (now) now();
}

Stream::Taken Stream::Take() {
  std::lock_guard<std::mutex> lock(mu_);
  wake_pending_ = false;
  Taken t;
  t.data.swap(queued_);
  t.ended = ending_ || closed_;
  return t;
}

void Stream::Close() {
  std::function<void()> cb;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return;
    closed_ = true;
    queued_.clear();
    queued_.shrink_to_fit();
    wake_ = nullptr;
    cb = std::move(on_close_);
    on_close_ = nullptr;
  }
  // Outside the lock: the callback may unsubscribe from a publisher that is inside Push.
  if (cb) cb();
}

Response ErrorResponse(int status, std::string_view message) {
  Response r;
  r.status = status;
  r.body = "{\"message\":\"" + base::JsonEscape(message) + "\",\"data\":null,\"metadata\":{}}";
  return r;
}

}  // namespace opsflow::api
