#include "cli/ops_commands.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <boost/json.hpp>

#include "cli/api_client.h"
#include "cli/args.h"
#include "cli/commands.h"
#include "cli/format.h"
#include "cli/vars.h"

namespace opsflow::cli {
namespace {

namespace bj = boost::json;

struct OpsArgs {
  std::string command;
  std::string url, user, password, token;
  std::vector<std::string> ids;   // job ids (why, pause, resume, cancel); JOB TASK (retry, finish)
  std::vector<std::string> vars;  // --var k=v
  std::string vars_file;
  bool json = false;
  bool failure = false;  // finish --failure
  bool mine = false;     // tasks --mine
  std::string shell;  // completion
};

const char* const kOpsCommands[] = {"why",    "pause", "resume", "cancel",
                                    "retry",  "finish", "tasks", "completion"};

std::string Str(const bj::value& v, std::initializer_list<std::string_view> path) {
  const bj::value* cur = &v;
  for (std::string_view k : path) {
    cur = cur->is_object() ? cur->as_object().if_contains(k) : nullptr;
    if (!cur) return "";
  }
  return ScalarText(cur);
}

int Fail(std::ostream& err, const std::string& message) {
  err << "error: " << message << "\n";
  return 1;
}

int ParseOps(const std::vector<std::string>& args, OpsArgs* a, std::ostream& out,
             std::ostream& err) {
  a->command = args[0];
  CLI::App app("opsflow " + a->command, "opsflow " + a->command);
  app.add_option("--url", a->url, "Server URL (env OPSFLOW_URL, default http://127.0.0.1:3000)");
  app.add_option("--user", a->user, "User name to log in with (env OPSFLOW_USER)");
  app.add_option("--password", a->password, "Password (env OPSFLOW_PASSWORD)");
  app.add_option("--token", a->token, "API token, sent as a Bearer token (env OPSFLOW_TOKEN)");
  app.add_flag("--json", a->json, "Print the API's JSON instead of text");
  const std::string& c = a->command;
  if (c == "why") {
    app.description("Explain what a job waits on (GET /operations-manager/jobs/:id/waiting)");
    app.add_option("jobs", a->ids, "Job ids")->required();
  } else if (c == "pause" || c == "resume" || c == "cancel") {
    app.description(c + " jobs (at most 100 per call); prints one result per job");
    app.add_option("jobs", a->ids, "Job ids")->required();
  } else if (c == "retry" || c == "finish") {
    app.description(c == "retry" ? "Retry a task of a job in error"
                                 : "Finish a manual task (success, or --failure)");
    app.add_option("job_task", a->ids, "JOB TASK (the task key, e.g. 1a2b)")->required()
        ->expected(2);
    app.add_option("--var", a->vars, "Variable key=value, repeatable (JSON if it parses)");
    app.add_option("--vars", a->vars_file, "JSON file with an object of variables");
    if (c == "finish") app.add_flag("--failure", a->failure, "Finish with finish_state failure");
  } else if (c == "tasks") {
    app.description("List manual tasks waiting for a person (the work queue)");
    app.add_flag("--mine", a->mine, "Only tasks claimed by me");
  } else if (c == "completion") {
    app.description("Print a shell completion script: opsflow completion bash");
    app.add_option("shell", a->shell, "bash")->required()->check(CLI::IsMember({"bash"}));
  }
  return ParseWith(app, args, out, err);
}

int RunWhy(ApiClient& client, const OpsArgs& a, std::ostream& out, std::ostream& err) {
  int rc = 0;
  for (const std::string& id : a.ids) {
    auto reply = client.Call("GET", "/operations-manager/jobs/" + UrlEncode(id) + "/waiting");
    if (!reply.ok()) {
      rc = Fail(err, reply.status().message());
      continue;
    }
    const bj::value& data = EnvelopeData(*reply);
    if (a.json) {
      out << PrettyJson(data) << "\n";
      continue;
    }
    out << Str(data, {"summary"}) << "\n";
    const bj::value* reasons =
        data.is_object() ? data.as_object().if_contains("reasons") : nullptr;
    if (reasons && reasons->is_array() && reasons->as_array().size() > 1) {
      for (const bj::value& r : reasons->as_array()) out << "  - " << Str(r, {"text"}) << "\n";
    }
  }
  return rc;
}

int RunBulk(ApiClient& client, const OpsArgs& a, std::ostream& out, std::ostream& err) {
  bj::array ids;
  for (const std::string& id : a.ids) ids.emplace_back(id);
  bj::value body = bj::object{{"jobIds", std::move(ids)}};
  auto reply = client.Call("POST", "/operations-manager/jobs/" + a.command, &body);
  if (!reply.ok()) return Fail(err, reply.status().message());
  if (a.json) {
    out << PrettyJson(*reply) << "\n";
  }
  int rc = 0;
  const bj::value& data = EnvelopeData(*reply);
  if (!data.is_array()) return Fail(err, "the server's answer has no per-job results");
  for (const bj::value& r : data.as_array()) {
    bool ok = Str(r, {"success"}) == "true";
    if (!a.json) out << (ok ? "ok    " : "FAILED") << "  " << Str(r, {"message"}) << "\n";
    if (!ok) rc = 1;
  }
  return rc;
}

int RunRetryOrFinish(ApiClient& client, const OpsArgs& a, std::ostream& out, std::ostream& err) {
  auto vars = BuildVariables(a.vars_file, a.vars);
  if (!vars.ok()) return Fail(err, vars.status().message());
  const std::string& job = a.ids[0];
  const std::string& task = a.ids[1];
  std::string base = "/operations-manager/jobs/" + UrlEncode(job) + "/tasks/" + UrlEncode(task);
  base::Result<bj::value> reply = base::Internal("unreachable");
  if (a.command == "retry") {
    bj::value body = bj::object();
    if (!vars->empty()) body = bj::object{{"variables", *vars}};
    reply = client.Call("POST", base + "/retry", &body);
  } else {
    bj::value body = bj::object{
        {"taskData", bj::object{{"finish_state", a.failure ? "failure" : "success"},
                                {"variables", *vars}}}};
    reply = client.Call("POST", base + "/finish", &body);
  }
  if (!reply.ok()) return Fail(err, reply.status().message());
  out << (a.json ? PrettyJson(*reply) : Str(*reply, {"message"})) << "\n";
  return 0;
}

// The work queue (GET /operations-manager/work-queue): manual tasks waiting for a person.
int RunTasks(ApiClient& client, const OpsArgs& a, std::ostream& out, std::ostream& err) {
  auto reply = client.Call("GET", std::string("/operations-manager/work-queue?show=") +
                                      (a.mine ? "mine" : "all"));
  if (!reply.ok()) return Fail(err, reply.status().message());
  const bj::value& data = EnvelopeData(*reply);
  if (!data.is_array()) return Fail(err, "the server's work queue is not an array");
  if (a.json) {
    out << PrettyJson(data) << "\n";
    return 0;
  }
  if (data.as_array().empty()) {
    out << (a.mine ? "no manual task is claimed by you\n" : "no manual task is waiting\n");
    return 0;
  }
  std::vector<std::vector<std::string>> rows = {
      {"TASK ID", "JOB", "TASK", "NAME", "CLAIMED BY", "WAITING SINCE"}};
  for (const bj::value& m : data.as_array()) {
    std::string owner = Str(m, {"metrics", "owner"});
    const bj::value* start = nullptr;
    if (const bj::value* mt = m.is_object() ? m.as_object().if_contains("metrics") : nullptr;
        mt && mt->is_object()) {
      start = mt->as_object().if_contains("start_time");
    }
    rows.push_back({Str(m, {"_id"}), Str(m, {"job", "_id"}), Str(m, {"job", "task"}),
                    Str(m, {"name"}), owner.empty() ? "-" : owner, FormatEpochMs(start)});
  }
  out << FormatTable(rows);
  return 0;
}

}  // namespace

bool IsOpsCommand(const std::string& name) {
  return std::find(std::begin(kOpsCommands), std::end(kOpsCommands), name) !=
         std::end(kOpsCommands);
}

int RunOpsCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  OpsArgs a;
  if (int rc = ParseOps(args, &a, out, err); rc >= 0) return rc;
  if (a.command == "completion") {
    out << BashCompletion();
    return 0;
  }
  ApiClient client(ResolveConnection(a.url, a.user, a.password, a.token));
  if (a.command == "why") return RunWhy(client, a, out, err);
  if (a.command == "pause" || a.command == "resume" || a.command == "cancel") {
    return RunBulk(client, a, out, err);
  }
  if (a.command == "retry" || a.command == "finish") return RunRetryOrFinish(client, a, out, err);
  return RunTasks(client, a, out, err);
}

std::string CommandsHelp() {
  return "usage: opsflow COMMAND [ARGS] [--url URL --user U --password P | --token T]\n"
         "\n"
         "commands:\n"
         "  serve       run the server: --listen HOST:PORT --data DIR (serves the web page at /)\n"
         "  import      import IAP workflows, transformations (JST) and project exports\n"
         "  start       start a job: WORKFLOW [--var k=v] [--vars FILE] [--wait]\n"
         "  jobs        list jobs [--status S] [--workflow W] [--limit N]\n"
         "  job         show a job: tasks, timings, inputs and outputs, errors\n"
         "  why         explain what a job waits on (manual task, delay, adapter, children)\n"
         "  pause       pause jobs: JOB...\n"
         "  resume      resume paused jobs: JOB...\n"
         "  cancel      cancel jobs: JOB...\n"
         "  retry       retry a task of a job in error: JOB TASK [--var k=v]\n"
         "  finish      finish a manual task: JOB TASK [--failure] [--var k=v]\n"
         "  tasks       the work queue of manual tasks [--mine]\n"
         "  events      follow job and task events live\n"
         "  stub        stub adapters with canned results: add FILE... | clear WORKFLOW\n"
         "  fixture     run corpus job fixtures: run FILE...\n"
         "  user        manage accounts (admin): add | passwd | del | list\n"
         "  group       manage groups (admin): add | del | list\n"
         "  adapters    run an adapter worker: adapters serve ...\n"
         "  backup      copy the data folder safely: backup --data DIR --to FILE\n"
         "  restore     restore a backup: restore --from FILE --data DIR\n"
         "  completion  print a bash completion script: completion bash\n"
         "\n"
         "Client commands read --url --user --password --token or OPSFLOW_URL, OPSFLOW_USER,\n"
         "OPSFLOW_PASSWORD, OPSFLOW_TOKEN; `opsflow COMMAND --help` describes each one.\n";
}

std::string BashCompletion() {
  return R"(# bash completion for opsflow: source <(opsflow completion bash)
_opsflow() {
  local cur=${COMP_WORDS[COMP_CWORD]}
  local cmds="serve import start jobs job why pause resume cancel retry finish tasks events stub fixture user group adapters backup restore completion"
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=($(compgen -W "$cmds --help" -- "$cur"))
    return
  fi
  case "${COMP_WORDS[1]}" in
    import|stub|fixture) COMPREPLY=($(compgen -f -- "$cur")) ;;
    completion) COMPREPLY=($(compgen -W "bash" -- "$cur")) ;;
    *) COMPREPLY=($(compgen -W "--url --user --password --token --json --help" -- "$cur")) ;;
  esac
}
complete -F _opsflow opsflow
)";
}

}  // namespace opsflow::cli
