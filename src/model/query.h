// List queries (SPEC §2): filters, sorting, paging and projection for every list endpoint,
// parsed from URL query parameters and evaluated against JSON documents in memory.
//
// URL parameters (already percent-decoded, in order, repeats kept):
//   equals[f]=v  contains[f]=v  starts-with[f]=v  ends-with[f]=v  gt[f]=v gte[f] lt[f] lte[f]
//   in[f]=a&in[f]=b  or  in[f]=["a","b"]  (same for not-in[f])      exists[f]=true|false
//   q=<JSON expression, below>   sort=<dotted field>   order=1|-1|asc|desc
//   limit=<0..max_limit> (0 returns no items, only the total)   skip=<n >= 0>
//   include=a,b.c   exclude=x,y   (mixed only as include=...&exclude=_id, as IAP allows)
//   With ListQueryOptions::allow_equals_field (automations, triggers) also
//   equals=v&equalsField=f, contains=v&containsField=f, startsWith=v&startsWithField=f.
// `f` is a dotted path ("metrics.start_time", "tasks.0.status"); a path step through an array
// that is not an index looks into every element (MongoDB style). Unknown parameter names and
// unknown bracket operators are ignored (IAP behaviour); a malformed value of a known parameter is
// InvalidArgument naming the parameter. All filters are ANDed.
//
// The `q` expression is a JSON object:
//   {"and": [expr, ...]}      every expr matches ([] matches everything)
//   {"or":  [expr, ...]}      some expr matches ([] matches nothing)
//   {"not": expr}
//   {"<op>": {"<field>": value, ...}}   op: equals, contains, starts-with, ends-with, gt, gte,
//        lt, lte, in, not-in (value: array, or one value), exists (value: true|false);
//        aliases startsWith, endsWith, notIn. Several fields under one op are ANDed.
//   An object with several keys ANDs them. Example:
//   {"and":[{"equals":{"status":"running"}},
//           {"or":[{"gt":{"metrics.start_time":1700000000000}},{"not":{"exists":{"error":true}}}]}]}
//   q is parsed with a depth limit of 16.
//
// Comparison "as the field's type": a numeric document value compares numerically with a
// numeric parameter ("42" or 42), and as a time with an ISO parameter; an ISO date-time string
// in the document compares as a time with an ISO or epoch-ms parameter; booleans match
// true/"true"; null matches null/"null"; other strings compare bytewise. Values that cannot be
// compared do not match. An array field matches when the array itself or any element does;
// contains on an array field means "some element equals"; contains/starts-with/ends-with on
// strings are case-sensitive. not-in matches when no value (nor element) is in the list,
// including a missing field. exists=true matches a present field, even null.
//
// Thread-safety: plain values and stateless functions.
#pragma once

#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/status.h"

namespace opsflow::model {

enum class Op {
  kEquals,
  kContains,
  kStartsWith,
  kEndsWith,
  kIn,
  kNotIn,
  kGt,
  kGte,
  kLt,
  kLte,
  kExists
};

// "equals", "starts-with", ... (the URL spelling).
const char* OpName(Op op);

struct Predicate {
  Op op = Op::kEquals;
  std::string field;                       // dotted path
  std::vector<boost::json::value> values;  // one value, the in/not-in list, or {bool} for exists
};

struct Expr {
  enum class Kind { kPredicate, kAnd, kOr, kNot };
  Kind kind = Kind::kPredicate;
  Predicate pred;              // kPredicate
  std::vector<Expr> children;  // kAnd, kOr, kNot (exactly one)
};

struct ListQuery {
  std::vector<Expr> filters;  // ANDed
  std::string sort;           // dotted path; empty = storage order
  int order = 1;              // 1 ascending, -1 descending
  int64_t skip = 0;
  int64_t limit = 25;
  std::vector<std::string> include, exclude;
  // Group-based access (auth/access.h): when set, only items an account in these groups may see
  // (items with no groups, or sharing one of these; task iterations by their job's groups). Set
  // by the API from the caller's account, never parsed from a URL. The stores apply it in their
  // query (so totals and pages count only visible items); FilterSortPage does not look at it.
  // nullopt (the default) hides nothing.
  std::optional<std::vector<std::string>> visible_groups;
};

struct ListQueryOptions {
  int64_t default_limit = 25;
  int64_t max_limit = 1000;
  std::string default_sort;
  bool allow_equals_field = false;  // automations/triggers: equals=v&equalsField=f etc.
};

base::Result<ListQuery> ParseListQuery(
    const std::vector<std::pair<std::string, std::string>>& params, const ListQueryOptions& opts);

// Parses one `q` expression (the text of the parameter).
base::Result<Expr> ParseQueryExpr(std::string_view text);

bool Matches(const Expr& e, const boost::json::value& doc);
bool MatchesAll(const ListQuery& q, const boost::json::value& doc);

// A total order for sorting: missing < null < numbers < strings < objects < arrays < booleans;
// numbers by value, strings bytewise, containers element by element. nullptr means missing.
int Compare(const boost::json::value* a, const boost::json::value* b);

// The value at dotted `path` for sorting (first match, arrays fanned out), or nullptr.
const boost::json::value* SortKey(const boost::json::value& doc, std::string_view path);

// Projection with dotted paths. A non-empty `include` keeps only those paths (and `_id` unless
// excluded); `exclude` then removes its paths. Non-object documents come back unchanged.
boost::json::value Project(const boost::json::value& doc, const std::vector<std::string>& include,
                           const std::vector<std::string>& exclude);

}  // namespace opsflow::model
