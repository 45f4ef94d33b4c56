#include "base/ids.h"

#include <sys/random.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <random>

namespace opsflow::base {
namespace {

constexpr char kHex[] = "0123456789abcdef";

void FillRandom(uint8_t* out, size_t n) {
  while (n > 0) {
    ssize_t got = getrandom(out, n, 0);
    if (got <= 0) continue;
    out += got;
    n -= static_cast<size_t>(got);
  }
}

// A per-thread fast generator seeded from the OS: ids need uniqueness, not secrecy.
std::mt19937_64& ThreadRng() {
  thread_local std::mt19937_64 rng([] {
    uint64_t seed;
    FillRandom(reinterpret_cast<uint8_t*>(&seed), sizeof(seed));
    return seed;
  }());
  return rng;
}

void AppendHex(std::string& s, const uint8_t* b, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    s.push_back(kHex[b[i] >> 4]);
    s.push_back(kHex[b[i] & 15]);
  }
}

bool AllHex(std::string_view s) {
  for (char c : s) {
    bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    if (!hex) return false;
  }
  return true;
}

}  // namespace

std::string NewObjectId() {
  static const std::array<uint8_t, 5> process_random = [] {
    std::array<uint8_t, 5> r{};
    FillRandom(r.data(), r.size());
    return r;
  }();
  static std::atomic<uint32_t> counter{static_cast<uint32_t>(ThreadRng()())};
  auto secs = static_cast<uint32_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count());
  uint32_t c = counter.fetch_add(1, std::memory_order_relaxed);
  uint8_t b[12] = {uint8_t(secs >> 24), uint8_t(secs >> 16), uint8_t(secs >> 8), uint8_t(secs),
                   process_random[0],   process_random[1],   process_random[2],  process_random[3],
                   process_random[4],   uint8_t(c >> 16),    uint8_t(c >> 8),    uint8_t(c)};
  std::string s;
  s.reserve(24);
  AppendHex(s, b, 12);
  return s;
}

std::string NewUuid() {
  uint64_t a = ThreadRng()();
  uint64_t b = ThreadRng()();
  uint8_t bytes[16];
  for (int i = 0; i < 8; ++i) bytes[i] = uint8_t(a >> (8 * i));
  for (int i = 0; i < 8; ++i) bytes[8 + i] = uint8_t(b >> (8 * i));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  std::string s;
  s.reserve(36);
  AppendHex(s, bytes, 4);
  s.push_back('-');
  AppendHex(s, bytes + 4, 2);
  s.push_back('-');
  AppendHex(s, bytes + 6, 2);
  s.push_back('-');
  AppendHex(s, bytes + 8, 2);
  s.push_back('-');
  AppendHex(s, bytes + 10, 6);
  return s;
}

std::string RandomHex(size_t n) {
  std::string bytes(n, '\0');
  FillRandom(reinterpret_cast<uint8_t*>(bytes.data()), n);
  std::string s;
  s.reserve(2 * n);
  AppendHex(s, reinterpret_cast<const uint8_t*>(bytes.data()), n);
  return s;
}

std::string IterationUuidPrefix(std::string_view oid) {
  std::string s;
  s.reserve(36);
  s.append(oid.substr(0, 8));
  s.push_back('-');
  s.append(oid.substr(8, 4));
  s.push_back('-');
  s.push_back('8');
  s.append(oid.substr(12, 3));
  s.push_back('-');
  s.push_back('8');
  s.append(oid.substr(15, 3));
  s.push_back('-');
  s.append(oid.substr(18, 6));
  return s;
}

std::string IterationUuid(std::string_view oid, uint32_t seq) {
  std::string s = IterationUuidPrefix(oid);
  for (int shift = 20; shift >= 0; shift -= 4) s.push_back(kHex[(seq >> shift) & 15]);
  return s;
}

int64_t IterationUuidSeq(std::string_view uuid) {
  if (!IsUuid(uuid) || uuid[14] != '8' || uuid[19] != '8') return -1;
  int64_t seq = 0;
  for (char c : uuid.substr(30)) {
    int d = c >= '0' && c <= '9' ? c - '0' : (c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1);
    if (d < 0) return -1;
    seq = seq * 16 + d;
  }
  return seq;
}

bool IsObjectId(std::string_view s) { return s.size() == 24 && AllHex(s); }

bool IsUuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash != (s[i] == '-')) return false;
    if (!dash && !AllHex(s.substr(i, 1))) return false;
  }
  return true;
}

}  // namespace opsflow::base
