// The administration commands of the command line: `user` and `group`. They use only the
// /authorization/* REST routes (admin only).
// Thread-safety: stateless functions; each uses the given client from one thread.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace opsflow::cli {

class ApiClient;

struct AdminArgs {
  std::string action;  // user: add | passwd | del | list | unlock; group: add | del | list
  std::string name;                 // the username or group name
  std::string password;             // user add, user passwd
  std::vector<std::string> groups;  // user add: group names
  bool admin = false;               // user add
  std::string description;          // group add
};

int RunUserCommand(ApiClient& client, const AdminArgs& args, std::ostream& out, std::ostream& err);
int RunGroupCommand(ApiClient& client, const AdminArgs& args, std::ostream& out, std::ostream& err);

}  // namespace opsflow::cli
