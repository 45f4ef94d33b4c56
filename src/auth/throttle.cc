#include "auth/throttle.h"

#include <iterator>

namespace opsflow::auth {

std::string LoginThrottle::Key(const std::string& username) {
  // Accounts have at most 256-character names; longer ones can never log in.
  return username.size() > 257 ? username.substr(0, 257) : username;
}

int64_t LoginThrottle::RetryAfterMs(const std::string& username) {
  int64_t now = clock_->NowMs();
  std::lock_guard<std::mutex> l(mu_);
  auto it = entries_.find(Key(username));
  if (it == entries_.end() || it->second.failures < opts_.max_failures) return 0;
  int64_t until = it->second.last_ms + opts_.window_ms;
  if (until <= now) {
    entries_.erase(it);  // the lock has passed: start afresh
    return 0;
  }
  return until - now;
}

void LoginThrottle::RecordFailure(const std::string& username) {
  int64_t now = clock_->NowMs();
  std::lock_guard<std::mutex> l(mu_);
  if (entries_.size() >= opts_.max_tracked) Prune(now);
  Entry& e = entries_[Key(username)];
  if (e.failures > 0 && now - e.first_ms >= opts_.window_ms && e.failures < opts_.max_failures) {
    e = Entry{};  // the earlier failures are older than the window
  }
  if (e.failures == 0) e.first_ms = now;
  ++e.failures;
  e.last_ms = now;
}

void LoginThrottle::RecordSuccess(const std::string& username) {
  std::lock_guard<std::mutex> l(mu_);
  entries_.erase(Key(username));
}

void LoginThrottle::Prune(int64_t now) {
  for (auto it = entries_.begin(); it != entries_.end();) {
    if (now - it->second.last_ms >= opts_.window_ms) {
      it = entries_.erase(it);
    } else {
      ++it;
    }
  }
  // Still full (a flood of distinct names): forget the ones that are not locked.
  if (entries_.size() >= opts_.max_tracked) {
    for (auto it = entries_.begin(); it != entries_.end();) {
      it = it->second.failures < opts_.max_failures ? entries_.erase(it) : std::next(it);
    }
  }
}

}  // namespace opsflow::auth
