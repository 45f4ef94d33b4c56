// ComputeSlots (compute_limits.h): each account's runs of the compute routes, bounded per
// account, given back one by one.
#include "api/compute_limits.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace opsflow::api {
namespace {

TEST(ComputeSlotsTest, BoundsEachAccountAlone) {
  ComputeSlots slots;
  EXPECT_TRUE(slots.TryAcquire("a", 2));
  EXPECT_TRUE(slots.TryAcquire("a", 2));
  EXPECT_FALSE(slots.TryAcquire("a", 2));
  EXPECT_TRUE(slots.TryAcquire("b", 2));  // another account has its own slots
  EXPECT_EQ(slots.InFlight("a"), 2u);
  slots.Release("a");
  EXPECT_EQ(slots.InFlight("a"), 1u);
  EXPECT_TRUE(slots.TryAcquire("a", 2));
  slots.Release("a");
  slots.Release("a");
  slots.Release("a");  // one too many changes nothing
  EXPECT_EQ(slots.InFlight("a"), 0u);
  EXPECT_EQ(slots.InFlight("b"), 1u);
  EXPECT_FALSE(slots.TryAcquire("c", 0));
  EXPECT_EQ(slots.InFlight("c"), 0u);
}

TEST(ComputeSlotsTest, NeverMoreThanTheLimitFromManyThreads) {
  ComputeSlots slots;
  std::atomic<size_t> granted{0}, peak{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 2000; ++i) {
        if (!slots.TryAcquire("u", 3)) continue;
        ++granted;
        size_t now = slots.InFlight("u");
        size_t p = peak.load();
        while (now > p && !peak.compare_exchange_weak(p, now)) {
        }
        slots.Release("u");
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_GT(granted.load(), 0u);
  EXPECT_LE(peak.load(), 3u);
  EXPECT_EQ(slots.InFlight("u"), 0u);
}

}  // namespace
}  // namespace opsflow::api
