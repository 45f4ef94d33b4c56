#include "http/server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <condition_variable>
#include <deque>
#include <future>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "http/request_convert.h"
#include "http/test_conn.h"

namespace opsflow::http {
namespace {

using Pairs = std::vector<std::pair<std::string, std::string>>;
using testclient::Conn;
using testclient::Get;
using testclient::RawResponse;

// ---- fake handlers ----

// Answers at once, echoing the path in the body, and remembers the last request.
class EchoHandler : public api::Handler {
 public:
  void Handle(api::Request req, api::Responder done) override {
    api::Response res;
    res.body = "{\"path\":\"" + req.path + "\",\"size\":" + std::to_string(req.body.size()) + "}";
    if (req.path == "/cookie") res.headers.emplace_back("Set-Cookie", "token=abc; HttpOnly");
    {
      std::lock_guard<std::mutex> lock(mu_);
      last_ = std::move(req);
      ++count_;
    }
    done(std::move(res));
  }
  api::Request last() {
    std::lock_guard<std::mutex> lock(mu_);
    return last_;
  }

 private:
  std::mutex mu_;
  api::Request last_;
  int count_ = 0;
};

// Keeps every responder until the test releases it from its own thread; /drop drops it.
class HoldingHandler : public api::Handler {
 public:
  void Handle(api::Request req, api::Responder done) override {
    if (req.path == "/drop") return;  // the responder dies unanswered
    std::lock_guard<std::mutex> lock(mu_);
    held_.emplace_back(req.path, std::move(done));
    cv_.notify_all();
  }
  // Waits until a request is held, then returns its path and responder.
  std::pair<std::string, api::Responder> Take() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [this] { return !held_.empty(); });
    auto item = std::move(held_.front());
    held_.pop_front();
    return item;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::pair<std::string, api::Responder>> held_;
};

class ServerTest : public ::testing::Test {
 protected:
  void StartServer(ServerOptions o, std::shared_ptr<api::Handler> h) {
    o.address = "127.0.0.1";
    o.port = 0;
    if (o.threads == 0) o.threads = 2;
    server_ = std::make_unique<Server>(o, std::move(h));
    ASSERT_TRUE(server_->Start().ok());
    ASSERT_NE(server_->port(), 0);
  }
  void ExpectStillServing() {
    Conn c(server_->port());
    ASSERT_TRUE(c.Send(Get("/alive")));
    auto r = c.Read();
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->status, 200);
  }
  std::unique_ptr<Server> server_;
};

TEST_F(ServerTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  StartServer({}, std::make_shared<EchoHandler>());
  Conn c(server_->port());
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(c.Send(Get("/r" + std::to_string(i))));
    auto r = c.Read();
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, "{\"path\":\"/r" + std::to_string(i) + "\",\"size\":0}");
    EXPECT_EQ(r->Header("content-type"), "application/json; charset=utf-8");
    EXPECT_EQ(r->Header("content-length"), std::to_string(r->body.size()));
    EXPECT_NE(r->Header("connection"), "close");
  }
  EXPECT_EQ(server_->connection_count(), 1u);
}

TEST_F(ServerTest, PipelinedRequestsAreAnsweredInOrder) {
  StartServer({}, std::make_shared<EchoHandler>());
  Conn c(server_->port());
  std::string batch;
  for (int i = 0; i < 4; ++i) batch += Get("/p" + std::to_string(i));
  batch += "POST /p4 HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\nabc";
  ASSERT_TRUE(c.Send(batch));
  for (int i = 0; i < 4; ++i) {
    auto r = c.Read();
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->body, "{\"path\":\"/p" + std::to_string(i) + "\",\"size\":0}");
  }
  auto r = c.Read();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->body, "{\"path\":\"/p4\",\"size\":3}");
}

TEST_F(ServerTest, BuildsTheApiRequest) {
  auto h = std::make_shared<EchoHandler>();
  StartServer({}, h);
  Conn c3(server_->port());
  ASSERT_TRUE(c3.Send(
      "POST /operations-manager/jobs%2Fx/a%20b?in[status]=a&in%5Bstatus%5D=b&q=x+y&flag&e=%C3%A9 "
      "HTTP/1.1\r\nHost: t\r\nX-Custom-Header: Yes\r\nCookie: a=1; token=tok\r\n"
      "Content-Length: 2\r\n\r\n{}"));
  auto r = c3.Read();
  ASSERT_TRUE(r.has_value());
  ASSERT_EQ(r->status, 200);
  api::Request req = h->last();
  EXPECT_EQ(req.method, "POST");
  EXPECT_EQ(req.path, "/operations-manager/jobs/x/a b");
  EXPECT_EQ(req.target,
            "/operations-manager/jobs%2Fx/a%20b?in[status]=a&in%5Bstatus%5D=b&q=x+y&flag&e=%C3%A9");
  EXPECT_EQ(req.query, (Pairs{{"in[status]", "a"},
                              {"in[status]", "b"},
                              {"q", "x y"},
                              {"flag", ""},
                              {"e", "\xC3\xA9"}}));
  EXPECT_EQ(req.Header("x-custom-header"), "Yes");
  EXPECT_EQ(req.Cookie("token"), "tok");
  EXPECT_EQ(req.body, "{}");
  EXPECT_EQ(req.remote_addr, "127.0.0.1");
}

TEST_F(ServerTest, InvalidPercentEncodingIs400AndKeepsTheConnection) {
  StartServer({}, std::make_shared<EchoHandler>());
  Conn c(server_->port());
  ASSERT_TRUE(c.Send(Get("/jobs%zz?a=1")));
  auto r = c.Read();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 400);
  EXPECT_NE(r->body.find("\"data\":null"), std::string::npos);
  ASSERT_TRUE(c.Send(Get("/jobs?a=%4")));
  r = c.Read();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 400);
  ASSERT_TRUE(c.Send(Get("/ok")));
  r = c.Read();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200);
}

TEST_F(ServerTest, OversizeBodyIs413) {
  ServerOptions o;
  o.max_body_bytes = 1024;
  StartServer(o, std::make_shared<EchoHandler>());
  Conn c(server_->port());
  ASSERT_TRUE(c.Send("POST /x HTTP/1.1\r\nHost: t\r\nContent-Length: 5000\r\n\r\n" +
                     std::string(5000, 'a')));
  auto r = c.Read();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 413);
  EXPECT_EQ(r->body,
            "{\"message\":\"The request body is larger than the limit of 1024 bytes "
            "(max-body-bytes)\","
            "\"data\":null,\"metadata\":{}}");
  EXPECT_EQ(r->Header("connection"), "close");
  EXPECT_TRUE(c.ClosedByServer());

  // The same limit holds for a chunked body, whose size is not announced.
  Conn c2(server_->port());
  std::string chunk(1500, 'b');
  ASSERT_TRUE(c2.Send("POST /x HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n5dc\r\n" +
                      chunk + "\r\n0\r\n\r\n"));
  r = c2.Read();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 413);
  ExpectStillServing();
}

TEST_F(ServerTest, BodyAtTheLimitIsAccepted) {
  ServerOptions o;
  o.max_body_bytes = 1024;
  StartServer(o, std::make_shared<EchoHandler>());
  Conn c(server_->port());
  ASSERT_TRUE(c.Send("POST /x HTTP/1.1\r\nHost: t\r\nContent-Length: 1024\r\n\r\n" +
                     std::string(1024, 'a')));
  auto r = c.Read();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "{\"path\":\"/x\",\"size\":1024}");
}

TEST_F(ServerTest, HugeHeadersAre431) {
  StartServer({}, std::make_shared<EchoHandler>());
  Conn c(server_->port());
  ASSERT_TRUE(c.Send(Get("/x", "X-Big: " + std::string(20 * 1024, 'h') + "\r\n")));
  auto r = c.Read();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 431);
  EXPECT_NE(r->body.find("16384 bytes"), std::string::npos);
  ExpectStillServing();
}

TEST_F(ServerTest, GarbageIs400) {
  StartServer({}, std::make_shared<EchoHandler>());
  Conn c(server_->port());
  ASSERT_TRUE(c.Send(std::string("\x01\x02\x03 garbage\r\n\r\n", 15)));
  auto r = c.Read();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 400);
  EXPECT_NE(r->body.find("Malformed HTTP request"), std::string::npos);
  EXPECT_TRUE(c.ClosedByServer());

  Conn c2(server_->port());
  ASSERT_TRUE(c2.Send("GET /x HTTP/9.7\r\n\r\n"));
  r = c2.Read();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 400);
  ExpectStillServing();
}

TEST_F(ServerTest, SlowClientGets408AndIsClosed) {
  ServerOptions o;
  o.header_timeout = std::chrono::milliseconds(200);
  StartServer(o, std::make_shared<EchoHandler>());
  Conn c(server_->port());
  ASSERT_TRUE(c.Send("GET /slow HTTP/1.1\r\nHost: t\r\nX-Half"));
  auto r = c.Read();  // arrives when the server's header timeout expires
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 408);
  EXPECT_TRUE(c.ClosedByServer());
  ExpectStillServing();
}

TEST_F(ServerTest, SlowBodyGets408) {
  ServerOptions o;
  o.body_timeout = std::chrono::milliseconds(200);
  StartServer(o, std::make_shared<EchoHandler>());
  Conn c(server_->port());
  ASSERT_TRUE(c.Send("POST /slow HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nabc"));
  auto r = c.Read();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 408);
  EXPECT_TRUE(c.ClosedByServer());
}

TEST_F(ServerTest, IdleKeepAliveConnectionIsClosed) {
  ServerOptions o;
  o.idle_timeout = std::chrono::milliseconds(100);
  StartServer(o, std::make_shared<EchoHandler>());
  Conn c(server_->port());
  ASSERT_TRUE(c.Send(Get("/x")));
  ASSERT_TRUE(c.Read().has_value());
  EXPECT_TRUE(c.ClosedByServer());
}

TEST_F(ServerTest, ConnectionLimitPerIpRefusesWith503) {
  ServerOptions o;
  o.max_connections_per_ip = 2;
  StartServer(o, std::make_shared<EchoHandler>());
  Conn a(server_->port()), b(server_->port());
  for (Conn* c : {&a, &b}) {
    ASSERT_TRUE(c->Send(Get("/x")));
    ASSERT_TRUE(c->Read().has_value());
  }
  Conn refused(server_->port());
  ASSERT_TRUE(refused.connected());
  auto r = refused.Read();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 503);
  EXPECT_NE(r->body.find("Too many open connections"), std::string::npos);
  EXPECT_TRUE(refused.ClosedByServer());

  // Once a connection closes its slot is free again.
  a.Close();
  while (server_->connection_count() > 1) std::this_thread::yield();
  ExpectStillServing();
}

TEST_F(ServerTest, ResponseFromAnotherThreadLater) {
  auto h = std::make_shared<HoldingHandler>();
  StartServer({}, h);
  Conn slow(server_->port()), fast(server_->port());
  ASSERT_TRUE(slow.Send(Get("/held")));
  auto [path, done] = h->Take();
  EXPECT_EQ(path, "/held");
  // Another connection is served while the first waits.
  ASSERT_TRUE(fast.Send(Get("/second")));
  auto [path2, done2] = h->Take();
  std::thread([d = std::move(done2)] {
    api::Response res;
    res.body = "two";
    d(res);
  }).join();
  auto r2 = fast.Read();
  ASSERT_TRUE(r2.has_value());
  EXPECT_EQ(r2->body, "two");

  std::thread([d = std::move(done)] {
    api::Response res;
    res.status = 201;
    res.content_type = "text/plain";
    res.body = "one";
    res.headers.emplace_back("Set-Cookie", "token=t; HttpOnly");
    d(res);
    d(res);  // a second call is ignored
  }).join();
  auto r = slow.Read();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 201);
  EXPECT_EQ(r->body, "one");
  EXPECT_EQ(r->Header("content-type"), "text/plain");
  EXPECT_EQ(r->Header("set-cookie"), "token=t; HttpOnly");
  // The connection is still usable.
  ASSERT_TRUE(slow.Send(Get("/again")));
  auto [path3, done3] = h->Take();
  done3(api::Response{});
  EXPECT_TRUE(slow.Read().has_value());
}

TEST_F(ServerTest, DroppedResponderAnswers500) {
  StartServer({}, std::make_shared<HoldingHandler>());
  Conn c(server_->port());
  ASSERT_TRUE(c.Send(Get("/drop")));
  auto r = c.Read();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 500);
}

TEST_F(ServerTest, HeadAndExpectContinueAndHttp10) {
  StartServer({}, std::make_shared<EchoHandler>());
  Conn c(server_->port());
  ASSERT_TRUE(c.Send("HEAD /h HTTP/1.1\r\nHost: t\r\n\r\n"));
  auto r = c.Read(/*head=*/true);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->Header("content-length"), "22");
  ASSERT_TRUE(c.Send(Get("/after-head")));
  r = c.Read();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->body, "{\"path\":\"/after-head\",\"size\":0}");

  ASSERT_TRUE(
      c.Send("POST /e HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\n"
             "Content-Length: 4\r\n\r\n"));
  // Read() skips the interim 100 response.
  ASSERT_TRUE(c.Send("abcd"));
  r = c.Read();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->body, "{\"path\":\"/e\",\"size\":4}");

  Conn old(server_->port());
  ASSERT_TRUE(old.Send("GET /old HTTP/1.0\r\n\r\n"));
  r = old.Read();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200);
  EXPECT_TRUE(old.ClosedByServer());
}

TEST_F(ServerTest, StopFinishesInFlightResponsesAndReturns) {
  auto h = std::make_shared<HoldingHandler>();
  StartServer({}, h);
  Conn idle(server_->port());
  ASSERT_TRUE(idle.Send(Get("/first")));
  auto first = h->Take();
  first.second(api::Response{});
  ASSERT_TRUE(idle.Read().has_value());  // now an idle keep-alive connection

  Conn busy(server_->port());
  ASSERT_TRUE(busy.Send(Get("/busy")));
  auto held = h->Take();
  auto stopped = std::async(std::launch::async, [this] { server_->Stop(); });
  EXPECT_TRUE(idle.ClosedByServer());
  api::Response res;
  res.body = "late";
  held.second(res);
  auto r = busy.Read();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->body, "late");
  EXPECT_EQ(r->Header("connection"), "close");
  stopped.get();
  Conn after(server_->port());
  EXPECT_FALSE(after.connected());
}

TEST(ParseTargetTest, DecodesPathAndQuery) {
  std::string path;
  Pairs query;
  ASSERT_TRUE(ParseTarget("/a%2Fb/%E2%9C%93?x=1&x=2&y", &path, &query).ok());
  EXPECT_EQ(path, "/a/b/\xE2\x9C\x93");
  EXPECT_EQ(query, (Pairs{{"x", "1"}, {"x", "2"}, {"y", ""}}));
  ASSERT_TRUE(ParseTarget("/", &path, &query).ok());
  EXPECT_EQ(path, "/");
  EXPECT_TRUE(query.empty());
  ASSERT_TRUE(ParseTarget("http://host:3000/p?q={\"a\":[1]}", &path, &query).ok());
  EXPECT_EQ(path, "/p");
  EXPECT_EQ(query, (Pairs{{"q", "{\"a\":[1]}"}}));
  EXPECT_FALSE(ParseTarget("/a%g0", &path, &query).ok());
  EXPECT_FALSE(ParseTarget("/a?b=%", &path, &query).ok());
}

TEST(ToBeastResponseTest, SetsLengthTypeAndConnection) {
  api::Response res;
  res.body = "hello";
  res.headers.emplace_back("Set-Cookie", "a=1");
  res.headers.emplace_back("Set-Cookie", "b=2");
  BeastResponse out = ToBeastResponse(res, 11, false, false);
  EXPECT_EQ(out.result_int(), 200u);
  EXPECT_EQ(out[boost::beast::http::field::content_length], "5");
  EXPECT_EQ(out[boost::beast::http::field::connection], "close");
  EXPECT_EQ(
      std::distance(out.equal_range("set-cookie").first, out.equal_range("set-cookie").second), 2);
  BeastResponse head = ToBeastResponse(res, 11, true, true);
  EXPECT_EQ(head.body(), "");
  EXPECT_EQ(head[boost::beast::http::field::content_length], "5");
}

}  // namespace
}  // namespace opsflow::http
