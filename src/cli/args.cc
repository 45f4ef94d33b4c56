#include "cli/args.h"

#include <CLI/CLI.hpp>
#include <algorithm>

namespace opsflow::cli {

int ParseClientArgs(const std::vector<std::string>& args, ParsedCommand* c, std::ostream& out,
                    std::ostream& err) {
  if (args.empty()) {
    err << "error: give a command: import, start, jobs, job, stub, fixture, user or group\n";
    return 2;
  }
  c->command = args[0];
  CLI::App app("opsflow " + c->command, "opsflow " + c->command);
  app.add_option("--url", c->url, "Server URL (env OPSFLOW_URL, default http://127.0.0.1:3000)");
  app.add_option("--user", c->user, "User name to log in with (env OPSFLOW_USER)");
  if (c->command == "user") {
    // Here --password is the account's new password; log in with --login-password instead.
    app.add_option("--login-password", c->password,
                   "Password to log in with (env OPSFLOW_PASSWORD)");
  } else {
    app.add_option("--password", c->password, "Password (env OPSFLOW_PASSWORD)");
  }
  app.add_option("--token", c->token, "API token, sent as a Bearer token (env OPSFLOW_TOKEN)");
  app.add_option("--cacert", c->cacert,
                 "PEM CA file to verify an https:// server (env OPSFLOW_CACERT)");
  if (c->command == "import") {
    app.description("Import IAP workflows, transformations (JST) and project exports");
    app.add_option("paths", c->paths, "Files or directories (every *.json below them)")->required();
  } else if (c->command == "start") {
    app.description("Start a job from a workflow");
    app.add_option("workflow", c->start.workflow, "Workflow name")->required();
    app.add_option("--var", c->start.vars,
                   "Job variable key=value, repeatable (the value is read as JSON if it parses)")
        ->allow_extra_args(false);
    app.add_option("--vars", c->start.vars_file, "JSON file with an object of job variables");
    app.add_option("--description", c->start.description, "Job description");
    app.add_flag("--wait", c->start.wait, "Wait for the job to end; exit 0 only if it completes");
  } else if (c->command == "jobs") {
    app.description("List jobs");
    app.add_option("--status", c->jobs.status, "Only jobs with this status");
    app.add_option("--workflow", c->jobs.workflow, "Only jobs of this workflow");
    app.add_option("--limit", c->jobs.limit, "At most this many jobs (1..1000, default 25)")
        ->check(CLI::Range(1, 1000));
  } else if (c->command == "job") {
    app.description("Show a job: its tasks and each task's resolved inputs and outputs");
    app.add_option("id", c->job_id, "Job id")->required();
  } else if (c->command == "stub") {
    app.description("Stub adapters: canned task results per workflow (corpus fixture format)");
    app.add_option("action", c->fixture.action, "add FIXTURE.json... | clear WORKFLOW")
        ->required()
        ->check(CLI::IsMember({"add", "clear"}));
    app.add_option("files", c->fixture.files, "Fixture files (add) or the workflow (clear)");
    app.add_option("--workflow", c->fixture.workflow,
                   "Workflow name (default: from the file name without its Job<N> suffix)");
  } else if (c->command == "fixture") {
    app.description("Run corpus job fixtures: stubs, start, wait, compare status and variables");
    app.add_option("action", c->fixture.action, "run")->required()->check(CLI::IsMember({"run"}));
    app.add_option("files", c->fixture.files, "Fixture files")->required();
    app.add_option("--workflow", c->fixture.workflow,
                   "Workflow name (default: from the file name without its Job<N> suffix)");
    app.add_option("--timeout", c->fixture.timeout_s, "Seconds to wait for each job (60)");
    app.add_option("--unstubbed-adapters", c->fixture.unstubbed_adapters,
                   "success (default: adapter tasks the fixture does not stub succeed with no "
                   "outputs) or wait (they wait for an external worker)")
        ->check(CLI::IsMember({"success", "wait"}));
  } else if (c->command == "user") {
    app.description("Manage user accounts (admin only)");
    app.add_option("action", c->admin.action, "add | passwd | del | list | unlock")
        ->required()
        ->check(CLI::IsMember({"add", "passwd", "del", "list", "unlock"}));
    app.add_option("username", c->admin.name, "User name");
    app.add_option("--password", c->admin.password, "The account's password (add, passwd)");
    app.add_option("--group", c->admin.groups, "Group name, repeatable (add)");
    app.add_flag("--admin", c->admin.admin, "Make the account an admin (add)");
  } else if (c->command == "group") {
    app.description("Manage groups (admin only)");
    app.add_option("action", c->admin.action, "add | del | list")
        ->required()
        ->check(CLI::IsMember({"add", "del", "list"}));
    app.add_option("name", c->admin.name, "Group name");
    app.add_option("--description", c->admin.description, "Group description (add)");
  } else {
    err << "error: unknown command '" << c->command
        << "'; the client commands are import, start, jobs, job, stub, fixture, user and group\n";
    return 2;
  }
  if (int rc = ParseWith(app, args, out, err); rc >= 0) return rc;
  if (c->command == "stub" && c->fixture.action == "clear") {
    if (c->fixture.files.size() != 1 && c->fixture.workflow.empty()) {
      err << "error: 'opsflow stub clear' takes one workflow name\n";
      return 2;
    }
    if (c->fixture.workflow.empty()) c->fixture.workflow = c->fixture.files[0];
  } else if (c->command == "stub" && c->fixture.files.empty()) {
    err << "error: 'opsflow stub add' needs at least one fixture file\n";
    return 2;
  }
  if ((c->command == "user" || c->command == "group") && c->admin.action != "list" &&
      c->admin.name.empty()) {
    err << "error: 'opsflow " << c->command << " " << c->admin.action << "' needs a "
        << (c->command == "user" ? "USERNAME" : "NAME") << "\n";
    return 2;
  }
  if (c->command == "user" && (c->admin.action == "add" || c->admin.action == "passwd") &&
      c->admin.password.empty()) {
    err << "error: 'opsflow user " << c->admin.action << "' needs --password\n";
    return 2;
  }
  return -1;
}

int ParseWith(CLI::App& app, const std::vector<std::string>& args, std::ostream& out,
              std::ostream& err) {
  std::vector<std::string> rest(args.begin() + 1, args.end());
  std::reverse(rest.begin(), rest.end());  // CLI11 takes the vector in reverse order
  try {
    app.parse(rest);
  } catch (const CLI::CallForHelp&) {
    out << app.help();
    return 0;
  } catch (const CLI::ParseError& e) {
    err << "error: " << e.what() << " (see 'opsflow " << args[0] << " --help')\n";
    return 2;
  }
  return -1;
}

}  // namespace opsflow::cli
