#include "runtime/events.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>
#include <vector>

#include "runtime/event_relay.h"

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


TEST(EventBusTest, RemoteEventsGoOnlyToSubscribersThatAskForThem) {
  EventBus bus;
  std::vector<Event> local, all;
  bus.Subscribe([&](const Event& e) { local.push_back(e); }, false);
  SubscribeOptions o;
  o.remote_events = true;
  bus.Subscribe([&](const Event& e) { all.push_back(e); }, o);
  bus.Publish(JobEvent("jobStart"));
  bus.PublishRemote(JobEvent("jobComplete"));
  ASSERT_EQ(local.size(), 1u);
  EXPECT_FALSE(local[0].remote);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_TRUE(all[1].remote);
  EXPECT_EQ(Seqs(all), (std::vector<uint64_t>{1, 2}));
  // A replay holds remote events only for a subscriber that wants them.
  std::vector<Event> replay_local, replay_all;
  bus.SubscribeAfter(0, [&](const Event& e) { replay_local.push_back(e); }, true, [] {});
  bus.SubscribeAfter(0, [&](const Event& e) { replay_all.push_back(e); }, true, [] {}, true);
  EXPECT_EQ(replay_local.size(), 1u);
  EXPECT_EQ(replay_all.size(), 2u);
}

TEST(EventBusTest, PassiveSubscribersAndRemoteInterest) {
  EventBusOptions bo;
  bo.linger_ms = 0;
  EventBus bus(bo);
  int wanted = 0;
  bus.SetOnRemoteWanted([&] { ++wanted; });
  SubscribeOptions passive;
  passive.counts = false;
  bus.Subscribe([](const Event&) {}, passive);
  EXPECT_FALSE(bus.HasSubscribers());
  EXPECT_FALSE(bus.WantsTaskEvents());
  bus.NoteRemoteInterest(60000);
  EXPECT_TRUE(bus.HasSubscribers());
  EXPECT_TRUE(bus.WantsTaskEvents());
  EXPECT_FALSE(bus.WantsRemoteEvents());
  SubscribeOptions streams;
  streams.remote_events = true;
  uint64_t a = bus.Subscribe([](const Event&) {}, streams);
  uint64_t b = bus.Subscribe([](const Event&) {}, streams);
  EXPECT_TRUE(bus.WantsRemoteEvents());
  EXPECT_EQ(wanted, 1);  // the first only
  bus.Unsubscribe(a);
  bus.Unsubscribe(b);
  EXPECT_FALSE(bus.WantsRemoteEvents());
  bus.SetOnRemoteWanted(nullptr);
}

TEST(EventRelayTest, WireFormRoundTrips) {
  Event e = TaskEvent("taskComplete");
  e.workflow = "wf \"x\"";
  e.status = "complete";
  e.task_name = "delay";
  e.finish_state = "success";
  e.groups = {"g1", "g2"};
  e.parent_job_id = "p";
  e.ancestors = {"r", "p"};
  e.time_ms = 1700000000123;
  e.run_time_ms = 5;
  e.sla_delta_ms = 2;
  e.seq = 99;
  Event back;
  bool interest = true;
  ASSERT_TRUE(DecodeRemoteMessage(EncodeRemoteEvent(e), &back, &interest));
  EXPECT_FALSE(interest);
  EXPECT_EQ(back.topic, e.topic);
  EXPECT_EQ(back.job_id, e.job_id);
  EXPECT_EQ(back.workflow, e.workflow);
  EXPECT_EQ(back.status, e.status);
  EXPECT_EQ(back.task_id, e.task_id);
  EXPECT_EQ(back.task_name, e.task_name);
  EXPECT_EQ(back.finish_state, e.finish_state);
  EXPECT_EQ(back.groups, e.groups);
  EXPECT_EQ(back.parent_job_id, e.parent_job_id);
  EXPECT_EQ(back.ancestors, e.ancestors);
  EXPECT_EQ(back.time_ms, e.time_ms);
  EXPECT_EQ(back.run_time_ms, e.run_time_ms);
  EXPECT_EQ(back.sla_delta_ms, e.sla_delta_ms);
  EXPECT_EQ(back.seq, 0u);  // the receiving bus numbers it
  ASSERT_TRUE(DecodeRemoteMessage("{\"want\":1}", &back, &interest));
  EXPECT_TRUE(interest);
  EXPECT_FALSE(DecodeRemoteMessage("not json", &back, &interest));
  EXPECT_FALSE(DecodeRemoteMessage("{\"e\":{}}", &back, &interest));
}

// Two feeds joined in memory stand for two processes on one database: a message published on
// one is delivered (on the publishing thread, in order) to the other only.
class LinkedFeed : public store::EventFeed {
 public:
  LinkedFeed* peer = nullptr;
  void Publish(std::string m) override {
    if (peer && peer->on_message_) peer->on_message_(m);
  }
  base::Status Start(OnMessage on_message, OnGap on_gap) override {
    on_message_ = std::move(on_message);
    on_gap_ = std::move(on_gap);
    return base::Status();
  }
  void Stop() override { on_message_ = nullptr; }
  OnMessage on_message_;
  OnGap on_gap_;
};

TEST(EventRelayTest, StreamsOnOneProcessSeeTheOthersEventsButTriggersDoNot) {
  EventBusOptions bo;
  bo.linger_ms = 0;
  EventBus bus_a(bo), bus_b(bo);
  LinkedFeed feed_a, feed_b;
  feed_a.peer = &feed_b;
  feed_b.peer = &feed_a;
  std::mutex mu;
  std::condition_variable cv;
  std::vector<Event> stream_b, triggers_a, triggers_b;
  bus_a.Subscribe([&](const Event& e) { triggers_a.push_back(e); }, false);
  bus_b.Subscribe([&](const Event& e) { triggers_b.push_back(e); }, false);
  EventRelay relay_a(&bus_a, &feed_a), relay_b(&bus_b, &feed_b);
  ASSERT_TRUE(relay_a.Start().ok());
  ASSERT_TRUE(relay_b.Start().ok());
  // Nobody streams: A forwards nothing.
  bus_a.Publish(JobEvent("jobStart"));
  EXPECT_FALSE(bus_a.WantsTaskEvents());
  // A stream opens on B; B's relay tells A (its heartbeat thread), and A then builds and
  // forwards every event.
  SubscribeOptions o;
  o.remote_events = true;
  bus_b.Subscribe(
      [&](const Event& e) {
        std::lock_guard<std::mutex> l(mu);
        stream_b.push_back(e);
        cv.notify_all();
      },
      o);
  {
    std::unique_lock<std::mutex> l(mu);
    while (!bus_a.WantsTaskEvents()) {
      l.unlock();
      std::this_thread::yield();
      l.lock();
    }
  }
  bus_a.Publish(TaskEvent("taskStart"));
  bus_a.Publish(TaskEvent("taskComplete"));
  bus_a.Publish(JobEvent("jobComplete"));
  {
    std::unique_lock<std::mutex> l(mu);
    cv.wait(l, [&] { return stream_b.size() == 3; });
  }
  EXPECT_EQ(stream_b[0].topic, "taskStart");
  EXPECT_EQ(stream_b[1].topic, "taskComplete");
  EXPECT_EQ(stream_b[2].topic, "jobComplete");
  EXPECT_TRUE(stream_b[2].remote);
  EXPECT_EQ(triggers_a.size(), 2u);  // jobStart, jobComplete: here only
  EXPECT_TRUE(triggers_b.empty());
  relay_a.Stop();
  relay_b.Stop();
}

}  // namespace
}  // namespace opsflow::runtime
