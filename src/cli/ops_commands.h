// The operator commands of the command line (SPEC §9, issue 13): why, pause, resume, cancel,
// retry, finish, tasks, completion; and the one-line-per-command help of `opsflow`.
// Each talks to the server only through the REST API; `--json` prints the API's JSON instead
// of text. Thread-safety: stateless functions; each uses its own client from one thread.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace opsflow::cli {

// True when args[0] names one of the commands below.
bool IsOpsCommand(const std::string& name);
// Runs one of them (args[0] is the command). Exit code: 0 done, 1 failed (a sentence on `err`),
// 2 usage error.
int RunOpsCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

// Every command of `opsflow` with one line each, for `opsflow`, `opsflow --help`.
std::string CommandsHelp();
// A bash completion script (`opsflow completion bash`).
std::string BashCompletion();

}  // namespace opsflow::cli
