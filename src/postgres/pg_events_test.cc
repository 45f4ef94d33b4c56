// PgEventFeed (pg_events.h): the framing of notification payloads, and two feeds on one database
// (two processes) against OPSFLOW_TEST_PG_URL (skipped when unset).
#include "postgres/pg_events.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <set>
#include <thread>
#include <condition_variable>
#include <mutex>

#include "postgres/pg_conn.h"
#include "postgres/postgres_store.h"
#include "postgres/testing/postgres_factory.h"

namespace opsflow::postgres {
namespace {

std::vector<std::string> UnpackAll(const std::vector<feed_wire::Notification>& ns) {
  std::vector<std::string> out;
  for (const auto& n : ns) {
    feed_wire::Unpacked u;
    if (n.table) {
      EXPECT_TRUE(feed_wire::Unpack(n.payload + "42", &u));
      EXPECT_TRUE(u.table);
      EXPECT_EQ(u.row_id, 42);
      out.push_back(n.body);
    } else {
      EXPECT_TRUE(feed_wire::Unpack(n.payload, &u));
      EXPECT_FALSE(u.table);
      for (auto& m : u.messages) out.push_back(m);
    }
    EXPECT_EQ(u.sender, "0123456789abcdef");
  }
  return out;
}

TEST(PgEventWireTest, PacksSmallMessagesTogetherAndLargeOnesIntoTheTable) {
  std::vector<std::string> msgs;
  for (int i = 0; i < 100; ++i) msgs.push_back("{\"e\":" + std::to_string(i) + ":x}");
  msgs.push_back(std::string(20000, 'a'));  // larger than a notification
  msgs.push_back("");                       // empty
  msgs.push_back("after:the:large\none");
  uint64_t counter = 7;
  auto ns = feed_wire::Pack("0123456789abcdef", &counter, msgs, 400);
  for (const auto& n : ns) {
    if (!n.table) {
      EXPECT_LE(n.payload.size(), 400u);
    }
  }
  EXPECT_EQ(counter, 7 + ns.size());
  EXPECT_GT(ns.size(), 3u);
  EXPECT_EQ(UnpackAll(ns), msgs);  // all of them, in order
  // Every notification is numbered apart (PostgreSQL merges equal ones in one transaction).
  std::set<std::string> payloads;
  for (const auto& n : ns) payloads.insert(n.payload);
  EXPECT_EQ(payloads.size(), ns.size());
}

TEST(PgEventWireTest, RejectsWhatIsNotOurs) {
  feed_wire::Unpacked u;
  EXPECT_FALSE(feed_wire::Unpack("", &u));
  EXPECT_FALSE(feed_wire::Unpack("hello", &u));
  EXPECT_FALSE(feed_wire::Unpack("s.1M5:abc", &u));   // cut short
  EXPECT_FALSE(feed_wire::Unpack("s.1Mx:abc", &u));   // no length
  EXPECT_FALSE(feed_wire::Unpack("s.1T12x", &u));
  EXPECT_TRUE(feed_wire::Unpack("s.1M3:abc1:d", &u));
  EXPECT_EQ(u.messages, (std::vector<std::string>{"abc", "d"}));
}

// What one feed received, waited on with a generous bound (a failure, not a timing check).
struct Inbox {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::string> got;
  int gaps = 0;
  store::EventFeed::OnMessage OnMessage() {
    return [this](std::string_view m) {
      std::lock_guard<std::mutex> l(mu);
      got.emplace_back(m);
      cv.notify_all();
    };
  }
  bool WaitFor(size_t n) {
    std::unique_lock<std::mutex> l(mu);
    return cv.wait_for(l, std::chrono::seconds(20), [&] { return got.size() >= n; });
  }
};

class PgEventFeedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto loc = testing::PostgresFactory()->NewLocation();
    if (!loc.ok()) GTEST_SKIP() << loc.status().message();
    url_ = *loc;
    auto store = PostgresStore::Open(url_);  // creates the schema (opsflow_events)
    ASSERT_TRUE(store.ok()) << store.status().message();
  }
  void TearDown() override {
    if (!url_.empty()) testing::PostgresFactory()->Destroy(url_);
  }
  std::string url_;
};

TEST_F(PgEventFeedTest, TheOtherProcessGetsEveryMessageInOrderAndItsOwnAreNotEchoed) {
  PgEventFeedOptions o;
  o.channel = "opsflow_events_test";
  PgEventFeed a(url_, o), b(url_, o);
  Inbox in_a, in_b;
  ASSERT_TRUE(a.Start(in_a.OnMessage(), [] {}).ok());
  ASSERT_TRUE(b.Start(in_b.OnMessage(), [] {}).ok());
  // Both listen before anything is sent (a feed gets only what is sent while it listens).
  while (!a.connected() || !b.connected()) std::this_thread::yield();
  std::vector<std::string> sent;
  for (int i = 0; i < 500; ++i) {
    sent.push_back("{\"e\":{\"n\":" + std::to_string(i) + "}}");
    if (i == 250) sent.push_back(std::string(20 * 1024, 'v'));  // through the table
    if (i == 251) sent.push_back(sent[sent.size() - 2]);        // the same twice: both arrive
  }
  for (const auto& m : sent) a.Publish(m);
  b.Publish("from b");
  ASSERT_TRUE(in_b.WaitFor(sent.size()));
  ASSERT_TRUE(in_a.WaitFor(1));
  a.Stop();
  b.Stop();
  EXPECT_EQ(in_b.got, sent);
  EXPECT_EQ(in_a.got, (std::vector<std::string>{"from b"}));
  auto c = Conn::Open(url_);
  ASSERT_TRUE(c.ok());
  auto rows = (*c)->Query("SELECT count(*) FROM opsflow_events");
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(rows->Int(0, 0), 2);  // the large message, twice
}

TEST_F(PgEventFeedTest, ALostConnectionIsMadeAgainAndReportedAsAGap) {
  PgEventFeedOptions o;
  o.channel = "opsflow_events_test2";
  o.retry_ms = 50;
  PgEventFeed a(url_, o), b(url_, o);
  Inbox in_a, in_b;
  std::atomic<int> gaps{0};
  ASSERT_TRUE(a.Start(in_a.OnMessage(), [] {}).ok());
  ASSERT_TRUE(b.Start(in_b.OnMessage(), [&] { gaps.fetch_add(1); }).ok());
  while (!a.connected() || !b.connected()) std::this_thread::yield();
  // Ends b's listening session from outside (as a restarted server or a proxy would).
  auto c = Conn::Open(url_);
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE((*c)->Query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query "
                          "LIKE 'LISTEN%' AND pid <> pg_backend_pid()")
                  .ok());
  // Both were listening: both reconnect (b reports it with a gap).
  while (a.reconnects() == 0 || b.reconnects() == 0 || !a.connected() || !b.connected()) {
    a.Publish("nudge");  // a notices its loss when it sends
    std::this_thread::yield();
  }
  EXPECT_GE(gaps.load(), 1);
  a.Publish("after");
  while (true) {
    ASSERT_TRUE(in_b.WaitFor(1));
    std::lock_guard<std::mutex> l(in_b.mu);
    if (in_b.got.back() == "after") break;
  }
}

}  // namespace
}  // namespace opsflow::postgres
