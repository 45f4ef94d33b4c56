// Builds the IAP job document (SPEC §5 "Job document") from the compact records: a copy of the
// workflow plus runtime fields, with per-task status, iterations, `previous` bookkeeping and
// transitions re-keyed by state. Pure.
#pragma once

#include <boost/json/object.hpp>
#include <map>
#include <string>
#include <vector>

#include "engine/job_state.h"
#include "model/records.h"
#include "model/workflow.h"

namespace opsflow::engine {

struct JobDocInput {
  const model::JobRecord& rec;
  const model::Workflow& wf;
  const JobState& state;
  const boost::json::object& variables;
  const boost::json::array& errors;
  // Iteration ids per task id, oldest first (may be empty when not loaded).
  const std::map<std::string, std::vector<std::string>>* iterations = nullptr;
};

boost::json::object BuildJobDocument(const JobDocInput& in);

}  // namespace opsflow::engine
