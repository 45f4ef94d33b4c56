// JsonQuery: the json-query syntax (npm package json-query) used by IAP's `query` task and by
// `query`/`rightQuery` in evaluations.
//
// Supported syntax (a query is applied to `obj`; a leading "." is ignored):
//   a.b.c          property access; on an array, a non-numeric key plucks it from every element
//                  (elements without the key are skipped) and a numeric key indexes
//   a[0]  [0]      array index (on an object: the key "0")
//   a[key] a["k"]  property access with any key (quotes allow ".", ":", "[" ... inside)
//   a[*]           all values of an object, or the array itself
//   a[**]          every value below a (objects and arrays walked depth first, pre-order)
//   a[k=v]         first element (of an array, or value of an object) whose path k matches v;
//                  null when none does
//   a[*k=v]        every element that matches (an array, possibly empty)
//                  operators: = != > < >= <=; clauses combine with & (and) and | (or, binds
//                  looser); k may be a nested path (x.y[0]); an empty k tests the element itself;
//                  v is literal text (trimmed, optionally quoted) or {inner query} on obj
//   a[{b.c}]       key lookup with the result of an inner query on obj
//   x|y            the first alternative whose result is not null
//   :helper(args)  get(key), keys, values, length, first, last; any other helper is an
//                  InvalidArgument error
// Filter matching: "=" matches a string by text, a number by numeric value ("3" matches 3 and
// 3.0), a boolean by "true"/"false", null by "null"; a value from an inner query matches by
// structural equality. "<" & co. compare numerically when both sides are numbers (or numeric
// text) and by text when the element's value is a string; anything else does not match.
// "~" (regex) is not enabled, as in json-query's default options: it is an InvalidArgument.
//
// Returns null (boost::json::value()) when nothing matches; InvalidArgument on a malformed query.
// Queries are limited to 4096 bytes and 16 levels of nested {inner} queries.
// Thread-safety: stateless, reentrant.
#pragma once

#include <boost/json/value.hpp>
#include <string_view>

#include "base/status.h"

namespace opsflow::tasks {

base::Result<boost::json::value> JsonQuery(const boost::json::value& obj, std::string_view query);

}  // namespace opsflow::tasks
