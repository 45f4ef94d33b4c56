// Translates list queries (model/query.h) into SQL over known columns, for any SQL store: the
// dialect (SqlDialect) says how placeholders, string functions, JSON arrays and NULL ordering are
// written. Predicates on other fields are handed back as residuals for the caller to evaluate on
// built documents (model::Matches); what is translated matches exactly what Matches would keep
// (a NULL column is an absent value: `not-in` and `not` keep it, as they do in memory).
// Thread-safety: pure functions; a SqlDialect is immutable.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "model/query.h"

namespace opsflow::store {

enum class ColType { kText, kTimeMs, kReal, kInt, kIterationJob };

struct Column {
  std::string name;
  ColType type;
};
// API field -> column. The entry "" names the column that keeps insertion order.
using ColumnMap = std::map<std::string, Column>;

// The job columns, with `insertion_order` (e.g. "rowid") as the "" entry.
ColumnMap JobColumns(const std::string& insertion_order);
const ColumnMap& IterationColumns();

using SqlArg = std::variant<std::string, int64_t, double>;

// What differs between SQL engines. Every function is given a column (or expression) and the
// placeholder text already made by `placeholder`.
struct SqlDialect {
  // The placeholder of argument number `n` (1-based): "?3", "$3::text".
  std::string (*placeholder)(const SqlArg& arg, size_t n);
  // Conditions true when text column `col` contains / starts with / ends with the text at `ph`
  // (used where the value is not a plain string; plain starts-with is a range of the column).
  std::string (*contains)(const std::string& col, const std::string& ph);
  std::string (*starts_with)(const std::string& col, const std::string& ph);
  std::string (*ends_with)(const std::string& col, const std::string& ph);
  // The FROM item listing the text elements of JSON-array text column `col`, and the expression
  // naming one element in it: "json_each(c)" / "json_each.value".
  std::string (*json_elements)(const std::string& col);
  const char* json_element;
  // Ordering words; they must put NULLs first ascending and last descending (SQLite's order).
  const char* asc;
  const char* desc;
  // Appended to the SUM of a counts table (a type cast, or "").
  const char* sum_cast;
  // Whether range filters (starts-with) carry kRangeMark before their column (see PlanRanges).
  bool mark_ranges;
};

struct SqlQuery {
  std::string where;         // without "WHERE"; empty = all rows
  std::vector<SqlArg> args;  // placeholders 1, 2, ...
  std::string order_limit;   // " ORDER BY ... LIMIT ... OFFSET ..." or "" when not paged here
};

// With SqlDialect::mark_ranges, `where` holds kRangeMark before the column of each range filter.
constexpr char kRangeMark = '\x01';

// The `where` to run: with `use_index`, the marks are dropped; without, each becomes '+' (in
// SQLite, `+col` keeps the planner off the column's index).
std::string PlanRanges(const std::string& where, bool use_index);

// Filters that cannot be expressed on `cols` are appended to `residual`; when any are (or the
// sort field is unknown), the query returns every matching row unpaged and unsorted, and an
// always-true marker expression is appended so the caller knows to sort and page.
SqlQuery TranslateQuery(const SqlDialect& d, const model::ListQuery& q, const ColumnMap& cols,
                        std::vector<model::Expr>* residual);

// The total of a list whose filters are only `equals` with a string value on the fields in
// `fields` (API field -> column of `table`, e.g. "status" -> "status"), each at most once, at the
// top level or ANDed in `q`, and that has no visible_groups: a query (in `where`, the whole
// SELECT) summing `n` over the matching rows of the counts table `table`. nullopt otherwise.
std::optional<SqlQuery> CountFromTable(const SqlDialect& d, const model::ListQuery& q,
                                       const std::string& table,
                                       const std::map<std::string, std::string>& fields);

// Group-based access (ListQuery::visible_groups): the condition, in parentheses, that keeps rows
// whose JSON-array text column `groups_col` (e.g. "jobs.groups") is empty or holds one of
// `groups`. Appends the group ids to `args` and numbers their placeholders after those there.
std::string GroupScopeSql(const SqlDialect& d, const std::string& groups_col,
                          const std::vector<std::string>& groups, std::vector<SqlArg>* args);

}  // namespace opsflow::store
