// Tests of the restCall task against a small HTTP/1.1 server started on 127.0.0.1:0 by the
// test itself (one thread, plain POSIX sockets, one request per connection).
#include "tasks/rest_call.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cctype>
#include <cstdlib>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "tasks/task.h"

namespace opsflow::tasks {
namespace {

namespace json = boost::json;

struct Request {
  std::string method;
  std::string path;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
};

class TestServer {
 public:
  TestServer() {
    listen_fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    listen(listen_fd_, 16);
    socklen_t len = sizeof(addr);
    getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { Loop(); });
  }
  ~TestServer() {
    shutdown(listen_fd_, SHUT_RDWR);  // wakes accept()
    thread_.join();
    close(listen_fd_);
  }
  std::string Url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  int port() const { return port_; }

 private:
  void Loop() {
    for (;;) {
      int fd = accept(listen_fd_, nullptr, nullptr);
      if (fd < 0) return;
      Request req;
      if (ReadRequest(fd, &req)) Route(fd, req);
      close(fd);
    }
  }

  static bool ReadRequest(int fd, Request* req) {
    std::string data;
    char buf[4096];
    size_t end;
    while ((end = data.find("\r\n\r\n")) == std::string::npos) {
      ssize_t n = recv(fd, buf, sizeof(buf), 0);
      if (n <= 0) return false;
      data.append(buf, static_cast<size_t>(n));
    }
    std::string head = data.substr(0, end);
    req->body = data.substr(end + 4);
    size_t line_end = head.find("\r\n");
    std::string first = head.substr(0, line_end);
    size_t sp1 = first.find(' ');
    size_t sp2 = first.find(' ', sp1 + 1);
    req->method = first.substr(0, sp1);
    req->path = first.substr(sp1 + 1, sp2 - sp1 - 1);
    size_t pos = line_end == std::string::npos ? head.size() : line_end + 2;
    while (pos < head.size()) {
      size_t next = head.find("\r\n", pos);
      if (next == std::string::npos) next = head.size();
      std::string line = head.substr(pos, next - pos);
      size_t colon = line.find(':');
      if (colon != std::string::npos) {
        std::string name = line.substr(0, colon);
        for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        size_t v = line.find_first_not_of(' ', colon + 1);
        req->headers[name] = v == std::string::npos ? "" : line.substr(v);
      }
      pos = next + 2;
    }
    size_t want = 0;
    if (auto it = req->headers.find("content-length"); it != req->headers.end()) {
      want = std::stoul(it->second);
    }
    while (req->body.size() < want) {
      ssize_t n = recv(fd, buf, sizeof(buf), 0);
      if (n <= 0) return false;
      req->body.append(buf, static_cast<size_t>(n));
    }
    return true;
  }

  static void Send(int fd, const std::string& data) {
    size_t off = 0;
    while (off < data.size()) {
      ssize_t n = send(fd, data.data() + off, data.size() - off, MSG_NOSIGNAL);
      if (n <= 0) return;
      off += static_cast<size_t>(n);
    }
  }

  // `extra` holds whole header lines ("Name: value\r\n"); no Content-Length when !length.
  static void Reply(int fd, const Request& req, const std::string& status, const std::string& extra,
                    const std::string& body, bool length = true) {
    std::string out = "HTTP/1.1 " + status + "\r\nConnection: close\r\n" + extra;
    if (length) out += "Content-Length: " + std::to_string(body.size()) + "\r\n";
    out += "\r\n";
    if (req.method != "HEAD") out += body;
    Send(fd, out);
  }

  static json::value Header(const Request& req, const std::string& name) {
    auto it = req.headers.find(name);
    return it == req.headers.end() ? json::value() : json::value(it->second);
  }

  void Route(int fd, const Request& req) {
    const std::string kJson = "Content-Type: application/json; charset=utf-8\r\n";
    const std::string kText = "Content-Type: text/plain\r\n";
    const std::string& p = req.path;
    if (p == "/json") {
      Reply(fd, req, "200 OK",
            kJson + "X-Test: one\r\nX-Test: two\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\n",
            R"({"a":1,"list":[1,2.5],"s":"\u00e9"})");
    } else if (p == "/text") {
      Reply(fd, req, "200 OK", kText, "hello world");
    } else if (p == "/missing") {
      Reply(fd, req, "404 Not Found", kText, "no such thing here\n");
    } else if (p == "/gone") {
      Reply(fd, req, "410 Gone", "", "");
    } else if (p == "/long-error") {
      Reply(fd, req, "500 Internal Server Error", kText, std::string(300, 'e'));
    } else if (p == "/slow") {
      // Answers only if the client is still there after 5 s; a client that gives up earlier
      // closes the connection, which ends the wait at once.
      pollfd pfd{fd, POLLIN, 0};
      if (poll(&pfd, 1, 5000) == 0) Reply(fd, req, "200 OK", kText, "late");
    } else if (p == "/huge") {
      Reply(fd, req, "200 OK", kText, std::string(4096, 'x'));
    } else if (p == "/huge-stream") {
      Reply(fd, req, "200 OK", kText, std::string(4096, 'x'), /*length=*/false);
    } else if (p == "/auth") {
      json::object o{{"authorization", Header(req, "authorization")}};
      Reply(fd, req, "200 OK", kJson, json::serialize(o));
    } else if (p == "/echo") {
      json::object o{{"method", req.method},
                     {"contentType", Header(req, "content-type")},
                     {"contentLength", Header(req, "content-length")},
                     {"custom", Header(req, "x-custom")},
                     {"body", req.body}};
      Reply(fd, req, "200 OK", kJson, json::serialize(o));
    } else if (p == "/redirect") {
      Reply(fd, req, "302 Found", "Location: /json\r\n", "");
    } else if (p == "/loop") {
      Reply(fd, req, "302 Found", "Location: /loop\r\n", "");
    } else if (p == "/to-file") {
      Reply(fd, req, "302 Found", "Location: file:///etc/passwd\r\n", "");
    } else if (p == "/nocontent") {
      Reply(fd, req, "204 No Content", "", "", /*length=*/false);
    } else if (p == "/badjson") {
      Reply(fd, req, "200 OK", kJson, "not json {");
    } else if (p == "/binary") {
      Reply(fd, req, "200 OK", "Content-Type: application/octet-stream\r\n", "ok\xff\xfe");
    } else if (p == "/notype") {
      Reply(fd, req, "200 OK", "", "[1,2]");
    } else if (p == "/problem") {
      Reply(fd, req, "200 OK", "Content-Type: application/problem+json\r\n", R"({"p":true})");
    } else {
      Reply(fd, req, "404 Not Found", kText, "unknown test path");
    }
  }

  int listen_fd_ = -1;
  int port_ = 0;
  std::thread thread_;
};

class RestCallTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // Requests to the local test server must not go through a proxy from the environment.
    setenv("no_proxy", "*", 1);
    setenv("NO_PROXY", "*", 1);
  }
  void SetUp() override {
    RestCallLimits limits;
    limits.max_response_bytes = 1024;
    SetRestCallLimits(limits);
  }
  void TearDown() override { SetRestCallLimits(RestCallLimits{}); }

  TaskResult Run(json::object incoming) {
    const TaskDescriptor* d = FindBuiltin("restCall");
    EXPECT_NE(d, nullptr);
    if (d == nullptr) return {};
    json::object vars;
    TaskContext ctx{incoming, vars, 0};
    return d->run(ctx);
  }
  TaskResult Get(const std::string& path, json::object more = {}) {
    more["uri"] = server_.Url(path);
    if (!more.contains("verb")) more["verb"] = "GET";
    return Run(std::move(more));
  }
  TestServer server_;
};

#define EXPECT_SUCCESS(r) EXPECT_EQ(static_cast<int>((r).finish), 0) << (r).error
#define EXPECT_ERROR_HAS(r, text)                                    \
  do {                                                               \
    EXPECT_EQ((r).finish, Finish::kError);                           \
    EXPECT_NE((r).error.find(text), std::string::npos) << (r).error; \
  } while (0)

TEST_F(RestCallTest, IsRegisteredAsExternal) {
  const TaskDescriptor* d = FindBuiltin("restCall");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->kind, TaskKind::kExternal);
  EXPECT_FALSE(d->reads_job_variables);
}

TEST_F(RestCallTest, JsonBodyIsParsed) {
  TaskResult r = Get("/json");
  EXPECT_SUCCESS(r);
  EXPECT_EQ(json::value(r.outgoing), json::parse(R"({"response":{"a":1,"list":[1,2.5],"s":"é"}})"));
}

TEST_F(RestCallTest, TextBodyIsText) {
  TaskResult r = Get("/text");
  EXPECT_SUCCESS(r);
  EXPECT_EQ(r.outgoing.at("response"), json::value("hello world"));
}

TEST_F(RestCallTest, VerbDefaultsToGet) {
  TaskResult r = Run({{"uri", server_.Url("/echo")}});
  EXPECT_SUCCESS(r);
  EXPECT_EQ(r.outgoing.at("response").at("method"), json::value("GET"));
  EXPECT_EQ(r.outgoing.at("response").at("body"), json::value(""));
}

TEST_F(RestCallTest, ResponseHeadersWrapTheBody) {
  TaskResult r = Get("/json", {{"responseHeaders", true}});
  EXPECT_SUCCESS(r);
  const json::object& resp = r.outgoing.at("response").as_object();
  EXPECT_EQ(resp.at("statusCode"), json::value(200));
  EXPECT_EQ(resp.at("body"), json::parse(R"({"a":1,"list":[1,2.5],"s":"é"})"));
  const json::object& h = resp.at("headers").as_object();
  EXPECT_EQ(h.at("content-type"), json::value("application/json; charset=utf-8"));
  EXPECT_EQ(h.at("x-test"), json::value("one, two"));
  EXPECT_EQ(h.at("set-cookie"), json::parse(R"(["a=1","b=2"])"));
  EXPECT_EQ(h.at("connection"), json::value("close"));
}

TEST_F(RestCallTest, NotFoundIsAnErrorWithTheBody) {
  TaskResult r = Get("/missing");
  EXPECT_ERROR_HAS(
      r, "restCall: HTTP 404 from GET " + server_.Url("/missing") + ": no such thing here");
  EXPECT_EQ(r.error.back(), 'e');  // trailing newline trimmed
  EXPECT_EQ(r.outgoing.at("response"), json::value("no such thing here\n"));
}

TEST_F(RestCallTest, ErrorWithAnEmptyBody) {
  TaskResult r = Get("/gone");
  EXPECT_EQ(r.finish, Finish::kError);
  EXPECT_EQ(r.error, "restCall: HTTP 410 from GET " + server_.Url("/gone"));
}

TEST_F(RestCallTest, ErrorMessageKeepsTheFirst200Bytes) {
  TaskResult r = Get("/long-error");
  EXPECT_ERROR_HAS(r, "HTTP 500 from GET");
  EXPECT_NE(r.error.find(": " + std::string(200, 'e')), std::string::npos);
  EXPECT_EQ(r.error.find(std::string(201, 'e')), std::string::npos);
}

TEST_F(RestCallTest, SlowServerTimesOut) {
  TaskResult r = Get("/slow", {{"timeout", 100}});
  EXPECT_ERROR_HAS(r, "restCall: GET " + server_.Url("/slow") + " failed: ");
  EXPECT_NE(r.error.find("timed out"), std::string::npos) << r.error;
}

TEST_F(RestCallTest, BadTimeoutIsAnError) {
  EXPECT_ERROR_HAS(Get("/text", {{"timeout", 0}}), "\"timeout\"");
  EXPECT_ERROR_HAS(Get("/text", {{"timeout", "soon"}}), "\"timeout\"");
  EXPECT_SUCCESS(Get("/text", {{"timeout", "5000"}}));
}

TEST_F(RestCallTest, BodyOverTheCapIsAnError) {
  EXPECT_ERROR_HAS(Get("/huge"), "restCall: response larger than 1024 bytes from GET");
  // Without Content-Length the cap is hit while the bytes arrive.
  EXPECT_ERROR_HAS(Get("/huge-stream"), "response larger than 1024 bytes");
  RestCallLimits limits;
  limits.max_response_bytes = 4096;
  SetRestCallLimits(limits);
  EXPECT_SUCCESS(Get("/huge-stream"));
}

TEST_F(RestCallTest, BasicAuth) {
  TaskResult r = Get("/auth", {{"user", "user"}, {"password", "pass"}});
  EXPECT_SUCCESS(r);
  EXPECT_EQ(r.outgoing.at("response").at("authorization"), json::value("Basic dXNlcjpwYXNz"));
  // An empty user sends no credentials.
  r = Get("/auth", {{"user", ""}, {"password", "pass"}});
  EXPECT_SUCCESS(r);
  EXPECT_TRUE(r.outgoing.at("response").at("authorization").is_null());
}

TEST_F(RestCallTest, ObjectBodyIsSentAsJson) {
  TaskResult r = Get("/echo", {{"verb", "POST"}, {"body", {{"x", 1}, {"y", "z"}}}});
  EXPECT_SUCCESS(r);
  const json::value& echo = r.outgoing.at("response");
  EXPECT_EQ(echo.at("method"), json::value("POST"));
  EXPECT_EQ(echo.at("contentType"), json::value("application/json"));
  EXPECT_EQ(echo.at("body"), json::value(R"({"x":1,"y":"z"})"));
}

TEST_F(RestCallTest, StringBodyIsSentAsIs) {
  TaskResult r = Get("/echo", {{"verb", "POST"}, {"body", "raw text"}});
  EXPECT_SUCCESS(r);
  const json::value& echo = r.outgoing.at("response");
  EXPECT_TRUE(echo.at("contentType").is_null());  // not curl's form default
  EXPECT_EQ(echo.at("body"), json::value("raw text"));
}

TEST_F(RestCallTest, HeadersFromAJsonStringAndContentTypeOverride) {
  TaskResult r = Get("/echo", {{"verb", "put"},
                               {"headers", R"({"Content-Type":"text/csv","X-Custom":"v 1"})"},
                               {"body", json::array{1, 2}}});
  EXPECT_SUCCESS(r);
  const json::value& echo = r.outgoing.at("response");
  EXPECT_EQ(echo.at("method"), json::value("PUT"));
  EXPECT_EQ(echo.at("contentType"), json::value("text/csv"));
  EXPECT_EQ(echo.at("custom"), json::value("v 1"));
  EXPECT_EQ(echo.at("body"), json::value("[1,2]"));
}

TEST_F(RestCallTest, HeaderValuesOfOtherTypes) {
  TaskResult r = Get("/echo", {{"headers", {{"X-Custom", 42}, {"X-Null", nullptr}}}});
  EXPECT_SUCCESS(r);
  EXPECT_EQ(r.outgoing.at("response").at("custom"), json::value("42"));
  EXPECT_ERROR_HAS(Get("/echo", {{"headers", {{"X-Custom", json::array{}}}}}), "X-Custom");
  EXPECT_ERROR_HAS(Get("/echo", {{"headers", 5}}), "\"headers\"");
  EXPECT_ERROR_HAS(Get("/echo", {{"headers", "[1]"}}), "not a JSON object");
}

TEST_F(RestCallTest, HeaderInjectionIsRefused) {
  EXPECT_ERROR_HAS(Get("/echo", {{"headers", {{"X-A", "v\r\nX-B: w"}}}}), "line break");
  EXPECT_ERROR_HAS(Get("/echo", {{"headers", {{"X A", "v"}}}}), "not a valid token");
}

TEST_F(RestCallTest, PatchWithoutBodySendsContentLengthZero) {
  TaskResult r = Get("/echo", {{"verb", "PATCH"}});
  EXPECT_SUCCESS(r);
  EXPECT_EQ(r.outgoing.at("response").at("method"), json::value("PATCH"));
  EXPECT_EQ(r.outgoing.at("response").at("contentLength"), json::value("0"));
}

TEST_F(RestCallTest, DeleteIgnoresAnEmptyObjectBody) {
  TaskResult r = Get("/echo", {{"verb", "delete"}, {"body", json::object{}}});
  EXPECT_SUCCESS(r);
  EXPECT_EQ(r.outgoing.at("response").at("method"), json::value("DELETE"));
  EXPECT_TRUE(r.outgoing.at("response").at("contentType").is_null());
  EXPECT_EQ(r.outgoing.at("response").at("body"), json::value(""));
}

TEST_F(RestCallTest, HeadHasHeadersAndNoBody) {
  TaskResult r = Get("/json", {{"verb", "HEAD"}, {"responseHeaders", "true"}});
  EXPECT_SUCCESS(r);
  const json::value& resp = r.outgoing.at("response");
  EXPECT_EQ(resp.at("statusCode"), json::value(200));
  EXPECT_EQ(resp.at("body"), json::value(""));
  EXPECT_EQ(resp.at("headers").at("x-test"), json::value("one, two"));
}

TEST_F(RestCallTest, RedirectIsFollowed) {
  TaskResult r = Get("/redirect", {{"responseHeaders", true}});
  EXPECT_SUCCESS(r);
  const json::value& resp = r.outgoing.at("response");
  EXPECT_EQ(resp.at("statusCode"), json::value(200));
  EXPECT_EQ(resp.at("body").at("a"), json::value(1));
  EXPECT_FALSE(resp.at("headers").as_object().contains("location"));  // final response only
}

TEST_F(RestCallTest, RedirectLoopStopsAfterFive) {
  EXPECT_ERROR_HAS(Get("/loop"), "restCall: GET " + server_.Url("/loop") + " failed: ");
  EXPECT_ERROR_HAS(Get("/loop"), "(5)");
}

TEST_F(RestCallTest, RedirectToFileIsRefused) {
  TaskResult r = Get("/to-file");
  EXPECT_ERROR_HAS(r, "failed: ");
  EXPECT_TRUE(r.outgoing.empty());
}

TEST_F(RestCallTest, RefusedConnection) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);  // nothing listens on this port now
  std::string uri = "http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)) + "/x";
  TaskResult r = Run({{"uri", uri}});
  EXPECT_ERROR_HAS(r, "restCall: GET " + uri + " failed: ");
}

TEST_F(RestCallTest, OnlyHttpAndHttps) {
  EXPECT_ERROR_HAS(Run({{"uri", "file:///etc/passwd"}}), "must be an http:// or https:// URI");
  EXPECT_ERROR_HAS(Run({{"uri", "ftp://127.0.0.1/"}}), "must be an http:// or https:// URI");
  EXPECT_ERROR_HAS(Run({{"uri", "127.0.0.1/x"}}), "must be an http:// or https:// URI");
}

TEST_F(RestCallTest, BadInputs) {
  EXPECT_ERROR_HAS(Run({}), "\"uri\" is required");
  EXPECT_ERROR_HAS(Run({{"uri", 3}}), "\"uri\"");
  EXPECT_ERROR_HAS(Get("/text", {{"verb", "TRACE"}}), "\"verb\" must be one of");
  EXPECT_ERROR_HAS(Get("/text", {{"responseHeaders", "maybe"}}), "\"responseHeaders\"");
  EXPECT_ERROR_HAS(Get("/text", {{"user", json::object{}}}), "\"user\"");
}

TEST_F(RestCallTest, CredentialsInTheUriAreNotRepeated) {
  std::string uri = "http://u:secret@127.0.0.1:" + std::to_string(server_.port()) + "/missing";
  TaskResult r = Run({{"uri", uri}});
  EXPECT_ERROR_HAS(r, "HTTP 404 from GET http://127.0.0.1:");
  EXPECT_EQ(r.error.find("secret"), std::string::npos) << r.error;
}

TEST_F(RestCallTest, BodyDecoding) {
  EXPECT_EQ(Get("/nocontent").outgoing.at("response"), json::value(""));
  EXPECT_EQ(Get("/badjson").outgoing.at("response"), json::value("not json {"));
  EXPECT_EQ(Get("/binary").outgoing.at("response"), json::value("ok\xEF\xBF\xBD\xEF\xBF\xBD"));
  EXPECT_EQ(Get("/notype").outgoing.at("response"), json::parse("[1,2]"));
  EXPECT_EQ(Get("/problem").outgoing.at("response"), json::parse(R"({"p":true})"));
}

}  // namespace
}  // namespace opsflow::tasks
