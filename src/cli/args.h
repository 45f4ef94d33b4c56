// Argument parsing of the client subcommands (kept apart from running them, for tests).
// Thread-safety: stateless functions.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "cli/admin_commands.h"
#include "cli/commands.h"
#include "cli/fixture.h"

namespace CLI {
class App;
}  // namespace CLI

namespace opsflow::cli {

struct ParsedCommand {
  std::string command;                     // "import", "start", "jobs", "job"
  std::string url, user, password, token;  // connection flags as given ("" when absent)
  std::string cacert;                      // --cacert ("" when absent)
  std::vector<std::string> paths;          // import
  StartArgs start;                         // start
  JobsArgs jobs;                           // jobs
  std::string job_id;                      // job
  FixtureArgs fixture;                     // stub, fixture
  AdminArgs admin;                         // user, group
};

// Parses `args` (args[0] is the subcommand). Returns -1 when `out_cmd` is ready to run, else
// the exit code to return at once (0 after --help, 2 after a usage error, which is printed).
int ParseClientArgs(const std::vector<std::string>& args, ParsedCommand* out_cmd, std::ostream& out,
                    std::ostream& err);

// Parses args[1..] (args[0] is the subcommand) with `app`. Returns -1 to go on, else the exit
// code: 0 after --help (printed to `out`), 2 after a usage error (printed to `err`).
int ParseWith(CLI::App& app, const std::vector<std::string>& args, std::ostream& out,
              std::ostream& err);

}  // namespace opsflow::cli
