// Login throttling (SPEC §3): after `max_failures` consecutive failed logins for one username
// within `window_ms`, every attempt for that username is refused for `window_ms` counted from
// the last of those failures; a successful login clears the count. Keyed by the username as
// typed, so unknown users are throttled exactly like real ones. Time comes from the Clock port.
// Thread-safety: all methods are safe from any thread.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

#include "base/clock.h"

namespace opsflow::auth {

struct ThrottleOptions {
  int max_failures = 5;
  int64_t window_ms = 15 * 60 * 1000;
  size_t max_tracked = 50000;  // usernames remembered at most (memory bound)
};

class LoginThrottle {
 public:
  explicit LoginThrottle(base::Clock* clock, ThrottleOptions opts = {})
      : clock_(clock), opts_(opts) {}

  // Milliseconds until `username` may try again; 0 when it may try now.
  int64_t RetryAfterMs(const std::string& username);
  void RecordFailure(const std::string& username);
  void RecordSuccess(const std::string& username);

 private:
  struct Entry {
    int failures = 0;
    int64_t first_ms = 0;  // first failure of the current run
    int64_t last_ms = 0;   // latest failure
  };
  static std::string Key(const std::string& username);
  void Prune(int64_t now);  // REQUIRES: mu_ held

  base::Clock* clock_;
  ThrottleOptions opts_;
  std::mutex mu_;
  std::unordered_map<std::string, Entry> entries_;
};

}  // namespace opsflow::auth
