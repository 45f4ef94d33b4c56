#include "store/sql_filter.h"

#include <boost/json/value.hpp>
#include <charconv>
#include <climits>
#include <cmath>

#include "base/civil.h"
#include "base/ids.h"

namespace opsflow::store {
namespace bj = boost::json;
using model::Expr;
using model::Op;

ColumnMap JobColumns(const std::string& insertion_order) {
  return {
      {"_id", {"id", ColType::kText}},
      {"id", {"id", ColType::kText}},
      {"name", {"workflow_name", ColType::kText}},
      {"status", {"status", ColType::kText}},
      {"description", {"description", ColType::kText}},
      {"type", {"type", ColType::kText}},
      {"created_by", {"created_by", ColType::kText}},
      {"metrics.user", {"created_by", ColType::kText}},
      {"metrics.start_time", {"start_ms", ColType::kTimeMs}},
      {"metrics.end_time", {"end_ms", ColType::kTimeMs}},
      {"metrics.progress", {"progress", ColType::kReal}},
      {"created", {"created_ms", ColType::kTimeMs}},
      {"last_updated", {"last_updated_ms", ColType::kTimeMs}},
      {"", {insertion_order, ColType::kInt}},
  };
}

const ColumnMap& IterationColumns() {
  static const ColumnMap m = {
      {"_id", {"id", ColType::kText}},
      {"job._id", {"id", ColType::kIterationJob}},
      {"job.task", {"task_id", ColType::kText}},
      {"name", {"method", ColType::kText}},
      {"status", {"status", ColType::kText}},
      {"iteration", {"iteration", ColType::kInt}},
      {"metrics.finish_state", {"finish_state", ColType::kText}},
      {"metrics.start_time", {"start_ms", ColType::kTimeMs}},
      {"metrics.end_time", {"end_ms", ColType::kTimeMs}},
      {"", {"id", ColType::kText}},
  };
  return m;
}

namespace {

bool ToText(const bj::value& v, std::string* out) {
  if (v.is_string()) {
    *out = std::string(v.get_string());
    return true;
  }
  if (v.is_int64()) {
    *out = std::to_string(v.get_int64());
    return true;
  }
  return false;
}

bool ToNumber(const bj::value& v, ColType type, SqlArg* out) {
  if (v.is_int64()) {
    *out = v.get_int64();
    return true;
  }
  if (v.is_uint64()) {
    if (v.get_uint64() > static_cast<uint64_t>(INT64_MAX)) return false;
    *out = static_cast<int64_t>(v.get_uint64());
    return true;
  }
  if (v.is_double()) {
    if (!std::isfinite(v.get_double())) return false;
    *out = v.get_double();
    return true;
  }
  if (!v.is_string()) return false;
  std::string s(v.get_string());
  double d;
  auto r = std::from_chars(s.data(), s.data() + s.size(), d);
  if (r.ec == std::errc() && r.ptr == s.data() + s.size()) {
    // NaN, infinities and values past int64 would make the cast undefined: not a number here.
    if (!(d > -9.2e18 && d < 9.2e18)) return false;
    if (type == ColType::kReal)
      *out = d;
    else
      *out = static_cast<int64_t>(d);
    return true;
  }
  std::optional<int64_t> ms = type == ColType::kTimeMs ? base::ParseIso8601(s) : std::nullopt;
  if (ms) {
    *out = *ms;
    return true;
  }
  return false;
}

bool ToArg(const bj::value& v, ColType type, SqlArg* out) {
  if (type == ColType::kText) {
    std::string s;
    if (!ToText(v, &s)) return false;
    *out = std::move(s);
    return true;
  }
  return ToNumber(v, type, out);
}

// Appends the SQL for one expression; false when it cannot be expressed on these columns. The
// SQL is true where model::Matches is, and false or NULL where it is not.
bool Translate(const SqlDialect& d, const Expr& e, const ColumnMap& cols, std::string* sql,
               std::vector<SqlArg>* args) {
  if (e.kind != Expr::Kind::kPredicate) {
    if (e.children.empty()) return false;
    const char* join = e.kind == Expr::Kind::kOr ? " OR " : " AND ";
    std::string inner;
    std::vector<SqlArg> inner_args = *args;
    for (size_t i = 0; i < e.children.size(); ++i) {
      if (i) inner += join;
      if (!Translate(d, e.children[i], cols, &inner, &inner_args)) return false;
    }
    *args = std::move(inner_args);
    // A comparison with a NULL column is NULL, which `NOT` keeps NULL; in memory the comparison
    // is false, so its negation is true: NULL counts as false before it is negated.
    if (e.kind == Expr::Kind::kNot)
      *sql += "NOT COALESCE((" + inner + "), FALSE)";
    else
      *sql += "(" + inner + ")";
    return true;
  }
  const model::Predicate& p = e.pred;
  auto col = cols.find(p.field);
  if (col == cols.end()) return false;
  const std::string& c = col->second.name;
  ColType type = col->second.type;
  // Adds `a` to the arguments and returns its placeholder.
  auto add = [&](SqlArg a) {
    args->push_back(std::move(a));
    return d.placeholder(args->back(), args->size());
  };
  if (type == ColType::kIterationJob) {
    // Iteration ids start with their job's id: a job filter is a range of the primary key.
    if ((p.op != Op::kEquals && p.op != Op::kIn) || p.values.empty()) return false;
    for (const bj::value& v : p.values) {
      if (!v.is_string() || !base::IsObjectId(v.get_string())) return false;
    }
    std::string sql_part = "(";
    for (size_t i = 0; i < p.values.size(); ++i) {
      std::string prefix = base::IterationUuidPrefix(p.values[i].get_string());
      if (i) sql_part += " OR ";
      sql_part += "(" + c + " >= " + add(prefix) + " AND " + c + " < " + add(prefix + "~") + ")";
    }
    *sql += sql_part + ")";
    return true;
  }
  std::vector<SqlArg> saved = *args;
  auto fail = [&] {
    *args = saved;
    return false;
  };
  // The placeholder of `v` as an argument of this column's type; nullopt when it is not one.
  auto param = [&](const bj::value& v) -> std::optional<std::string> {
    SqlArg a;
    if (!ToArg(v, type, &a)) return std::nullopt;
    return add(std::move(a));
  };
  switch (p.op) {
    case Op::kExists: {
      bool want =
          p.values.empty() ||
          !(p.values[0].is_bool() ? !p.values[0].get_bool()
                                  : p.values[0].is_string() && p.values[0].get_string() == "false");
      *sql += c + (want ? " IS NOT NULL" : " IS NULL");
      return true;
    }
    case Op::kIn:
    case Op::kNotIn: {
      if (p.values.empty()) return fail();
      std::string list;
      for (size_t i = 0; i < p.values.size(); ++i) {
        auto ph = param(p.values[i]);
        if (!ph) return fail();
        list += (i ? "," : "") + *ph;
      }
      // In memory an absent value is in no list: not-in keeps it.
      if (p.op == Op::kIn)
        *sql += c + " IN (" + list + ")";
      else
        *sql += "(" + c + " IS NULL OR " + c + " NOT IN (" + list + "))";
      return true;
    }
    default:
      break;
  }
  if (p.values.size() != 1) return fail();
  const bj::value& v = p.values[0];
  const char* op = nullptr;
  switch (p.op) {
    case Op::kEquals:
      op = " = ";
      break;
    case Op::kGt:
      op = " > ";
      break;
    case Op::kGte:
      op = " >= ";
      break;
    case Op::kLt:
      op = " < ";
      break;
    case Op::kLte:
      op = " <= ";
      break;
    default:
      break;
  }
  if (op) {
    auto ph = param(v);
    if (!ph) return fail();
    *sql += c + op + *ph;
    return true;
  }
  if (type != ColType::kText) return fail();
  if (p.op == Op::kStartsWith && v.is_string()) {
    // A range of the column, so an index on it serves the filter (the stores compare text as
    // bytes, and a byte prefix of UTF-8 text is a character prefix).
    std::string lo(v.get_string());
    std::string hi = lo;
    while (!hi.empty() && static_cast<unsigned char>(hi.back()) == 0xff) hi.pop_back();
    std::string marked = d.mark_ranges ? kRangeMark + c : c;
    *sql += "(" + marked + " >= " + add(lo);
    if (!hi.empty()) {
      hi.back() = static_cast<char>(static_cast<unsigned char>(hi.back()) + 1);
      *sql += " AND " + marked + " < " + add(std::move(hi));
    }
    *sql += ")";
    return true;
  }
  auto ph = param(v);
  if (!ph) return fail();
  if (p.op == Op::kContains)
    *sql += d.contains(c, *ph);
  else if (p.op == Op::kStartsWith)
    *sql += d.starts_with(c, *ph);
  else
    *sql += d.ends_with(c, *ph);
  return true;
}

}  // namespace

SqlQuery TranslateQuery(const SqlDialect& d, const model::ListQuery& q, const ColumnMap& cols,
                        std::vector<Expr>* residual) {
  SqlQuery out;
  size_t before = residual->size();
  for (const Expr& e : q.filters) {
    std::string sql;
    if (Translate(d, e, cols, &sql, &out.args)) {
      if (!out.where.empty()) out.where += " AND ";
      out.where += sql;
    } else {
      residual->push_back(e);
    }
  }
  std::string order_col = cols.at("").name;
  std::string sort_col = order_col;
  if (!q.sort.empty()) {
    auto it = cols.find(q.sort);
    if (it == cols.end()) {
      residual->push_back(Expr{Expr::Kind::kAnd, {}, {}});
      return out;
    }
    sort_col = it->second.name;
  }
  if (residual->size() != before) return out;
  const char* dir = q.order < 0 ? d.desc : d.asc;
  out.order_limit = " ORDER BY " + sort_col + dir +
                    (sort_col == order_col ? "" : ", " + order_col + dir) + " LIMIT " +
                    std::to_string(q.limit) + " OFFSET " + std::to_string(q.skip);
  return out;
}

namespace {

// Adds the equals predicates of `e` (a predicate, or an AND of them) to `found`; false when `e`
// holds anything else.
bool CollectEquals(const Expr& e, const std::map<std::string, std::string>& fields,
                   std::map<std::string, std::string>* found) {
  if (e.kind == Expr::Kind::kAnd) {
    for (const Expr& c : e.children) {
      if (!CollectEquals(c, fields, found)) return false;
    }
    return true;
  }
  if (e.kind != Expr::Kind::kPredicate || e.pred.op != Op::kEquals || e.pred.values.size() != 1 ||
      !e.pred.values[0].is_string()) {
    return false;
  }
  auto f = fields.find(e.pred.field);
  if (f == fields.end() || found->count(f->second)) return false;
  (*found)[f->second] = std::string(e.pred.values[0].get_string());
  return true;
}

}  // namespace

std::optional<SqlQuery> CountFromTable(const SqlDialect& d, const model::ListQuery& q,
                                       const std::string& table,
                                       const std::map<std::string, std::string>& fields) {
  if (q.visible_groups) return std::nullopt;
  std::map<std::string, std::string> found;
  for (const Expr& e : q.filters) {
    if (!CollectEquals(e, fields, &found)) return std::nullopt;
  }
  SqlQuery out;
  out.where = std::string("SELECT COALESCE(SUM(n), 0)") + d.sum_cast + " FROM " + table;
  for (auto& [col, value] : found) {
    out.where += out.args.empty() ? " WHERE " : " AND ";
    out.args.emplace_back(value);
    out.where += col + " = " + d.placeholder(out.args.back(), out.args.size());
  }
  return out;
}

std::string PlanRanges(const std::string& where, bool use_index) {
  std::string out;
  out.reserve(where.size() + 4);
  for (char c : where) {
    if (c != kRangeMark)
      out += c;
    else if (!use_index)
      out += '+';
  }
  return out;
}

std::string GroupScopeSql(const SqlDialect& d, const std::string& groups_col,
                          const std::vector<std::string>& groups, std::vector<SqlArg>* args) {
  // The runtime and the API write the column with bj::serialize, so "no groups" is exactly "[]".
  std::string sql = "(" + groups_col + " = '[]'";
  if (!groups.empty()) {
    sql += " OR EXISTS (SELECT 1 FROM " + d.json_elements(groups_col) + " WHERE " + d.json_element +
           " IN (";
    for (size_t i = 0; i < groups.size(); ++i) {
      args->push_back(groups[i]);
      sql += (i ? "," : "") + d.placeholder(args->back(), args->size());
    }
    sql += "))";
  }
  return sql + ")";
}

}  // namespace opsflow::store
