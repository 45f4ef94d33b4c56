// opsflow: `serve` runs the server; every other subcommand is a REST client (cli/).
#include <signal.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "cli/cli.h"
#include "cli/ops_commands.h"
#include "server/backup_command.h"
#include "server/import_archive.h"
#include "server/serve.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::cout << opsflow::cli::CommandsHelp();  // every command, one line each
    return args.empty() ? 2 : 0;
  }
  if (args[0] == "serve") return opsflow::server::Serve(argc - 1, argv + 1);
  if (args[0] == "import-archive") {
    return opsflow::server::RunImportArchive(args, std::cout, std::cerr);
  }
  if (args[0] == "backup" || args[0] == "restore") {
    return opsflow::server::RunBackupCommand(args, std::cout, std::cerr);
  }
  return opsflow::cli::RunClientCommand(args);
}
