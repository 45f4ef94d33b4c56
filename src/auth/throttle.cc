#include "auth/throttle.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cstdio>

namespace opsflow::auth {

std::string AddressKey(const std::string& address) {
  if (address.find(':') == std::string::npos) return address;
  unsigned char b[16];
  if (inet_pton(AF_INET6, address.c_str(), b) != 1) return address;
  static const unsigned char kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  char out[64];
  if (std::equal(kMapped, kMapped + 12, b)) {
    std::snprintf(out, sizeof out, "%u.%u.%u.%u", b[12], b[13], b[14], b[15]);
  } else {
    std::snprintf(out, sizeof out, "%x:%x:%x:%x::/64", b[0] << 8 | b[1], b[2] << 8 | b[3],
                  b[4] << 8 | b[5], b[6] << 8 | b[7]);
  }
  return out;
}

LoginThrottle::LoginThrottle(base::Clock* clock, ThrottleOptions opts)
    : clock_(clock), opts_(opts) {
  opts_.free_failures = std::max(opts_.free_failures, 1);
  opts_.address_free_failures = std::max(opts_.address_free_failures, 1);
  opts_.first_delay_ms = std::max<int64_t>(opts_.first_delay_ms, 1);
  opts_.max_delay_ms = std::max(opts_.max_delay_ms, opts_.first_delay_ms);
  opts_.forget_ms = std::max(opts_.forget_ms, opts_.max_delay_ms);
}

std::string LoginThrottle::PairKey(const std::string& username, const std::string& address) {
  // Accounts have at most 256-character names; longer ones can never log in.
  std::string key = AddressKey(address);
  key.push_back('\0');
  key += username.size() > 257 ? username.substr(0, 257) : username;
  return key;
}

int64_t LoginThrottle::WaitOf(const Entry& e, int free, int64_t now) const {
  if (e.failures + e.pending < free) return 0;
  int64_t wait = e.until_ms > now ? e.until_ms - now : 0;
  // At the limit only one attempt runs at a time: the others wait for it.
  if (e.pending > 0) wait = std::max<int64_t>(wait, 1);
  return wait;
}

void LoginThrottle::Fail(Entry& e, int free, int64_t now) const {
  ++e.failures;
  e.last_ms = now;
  if (e.failures < free) return;
  int64_t delay = opts_.first_delay_ms;
  for (int i = free; i < e.failures && delay < opts_.max_delay_ms; ++i) delay *= 2;
  e.until_ms = now + std::min(delay, opts_.max_delay_ms);
}

void LoginThrottle::ForgetIfStale(Map& m, const std::string& key, int64_t now) {
  auto it = m.find(key);
  if (it == m.end()) return;
  const Entry& e = it->second;
  if (e.pending == 0 && now >= e.until_ms && now - e.last_ms >= opts_.forget_ms) m.erase(it);
}

int64_t LoginThrottle::Begin(const std::string& username, const std::string& address) {
  int64_t now = clock_->NowMs();
  std::string ak = AddressKey(address), pk = PairKey(username, address);
  std::lock_guard<std::mutex> l(mu_);
  ForgetIfStale(addresses_, ak, now);
  ForgetIfStale(pairs_, pk, now);
  int64_t wait = 0;
  if (auto it = addresses_.find(ak); it != addresses_.end()) {
    wait = WaitOf(it->second, opts_.address_free_failures, now);
  }
  if (auto it = pairs_.find(pk); it != pairs_.end()) {
    wait = std::max(wait, WaitOf(it->second, opts_.free_failures, now));
  }
  if (wait > 0) return wait;
  if (addresses_.size() >= opts_.max_tracked) Prune(addresses_, now);
  if (pairs_.size() >= opts_.max_tracked) Prune(pairs_, now);
  ++addresses_[ak].pending;
  ++pairs_[pk].pending;
  return 0;
}

void LoginThrottle::Release(Map& m, const std::string& key, bool failed, bool clear_on_success,
                            int free, int64_t now) {
  Entry& e = m[key];  // made afresh when pruned meanwhile
  e.pending = std::max(e.pending - 1, 0);
  if (failed) {
    Fail(e, free, now);
    return;
  }
  if (clear_on_success) {
    e.failures = 0;
    e.until_ms = 0;
  }
  if (e.failures == 0 && e.pending == 0) m.erase(key);
}

void LoginThrottle::Finish(const std::string& username, const std::string& address,
                           bool success) {
  int64_t now = clock_->NowMs();
  std::string ak = AddressKey(address), pk = PairKey(username, address);
  std::lock_guard<std::mutex> l(mu_);
  Release(addresses_, ak, !success, false, opts_.address_free_failures, now);
  Release(pairs_, pk, !success, true, opts_.free_failures, now);
}

void LoginThrottle::Abandon(const std::string& username, const std::string& address) {
  int64_t now = clock_->NowMs();
  std::string ak = AddressKey(address), pk = PairKey(username, address);
  std::lock_guard<std::mutex> l(mu_);
  Release(addresses_, ak, false, false, opts_.address_free_failures, now);
  Release(pairs_, pk, false, false, opts_.free_failures, now);
}

size_t LoginThrottle::Unlock(const std::string& username) {
  std::string name = PairKey(username, "").substr(1);  // the username part of a pair key
  std::lock_guard<std::mutex> l(mu_);
  size_t cleared = 0;
  for (auto it = pairs_.begin(); it != pairs_.end();) {
    const std::string& key = it->first;
    size_t nul = key.find('\0');
    if (key.compare(nul + 1, std::string::npos, name) != 0) {
      ++it;
      continue;
    }
    cleared += it->second.failures > 0;
    if (it->second.pending > 0) {
      it->second.failures = 0;
      it->second.until_ms = 0;
      ++it;
    } else {
      it = pairs_.erase(it);
    }
  }
  return cleared;
}

void LoginThrottle::Prune(Map& m, int64_t now) {
  std::erase_if(m, [&](const auto& kv) {
    const Entry& e = kv.second;
    return e.pending == 0 && now >= e.until_ms && now - e.last_ms >= opts_.forget_ms;
  });
  // Still full (a flood of distinct keys): forget those not waiting, then all but pending ones.
  if (m.size() >= opts_.max_tracked) {
    std::erase_if(m, [&](const auto& kv) {
      return kv.second.pending == 0 && now >= kv.second.until_ms;
    });
  }
  if (m.size() >= opts_.max_tracked) {
    std::erase_if(m, [](const auto& kv) { return kv.second.pending == 0; });
  }
}

}  // namespace opsflow::auth
