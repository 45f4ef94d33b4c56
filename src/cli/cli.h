// The client side of the `opsflow` command line: every subcommand except `serve`. It talks to
// a server only through the REST API.
// Thread-safety: call from one thread at a time.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace opsflow::cli {

// Runs one client subcommand. args[0] is the subcommand ("import", "start", "jobs", "job"),
// the rest its arguments and the connection flags (--url, --user, --password, --token; else
// OPSFLOW_URL, OPSFLOW_USER, OPSFLOW_PASSWORD, OPSFLOW_TOKEN). Prints results on stdout and a
// one-sentence error on stderr; returns the process exit code (0 success, 1 failure, 2 usage).
int RunClientCommand(const std::vector<std::string>& args);
int RunClientCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

// The names of the client subcommands, for the main program's help.
const std::vector<std::string>& ClientCommandNames();

}  // namespace opsflow::cli
