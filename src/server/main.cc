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
#include "server/serve.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::cout << "usage: opsflow serve --listen HOST:PORT --data DIR\n"
                 "       opsflow import FILE|DIR... | start WORKFLOW | jobs | job ID\n"
                 "client commands take --url --user --password (or OPSFLOW_URL, OPSFLOW_USER,\n"
                 "OPSFLOW_PASSWORD, OPSFLOW_TOKEN)\n";
    return args.empty() ? 2 : 0;
  }
  if (args[0] == "serve") return opsflow::server::Serve(argc - 1, argv + 1);
  return opsflow::cli::RunClientCommand(args);
}
