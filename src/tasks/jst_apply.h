// A JST applied to one input value to produce a job's variables: how triggers (endpoint and event
// payloads) and childJob's `transformation` option map their input (SPEC §4, docs/DECISIONS.md).
// Thread-safety: reentrant.
#pragma once

#include <boost/json/fwd.hpp>
#include <boost/json/object.hpp>
#include <cstdint>
#include <string>

#include "base/status.h"

namespace opsflow::tasks {

// Binds `input` to the JST's incoming values — with one incoming schema the whole input binds to
// it, with several each $id takes the input's property of that name — runs it, and returns the
// outgoing values as variables: with one outgoing schema its value (an object; anything else is
// wrapped as {<$id>: value}), with several {<$id>: value, ...}. InvalidArgument naming `name` when
// the JST fails.
base::Result<boost::json::object> ApplyJstToInput(const boost::json::object& jst,
                                                  const boost::json::value& input,
                                                  const std::string& name, int64_t now_ms);

}  // namespace opsflow::tasks
