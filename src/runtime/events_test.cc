#include "runtime/events.h"

#include <gtest/gtest.h>

#include <vector>

namespace opsflow::runtime {
namespace {

Event JobEvent(const char* topic) {
  Event e;
  e.topic = topic;
  e.job_id = "aaaaaaaaaaaaaaaaaaaaaaaa";
  return e;
}

Event TaskEvent(const char* topic) {
  Event e = JobEvent(topic);
  e.task_id = "t1";
  return e;
}

std::vector<uint64_t> Seqs(const std::vector<Event>& events) {
  std::vector<uint64_t> out;
  for (const Event& e : events) out.push_back(e.seq);
  return out;
}

TEST(EventBusTest, ReplaysWhatAReconnectingClientMissed) {
  EventBus bus;
  std::vector<Event> first;
  uint64_t id = bus.Subscribe([&](const Event& e) { first.push_back(e); });
  bus.Publish(JobEvent("jobStart"));
  bus.Publish(TaskEvent("taskStart"));
  bus.Unsubscribe(id);
  // Gone: still kept while the bus lingers (a client may reconnect).
  EXPECT_TRUE(bus.WantsTaskEvents());
  bus.Publish(TaskEvent("taskComplete"));
  bus.Publish(JobEvent("jobComplete"));
  std::vector<Event> again;
  bool gap = false;
  bus.SubscribeAfter(
      first.back().seq, [&](const Event& e) { again.push_back(e); }, true, [&] { gap = true; });
  EXPECT_FALSE(gap);
  EXPECT_EQ(Seqs(again), (std::vector<uint64_t>{3, 4}));
  bus.Publish(JobEvent("jobStart"));  // live events follow the replay
  EXPECT_EQ(Seqs(again), (std::vector<uint64_t>{3, 4, 5}));
}

TEST(EventBusTest, JobOnlySubscribersGetNoReplayedTaskEvents) {
  EventBus bus;
  bus.Publish(JobEvent("jobStart"));
  bus.Publish(TaskEvent("taskStart"));
  bus.Publish(JobEvent("jobComplete"));
  std::vector<Event> got;
  bus.SubscribeAfter(
      1, [&](const Event& e) { got.push_back(e); }, false, [] { FAIL(); });
  EXPECT_EQ(Seqs(got), (std::vector<uint64_t>{3}));
}

TEST(EventBusTest, EventsNoLongerKeptAreAGap) {
  EventBus bus({.history = 2, .linger_ms = 30000});
  for (int i = 0; i < 5; ++i) bus.Publish(JobEvent("jobStart"));
  std::vector<Event> got;
  bool gap = false;
  bus.SubscribeAfter(
      2, [&](const Event& e) { got.push_back(e); }, true, [&] { gap = true; });
  EXPECT_TRUE(gap);  // 3 is gone
  EXPECT_TRUE(got.empty());
  gap = false;
  got.clear();
  bus.SubscribeAfter(
      3, [&](const Event& e) { got.push_back(e); }, true, [&] { gap = true; });
  EXPECT_FALSE(gap);
  EXPECT_EQ(Seqs(got), (std::vector<uint64_t>{4, 5}));
  // Up to date: nothing to replay, no gap; from the future (another process): a gap.
  bus.SubscribeAfter(
      5, [](const Event&) {}, true, [&] { gap = true; });
  EXPECT_FALSE(gap);
  bus.SubscribeAfter(
      9, [](const Event&) {}, true, [&] { gap = true; });
  EXPECT_TRUE(gap);
}

TEST(EventBusTest, SkippedEventsAreAGap) {
  EventBus bus({.history = 100, .linger_ms = 0});
  bus.Publish(JobEvent("jobStart"));  // 1
  bus.MarkGap();                      // the publisher skipped building something here
  bool gap = false;
  bus.SubscribeAfter(
      1, [](const Event&) {}, true, [&] { gap = true; });
  EXPECT_TRUE(gap);
  bus.Publish(JobEvent("jobComplete"));  // 2: after the gap
  gap = false;
  bus.SubscribeAfter(
      2, [](const Event&) {}, true, [&] { gap = true; });
  EXPECT_FALSE(gap);
}

TEST(EventBusTest, NoLingerWithoutHistory) {
  EventBus bus({.history = 0, .linger_ms = 30000});
  uint64_t id = bus.Subscribe([](const Event&) {});
  EXPECT_TRUE(bus.WantsTaskEvents());
  bus.Unsubscribe(id);
  EXPECT_FALSE(bus.WantsTaskEvents());
  EXPECT_FALSE(bus.HasSubscribers());
}

}  // namespace
}  // namespace opsflow::runtime
