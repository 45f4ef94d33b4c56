// Translates list queries (model/query.h) into PostgreSQL SQL over known columns: the port of
// sqlite/sql_filter.h (the same fields, operators and residual rules) with $n placeholders,
// typed parameters and PostgreSQL's string functions. Predicates on other fields are handed
// back as residuals for the caller to evaluate on built documents.
// Thread-safety: pure functions.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "model/query.h"
#include "postgres/pg_conn.h"

namespace opsflow::postgres {

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
  std::vector<SqlArg> args;  // $1, $2, ...
  std::string order_limit;   // " ORDER BY ... LIMIT ... OFFSET ..." or "" when not paged here
};

// Filters that cannot be expressed on `cols` are appended to `residual`; when any are (or the
// sort field is unknown), the query returns every matching row unpaged and unsorted, and an
// always-true marker expression is appended so the caller knows to sort and page.
SqlQuery TranslateQuery(const model::ListQuery& q, const ColumnMap& cols,
                        std::vector<model::Expr>* residual);

// The total of a list whose filters are only `equals` with a string value on the fields in
// `fields` (API field -> column of `table`), each at most once, at the top level or ANDed in
// `q`, and that has no visible_groups: a query (in `where`, the whole SELECT) summing `n` over
// the matching rows of the counts table `table`. nullopt otherwise.
std::optional<SqlQuery> CountFromTable(const model::ListQuery& q, const std::string& table,
                                       const std::map<std::string, std::string>& fields);

// Group-based access (ListQuery::visible_groups): the condition, in parentheses, that keeps rows
// whose JSON-array text column `groups_col` (e.g. "jobs.groups") is empty or holds one of
// `groups`. Appends the group ids to `args` and numbers their placeholders after those there.
std::string GroupScopeSql(const std::string& groups_col, const std::vector<std::string>& groups,
                          std::vector<SqlArg>* args);

// The statement parameters of `args`.
Params ToParams(const std::vector<SqlArg>& args);

}  // namespace opsflow::postgres
