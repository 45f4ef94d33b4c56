// The definitions of the events an eventSystem trigger can listen to (IAP getEventDefinition):
// for each job topic of runtime/topics.h, its source, topic and the JSON Schema of the payload
// that TriggerService::HandleEvent hands the trigger (trigger_events.cc): {source, topic, job,
// [runTime, slaDelta]}. A trigger's own `schema` and `jst` apply to that payload.
// Thread-safety: stateless functions.
#pragma once

#include <boost/json/object.hpp>
#include <string_view>

#include "base/status.h"

namespace opsflow::automation {

// The source every job event comes from ("@itential/app-workflow_engine").
std::string_view EventSource();
// {source, topic, definition: <JSON Schema of the payload>}. `source` may be given with or
// without its "@itential/" scope. NotFound for another source, a topic that is no event, or a
// task topic (no trigger listens to those).
base::Result<boost::json::object> EventDefinition(std::string_view source, std::string_view topic);

}  // namespace opsflow::automation
