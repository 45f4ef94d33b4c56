#include "loadgen_options.h"

#include <charconv>
#include <cstdlib>
#include <functional>
#include <map>

namespace opsflow::bench {
namespace {

constexpr std::string_view kUsage =
    "usage: opsflow_loadgen --url http://HOST:PORT[,http://HOST2:PORT2...] --user U\n"
    "                       --password P --workflow NAME\n"
    "                       [--jobs 2000] [--connections 50] [--variables JSON]\n"
    "                       [--steps 10] [--scenario seq10] [--name opsflow]\n"
    "                       [--server-pid PID[,PID2...]] [--timeout-s 600] [--poll-ms 250]\n"
    "                       [--processes N]\n"
    "                       [--manual-task m001] [--finish-sample 1000]\n"
    "Starts --jobs jobs of --workflow over --connections keep-alive connections, waits until\n"
    "none is running or paused, and prints one RESULT line. With --scenario manual100k the\n"
    "jobs wait on the manual task --manual-task instead: it measures the server's memory with\n"
    "all of them waiting, then finishes --finish-sample of them (0: none). The password may\n"
    "also come from the environment variable OPSFLOW_PASSWORD. Several --url (repeated or\n"
    "comma-separated): starts go round-robin over them, one per request; logins and queries go\n"
    "to the first. Several --server-pid (likewise): peak_rss_mb is the largest VmHWM of them.\n";

bool ParseInt(std::string_view text, int min, int& out) {
  int v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v < min) return false;
  out = v;
  return true;
}

// Splits "http://host:port/prefix" into the endpoint's host, port and prefix.
bool ParseOneUrl(std::string_view url, Endpoint& o) {
  constexpr std::string_view kScheme = "http://";
  if (url.substr(0, kScheme.size()) != kScheme) return false;
  url.remove_prefix(kScheme.size());
  size_t slash = url.find('/');
  std::string_view authority = url.substr(0, slash);
  o.path_prefix = slash == std::string_view::npos ? "" : std::string(url.substr(slash));
  while (!o.path_prefix.empty() && o.path_prefix.back() == '/') o.path_prefix.pop_back();
  size_t colon = authority.rfind(':');
  if (colon == std::string_view::npos) {
    o.host = std::string(authority);
    o.port = "80";
  } else {
    o.host = std::string(authority.substr(0, colon));
    o.port = std::string(authority.substr(colon + 1));
  }
  int port = 0;
  return !o.host.empty() && ParseInt(o.port, 1, port) && port <= 65535;
}

// Calls `one` on each comma-separated part of `list`; false when a part is empty or refused.
template <typename F>
bool ForEachPart(std::string_view list, F one) {
  while (true) {
    size_t comma = list.find(',');
    if (!one(list.substr(0, comma))) return false;
    if (comma == std::string_view::npos) return true;
    list.remove_prefix(comma + 1);
  }
}

// Adds the URLs of one --url value to o.endpoints (the first one is also o's host/port/prefix).
bool ParseUrl(std::string_view list, Options& o) {
  return ForEachPart(list, [&](std::string_view url) {
    Endpoint e;
    if (!ParseOneUrl(url, e)) return false;
    if (o.endpoints.empty()) {
      o.host = e.host;
      o.port = e.port;
      o.path_prefix = e.path_prefix;
    }
    o.endpoints.push_back(std::move(e));
    return true;
  });
}

bool ParsePids(std::string_view list, Options& o) {
  return ForEachPart(list, [&](std::string_view text) {
    int pid = 0;
    if (!ParseInt(text, 1, pid)) return false;
    if (o.server_pids.empty()) o.server_pid = pid;
    o.server_pids.push_back(pid);
    return true;
  });
}

}  // namespace

std::string_view Usage() { return kUsage; }

bool ParseOptions(int argc, char** argv, Options& out, std::string& error) {
  using Setter = std::function<bool(std::string_view)>;
  // A text option, required not to be empty unless `allow_empty`.
  auto text = [](std::string& field, bool allow_empty = false) -> Setter {
    return [&field, allow_empty](std::string_view v) {
      field = v;
      return allow_empty || !v.empty();
    };
  };
  // A whole-number option of at least `min`.
  auto number = [](int& field, int min) -> Setter {
    return [&field, min](std::string_view v) { return ParseInt(v, min, field); };
  };
  const std::map<std::string_view, Setter> setters = {
      {"--url", [&](std::string_view v) { return ParseUrl(v, out); }},
      {"--user", text(out.user)},
      {"--password", text(out.password, /*allow_empty=*/true)},
      {"--workflow", text(out.workflow)},
      {"--variables", text(out.variables)},
      {"--name", text(out.name)},
      {"--scenario", text(out.scenario)},
      {"--jobs", number(out.jobs, 1)},
      {"--connections", number(out.connections, 1)},
      {"--steps", number(out.steps, 1)},
      {"--server-pid", [&](std::string_view v) { return ParsePids(v, out); }},
      {"--timeout-s", number(out.timeout_s, 1)},
      {"--poll-ms", number(out.poll_ms, 1)},
      {"--processes", number(out.processes, 1)},
      {"--manual-task", text(out.manual_task)},
      {"--finish-sample", number(out.finish_sample, 0)},
  };
  if (const char* env = std::getenv("OPSFLOW_PASSWORD")) out.password = env;
  bool have_url = false;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      error.clear();
      return false;
    }
    std::string_view value;
    size_t eq = arg.find('=');
    if (arg.substr(0, 2) == "--" && eq != std::string_view::npos) {
      value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
    } else if (i + 1 < argc) {
      value = argv[++i];
    } else {
      error = "The option " + std::string(arg) + " needs a value.";
      return false;
    }
    auto it = setters.find(arg);
    if (it == setters.end()) {
      error = "Unknown option " + std::string(arg) + "; see --help.";
      return false;
    }
    if (!it->second(value)) {
      error = "Bad value '" + std::string(value) + "' for " + std::string(arg) + ".";
      return false;
    }
    have_url = have_url || arg == "--url";
  }
  if (!have_url || out.user.empty() || out.workflow.empty()) {
    error = "--url, --user and --workflow are required; see --help.";
    return false;
  }
  if (out.connections > out.jobs) out.connections = out.jobs;
  if (out.finish_sample > out.jobs) out.finish_sample = out.jobs;
  return true;
}

}  // namespace opsflow::bench
