// Number comparison and deep equality of JSON values: the one copy for the schema validator
// (enum, const, uniqueItems, limits), query filters and sorting, and the tasks (arrayIndexOf,
// evaluation).
// Thread-safety: pure functions.
#pragma once

#include <boost/json/fwd.hpp>
#include <cstddef>

namespace opsflow::json {

// True for int64, uint64 and double values.
bool IsNumber(const boost::json::value& v);
// A number as a double (integers past 2^53 round). `v` must be a number.
double AsDouble(const boost::json::value& v);

// -1, 0 or 1 as number `a` is below, equal to or above number `b`: exact between integers
// (int64 and uint64 mixed too), by double value otherwise. Both must be numbers.
int CompareNumbers(const boost::json::value& a, const boost::json::value& b);

// Structural equality; numbers compare by value (1 == 1.0, CompareNumbers), object members in
// any order. Past `max_depth` levels of nesting it gives up: false, and *too_deep set to true
// when given.
bool DeepEqual(const boost::json::value& a, const boost::json::value& b, size_t max_depth,
               bool* too_deep = nullptr);

}  // namespace opsflow::json
