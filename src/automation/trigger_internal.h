// Internal to automation/: the document kinds and small readers the trigger service's files
// share.
// Thread-safety: constants and stateless functions.
#pragma once

#include <boost/json/object.hpp>
#include <string>

#include "base/status.h"
#include "json/fields.h"  // the module reads document fields with json::StringField

namespace opsflow::automation::internal {

inline constexpr const char* kAutomation = "automation";
inline constexpr const char* kTrigger = "trigger";
inline constexpr const char* kEventSource = "@itential/app-workflow_engine";
// Initiator of jobs nobody started by hand (schedules, events), as IAP names it.
inline constexpr const char* kSystemUser = "Pronghorn";

// A trigger runs unless `enabled` is false.
bool Enabled(const boost::json::object& trigger);
// legacyWrapper (default true): a manual or scheduled run's variables are {formData: form}.
boost::json::object FormVariables(const boost::json::object& trigger, boost::json::value form);
void LogFailure(const std::string& what, const std::string& trigger_id, const base::Status& st);

}  // namespace opsflow::automation::internal
