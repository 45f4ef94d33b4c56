#include "cli/adapters_command.h"

#include <unistd.h>

#include <boost/json.hpp>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <map>
#include <filesystem>
#include <system_error>

#include "cli/api_client.h"
#include "cli/vars.h"
#include "json/fields.h"
#include "json/parse.h"

namespace opsflow::cli {
namespace {

namespace fs = std::filesystem;

constexpr const char* kUsage =
    "usage: opsflow adapters list [--url URL] [--user NAME] [--password PW] [--token TOKEN]\n"
    "       opsflow adapters add CONFIG.json... [--replace] [connection options]\n"
    "       opsflow adapters start|stop|restart NAME... [connection options]\n"
    "       opsflow adapters serve [--config adapters.json] [--adapters-dir DIR] [--url URL]\n"
    "         [--user NAME] [--password PW] [--token TOKEN] [--lease-ms N]\n"
    "         [--task-timeout-ms N] [--max-tasks N] [--log-level LEVEL] [--worker NAME]\n"
    "list: the instances stored on the server and those adapter hosts report; add: stores\n"
    "adapter instances (IAP service configs; --replace overwrites, as POST /adapters/import);\n"
    "start|stop|restart: what the server's adapter hosts do with an instance; serve: runs the\n"
    "Node.js adapter host (adapters/host/host.js), one process per instance, with the\n"
    "server's instances (or those of --config) (README: Bring your adapters)\n";

std::string Env(const char* name, const char* (*getenv_fn)(const char*)) {
  const char* v = getenv_fn ? getenv_fn(name) : std::getenv(name);
  return v ? std::string(v) : std::string();
}

// The connection options of the client subcommands; everything else is positional (or a flag
// in `flags`). False after a usage error (written to err).
bool ParseClientArgs(const std::vector<std::string>& args, const std::vector<std::string>& flags,
                     ConnectionSettings* conn, std::vector<std::string>* positional,
                     std::vector<std::string>* flags_given, std::ostream& err) {
  std::string url, user, password, token;
  const std::string& sub = args[1];
  for (size_t i = 2; i < args.size(); ++i) {
    std::string a = args[i], v;
    bool has_value = false;
    if (a.rfind("--", 0) != 0) {
      positional->push_back(a);
      continue;
    }
    if (std::find(flags.begin(), flags.end(), a) != flags.end()) {
      flags_given->push_back(a);
      continue;
    }
    if (auto eq = a.find('='); eq != std::string::npos) {
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
      err << "opsflow adapters " << sub << ": unknown option '" << a << "'\n" << kUsage;
      return false;
    }
    if (!has_value) {
      if (i + 1 >= args.size()) {
        err << "opsflow adapters " << sub << ": option '" << a << "' needs a value\n";
        return false;
      }
      v = args[++i];
    }
    *dst = v;
  }
  *conn = ResolveConnection(url, user, password, token);
  return true;
}

// `adapters list`: GET /health/adapters (reported and stored instances) and GET /adapters (the
// stored state).
int RunList(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  ConnectionSettings conn;
  std::vector<std::string> positional, flags;
  if (!ParseClientArgs(args, {}, &conn, &positional, &flags, err)) return 2;
  if (!positional.empty()) {
    err << "opsflow adapters list: unexpected argument '" << positional[0] << "'\n";
    return 2;
  }
  ApiClient client(conn);
  auto reply = client.Call("GET", "/health/adapters");
  if (!reply.ok()) {
    err << "opsflow adapters list: " << reply.status().message() << "\n";
    return 1;
  }
  auto stored = client.Call("GET", "/adapters");  // an older server has none: health only
  std::string text = FormatAdapterHealth(*reply, stored.ok() ? &*stored : nullptr);
  out << (text.empty() ? "no adapter instance is stored or reported\n" : text);
  return 0;
}

// `adapters add FILE...`: each file holds one service config or an array of them.
int RunAdd(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  ConnectionSettings conn;
  std::vector<std::string> files, flags;
  if (!ParseClientArgs(args, {"--replace"}, &conn, &files, &flags, err)) return 2;
  if (files.empty()) {
    err << "opsflow adapters add: name at least one CONFIG.json\n" << kUsage;
    return 2;
  }
  std::vector<boost::json::value> configs;
  for (const std::string& f : files) {
    auto text = ReadFile(f);
    if (!text.ok()) {
      err << "opsflow adapters add: " << text.status().message() << "\n";
      return 1;
    }
    auto doc = json::Parse(*text, {});
    if (!doc.ok()) {
      err << "opsflow adapters add: " << f << ": " << doc.status().message() << "\n";
      return 1;
    }
    if (doc->is_array()) {
      for (const auto& c : doc->get_array()) configs.push_back(c);
    } else {
      configs.push_back(std::move(*doc));
    }
  }
  bool replace = !flags.empty();
  ApiClient client(conn);
  int rc = 0;
  for (const auto& c : configs) {
    auto reply = client.Call("POST", replace ? "/adapters/import" : "/adapters", &c);
    if (!reply.ok()) {
      err << "opsflow adapters add: " << reply.status().message() << "\n";
      rc = 1;
      continue;
    }
    out << json::StringField(*reply, "message", "stored") << "\n";
  }
  return rc;
}

// `adapters start|stop|restart NAME...`: PUT /adapters/:name/<verb>.
int RunControl(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  ConnectionSettings conn;
  std::vector<std::string> names, flags;
  if (!ParseClientArgs(args, {}, &conn, &names, &flags, err)) return 2;
  if (names.empty()) {
    err << "opsflow adapters " << args[1] << ": name at least one adapter instance\n";
    return 2;
  }
  ApiClient client(conn);
  int rc = 0;
  for (const std::string& name : names) {
    auto reply = client.Call("PUT", "/adapters/" + UrlEncode(name) + "/" + args[1]);
    if (!reply.ok()) {
      err << "opsflow adapters " << args[1] << ": " << reply.status().message() << "\n";
      rc = 1;
      continue;
    }
    out << json::StringField(*reply, "message", name) << "\n";
  }
  return rc;
}

}  // namespace

std::string FormatAdapterHealth(const boost::json::value& health,
                                const boost::json::value* stored) {
  std::string out;
  const boost::json::object* o = health.if_object();
  const boost::json::value* results = o ? o->if_contains("results") : nullptr;
  if (!results || !results->is_array()) return out;
  // name -> stored state, from GET /adapters {results: [{metadata: {state}, data: {name}}]}
  std::map<std::string, std::string> stored_state;
  if (stored && stored->is_object()) {
    if (const auto* list = stored->get_object().if_contains("results"); list && list->is_array()) {
      for (const auto& item : list->get_array()) {
        if (!item.is_object()) continue;
        const auto* data = item.get_object().if_contains("data");
        const auto* meta = item.get_object().if_contains("metadata");
        if (!data || !meta) continue;
        stored_state[json::StringField(*data, "name", "")] = json::StringField(*meta, "state", "-");
      }
    }
  }
  for (const boost::json::value& r : results->get_array()) {
    if (!r.is_object()) continue;
    const boost::json::object& a = r.get_object();
    auto field = [&a](std::string_view key) {
      std::string v = json::StringField(a, key, "-");
      return v.empty() ? std::string("-") : v;
    };
    std::string conn = "-";
    if (const boost::json::value* c = a.if_contains("connection"); c && c->is_object()) {
      conn = json::StringField(c->get_object(), "state", "-");
    }
    out += field("id") + "  " + field("app") + "  " + field("package_id") + "  " + field("state") +
           "  " + conn + "  " + field("worker") + "  " + field("lastSeen");
    if (stored) {
      auto it = stored_state.find(field("id"));
      out += "  " + (it == stored_state.end() ? std::string("-") : "stored:" + it->second);
    }
    out += "\n";
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
  if (args[1] == "add") return RunAdd(args, out, err);
  if (args[1] == "start" || args[1] == "stop" || args[1] == "restart") {
    return RunControl(args, out, err);
  }
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
