// Fuzz target: the HTTP request path, raw bytes in, response bytes out.
//
// The bytes go through what a server session does with them (src/http/session.cc), minus the
// socket: Beast's request parser with the server's header and body limits, http::ToApiRequest,
// then a real api::Api backed by a real Runtime and SqliteStore (in a fuzz::NewStateDir,
// /dev/shm by default), then http::ToBeastResponse and Beast's serializer. Up to 4 pipelined
// requests per input are answered in order while the connection stays keep-alive, so one input
// can create a workflow, start it and read it back.
//
// Authentication: the literal bytes FUZZTOKEN anywhere in the input are replaced by a valid
// token of the admin account "fuzz" (password "fuzz-pass"), so seeds can reach every route; a
// logout of that token is noticed and a new token issued. Password hashing (argon2id, ~64 MiB
// and tens of ms per call) is replaced in this binary by a cheap stand-in with the same
// signature (crypto_pwhash_str/_verify below), so /login and /oauth/token stay fuzzable.
//
// State: the store and the runtime persist across inputs (jobs keep running in the background);
// every kResetEvery inputs the whole stack is torn down and rebuilt on a fresh directory, so a
// long run does not grow without bound. A finding that depends on earlier inputs may not
// reproduce from its single input; tests/fuzz/README.md says how to handle that.
//
// Oracles: no crash or sanitizer report; Api::Handle throws nothing and answers exactly once
// within kAnswerTimeout; every status is 100..599; a JSON content type comes with a JSON body.
#include <sodium.h>

#include <atomic>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>

#include "api/api.h"
#include "auth/accounts.h"
#include "base/clock.h"
#include "fuzz_common.h"
#include "http/request_convert.h"
#include "http/server.h"
#include "runtime/runtime.h"
#include "sqlite/sqlite_store.h"

#ifndef OPSFLOW_SOURCE_DIR
#error "OPSFLOW_SOURCE_DIR must name the source tree (tests/fuzz/CMakeLists.txt defines it)"
#endif

// ---- cheap stand-ins for libsodium's password hashing (this binary only) ----
extern "C" int crypto_pwhash_str(char out[crypto_pwhash_STRBYTES], const char* const passwd,
                                 unsigned long long passwdlen, unsigned long long, size_t) {
  std::string h = "$fuzz$" + std::to_string(std::hash<std::string_view>()(
                                 std::string_view(passwd, static_cast<size_t>(passwdlen))));
  std::memset(out, 0, crypto_pwhash_STRBYTES);
  std::memcpy(out, h.data(), h.size());
  return 0;
}

extern "C" int crypto_pwhash_str_verify(const char str[crypto_pwhash_STRBYTES],
                                        const char* const passwd, unsigned long long passwdlen) {
  char expect[crypto_pwhash_STRBYTES];
  (void)crypto_pwhash_str(expect, passwd, passwdlen, 0, 0);
  return std::strncmp(expect, str, crypto_pwhash_STRBYTES) == 0 ? 0 : -1;
}

namespace {

namespace bj = boost::json;
namespace beast_http = boost::beast::http;
namespace api = opsflow::api;
using opsflow::fuzz::Check;
using opsflow::fuzz::Fail;

constexpr int kResetEvery = 20000;
constexpr int kMaxRequestsPerInput = 4;
constexpr auto kAnswerTimeout = std::chrono::seconds(4);
constexpr std::string_view kTokenMarker = "FUZZTOKEN";

// One answer slot: Api::Handle may answer on another thread, later.
struct Answer {
  std::mutex mu;
  std::condition_variable cv;
  std::optional<api::Response> response;
  std::atomic<int> calls{0};
};

// The server stack under test. Built and torn down as a whole.
class Stack {
 public:
  Stack() {
    dir_ = opsflow::fuzz::NewStateDir("http");
    auto s = opsflow::sqlite::SqliteStore::Open(dir_);
    if (!s.ok()) Fail("cannot open the store", s.status().message());
    store_ = std::move(*s);
    auto* clock = opsflow::base::SystemClock::Get();
    accounts_ = std::make_unique<opsflow::auth::Accounts>(store_.get(), clock);
    if (auto a = accounts_->Create("fuzz", "fuzz-pass", true); !a.ok()) {
      Fail("cannot create the fuzz account", a.status().message());
    }
    opsflow::runtime::RuntimeOptions ro;
    ro.task_workers = 1;
    ro.engine.max_task_iterations = 50;
    runtime_ = std::make_unique<opsflow::runtime::Runtime>(store_.get(), store_.get(), clock, ro);
    if (auto st = runtime_->Start(); !st.ok()) Fail("runtime start", st.message());
    api_ = std::make_unique<api::Api>(
        api::ApiDeps{runtime_.get(), store_.get(), store_.get(), accounts_.get()},
        api::ApiOptions{});
    if (auto st = api_->Init(); !st.ok()) Fail("api init", st.message());
    NewToken();
    ImportExamples();
  }

  ~Stack() {
    api_.reset();
    runtime_->Stop();
    runtime_.reset();
    accounts_.reset();
    store_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  const std::string& token() const { return token_; }

  // Issues a new token when the current one was logged out. False when the fuzz account can no
  // longer log in (an input changed its password, deleted it or got it throttled): the caller
  // then rebuilds the stack.
  bool KeepToken() {
    if (accounts_->Authenticate(token_).ok()) return true;
    auto t = accounts_->Login("fuzz", "fuzz-pass");
    if (!t.ok()) return false;
    token_ = *t;
    return true;
  }

  // Hands `req` to the API and waits for its answer.
  api::Response Handle(api::Request req) {
    auto answer = std::make_shared<Answer>();
    api::Responder done = [answer](api::Response res) {
      if (answer->calls.fetch_add(1) != 0) Fail("Api::Handle answered a request twice");
      std::lock_guard<std::mutex> l(answer->mu);
      answer->response = std::move(res);
      answer->cv.notify_all();
    };
    std::string what = req.method + " " + req.target;
    try {
      api_->Handle(std::move(req), std::move(done));
    } catch (const std::exception& e) {
      Fail("Api::Handle threw (the server would answer 500)", what + ": " + e.what());
    }
    std::unique_lock<std::mutex> l(answer->mu);
    if (!answer->cv.wait_for(l, kAnswerTimeout, [&] { return answer->response.has_value(); })) {
      Fail("Api::Handle did not answer in time", what);
    }
    return std::move(*answer->response);
  }

 private:
  void NewToken() {
    auto t = accounts_->Login("fuzz", "fuzz-pass");
    if (!t.ok()) Fail("fuzz login", t.status().message());
    token_ = *t;
  }

  // The example workflows of the repository, so jobs/start and workflow routes find some.
  void ImportExamples() {
    bj::array automations;
    for (const auto& entry :
         std::filesystem::directory_iterator(std::string(OPSFLOW_SOURCE_DIR) + "/examples")) {
      if (entry.path().extension() != ".json") continue;
      std::ifstream in(entry.path());
      std::stringstream text;
      text << in.rdbuf();
      automations.push_back(opsflow::fuzz::Fixture(text.str()));
    }
    api::Request req;
    req.method = "POST";
    req.target = req.path = "/automation-studio/automations/import";
    req.headers = {{"content-type", "application/json"}, {"authorization", "Bearer " + token_}};
    req.body = bj::serialize(bj::object{{"automations", automations}});
    api::Response res = Handle(std::move(req));
    if (res.status != 200) Fail("importing the examples failed", res.body);
  }

  std::string dir_;
  std::unique_ptr<opsflow::sqlite::SqliteStore> store_;
  std::unique_ptr<opsflow::auth::Accounts> accounts_;
  std::unique_ptr<opsflow::runtime::Runtime> runtime_;
  std::unique_ptr<api::Api> api_;
  std::string token_;
};

// Serializes the wire response and checks what a client could rely on.
void CheckResponse(api::Response res, unsigned version, bool keep_alive, bool head) {
  Check(res.status >= 100 && res.status <= 599, "response status out of range",
        std::to_string(res.status));
  if (res.content_type.find("json") != std::string::npos && !res.body.empty()) {
    bj::parse_options po;
    po.max_depth = 100000;
    bj::error_code ec;
    (void)bj::parse(res.body, ec, {}, po);
    Check(!ec, "a JSON response body does not parse", res.body.substr(0, 2000));
  }
  opsflow::http::BeastResponse out =
      opsflow::http::ToBeastResponse(std::move(res), version, keep_alive, head);
  std::ostringstream wire;
  wire << out;
  Check(!wire.str().empty(), "empty wire response");
}

std::string Substitute(std::string_view raw, const std::string& token) {
  std::string out;
  out.reserve(raw.size() + 64);
  size_t pos = 0;
  while (true) {
    size_t at = raw.find(kTokenMarker, pos);
    out.append(raw.substr(pos, at == std::string_view::npos ? at : at - pos));
    if (at == std::string_view::npos) break;
    out.append(token);
    pos = at + kTokenMarker.size();
  }
  return out;
}

Stack* g_stack = nullptr;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static int runs = 0;
  if (!g_stack || ++runs % kResetEvery == 0) {
    delete g_stack;
    g_stack = new Stack();
  }
  if (!g_stack->KeepToken()) {
    delete g_stack;
    g_stack = new Stack();
  }
  static const opsflow::http::ServerOptions kServer;  // the server's limits
  std::string wire = Substitute(opsflow::fuzz::AsText(data, size), g_stack->token());
  std::string_view rest = wire;

  for (int i = 0; i < kMaxRequestsPerInput && !rest.empty(); ++i) {
    beast_http::request_parser<beast_http::string_body> parser;
    parser.header_limit(static_cast<uint32_t>(kServer.max_header_bytes));
    parser.body_limit(kServer.max_body_bytes);
    parser.eager(true);
    boost::beast::error_code ec;
    while (!parser.is_done() && !rest.empty()) {
      size_t n = parser.put(boost::asio::buffer(rest.data(), rest.size()), ec);
      rest.remove_prefix(n);
      if (ec == beast_http::error::need_more) {
        ec = {};
        if (n == 0) break;  // wants bytes the input does not have
        continue;
      }
      if (ec) break;
    }
    if (!ec && !parser.is_done()) return 0;  // incomplete: the server would wait, then 408
    if (ec) {
      // 431, 413 or 400, then the server closes the connection.
      int status = ec == beast_http::error::header_limit ? 431
                   : ec == beast_http::error::body_limit ? 413
                                                         : 400;
      CheckResponse(api::ErrorResponse(status, "Malformed HTTP request: " + ec.message()), 11,
                    false, false);
      return 0;
    }
    opsflow::http::BeastRequest req = parser.release();
    const bool keep_alive = req.keep_alive();
    const bool head = req.method() == beast_http::verb::head;
    const unsigned version = req.version() == 10 ? 10 : 11;
    auto api_req = opsflow::http::ToApiRequest(req, "127.0.0.1");
    if (!api_req.ok()) {
      CheckResponse(api::ErrorResponse(400, api_req.status().message()), version, keep_alive, head);
    } else {
      CheckResponse(g_stack->Handle(std::move(*api_req)), version, keep_alive, head);
    }
    if (!keep_alive) break;
  }
  return 0;
}
