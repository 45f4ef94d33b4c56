// The task-iteration document (GET /operations-manager/tasks/:id) built from its record.
#pragma once

#include <boost/json/object.hpp>

#include "model/records.h"

namespace opsflow::model {

// {_id, job:{_id, task}, name, iteration, status, metrics{start_time, end_time, finish_state,
// run_time}, variables{incoming, outgoing}[, error]}.
boost::json::object IterationDocument(const IterationRecord& r);

}  // namespace opsflow::model
