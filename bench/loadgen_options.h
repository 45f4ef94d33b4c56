// Command-line options of opsflow_loadgen.
// Thread-safety: plain values.
#pragma once

#include <string>
#include <string_view>

namespace opsflow::bench {

struct Options {
  std::string host = "127.0.0.1";
  std::string port = "80";
  std::string path_prefix;  // from the URL, e.g. "" or "/iap"
  std::string user;
  std::string password;
  std::string workflow;
  std::string variables = "{}";  // JSON object sent as options.variables
  std::string name = "opsflow";  // the RESULT line's name= (the system under test)
  std::string scenario = "seq10";
  int jobs = 2000;
  int connections = 50;
  int steps = 10;
  int server_pid = 0;   // 0: peak RSS unknown
  int timeout_s = 600;  // how long to wait for every job to finish
  int poll_ms = 250;    // interval between "unfinished jobs?" queries
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
