// Typed reads of one member of a JSON object, for documents whose shape was checked elsewhere or
// does not matter (a missing or mistyped member reads as the fallback).
// Thread-safety: stateless functions.
#pragma once

#include <boost/json/fwd.hpp>
#include <string>
#include <string_view>

namespace opsflow::json {

// The string member `key` of `o`; `otherwise` when there is none or it is not a string.
std::string StringField(const boost::json::object& o, std::string_view key,
                        std::string_view otherwise = {});
// The same for a value: `otherwise` also when `v` is not an object.
std::string StringField(const boost::json::value& v, std::string_view key,
                        std::string_view otherwise = {});

}  // namespace opsflow::json
