// `opsflow adapters list`: the adapter instances the server stores and the hosts report
// (GET /health/adapters, GET /adapters). `opsflow adapters add CONFIG.json... [--replace]`:
// stores instances (POST /adapters, or /adapters/import). `opsflow adapters start|stop|restart
// NAME...`: PUT /adapters/:name/<verb>.
// `opsflow adapters serve [--config adapters.json] [host options]`: runs the Node.js adapter host
// (adapters/host/host.js, SPEC §7) in place of this process (exec), so that signals and the
// exit code are the host's. The host takes the same --url/--user/--password/--token flags and
// OPSFLOW_* variables as the other client commands.
// Thread-safety: stateless functions; RunAdapters does not return when the exec succeeds.
#pragma once

#include <boost/json/fwd.hpp>
#include <ostream>
#include <string>
#include <vector>

namespace opsflow::cli {

// Where the host script is: $OPSFLOW_ADAPTER_HOST, else the first of
// <exe dir>/../adapters/host/host.js and <exe dir>/../share/opsflow/adapters/host/host.js that
// exists; "" when none does. `getenv_fn` null: std::getenv.
std::string FindAdapterHost(const std::string& exe_path,
                            const char* (*getenv_fn)(const char*) = nullptr);

// The command line to exec: {node, host, args after "serve"...}; node is $OPSFLOW_NODE or "node".
std::vector<std::string> AdapterHostArgv(const std::string& host_script,
                                         const std::vector<std::string>& args,
                                         const char* (*getenv_fn)(const char*) = nullptr);

// One line per instance of a GET /health/adapters answer:
// "<id>  <app>  <package_id>  <state>  <connection>  <worker>  <lastSeen>", and, with a GET
// /adapters answer `stored`, "  stored:<RUNNING|STOPPED>" ("  -" for an instance not stored);
// "-" for a missing or empty value; "" when none.
std::string FormatAdapterHealth(const boost::json::value& health,
                                const boost::json::value* stored = nullptr);

// args[0] is "adapters". Returns the exit code (2 after a usage error) when it does not exec.
int RunAdapters(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace opsflow::cli
