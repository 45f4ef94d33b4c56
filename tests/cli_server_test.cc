// The command line against the real HTTP front and a fake API handler: libcurl, login, the
// request shapes and the printed results.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>

#include "cli/cli.h"
#include "http/server.h"

namespace opsflow::cli {
namespace {

namespace bj = boost::json;

api::Response Json(const bj::value& data) {
  api::Response r;
  r.body = bj::serialize(bj::object{{"message", "ok"}, {"data", data}, {"metadata", bj::object{}}});
  return r;
}

class FakeApi : public api::Handler {
 public:
  void Handle(api::Request req, api::Responder done) override { done(Route(req)); }
  std::vector<std::string> calls() {
    std::lock_guard<std::mutex> lock(mu_);
    return calls_;
  }

 private:
  api::Response Route(const api::Request& req) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      calls_.push_back(req.method + " " + req.path);
    }
    if (req.path == "/login") {
      auto body = bj::parse(req.body);
      if (body.at("user").at("username") != "admin" || body.at("user").at("password") != "pw") {
        return api::ErrorResponse(401, "Invalid username or password");
      }
      api::Response r;
      r.content_type = "text/plain";
      r.body = "tok123";
      return r;
    }
    if (req.Header("authorization") != "Bearer tok123") {
      return api::ErrorResponse(401, "Authentication required");
    }
    if (req.method == "POST" && req.path == "/transformations") {
      return Json(bj::parse(req.body));
    }
    if (req.method == "POST" && req.path == "/automation-studio/automations/import") {
      bj::array results;
      bj::value body = bj::parse(req.body);
      for (const auto& wf : body.at("automations").as_array()) {
        if (wf.at("name") == "Bad") {
          results.push_back(
              bj::object{{"success", false}, {"data", bj::object{{"message", "it is broken"}}}});
        } else {
          results.push_back(bj::object{{"success", true}, {"data", wf}});
        }
      }
      return Json(results);
    }
    if (req.method == "POST" && req.path == "/operations-manager/jobs/start") {
      auto body = bj::parse(req.body);
      if (body.at("workflow") != "Hello")
        return api::ErrorResponse(404, "Workflow Hello? not found");
      start_body_ = body;
      return Json(bj::object{{"_id", "j1"}, {"status", "running"}});
    }
    if (req.method == "GET" && req.path == "/operations-manager/jobs/j1") {
      bool done = ++polls_ >= 2;
      return Json(bj::object{
          {"_id", "j1"},
          {"name", "Hello"},
          {"status", done ? "complete" : "running"},
          {"metrics", bj::object{{"progress", done ? 1.0 : 0.5}, {"start_time", 1000}}},
          {"variables", start_body_.is_null() ? bj::value(bj::object{})
                                              : start_body_.at("options").at("variables")},
          {"tasks", bj::object{{"a1", bj::object{{"name", "stub"},
                                                 {"status", "complete"},
                                                 {"finish_state", "success"}}},
                               {"b2", bj::object{{"name", "never"}, {"status", "incomplete"}}}}}});
    }
    if (req.method == "GET" && req.path == "/operations-manager/jobs") {
      const std::string* status = req.Query("equals[status]");
      return Json(bj::array{bj::object{{"_id", "j1"},
                                       {"name", "Hello"},
                                       {"status", status ? *status : "complete"},
                                       {"metrics", bj::object{{"progress", 1}}}}});
    }
    if (req.method == "GET" && req.path == "/operations-manager/tasks") {
      const std::string* job = req.Query("equals[job._id]");
      if (!job || *job != "j1") return api::ErrorResponse(400, "missing filter");
      return Json(bj::array{bj::object{
          {"_id", "uuid-1"},
          {"job", bj::object{{"_id", "j1"}, {"task", "a1"}}},
          {"name", "stub"},
          {"status", "complete"},
          {"metrics",
           bj::object{{"start_time", 1000}, {"end_time", 1250}, {"finish_state", "success"}}},
          {"variables", bj::object{{"incoming", bj::object{{"x", 42}}},
                                   {"outgoing", bj::object{{"y", "done"}}}}}}});
    }
    return api::ErrorResponse(404, "No route " + req.method + " " + req.path);
  }

  std::mutex mu_;
  std::vector<std::string> calls_;
  bj::value start_body_;
  int polls_ = 0;
};

class ClientServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    http::ServerOptions o;
    o.address = "127.0.0.1";
    o.port = 0;
    o.threads = 1;
    api_ = std::make_shared<FakeApi>();
    server_ = std::make_unique<http::Server>(o, api_);
    ASSERT_TRUE(server_->Start().ok());
    url_ = "http://127.0.0.1:" + std::to_string(server_->port());
  }
  int Run(std::vector<std::string> args) {
    args.insert(args.end(), {"--url", url_, "--user", "admin", "--password", "pw"});
    out_.str("");
    err_.str("");
    return RunClientCommand(args, out_, err_);
  }
  std::shared_ptr<FakeApi> api_;
  std::unique_ptr<http::Server> server_;
  std::string url_;
  std::ostringstream out_, err_;
};

TEST_F(ClientServerTest, ImportSendsTransformationsFirstAndReportsEachWorkflow) {
  auto dir =
      std::filesystem::temp_directory_path() / ("opsflow_import_" + std::to_string(getpid()));
  std::filesystem::create_directories(dir / "sub");
  std::ofstream(dir / "a_wf.json") << R"({"name":"Good","tasks":{},"transitions":{}})";
  std::ofstream(dir / "sub" / "b_wf.json") << R"({"name":"Bad","tasks":{},"transitions":{}})";
  std::ofstream(dir / "z_jst.json")
      << R"({"_id":"t1","name":"T1","incoming":[],"outgoing":[],"steps":[]})";
  std::ofstream(dir / "stub.json") << R"({"stubTasks":[],"input":{}})";
  int rc = Run({"import", dir.string()});
  std::filesystem::remove_all(dir);
  EXPECT_EQ(rc, 1);  // "Bad" failed
  EXPECT_NE(out_.str().find("imported transformation T1\n"), std::string::npos) << out_.str();
  EXPECT_NE(out_.str().find("imported workflow Good\n"), std::string::npos);
  EXPECT_NE(out_.str().find("skipped "), std::string::npos);
  EXPECT_NE(err_.str().find("failed to import workflow Bad: it is broken"), std::string::npos)
      << err_.str();
  auto calls = api_->calls();
  ASSERT_EQ(calls.size(), 3u);
  EXPECT_EQ(calls[0], "POST /login");
  EXPECT_EQ(calls[1], "POST /transformations");
  EXPECT_EQ(calls[2], "POST /automation-studio/automations/import");
}

TEST_F(ClientServerTest, StartWaitsForTheJob) {
  ASSERT_EQ(Run({"start", "Hello", "--var", "n=3", "--var", "s=x", "--wait"}), 0) << err_.str();
  EXPECT_EQ(out_.str(), "j1\nstatus: complete\nvariables: {\n  \"n\": 3,\n  \"s\": \"x\"\n}\n");
  EXPECT_EQ(Run({"start", "Nope"}), 1);
  EXPECT_NE(err_.str().find("failed (HTTP 404): Workflow Hello? not found"), std::string::npos)
      << err_.str();
}

TEST_F(ClientServerTest, JobsAndJob) {
  ASSERT_EQ(Run({"jobs", "--status", "error"}), 0) << err_.str();
  EXPECT_NE(out_.str().find("j1  Hello  error   100%"), std::string::npos) << out_.str();
  ASSERT_EQ(Run({"job", "j1"}), 0) << err_.str();
  EXPECT_NE(out_.str().find("a1    stub   complete    success  1"), std::string::npos)
      << out_.str();
  EXPECT_NE(
      out_.str().find("a1 stub: complete (success), 250 ms\n  incoming: {\n    \"x\": 42\n  }"),
      std::string::npos)
      << out_.str();
}

TEST_F(ClientServerTest, BadPasswordFailsWithTheServerMessage) {
  out_.str("");
  err_.str("");
  int rc =
      RunClientCommand({"jobs", "--url", url_, "--user", "admin", "--password", "no"}, out_, err_);
  EXPECT_EQ(rc, 1);
  EXPECT_NE(err_.str().find("Login as 'admin' failed (HTTP 401): Invalid username or password"),
            std::string::npos)
      << err_.str();
}

}  // namespace
}  // namespace opsflow::cli
