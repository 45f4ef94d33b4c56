// The `opsflow serve` command: configuration, wiring of store, runtime, API and HTTP front,
// and graceful shutdown on SIGTERM/SIGINT. The only place that names sqlite/ and postgres/.
#pragma once

namespace opsflow::server {

// Parses the serve flags (argv[0] is "serve") and runs until SIGTERM. Returns the exit code.
int Serve(int argc, char** argv);

}  // namespace opsflow::server
