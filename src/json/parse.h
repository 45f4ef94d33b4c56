// JSON parsing with opsflow's limits and exact number round trips.
// Thread-safety: stateless functions.
#pragma once

#include <boost/json/fwd.hpp>
#include <cstddef>
#include <string_view>

#include "base/status.h"

namespace opsflow::json {

struct ParseLimits {
  size_t max_depth = 64;                // nesting of arrays and objects
  size_t max_bytes = 10 * 1024 * 1024;  // input size
};

// Parses `text` as one JSON document. Numbers are read with std::from_chars so a double
// serialized by Boost.JSON parses back to the same bits; non-finite numbers (1e400) and
// invalid UTF-8 are rejected. Errors are InvalidArgument (or ResourceExhausted for limits)
// with a message naming the problem and its byte offset.
base::Result<boost::json::value> Parse(std::string_view text, const ParseLimits& limits = {});

// Serializes compactly (Boost.JSON's serializer writes the shortest exact double form).
std::string Serialize(const boost::json::value& v);

}  // namespace opsflow::json
