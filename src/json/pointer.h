// JSON pointer (RFC 6901) and dotted-path access on Boost.JSON values.
// Thread-safety: stateless functions.
#pragma once

#include <boost/json/fwd.hpp>
#include <string>
#include <string_view>

#include "base/status.h"

namespace opsflow::json {

// The value at `pointer` ("" is the root), or nullptr. Array indices must be decimal.
const boost::json::value* FindPointer(const boost::json::value& root, std::string_view pointer);
boost::json::value* FindPointer(boost::json::value& root, std::string_view pointer);

// Sets the value at `pointer`, creating missing objects on the way ("-" appends to an array).
// InvalidArgument when a step goes through a scalar or an array index is out of range.
base::Status SetPointer(boost::json::value& root, std::string_view pointer, boost::json::value v);

// One reference token escaped for a pointer ("~" -> "~0", "/" -> "~1").
std::string EscapePointerToken(std::string_view token);

// The value at a dotted path ("metrics.start_time", "a.0.b"), or nullptr.
const boost::json::value* FindPath(const boost::json::value& root, std::string_view path);

}  // namespace opsflow::json
