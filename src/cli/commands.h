// The job commands of the command line: start, jobs, job.
// Thread-safety: stateless functions; each uses the given client from one thread.
#pragma once

#include <boost/json/fwd.hpp>
#include <ostream>
#include <string>
#include <vector>

#include "base/status.h"

namespace opsflow::cli {

class ApiClient;

struct StartArgs {
  std::string workflow;
  std::vector<std::string> vars;  // "k=v" each
  std::string vars_file;
  std::string description;
  bool wait = false;
};

// {"workflow":..., "options":{"variables":{...}[, "description":...]}}
base::Result<boost::json::value> BuildStartBody(const StartArgs& args);
int RunStart(ApiClient& client, const StartArgs& args, std::ostream& out, std::ostream& err);

struct JobsArgs {
  std::string status;
  std::string workflow;
  int limit = 25;
};

// "/operations-manager/jobs?limit=N[&equals%5Bstatus%5D=S][&equals%5Bname%5D=W]"
std::string JobsPath(const JobsArgs& args);
int RunJobs(ApiClient& client, const JobsArgs& args, std::ostream& out, std::ostream& err);

int RunJob(ApiClient& client, const std::string& job_id, std::ostream& out, std::ostream& err);

// The `data` member of an envelope reply, or the reply itself when it has none.
const boost::json::value& EnvelopeData(const boost::json::value& reply);

}  // namespace opsflow::cli
