#include "auth/throttle.h"

#include <gtest/gtest.h>

namespace opsflow::auth {
namespace {

constexpr int64_t kWindow = 15 * 60 * 1000;

TEST(LoginThrottleTest, LocksAfterMaxFailuresForTheWindow) {
  base::FakeClock clock;
  LoginThrottle t(&clock);
  for (int i = 0; i < 4; ++i) t.RecordFailure("u");
  EXPECT_EQ(t.RetryAfterMs("u"), 0);
  t.RecordFailure("u");
  EXPECT_EQ(t.RetryAfterMs("u"), kWindow);
  EXPECT_EQ(t.RetryAfterMs("v"), 0);
  clock.Advance(kWindow - 1);
  EXPECT_EQ(t.RetryAfterMs("u"), 1);
  clock.Advance(1);
  EXPECT_EQ(t.RetryAfterMs("u"), 0);
  t.RecordFailure("u");  // a fresh run after the lock passed
  EXPECT_EQ(t.RetryAfterMs("u"), 0);
}

TEST(LoginThrottleTest, OldFailuresOutsideTheWindowDoNotCount) {
  base::FakeClock clock;
  LoginThrottle t(&clock);
  for (int i = 0; i < 4; ++i) t.RecordFailure("u");
  clock.Advance(kWindow);
  t.RecordFailure("u");
  EXPECT_EQ(t.RetryAfterMs("u"), 0);
}

TEST(LoginThrottleTest, SuccessClears) {
  base::FakeClock clock;
  LoginThrottle t(&clock);
  for (int i = 0; i < 4; ++i) t.RecordFailure("u");
  t.RecordSuccess("u");
  for (int i = 0; i < 4; ++i) t.RecordFailure("u");
  EXPECT_EQ(t.RetryAfterMs("u"), 0);
}

TEST(LoginThrottleTest, BoundedMemoryKeepsLockedNames) {
  base::FakeClock clock;
  LoginThrottle t(&clock, {.max_failures = 2, .window_ms = kWindow, .max_tracked = 10});
  t.RecordFailure("locked");
  t.RecordFailure("locked");
  for (int i = 0; i < 100; ++i) t.RecordFailure("n" + std::to_string(i));
  EXPECT_GT(t.RetryAfterMs("locked"), 0);
}

}  // namespace
}  // namespace opsflow::auth
