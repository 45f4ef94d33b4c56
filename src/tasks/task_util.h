// Shared helpers for the built-in tasks: input lookup, JS-like conversions and comparisons.
// Internal to the tasks module. Thread-safety: stateless functions.
#pragma once

#include <boost/json/fwd.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "base/status.h"
#include "tasks/task.h"

namespace opsflow::tasks::internal {

// The incoming value named `key`, or nullptr when it is absent.
const boost::json::value* Find(const boost::json::object& obj, std::string_view key);

// "string", "number", "boolean", "null", "array" or "object".
const char* TypeName(const boost::json::value& v);

// Error naming the task, the input and what was expected, e.g.
// `arrayLength: input "arr" must be an array, got number`.
TaskResult WrongType(std::string_view task, std::string_view input, std::string_view expected,
                     const boost::json::value* got);

// A number as double: JSON numbers, and strings holding a whole decimal number (trimmed,
// not empty, as JS Number() would read them, except that "" is not 0). Booleans are not numbers.
std::optional<double> AsNumber(const boost::json::value& v);
std::optional<double> ParseNumber(std::string_view text);

// A boolean: true/false, or the strings "true"/"false" (any case).
std::optional<bool> AsBool(const boost::json::value& v);

// An integer (JSON integer, integral double, or integral numeric string) in int64 range.
std::optional<int64_t> AsInteger(const boost::json::value& v);

// JS Number.prototype.toString() for radix 10 ("1e+21", "0.000001", "NaN", ...).
std::string JsNumberToString(double d);

// A value as text: strings raw, numbers as JS prints them, true/false/null, and arrays and
// objects as compact JSON.
std::string ToText(const boost::json::value& v);

// Structural equality; numbers compare by value (1 == 1.0). Gives up (false) past depth 256.
bool DeepEqual(const boost::json::value& a, const boost::json::value& b);

// The evaluation task's `==`: DeepEqual, plus number vs numeric string by value, and
// boolean vs the string "true"/"false".
bool LooseEqual(const boost::json::value& a, const boost::json::value& b);

// A wait given in seconds (number or numeric string) as milliseconds, rounded. Empty/absent
// counts as 0 when `empty_is_zero`. nullopt for anything else, negative, or over 10 years.
std::optional<int64_t> SecondsToMs(const boost::json::value* v, bool empty_is_zero);

// For push/pop/shift: the name in incoming "job_variable" and a copy of that job variable,
// which must exist and be an array. The error names the task and the problem.
base::Result<std::pair<std::string, boost::json::array>> JobArrayVariable(const TaskContext& ctx,
                                                                          std::string_view task);

// Sets `value` at the path `segs` (strings and integers) inside `root`, creating {} for
// missing or scalar intermediates; an array segment must be an index 0..size (size appends).
// Defined in set_object_key.cc; shared with modify.
base::Status SetAtPath(boost::json::value& root, const boost::json::array& segs,
                       boost::json::value value);

// Number of Unicode code points in UTF-8 text (bytes that are not continuation bytes).
size_t CodePointCount(std::string_view s);
// Byte offset of code point `index` (clamped to the end).
size_t CodePointOffset(std::string_view s, size_t index);

}  // namespace opsflow::tasks::internal
