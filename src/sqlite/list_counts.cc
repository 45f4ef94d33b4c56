#include "sqlite/list_counts.h"

#include <string>
#include <vector>

namespace opsflow::sqlite {
namespace {

using model::Expr;
using model::Op;

// The job_counts column of a counted list field.
const char* CountedColumn(const std::string& field) {
  if (field == "status") return "status";
  if (field == "name") return "workflow_name";
  return nullptr;
}

bool StringValues(const model::Predicate& p, std::vector<std::string>* out) {
  for (const auto& v : p.values) {
    if (!v.is_string()) return false;
    out->emplace_back(v.get_string());
  }
  return !p.values.empty();
}

std::optional<store::SqlQuery> SumOverValues(const char* col, std::vector<std::string> values) {
  store::SqlQuery out;
  out.where = std::string("SELECT COALESCE(SUM(n), 0) FROM job_counts WHERE ") + col + " IN (";
  for (size_t i = 0; i < values.size(); ++i) {
    out.where += (i ? ",?" : "?") + std::to_string(i + 1);
    out.args.emplace_back(std::move(values[i]));
  }
  out.where += ")";
  return out;
}

}  // namespace

std::optional<store::SqlQuery> JobCountFromCounts(const model::ListQuery& q) {
  if (q.visible_groups || q.filters.size() != 1) return std::nullopt;
  const Expr& e = q.filters[0];
  if (e.kind == Expr::Kind::kPredicate) {
    const model::Predicate& p = e.pred;
    if (p.op == Op::kIn) {
      const char* col = CountedColumn(p.field);
      std::vector<std::string> values;
      if (!col || !StringValues(p, &values)) return std::nullopt;
      return SumOverValues(col, std::move(values));
    }
    if (p.op != Op::kStartsWith || p.field != "name" || p.values.size() != 1 ||
        !p.values[0].is_string()) {
      return std::nullopt;
    }
    // The range store::TranslateQuery filters the rows with: [lo, lo with its last byte below
    // 0xff raised by one), no upper bound when there is none.
    std::string lo(p.values[0].get_string());
    std::string hi = lo;
    while (!hi.empty() && static_cast<unsigned char>(hi.back()) == 0xff) hi.pop_back();
    store::SqlQuery out;
    out.where = "SELECT COALESCE(SUM(n), 0) FROM job_counts WHERE workflow_name >= ?1";
    out.args.emplace_back(std::move(lo));
    if (!hi.empty()) {
      hi.back() = static_cast<char>(static_cast<unsigned char>(hi.back()) + 1);
      out.where += " AND workflow_name < ?2";
      out.args.emplace_back(std::move(hi));
    }
    return out;
  }
  if (e.kind != Expr::Kind::kOr || e.children.empty()) return std::nullopt;
  const char* col = nullptr;
  std::vector<std::string> values;
  for (const Expr& c : e.children) {
    if (c.kind != Expr::Kind::kPredicate || c.pred.op != Op::kEquals || c.pred.values.size() != 1) {
      return std::nullopt;
    }
    const char* ccol = CountedColumn(c.pred.field);
    if (!ccol || (col && std::string(col) != ccol) || !StringValues(c.pred, &values)) {
      return std::nullopt;
    }
    col = ccol;
  }
  return SumOverValues(col, std::move(values));
}

}  // namespace opsflow::sqlite
