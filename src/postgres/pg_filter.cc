#include "postgres/pg_filter.h"

namespace opsflow::postgres {
namespace {

// The placeholder of argument number `n` (1-based), typed so that PostgreSQL need not guess.
std::string Placeholder(const SqlArg& a, size_t n) {
  const char* cast = std::holds_alternative<std::string>(a)  ? "::text"
                     : std::holds_alternative<int64_t>(a) ? "::bigint"
                                                           : "::float8";
  return "$" + std::to_string(n) + cast;
}

std::string Contains(const std::string& col, const std::string& ph) {
  return "strpos(" + col + ", " + ph + ") > 0";
}

std::string StartsWith(const std::string& col, const std::string& ph) {
  return "(left(" + col + ", char_length(" + ph + ")) = " + ph + ")";
}

std::string EndsWith(const std::string& col, const std::string& ph) {
  return "(right(" + col + ", char_length(" + ph + ")) = " + ph + ")";
}

std::string JsonElements(const std::string& col) {
  return "jsonb_array_elements_text(" + col + "::jsonb) AS g(v)";
}

}  // namespace

const store::SqlDialect& Dialect() {
  // The text columns are COLLATE "C", so starts-with ranges compare bytes as SQLite's do.
  static const store::SqlDialect d{.placeholder = Placeholder,
                                   .contains = Contains,
                                   .starts_with = StartsWith,
                                   .ends_with = EndsWith,
                                   .json_elements = JsonElements,
                                   .json_element = "g.v",
                                   .asc = " ASC NULLS FIRST",
                                   .desc = " DESC NULLS LAST",
                                   .sum_cast = "::bigint",
                                   .mark_ranges = false};
  return d;
}

const ColumnMap& JobColumns() {
  static const ColumnMap m = store::JobColumns("seq");
  return m;
}

const ColumnMap& IterationColumns() { return store::IterationColumns(); }

Params ToParams(const std::vector<SqlArg>& args) {
  Params p;
  for (const SqlArg& a : args) {
    if (auto* s = std::get_if<std::string>(&a))
      p.Add(std::string_view(*s));
    else if (auto* i = std::get_if<int64_t>(&a))
      p.Add(*i);
    else
      p.Add(std::get<double>(a));
  }
  return p;
}

}  // namespace opsflow::postgres
