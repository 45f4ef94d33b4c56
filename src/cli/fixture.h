// Stub adapters and corpus fixtures from the command line:
//   opsflow stub add FIXTURE.json... [--workflow NAME]   register a fixture's stubTasks
//   opsflow stub clear WORKFLOW                          remove a workflow's stubs
//   opsflow fixture run FIXTURE.json... [--workflow NAME] [--timeout S]
// A fixture (the corpus `stubs` kind) names its workflow by its file name without the `Job<N>`
// suffix (after a space or an underscore; underscores stand for spaces).
// Thread-safety: stateless functions.
#pragma once

#include <boost/json/fwd.hpp>
#include <ostream>
#include <string>
#include <vector>

namespace opsflow::cli {

class ApiClient;

struct FixtureArgs {
  std::string action;  // "add" | "clear" for stub; "run" for fixture
  std::vector<std::string> files;
  std::string workflow;  // override, or the workflow to clear
  double timeout_s = 60;
  // fixture run: "success" (adapter tasks the fixture does not stub succeed with no outputs)
  // or "wait" (they wait for an external worker).
  std::string unstubbed_adapters = "success";
};

// "…__stubs__Create_VPC_-_AWS_Job5.json" -> "Create VPC - AWS".
std::string FixtureWorkflowName(const std::string& path);
// Differences between two JSON values as "path: expected X, got Y" lines.
std::vector<std::string> JsonDiff(const boost::json::value& expected,
                                  const boost::json::value& actual, const std::string& path = "");

int RunStubCommand(ApiClient& client, const FixtureArgs& args, std::ostream& out,
                   std::ostream& err);
int RunFixtures(ApiClient& client, const FixtureArgs& args, std::ostream& out, std::ostream& err);

}  // namespace opsflow::cli
