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

}  // namespace
}  // namespace opsflow::cli
