#include "auth/throttle.h"

#include <gtest/gtest.h>

namespace opsflow::auth {
namespace {

constexpr int64_t kSecond = 1000;
constexpr int64_t kMinute = 60 * kSecond;

// One finished attempt: whether Begin let it through.
bool Try(LoginThrottle& t, const std::string& user, const std::string& addr, bool success) {
  if (t.Begin(user, addr) > 0) return false;
  t.Finish(user, addr, success);
  return true;
}

TEST(LoginThrottleTest, DelaysGrowAfterTheFreeFailures) {
  base::FakeClock clock;
  LoginThrottle t(&clock);
  for (int i = 0; i < 4; ++i) EXPECT_TRUE(Try(t, "u", "1.2.3.4", false));
  EXPECT_TRUE(Try(t, "u", "1.2.3.4", false));  // the fifth failure starts the delays
  EXPECT_EQ(t.Begin("u", "1.2.3.4"), 1 * kSecond);
  clock.Advance(kSecond - 1);
  EXPECT_EQ(t.Begin("u", "1.2.3.4"), 1);
  clock.Advance(1);
  EXPECT_TRUE(Try(t, "u", "1.2.3.4", false));
  EXPECT_EQ(t.Begin("u", "1.2.3.4"), 2 * kSecond);
  clock.Advance(2 * kSecond);
  EXPECT_TRUE(Try(t, "u", "1.2.3.4", false));
  EXPECT_EQ(t.Begin("u", "1.2.3.4"), 4 * kSecond);
  // ... up to the cap.
  for (int i = 0; i < 20; ++i) {
    clock.Advance(15 * kMinute);
    EXPECT_TRUE(Try(t, "u", "1.2.3.4", false));
  }
  EXPECT_EQ(t.Begin("u", "1.2.3.4"), 15 * kMinute);
}

TEST(LoginThrottleTest, TheAccountFromAnotherAddressIsNotDelayed) {
  base::FakeClock clock;
  LoginThrottle t(&clock);
  for (int i = 0; i < 5; ++i) Try(t, "admin", "6.6.6.6", false);
  EXPECT_GT(t.Begin("admin", "6.6.6.6"), 0);
  EXPECT_TRUE(Try(t, "admin", "10.0.0.1", true));
  EXPECT_TRUE(Try(t, "bob", "6.6.6.6", true));  // the address is below its own limit
}

TEST(LoginThrottleTest, AnAddressSprayingUsernamesIsDelayed) {
  base::FakeClock clock;
  LoginThrottle t(&clock, {.address_free_failures = 3});
  EXPECT_TRUE(Try(t, "a", "6.6.6.6", false));
  EXPECT_TRUE(Try(t, "b", "6.6.6.6", false));
  EXPECT_TRUE(Try(t, "c", "6.6.6.6", false));
  EXPECT_EQ(t.Begin("d", "6.6.6.6"), kSecond);
  EXPECT_TRUE(Try(t, "d", "10.0.0.1", true));
  // A success from the address does not clear the address count.
  clock.Advance(kSecond);
  EXPECT_TRUE(Try(t, "e", "6.6.6.6", true));
  EXPECT_EQ(t.Begin("f", "6.6.6.6"), 0);
  t.Finish("f", "6.6.6.6", false);
  EXPECT_EQ(t.Begin("g", "6.6.6.6"), 2 * kSecond);
}

TEST(LoginThrottleTest, SuccessClearsThePairCount) {
  base::FakeClock clock;
  LoginThrottle t(&clock);
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < 4; ++i) EXPECT_TRUE(Try(t, "u", "1.2.3.4", false));
    EXPECT_TRUE(Try(t, "u", "1.2.3.4", true));
  }
}

TEST(LoginThrottleTest, FailuresAreForgottenAfterAnHour) {
  base::FakeClock clock;
  LoginThrottle t(&clock);
  for (int i = 0; i < 5; ++i) Try(t, "u", "1.2.3.4", false);
  clock.Advance(60 * kMinute - 1);
  // The delay is over but the count remains: the next failure doubles it.
  EXPECT_TRUE(Try(t, "u", "1.2.3.4", false));
  EXPECT_EQ(t.Begin("u", "1.2.3.4"), 2 * kSecond);
  clock.Advance(60 * kMinute);
  for (int i = 0; i < 4; ++i) EXPECT_TRUE(Try(t, "u", "1.2.3.4", false));
  EXPECT_EQ(t.Begin("u", "1.2.3.4"), 0);
}

TEST(LoginThrottleTest, AtTheLimitOnlyOneAttemptRunsAtATime) {
  base::FakeClock clock;
  LoginThrottle t(&clock, {.free_failures = 2});
  EXPECT_EQ(t.Begin("u", "1.2.3.4"), 0);
  EXPECT_EQ(t.Begin("u", "1.2.3.4"), 0);
  EXPECT_GT(t.Begin("u", "1.2.3.4"), 0);  // two in flight use up the free failures
  t.Finish("u", "1.2.3.4", false);
  t.Finish("u", "1.2.3.4", false);
  EXPECT_EQ(t.Begin("u", "1.2.3.4"), kSecond);
  clock.Advance(kSecond);
  EXPECT_EQ(t.Begin("u", "1.2.3.4"), 0);
  EXPECT_EQ(t.Begin("u", "1.2.3.4"), 1);  // the one in flight must end first
  t.Abandon("u", "1.2.3.4");               // not counted
  EXPECT_EQ(t.Begin("u", "1.2.3.4"), 0);
  t.Finish("u", "1.2.3.4", false);
  EXPECT_EQ(t.Begin("u", "1.2.3.4"), 2 * kSecond);
}

TEST(LoginThrottleTest, UnlockClearsEveryAddressOfTheUsername) {
  base::FakeClock clock;
  LoginThrottle t(&clock);
  for (int i = 0; i < 5; ++i) {
    Try(t, "u", "1.1.1.1", false);
    Try(t, "u", "2.2.2.2", false);
    Try(t, "uu", "1.1.1.1", false);
  }
  EXPECT_EQ(t.Unlock("u"), 2u);
  EXPECT_EQ(t.Begin("u", "1.1.1.1"), 0);
  t.Abandon("u", "1.1.1.1");
  EXPECT_EQ(t.Begin("u", "2.2.2.2"), 0);
  t.Abandon("u", "2.2.2.2");
  EXPECT_GT(t.Begin("uu", "1.1.1.1"), 0);  // another username keeps its delay
  EXPECT_EQ(t.Unlock("nobody"), 0u);
}

TEST(LoginThrottleTest, UnknownAndLongUsernamesAreKeyed) {
  base::FakeClock clock;
  LoginThrottle t(&clock);
  std::string longname(5000, 'x');
  for (int i = 0; i < 5; ++i) Try(t, longname, "1.2.3.4", false);
  EXPECT_GT(t.Begin(longname + "y", "1.2.3.4"), 0);  // same first 257 characters
}

TEST(LoginThrottleTest, MemoryStaysBounded) {
  base::FakeClock clock;
  LoginThrottle t(&clock, {.max_tracked = 100});
  for (int i = 0; i < 1000; ++i) Try(t, "u" + std::to_string(i), "10.0." + std::to_string(i), false);
  // Nothing crashed and recent keys still count.
  for (int i = 0; i < 5; ++i) Try(t, "z", "9.9.9.9", false);
  EXPECT_EQ(t.Begin("z", "9.9.9.9"), kSecond);
}

TEST(AddressKeyTest, MapsAddresses) {
  EXPECT_EQ(AddressKey("10.1.2.3"), "10.1.2.3");
  EXPECT_EQ(AddressKey("::ffff:10.1.2.3"), "10.1.2.3");
  EXPECT_EQ(AddressKey("2001:db8:1:2:3:4:5:6"), "2001:db8:1:2::/64");
  EXPECT_EQ(AddressKey("2001:db8:1:2::9"), "2001:db8:1:2::/64");
  EXPECT_EQ(AddressKey("::1"), "0:0:0:0::/64");
  EXPECT_EQ(AddressKey(""), "");
  EXPECT_EQ(AddressKey("not:an:address"), "not:an:address");
}

}  // namespace
}  // namespace opsflow::auth
