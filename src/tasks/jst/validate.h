// Incoming validation and defaults of the JST runtime (options validateIncoming and
// revertToDefaultValue). Internal. Thread-safety: stateless functions.
#pragma once

#include <boost/json/object.hpp>

#include "base/status.h"
#include "tasks/jst/jst.h"

namespace opsflow::tasks::jst::internal {

// The inputs by incoming $id, with defaults filled in (revert_to_default) and checked against
// the incoming schemas (validate_incoming). Missing required inputs give IAP's message
// "Missing one of the following required instances: b, a" (IAP lists them last first).
base::Result<boost::json::object> PrepareInputs(const boost::json::object& jst,
                                                const boost::json::object& inputs,
                                                const JstOptions& opts);

// The outgoing values: only declared outgoing $ids, defaults for unassigned ones
// (revert_to_default), NaN/Infinity as null.
base::Result<boost::json::object> FinishOutputs(const boost::json::object& jst,
                                                boost::json::object out, const JstOptions& opts);

}  // namespace opsflow::tasks::jst::internal
