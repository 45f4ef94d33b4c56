// The size of a JSON value as compact text, measured without writing it, for limits on what a
// job may hold (runtime: RuntimeOptions::max_value_bytes / max_variables_bytes).
// Thread-safety: stateless functions.
#pragma once

#include <boost/json/fwd.hpp>
#include <cstddef>

namespace opsflow::json {

// The length of `v` serialized compactly, counting strings without their escapes (so it may be
// a little below the real length for text full of escapes). Stops walking once the count passes
// `stop_after` and returns a value above it: a limit check costs at most the limit's worth of
// walking, whatever `v` holds.
size_t TextSize(const boost::json::value& v, size_t stop_after = static_cast<size_t>(-1));
size_t TextSize(const boost::json::object& o, size_t stop_after = static_cast<size_t>(-1));

}  // namespace opsflow::json
