// Login throttling (SPEC §3, issue 9 item 7; docs/ACCOUNTS.md "Logins"). Failed logins are
// counted per source address (any username) and per username-and-address. A key that has
// reached its free failures is delayed: each further failure doubles the wait, from
// `first_delay_ms` up to `max_delay_ms`; while it waits every attempt for it is refused before
// the password is checked, and once at the limit only one attempt at a time is let through, so
// parallel requests cannot guess faster than the delays allow. A success clears its
// username-and-address count (not the address count). Keys are forgotten `forget_ms` after
// their last failure. There is no per-account lock: failures from one address never delay the
// same account from another address. Usernames are keyed as typed, so unknown ones are throttled
// exactly like real ones. IPv6 addresses are keyed by their /64 prefix. Time comes from the
// Clock port.
// Thread-safety: all methods are safe from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

#include "base/clock.h"

namespace opsflow::auth {

struct ThrottleOptions {
  int free_failures = 5;                 // per username-and-address before delays start
  int address_free_failures = 20;        // per source address (any usernames)
  int64_t first_delay_ms = 1000;         // the first delay; doubled by each further failure
  int64_t max_delay_ms = 15 * 60 * 1000; // the longest delay
  int64_t forget_ms = 60 * 60 * 1000;    // a key with no failure this long starts afresh
  size_t max_tracked = 50000;            // keys remembered at most (memory bound)
};

// The address key of a peer address: an IPv4-mapped IPv6 address as plain IPv4, any other
// IPv6 address as its /64 prefix ("2001:db8:1:2::/64"); anything else as given.
std::string AddressKey(const std::string& address);

class LoginThrottle {
 public:
  explicit LoginThrottle(base::Clock* clock, ThrottleOptions opts = {});

  // Starts a login attempt: 0 when it may go ahead (it then counts as pending until Finish),
  // otherwise the milliseconds until it may try again (at least 1), and nothing is recorded.
  int64_t Begin(const std::string& username, const std::string& address);
  // Ends an attempt that Begin let through.
  void Finish(const std::string& username, const std::string& address, bool success);
  // Ends an attempt that Begin let through without counting it (the check itself failed).
  void Abandon(const std::string& username, const std::string& address);
  // Forgets every username-and-address count of `username` (an admin's unlock). Returns how
  // many keys were delayed or counting failures.
  size_t Unlock(const std::string& username);

 private:
  struct Entry {
    int failures = 0;
    int pending = 0;       // attempts let through and not finished
    int64_t last_ms = 0;   // latest failure
    int64_t until_ms = 0;  // no attempt before this
  };
  using Map = std::unordered_map<std::string, Entry>;
  static std::string PairKey(const std::string& username, const std::string& address);
  // REQUIRES: mu_ held. The wait `e` imposes now with `free` free failures.
  int64_t WaitOf(const Entry& e, int free, int64_t now) const;
  void Fail(Entry& e, int free, int64_t now) const;  // REQUIRES: mu_ held
  void Prune(Map& m, int64_t now);                     // REQUIRES: mu_ held
  // REQUIRES: mu_ held. Ends one pending attempt of `key`; a success clears the key's failures
  // when `clear_on_success`.
  void Release(Map& m, const std::string& key, bool failed, bool clear_on_success, int free,
               int64_t now);
  void ForgetIfStale(Map& m, const std::string& key, int64_t now);  // REQUIRES: mu_ held

  base::Clock* clock_;
  ThrottleOptions opts_;
  std::mutex mu_;
  Map addresses_;  // by AddressKey
  Map pairs_;      // by PairKey
};

}  // namespace opsflow::auth
