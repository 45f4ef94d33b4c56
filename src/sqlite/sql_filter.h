// Translates list queries (model/query.h) into SQL over known columns. Predicates on other
// fields are handed back as residuals for the caller to evaluate on built documents.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "model/query.h"
#include "sqlite/stmt.h"

namespace opsflow::sqlite {

enum class ColType { kText, kTimeMs, kReal, kInt, kIterationJob };

struct Column {
  std::string name;
  ColType type;
};
// API field -> column. The entry "" names the column that keeps insertion order.
using ColumnMap = std::map<std::string, Column>;

const ColumnMap& JobColumns();
const ColumnMap& IterationColumns();

using SqlArg = std::variant<std::string, int64_t, double>;

struct SqlQuery {
  std::string where;         // without "WHERE"; empty = all rows
  std::vector<SqlArg> args;  // ?1, ?2, ...
  std::string order_limit;   // " ORDER BY ... LIMIT ... OFFSET ..." or "" when not paged here
  // `where` holds kRangeMark before the column of each range filter (starts-with): run it
  // through PlanRanges, which decides whether those may use their index.
};

constexpr char kRangeMark = '\x01';

// The `where` to run: with `use_index`, range filters may use the column's index (best when few
// rows match: read them and sort); without, their columns are written `+col`, so SQLite walks
// the sort order's index and filters (best when many match: the page comes after a few rows).
std::string PlanRanges(const std::string& where, bool use_index);

// Filters that cannot be expressed on `cols` are appended to `residual`; when any are (or the
// sort field is unknown), the query returns every matching row unpaged and unsorted, and an
// always-true marker expression is appended so the caller knows to sort and page.
SqlQuery TranslateQuery(const model::ListQuery& q, const ColumnMap& cols,
                        std::vector<model::Expr>* residual);

// The total of a list whose filters are only `equals` with a string value on the fields in
// `fields` (API field -> column of `table`, e.g. "status" -> "status"), each at most once, at the
// top level or ANDed in `q`, and that has no visible_groups: a query (in `where`, the whole
// SELECT) summing `n` over the matching rows of the counts table `table`. nullopt otherwise.
std::optional<SqlQuery> CountFromTable(const model::ListQuery& q, const std::string& table,
                                       const std::map<std::string, std::string>& fields);

// Group-based access (ListQuery::visible_groups): the condition, in parentheses, that keeps rows
// whose JSON-array column `groups_col` (e.g. "jobs.groups") is empty or holds one of `groups`.
// Appends the group ids to `args` and numbers their placeholders after the ones already there.
std::string GroupScopeSql(const std::string& groups_col, const std::vector<std::string>& groups,
                          std::vector<SqlArg>* args);

void BindArg(Stmt& s, int index, const SqlArg& arg);

}  // namespace opsflow::sqlite
