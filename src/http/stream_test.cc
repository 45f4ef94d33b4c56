// Streamed responses (api::Stream) through the real HTTP server: chunks pushed from another
// thread, end, client disconnect, Stop() while streaming, heartbeat, overflow, HTTP/1.0.
#include <gtest/gtest.h>

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "http/server.h"
#include "http/test_conn.h"

namespace opsflow::http {
namespace {

using std::chrono::milliseconds;
using testclient::Conn;
using testclient::Get;

// Answers every request with a fresh stream and hands it to the test.
class StreamingHandler : public api::Handler {
 public:
  explicit StreamingHandler(api::Stream::Options o) : options_(std::move(o)) {}

  void Handle(api::Request, api::Responder done) override {
    auto stream = std::make_shared<api::Stream>(options_);
    stream->SetOnClose([this] {
      std::lock_guard<std::mutex> lock(mu_);
      ++closes_;
      cv_.notify_all();
    });
    stream->Push("first\n");  // queued before the response is sent: must not be lost
    api::Response res;
    res.content_type = "text/event-stream";
    res.headers.emplace_back("Cache-Control", "no-cache");
    res.stream = stream;
    {
      std::lock_guard<std::mutex> lock(mu_);
      stream_ = stream;
      cv_.notify_all();
    }
    done(std::move(res));
  }

  // Waits for the stream of the (single) request.
  std::shared_ptr<api::Stream> stream() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [this] { return stream_ != nullptr; });
    return stream_;
  }
  // Waits until the close callback ran; returns how often it ran.
  int WaitClosed() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, std::chrono::seconds(10), [this] { return closes_ > 0; });
    return closes_;
  }

 private:
  const api::Stream::Options options_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::shared_ptr<api::Stream> stream_;
  int closes_ = 0;
};

class StreamTest : public ::testing::Test {
 protected:
  void StartServer(api::Stream::Options so, ServerOptions o = {}) {
    handler_ = std::make_shared<StreamingHandler>(std::move(so));
    o.address = "127.0.0.1";
    o.port = 0;
    o.threads = 2;
    server_ = std::make_unique<Server>(o, handler_);
    ASSERT_TRUE(server_->Start().ok());
  }
  // Opens a stream and checks its header and first chunk.
  void Open(Conn& c) {
    ASSERT_TRUE(c.Send(Get("/events")));
    auto head = c.ReadHead();
    ASSERT_TRUE(head.has_value());
    EXPECT_EQ(head->status, 200);
    EXPECT_EQ(head->Header("content-type"), "text/event-stream");
    EXPECT_EQ(head->Header("transfer-encoding"), "chunked");
    EXPECT_EQ(head->Header("cache-control"), "no-cache");
    EXPECT_EQ(head->Header("content-length"), "");
    EXPECT_EQ(c.ReadChunk(), "first\n");
  }
  std::shared_ptr<StreamingHandler> handler_;
  std::unique_ptr<Server> server_;
};

TEST_F(StreamTest, ChunksPushedFromAnotherThreadThenEnd) {
  StartServer({});
  Conn c(server_->port());
  Open(c);
  auto stream = handler_->stream();
  std::thread([stream] {
    EXPECT_TRUE(stream->Push("data: 1\n\n"));
    EXPECT_TRUE(stream->Push("data: 2\n\n"));
  }).join();
  std::string got;
  while (got.size() < 18) {
    auto chunk = c.ReadChunk();
    ASSERT_TRUE(chunk.has_value());
    got += *chunk;
  }
  EXPECT_EQ(got, "data: 1\n\ndata: 2\n\n");
  stream->End();
  EXPECT_FALSE(stream->Push("late"));
  EXPECT_EQ(c.ReadChunk(), "");  // the last chunk
  EXPECT_TRUE(c.ClosedByServer());
  EXPECT_EQ(handler_->WaitClosed(), 1);
}

TEST_F(StreamTest, ClientDisconnectClosesTheStream) {
  StartServer({});
  {
    Conn c(server_->port());
    Open(c);
  }  // the client goes away without reading further
  EXPECT_EQ(handler_->WaitClosed(), 1);
  EXPECT_TRUE(handler_->stream()->closed());
  EXPECT_FALSE(handler_->stream()->Push("nobody listens"));
  while (server_->connection_count() > 0) std::this_thread::yield();
}

TEST_F(StreamTest, StopWhileStreamingEndsTheStreamAndReturns) {
  StartServer({});
  Conn c(server_->port());
  Open(c);
  server_->Stop();  // must not wait for the stream to end by itself
  EXPECT_EQ(handler_->WaitClosed(), 1);
  EXPECT_EQ(c.ReadChunk(), "");
  EXPECT_TRUE(c.ClosedByServer());
  EXPECT_EQ(server_->connection_count(), 0u);
}

TEST_F(StreamTest, HeartbeatWhenQuiet) {
  api::Stream::Options so;
  so.heartbeat = milliseconds(20);
  so.heartbeat_chunk = ": keep-alive\n\n";
  StartServer(so);
  Conn c(server_->port());
  Open(c);
  EXPECT_EQ(c.ReadChunk(), ": keep-alive\n\n");
  EXPECT_EQ(c.ReadChunk(), ": keep-alive\n\n");
  EXPECT_TRUE(handler_->stream()->Push("x"));
  std::optional<std::string> chunk;
  do {
    chunk = c.ReadChunk();
    ASSERT_TRUE(chunk.has_value());
  } while (*chunk != "x");
}

TEST_F(StreamTest, AWriteTimeoutDoesNotEndAHealthyStream) {
  ServerOptions o;
  o.write_timeout = milliseconds(30);
  o.idle_timeout = milliseconds(30);
  api::Stream::Options so;
  so.heartbeat = milliseconds(5);
  so.heartbeat_chunk = ".";
  StartServer(so, o);
  Conn c(server_->port());
  Open(c);
  // Far more heartbeats than fit in one timeout: the stream outlives both timeouts.
  for (int i = 0; i < 30; ++i) ASSERT_EQ(c.ReadChunk(), ".");
  EXPECT_FALSE(handler_->stream()->closed());
}

TEST_F(StreamTest, OverflowSendsTheOverflowChunkAndCloses) {
  api::Stream::Options so;
  so.max_queued_bytes = 64 * 1024;
  so.overflow_chunk = "event: overflow\n\n";
  StartServer(so);
  Conn c(server_->port());
  Open(c);
  auto stream = handler_->stream();
  // The client reads nothing: once the socket buffers are full the queue fills and overflows.
  const std::string chunk(1024, 'x');
  size_t pushed = 0;
  while (stream->Push(chunk)) {
    ASSERT_LT(++pushed, 1'000'000u) << "the queue never overflowed";
  }
  EXPECT_TRUE(stream->closed());
  std::string last;
  for (;;) {
    auto got = c.ReadChunk();
    ASSERT_TRUE(got.has_value());
    if (got->empty()) break;
    last = *got;
  }
  EXPECT_EQ(last, "event: overflow\n\n");
  EXPECT_TRUE(c.ClosedByServer());
  EXPECT_EQ(handler_->WaitClosed(), 1);
}

TEST_F(StreamTest, Http10IsCloseDelimited) {
  StartServer({});
  Conn c(server_->port());
  ASSERT_TRUE(c.Send("GET /events HTTP/1.0\r\n\r\n"));
  auto head = c.ReadHead();
  ASSERT_TRUE(head.has_value());
  EXPECT_EQ(head->Header("transfer-encoding"), "");
  auto stream = handler_->stream();
  stream->Push("second\n");
  stream->End();
  EXPECT_EQ(c.ReadToEnd(), "first\nsecond\n");
  EXPECT_EQ(handler_->WaitClosed(), 1);
}

TEST(StreamUnitTest, CloseRunsTheCallbackOnceAndOutsidePush) {
  api::Stream::Options o;
  o.max_queued_bytes = 8;
  o.overflow_chunk = "O";
  api::Stream s(o);
  int closes = 0, wakes = 0;
  s.SetOnClose([&] { ++closes; });
  s.Attach([&] { ++wakes; });
  EXPECT_TRUE(s.Push("abc"));
  EXPECT_TRUE(s.Push("def"));
  EXPECT_EQ(wakes, 1);  // one wake until the front takes
  EXPECT_EQ(s.Take().data, "abcdef");
  EXPECT_FALSE(s.Push("123456789"));  // overflow: no close callback from inside Push
  EXPECT_EQ(closes, 0);
  auto t = s.Take();
  EXPECT_EQ(t.data, "O");
  EXPECT_TRUE(t.ended);
  s.Close();
  s.Close();
  EXPECT_EQ(closes, 1);
}

}  // namespace
}  // namespace opsflow::http
