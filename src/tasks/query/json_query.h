// JsonQuery: the json-query language (npm package json-query 2.2.2) that IAP's `query` task,
// `query`/`rightQuery` in evaluations and the JST `WorkFlowEngine.query` method use, evaluated
// as the package evaluates it (tokenize.h, js_ops.h), with opsflow's helpers as its `locals`.
// The npm package is the reference: tests/jsonquery_oracle runs it against this code.
//
// Summary of the package's rules (docs/DECISIONS.md "json-query, null and undefined"):
//   a.b.c       property access. On a missing key the result is undefined; on a falsy value
//               (missing, null, 0, "", false) any further key gives null. On an array, a
//               non-numeric key plucks it from every element (undefined dropped, array values
//               spread one level); `length` and indexes work on arrays and strings.
//   a[0] a[k]   the same with the key in brackets (quotes are part of the key)
//   a[*] a[**]  the values of a (one level; ** spreads array values); [] when a is falsy
//   a[k=v]      on an array: the first element whose property k (one name) == v (JS loose
//               equality, "true"/"false" match booleans); null when none or not an array
//   a[*k=v]     every matching element; ops = != < <= > >= ~ (substring / array element),
//               :helper; & and | combine left to right; `~ /re/` is refused
//   a[{q}]      key (or value, in a filter) from the inner query q on the root object
//   x|y         y when x is falsy
//   :helper(a)  get(key), keys, values, length, first, last, select(k1, k2 ...); arguments are
//               raw text; an unknown helper leaves the value as it is (as json-query does)
// Errors: InvalidArgument on a malformed query (unbalanced brackets, empty [], a filter ending
// in & or |, `~ /re/`) and where JavaScript would throw (a property of null inside a pluck or
// filter); ResourceExhausted when a query builds more than 5M values. Queries are limited to
// 4096 bytes and 16 levels of nested {inner} queries.
// Thread-safety: stateless, reentrant.
#pragma once

#include <boost/json/value.hpp>
#include <string_view>

#include "base/status.h"

namespace opsflow::tasks {

// A query's outcome: a JSON value, or JavaScript `undefined` (value is then null).
struct JsonQueryResult {
  boost::json::value value;
  bool undefined = false;
};

base::Result<JsonQueryResult> EvaluateJsonQuery(const boost::json::value& obj,
                                                std::string_view query);

// EvaluateJsonQuery with undefined read as null.
base::Result<boost::json::value> JsonQuery(const boost::json::value& obj, std::string_view query);

}  // namespace opsflow::tasks
