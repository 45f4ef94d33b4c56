#include "server/config.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace opsflow::server {
namespace {

// A small stand-in for the serve flags: one of each kind the real command has.
struct Flags {
  std::string listen = "127.0.0.1:3000";
  size_t max_body_bytes = 100;
  int64_t token_ttl = 3600;
  bool flag = false;
  std::string config;
};

void AddFlags(CLI::App& app, Flags& f) {
  app.add_option("--listen", f.listen);
  app.add_option("--max-body-bytes", f.max_body_bytes)->check(CLI::PositiveNumber);
  app.add_option("--token-ttl", f.token_ttl)->envname("OPSFLOW_TTL_CUSTOM");
  app.add_flag("--some-flag", f.flag);
  app.add_option("--config", f.config);
}

// Parses `args` (flags only), then applies `yaml`.
base::Status ApplyYaml(Flags& f, std::vector<std::string> args, const std::string& yaml) {
  CLI::App app;
  AddFlags(app, f);
  SetDefaultEnvNames(app);
  std::vector<std::string> argv = {"serve"};
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<char*> ptrs;
  for (auto& a : argv) ptrs.push_back(a.data());
  app.parse(static_cast<int>(ptrs.size()), ptrs.data());
  return ApplyConfigText(app, yaml, "test.yaml");
}

class ConfigTest : public ::testing::Test {
 protected:
  void TearDown() override {
    unsetenv("OPSFLOW_LISTEN");
    unsetenv("OPSFLOW_MAX_BODY_BYTES");
  }
};

TEST_F(ConfigTest, EnvNameOfFlag) {
  EXPECT_EQ(EnvNameOf("max-body-bytes"), "OPSFLOW_MAX_BODY_BYTES");
  EXPECT_EQ(EnvNameOf("listen"), "OPSFLOW_LISTEN");
}

TEST_F(ConfigTest, DefaultEnvNamesKeepExplicitOnes) {
  CLI::App app;
  Flags f;
  AddFlags(app, f);
  SetDefaultEnvNames(app);
  EXPECT_EQ(app.get_option("--listen")->get_envname(), "OPSFLOW_LISTEN");
  EXPECT_EQ(app.get_option("--token-ttl")->get_envname(), "OPSFLOW_TTL_CUSTOM");
}

TEST_F(ConfigTest, FileSetsWhatIsNotGivenElsewhere) {
  Flags f;
  ASSERT_TRUE(ApplyYaml(f, {}, "listen: 0.0.0.0:8443\nmax-body-bytes: 2048\nsome-flag: true\n").ok());
  EXPECT_EQ(f.listen, "0.0.0.0:8443");
  EXPECT_EQ(f.max_body_bytes, 2048u);
  EXPECT_TRUE(f.flag);
  EXPECT_EQ(f.token_ttl, 3600);  // default kept
}

TEST_F(ConfigTest, FlagBeatsEnvironmentBeatsFile) {
  setenv("OPSFLOW_LISTEN", "10.0.0.1:1", 1);
  setenv("OPSFLOW_MAX_BODY_BYTES", "77", 1);
  Flags f;
  auto st = ApplyYaml(f, {"--max-body-bytes", "55"}, "listen: 10.0.0.2:2\nmax-body-bytes: 99\n");
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(f.max_body_bytes, 55u);      // flag over env and file
  EXPECT_EQ(f.listen, "10.0.0.1:1");     // env over file
}

TEST_F(ConfigTest, UnknownKeyIsNamed) {
  Flags f;
  auto st = ApplyYaml(f, {}, "listen: a:1\nmax-body-byte: 5\n");
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("unknown key 'max-body-byte'"), std::string::npos) << st.message();
}

TEST_F(ConfigTest, BadValueIsNamed) {
  Flags f;
  auto st = ApplyYaml(f, {}, "max-body-bytes: lots\n");
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("key 'max-body-bytes'"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("lots"), std::string::npos) << st.message();
  Flags g;
  st = ApplyYaml(g, {}, "max-body-bytes: -4\n");
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("key 'max-body-bytes'"), std::string::npos) << st.message();
}

TEST_F(ConfigTest, ConfigKeyAndBadShapesRefused) {
  Flags f;
  EXPECT_FALSE(ApplyYaml(f, {}, "config: other.yaml\n").ok());
  EXPECT_FALSE(ApplyYaml(f, {}, "- listen\n").ok());
  EXPECT_FALSE(ApplyYaml(f, {}, "listen: {a: 1}\n").ok());
  EXPECT_FALSE(ApplyYaml(f, {}, "listen:\n").ok());
  EXPECT_FALSE(ApplyYaml(f, {}, "listen: [a, b]\n").ok());
  EXPECT_FALSE(ApplyYaml(f, {}, "listen: [unclosed\n").ok());  // not YAML
  EXPECT_TRUE(ApplyYaml(f, {}, "# only a comment\n").ok());
}

TEST_F(ConfigTest, MissingFileIsNamed) {
  CLI::App app;
  auto st = ApplyConfigFile(app, "/nonexistent/opsflow.yaml");
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("/nonexistent/opsflow.yaml"), std::string::npos);
}

}  // namespace
}  // namespace opsflow::server
