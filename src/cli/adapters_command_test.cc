#include "cli/adapters_command.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <sstream>

namespace opsflow::cli {
namespace {

const char* NoEnv(const char*) { return nullptr; }
const char* SomeEnv(const char* n) {
  std::string name(n);
  if (name == "OPSFLOW_NODE") return "/opt/node/bin/node";
  if (name == "OPSFLOW_ADAPTER_HOST") return "/srv/host.js";
  return nullptr;
}

TEST(AdaptersCommand, ArgvPassesTheHostOptionsThrough) {
  auto argv = AdapterHostArgv("/x/host.js", {"adapters", "serve", "--config", "a.json"}, NoEnv);
  EXPECT_EQ(argv, (std::vector<std::string>{"node", "/x/host.js", "--config", "a.json"}));
  argv = AdapterHostArgv("/x/host.js", {"adapters", "serve"}, SomeEnv);
  EXPECT_EQ(argv, (std::vector<std::string>{"/opt/node/bin/node", "/x/host.js"}));
}

TEST(AdaptersCommand, HostFromEnvironmentOrNextToTheBinary) {
  EXPECT_EQ(FindAdapterHost("/nowhere/bin/opsflow", SomeEnv), "/srv/host.js");
  EXPECT_EQ(FindAdapterHost("/nowhere/bin/opsflow", NoEnv), "");
}

TEST(AdaptersCommand, UsageErrors) {
  std::ostringstream out, err;
  EXPECT_EQ(RunAdapters({"adapters"}, out, err), 2);
  EXPECT_NE(err.str().find("opsflow adapters serve"), std::string::npos);
  std::ostringstream out2, err2;
  EXPECT_EQ(RunAdapters({"adapters", "dance"}, out2, err2), 2);
  EXPECT_NE(err2.str().find("unknown subcommand 'dance'"), std::string::npos);
  std::ostringstream out3, err3;
  EXPECT_EQ(RunAdapters({"adapters", "--help"}, out3, err3), 0);
  EXPECT_NE(out3.str().find("adapters serve"), std::string::npos);
}

TEST(AdaptersCommand, FormatsHealth) {
  auto v = boost::json::parse(
      R"({"results":[{"id":"t1","app":"TinyApi","package_id":"@x/tiny","state":"RUNNING",)"
      R"("connection":{"state":"ONLINE"},"worker":"h1","lastSeen":"2024-01-01T00:00:00.000Z"},)"
      R"({"id":"t2"}],"total":2})");
  EXPECT_EQ(FormatAdapterHealth(v),
            "t1  TinyApi  @x/tiny  RUNNING  ONLINE  h1  2024-01-01T00:00:00.000Z\n"
            "t2  -  -  -  -  -  -\n");
  EXPECT_EQ(FormatAdapterHealth(boost::json::parse("{}")), "");
}

TEST(AdaptersCommand, ListRefusesUnknownOptions) {
  std::ostringstream out, err;
  EXPECT_EQ(RunAdapters({"adapters", "list", "--bogus"}, out, err), 2);
  EXPECT_NE(err.str().find("unknown option '--bogus'"), std::string::npos);
}

TEST(AdaptersCommand, FormatsHealthWithTheStoredState) {
  auto health = boost::json::parse(
      R"({"results":[{"id":"t1","app":"TinyApi","package_id":"@x/tiny","state":"RUNNING",)"
      R"("connection":{"state":"ONLINE"},"worker":"h1","lastSeen":"2024-01-01T00:00:00.000Z"},)"
      R"({"id":"t2","app":"TinyApi","package_id":"@x/tiny","state":"STOPPED",)"
      R"("connection":{"state":"OFFLINE"},"worker":"","lastSeen":null},)"
      R"({"id":"solo","app":"A","package_id":"p","state":"RUNNING","connection":{"state":"ONLINE"},)"
      R"("worker":"h2","lastSeen":"2024-01-01T00:00:01.000Z"}],"total":3})");
  auto stored = boost::json::parse(
      R"({"results":[{"metadata":{"state":"RUNNING"},"data":{"name":"t1"}},)"
      R"({"metadata":{"state":"STOPPED"},"data":{"name":"t2"}}],"total":2})");
  EXPECT_EQ(FormatAdapterHealth(health, &stored),
            "t1  TinyApi  @x/tiny  RUNNING  ONLINE  h1  2024-01-01T00:00:00.000Z  stored:RUNNING\n"
            "t2  TinyApi  @x/tiny  STOPPED  OFFLINE  -  -  stored:STOPPED\n"
            "solo  A  p  RUNNING  ONLINE  h2  2024-01-01T00:00:01.000Z  -\n");
}

TEST(AdaptersCommand, ClientSubcommandUsageErrors) {
  {
    std::ostringstream out, err;
    EXPECT_EQ(RunAdapters({"adapters", "add"}, out, err), 2);
    EXPECT_NE(err.str().find("CONFIG.json"), std::string::npos);
  }
  {
    std::ostringstream out, err;
    EXPECT_EQ(RunAdapters({"adapters", "start"}, out, err), 2);
    EXPECT_NE(err.str().find("name at least one adapter instance"), std::string::npos);
  }
  {
    std::ostringstream out, err;
    EXPECT_EQ(RunAdapters({"adapters", "restart", "a1", "--force"}, out, err), 2);
    EXPECT_NE(err.str().find("opsflow adapters restart: unknown option '--force'"),
              std::string::npos);
  }
  {
    std::ostringstream out, err;
    EXPECT_EQ(RunAdapters({"adapters", "stop", "a1", "--url"}, out, err), 2);
    EXPECT_NE(err.str().find("'--url' needs a value"), std::string::npos);
  }
  {
    std::ostringstream out, err;
    EXPECT_EQ(RunAdapters({"adapters", "list", "extra"}, out, err), 2);
    EXPECT_NE(err.str().find("unexpected argument 'extra'"), std::string::npos);
  }
}

TEST(AdaptersCommand, AddReportsAnUnreadableFileBeforeAnyRequest) {
  std::ostringstream out, err;
  EXPECT_EQ(RunAdapters({"adapters", "add", "/nonexistent/adapter.json", "--url",
                         "http://127.0.0.1:1"},
                        out, err),
            1);
  EXPECT_NE(err.str().find("/nonexistent/adapter.json"), std::string::npos) << err.str();
  EXPECT_EQ(out.str(), "");
}

}  // namespace
}  // namespace opsflow::cli
