// The Clock port: the only way engine-adjacent code reads time.
// Thread-safety: implementations are safe to call from any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

namespace opsflow::base {

class Clock {
 public:
  virtual ~Clock() = default;
  // Milliseconds since the Unix epoch.
  virtual int64_t NowMs() const = 0;
};

class SystemClock final : public Clock {
 public:
  int64_t NowMs() const override;
  static SystemClock* Get();
};

// A clock that moves only when told; for tests.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(int64_t start_ms = 1700000000000) : now_(start_ms) {}
  int64_t NowMs() const override { return now_.load(); }
  void Advance(int64_t ms) { now_ += ms; }
  void Set(int64_t ms) { now_ = ms; }

 private:
  std::atomic<int64_t> now_;
};

// ISO-8601 UTC with milliseconds, e.g. "2023-05-01T12:00:00.000Z".
std::string IsoTime(int64_t epoch_ms);
// The inverse is base::ParseIso8601 (base/civil.h).

}  // namespace opsflow::base
