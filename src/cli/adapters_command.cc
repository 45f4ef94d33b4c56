#include "cli/adapters_command.h"

#include <unistd.h>

#include <boost/json.hpp>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "cli/api_client.h"
#include "json/fields.h"

namespace opsflow::cli {
namespace {

namespace fs = std::filesystem;

constexpr const char* kUsage =
    "usage: opsflow adapters list [--url URL] [--user NAME] [--password PW] [--token TOKEN]\n"
    "       opsflow adapters serve --config adapters.json [--url URL] [--user NAME]\n"
    "         [--password PW] [--token TOKEN] [--lease-ms N] [--task-timeout-ms N]\n"
    "         [--max-tasks N] [--log-level LEVEL] [--worker NAME]\n"
    "runs the Node.js adapter host (adapters/host/host.js): IAP adapter packages, one process\n"
    "per instance, serving the server's adapter tasks (README: Bring your adapters)\n";

std::string Env(const char* name, const char* (*getenv_fn)(const char*)) {
  const char* v = getenv_fn ? getenv_fn(name) : std::getenv(name);
  return v ? std::string(v) : std::string();
}

// `adapters list`: --url/--user/--password/--token as the other client commands.
int RunList(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  std::string url, user, password, token;
  for (size_t i = 2; i < args.size(); ++i) {
    std::string a = args[i], v;
    bool has_value = false;
    if (auto eq = a.find('='); a.rfind("--", 0) == 0 && eq != std::string::npos) {
      v = a.substr(eq + 1);
      a = a.substr(0, eq);
      has_value = true;
    }
    std::string* dst = a == "--url"        ? &url
                       : a == "--user"     ? &user
                       : a == "--password" ? &password
                       : a == "--token"    ? &token
                                           : nullptr;
    if (!dst) {
      err << "opsflow adapters list: unknown option '" << a << "'\n" << kUsage;
      return 2;
    }
    if (!has_value) {
      if (i + 1 >= args.size()) {
        err << "opsflow adapters list: option '" << a << "' needs a value\n";
        return 2;
      }
      v = args[++i];
    }
    *dst = v;
  }
  ApiClient client(ResolveConnection(url, user, password, token));
  auto reply = client.Call("GET", "/health/adapters");
  if (!reply.ok()) {
    err << "opsflow adapters list: " << reply.status().message() << "\n";
    return 1;
  }
  std::string text = FormatAdapterHealth(*reply);
  out << (text.empty() ? "no adapter host has reported an instance\n" : text);
  return 0;
}

}  // namespace

std::string FormatAdapterHealth(const boost::json::value& health) {
  std::string out;
  const boost::json::object* o = health.if_object();
  const boost::json::value* results = o ? o->if_contains("results") : nullptr;
  if (!results || !results->is_array()) return out;
  for (const boost::json::value& r : results->get_array()) {
    if (!r.is_object()) continue;
    const boost::json::object& a = r.get_object();
    auto field = [&a](std::string_view key) { return json::StringField(a, key, "-"); };
    std::string conn = "-";
    if (const boost::json::value* c = a.if_contains("connection"); c && c->is_object()) {
      conn = json::StringField(c->get_object(), "state", "-");
    }
    out += field("id") + "  " + field("app") + "  " + field("package_id") + "  " + field("state") +
           "  " + conn + "  " + field("worker") + "  " + field("lastSeen") + "\n";
  }
  return out;
}

std::string FindAdapterHost(const std::string& exe_path,
                            const char* (*getenv_fn)(const char*)) {
  std::string from_env = Env("OPSFLOW_ADAPTER_HOST", getenv_fn);
  if (!from_env.empty()) return from_env;
  std::error_code ec;
  fs::path dir = fs::path(exe_path).parent_path();
  for (const char* rel : {"../adapters/host/host.js", "../share/opsflow/adapters/host/host.js"}) {
    fs::path p = (dir / rel).lexically_normal();
    if (fs::is_regular_file(p, ec)) return p.string();
  }
  return "";
}

std::vector<std::string> AdapterHostArgv(const std::string& host_script,
                                         const std::vector<std::string>& args,
                                         const char* (*getenv_fn)(const char*)) {
  std::string node = Env("OPSFLOW_NODE", getenv_fn);
  std::vector<std::string> argv{node.empty() ? "node" : node, host_script};
  for (size_t i = 2; i < args.size(); ++i) argv.push_back(args[i]);
  return argv;
}

int RunAdapters(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  if (args.size() < 2 || args[1] == "--help" || args[1] == "-h") {
    (args.size() < 2 ? err : out) << kUsage;
    return args.size() < 2 ? 2 : 0;
  }
  if (args[1] == "list") return RunList(args, out, err);
  if (args[1] != "serve") {
    err << "opsflow adapters: unknown subcommand '" << args[1] << "'\n" << kUsage;
    return 2;
  }
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  std::string host = FindAdapterHost(ec ? std::string() : exe.string());
  if (host.empty()) {
    err << "opsflow adapters serve: cannot find adapters/host/host.js next to the opsflow "
           "binary; set OPSFLOW_ADAPTER_HOST to its path\n";
    return 2;
  }
  std::vector<std::string> argv = AdapterHostArgv(host, args);
  std::vector<char*> cargv;
  for (std::string& a : argv) cargv.push_back(a.data());
  cargv.push_back(nullptr);
  out.flush();
  execvp(cargv[0], cargv.data());
  err << "opsflow adapters serve: cannot run '" << argv[0] << "' (" << std::strerror(errno)
      << "): install Node.js 18 or later, or set OPSFLOW_NODE to the node binary\n";
  return 127;
}

}  // namespace opsflow::cli
