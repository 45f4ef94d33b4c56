// Command-line options of opsflow_loadgen.
// Thread-safety: plain values.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace opsflow::bench {

// One server to send requests to: where --url points.
struct Endpoint {
  std::string host = "127.0.0.1";
  std::string port = "80";
  std::string path_prefix;  // from the URL, e.g. "" or "/iap"
};

struct Options {
  // The first --url: login, list queries and polling go there (any process of a cluster
  // answers them from the shared store).
  std::string host = "127.0.0.1";
  std::string port = "80";
  std::string path_prefix;
  // Every --url, in order (--url may be repeated, or hold several URLs separated by commas):
  // job starts go round-robin over them, one per start request.
  std::vector<Endpoint> endpoints;
  std::string user;
  std::string password;
  std::string workflow;
  std::string variables = "{}";  // JSON object sent as options.variables
  std::string name = "opsflow";  // the RESULT line's name= (the system under test)
  std::string scenario = "seq10";
  int jobs = 2000;
  int connections = 50;
  int steps = 10;
  int server_pid = 0;   // 0: peak RSS unknown; the first of server_pids
  std::vector<int> server_pids;  // every --server-pid (repeatable or comma-separated)
  int timeout_s = 600;  // how long to wait for every job to finish
  int poll_ms = 250;    // interval between "unfinished jobs?" queries
  int processes = 0;    // > 0: the RESULT line ends with processes=N (a cluster's size)
  // manual100k only (see loadgen_manual.h):
  std::string manual_task = "m001";  // the task key of the manual task each job waits on
  int finish_sample = 1000;          // how many waiting tasks to finish afterwards
};

// Fills `out` from argv. On a bad or missing argument returns false and sets `error` to a
// sentence naming it. `--help` returns false with `error` empty.
bool ParseOptions(int argc, char** argv, Options& out, std::string& error);

// The --help text.
std::string_view Usage();

}  // namespace opsflow::bench
