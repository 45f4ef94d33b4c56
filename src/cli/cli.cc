#include "cli/cli.h"

#include <iostream>

#include "cli/adapters_command.h"
#include "cli/admin_commands.h"
#include "cli/api_client.h"
#include "cli/args.h"
#include "cli/commands.h"
#include "cli/events_command.h"
#include "cli/import.h"
#include "cli/ops_commands.h"

namespace opsflow::cli {

const std::vector<std::string>& ClientCommandNames() {
  static const std::vector<std::string> kNames = {"import", "start", "jobs",   "job",
                                                  "stub",   "fixture", "user", "group",
                                                  "events", "adapters",
                                                  // cli/ops_commands.h
                                                  "why", "pause", "resume", "cancel", "retry",
                                                  "finish", "tasks", "completion"};
  return kNames;
}

int RunClientCommand(const std::vector<std::string>& args) {
  return RunClientCommand(args, std::cout, std::cerr);
}

int RunClientCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  if (!args.empty() && args[0] == "events") return RunEvents(args, out, err);
  if (!args.empty() && IsOpsCommand(args[0])) return RunOpsCommand(args, out, err);
  if (!args.empty() && args[0] == "adapters") return RunAdapters(args, out, err);
  ParsedCommand c;
  if (int rc = ParseClientArgs(args, &c, out, err); rc >= 0) return rc;
  ConnectionSettings settings = ResolveConnection(c.url, c.user, c.password, c.token);
  if (!c.cacert.empty()) settings.cacert = c.cacert;
  ApiClient client(std::move(settings));
  if (c.command == "import") return RunImport(client, c.paths, out, err);
  if (c.command == "start") return RunStart(client, c.start, out, err);
  if (c.command == "jobs") return RunJobs(client, c.jobs, out, err);
  if (c.command == "stub") return RunStubCommand(client, c.fixture, out, err);
  if (c.command == "fixture") return RunFixtures(client, c.fixture, out, err);
  if (c.command == "user") return RunUserCommand(client, c.admin, out, err);
  if (c.command == "group") return RunGroupCommand(client, c.admin, out, err);
  return RunJob(client, c.job_id, out, err);
}

}  // namespace opsflow::cli
