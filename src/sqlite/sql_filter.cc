#include "sqlite/sql_filter.h"

namespace opsflow::sqlite {
namespace {

std::string Placeholder(const SqlArg&, size_t n) { return "?" + std::to_string(n); }

std::string Contains(const std::string& col, const std::string& ph) {
  return "instr(" + col + ", " + ph + ") > 0";
}

std::string StartsWith(const std::string& col, const std::string& ph) {
  return "(substr(" + col + ", 1, length(" + ph + ")) = " + ph + ")";
}

std::string EndsWith(const std::string& col, const std::string& ph) {
  return "(substr(" + col + ", -length(" + ph + ")) = " + ph + ")";
}

std::string JsonElements(const std::string& col) { return "json_each(" + col + ")"; }

}  // namespace

const store::SqlDialect& Dialect() {
  // SQLite's default order already puts NULLs first ascending and last descending.
  static const store::SqlDialect d{.placeholder = Placeholder,
                                   .contains = Contains,
                                   .starts_with = StartsWith,
                                   .ends_with = EndsWith,
                                   .json_elements = JsonElements,
                                   .json_element = "json_each.value",
                                   .asc = " ASC",
                                   .desc = " DESC",
                                   .sum_cast = "",
                                   .mark_ranges = true};
  return d;
}

const ColumnMap& JobColumns() {
  static const ColumnMap m = store::JobColumns("rowid");
  return m;
}

const ColumnMap& IterationColumns() { return store::IterationColumns(); }

void BindArg(Stmt& s, int index, const SqlArg& arg) {
  if (auto* str = std::get_if<std::string>(&arg))
    s.Bind(index, std::string_view(*str));
  else if (auto* i = std::get_if<int64_t>(&arg))
    s.Bind(index, *i);
  else
    s.Bind(index, std::get<double>(arg));
}

}  // namespace opsflow::sqlite
