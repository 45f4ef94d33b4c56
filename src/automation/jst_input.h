// The JST of an endpoint or event trigger (its `jst`: a transformation _id, or {_id}): which one
// it names, whether the trigger's author may see it, and its run on the trigger's input (the
// request body or the event payload), whose result becomes the job's variables
// (tasks/jst_apply.h says how the input binds).
// Thread-safety: stateless functions; the DocStore is safe from any thread.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <string>

#include "auth/accounts.h"
#include "base/status.h"
#include "store/job_store.h"

namespace opsflow::automation {

// The transformation _id a trigger names; empty when none.
std::string JstIdOf(const boost::json::object& trigger);
// Whether transformation `id` exists and `a` may see it (its `groups`).
bool JstVisible(store::DocStore* docs, const auth::Account& a, const std::string& id);
// Runs the trigger's JST on `input` at time `now_ms`: the job's variables.
base::Result<boost::json::object> ApplyTriggerJst(store::DocStore* docs,
                                                  const boost::json::object& trigger,
                                                  const boost::json::value& input, int64_t now_ms);

}  // namespace opsflow::automation
