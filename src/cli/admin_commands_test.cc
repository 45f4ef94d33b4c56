#include "cli/admin_commands.h"

#include <gtest/gtest.h>

#include <sstream>

#include "cli/args.h"

namespace opsflow::cli {
namespace {

TEST(AdminArgsTest, ParsesUserAndGroupCommands) {
  std::ostringstream out, err;
  ParsedCommand add;
  ASSERT_EQ(ParseClientArgs(
                {"user", "add", "alice", "--password", "pw123456", "--group", "ops", "--group",
                 "dev", "--admin", "--login-password", "adminpw", "--user", "root"},
                &add, out, err),
            -1)
      << err.str();
  EXPECT_EQ(add.admin.action, "add");
  EXPECT_EQ(add.admin.name, "alice");
  EXPECT_EQ(add.admin.password, "pw123456");  // the account's password ...
  EXPECT_EQ(add.password, "adminpw");         // ... not the login password
  EXPECT_EQ(add.user, "root");
  EXPECT_EQ(add.admin.groups, (std::vector<std::string>{"ops", "dev"}));
  EXPECT_TRUE(add.admin.admin);

  ParsedCommand group;
  ASSERT_EQ(ParseClientArgs(
                {"group", "add", "ops", "--description", "Operators", "--password", "loginpw"},
                &group, out, err),
            -1);
  EXPECT_EQ(group.admin.name, "ops");
  EXPECT_EQ(group.admin.description, "Operators");
  EXPECT_EQ(group.password, "loginpw");  // for `group`, --password is the login password

  ParsedCommand list;
  EXPECT_EQ(ParseClientArgs({"user", "list"}, &list, out, err), -1);
  EXPECT_EQ(ParseClientArgs({"group", "list"}, &list, out, err), -1);

  ParsedCommand unlock;
  ASSERT_EQ(ParseClientArgs({"user", "unlock", "alice"}, &unlock, out, err), -1) << err.str();
  EXPECT_EQ(unlock.admin.action, "unlock");
  EXPECT_EQ(unlock.admin.name, "alice");
}

TEST(AdminArgsTest, RejectsMisuse) {
  std::ostringstream out, err;
  auto parse = [&](const std::vector<std::string>& args) {
    ParsedCommand c;
    return ParseClientArgs(args, &c, out, err);
  };
  EXPECT_EQ(parse({"user", "add", "alice"}), 2);  // no --password
  EXPECT_NE(err.str().find("needs --password"), std::string::npos);
  EXPECT_EQ(parse({"user", "passwd", "alice"}), 2);
  EXPECT_EQ(parse({"user", "del"}), 2);
  EXPECT_EQ(parse({"user", "unlock"}), 2);
  EXPECT_EQ(parse({"user", "rename", "a"}), 2);
  EXPECT_EQ(parse({"group", "add"}), 2);
  EXPECT_EQ(parse({"group", "add", "x", "--admin"}), 2);
  EXPECT_EQ(parse({"group"}), 2);
}

}  // namespace
}  // namespace opsflow::cli
