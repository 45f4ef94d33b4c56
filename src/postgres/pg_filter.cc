#include "postgres/pg_filter.h"

#include <boost/json/value.hpp>
#include <charconv>
#include <climits>
#include <cmath>

#include "base/civil.h"
#include "base/ids.h"

namespace opsflow::postgres {
namespace bj = boost::json;
using model::Expr;
using model::Op;

const ColumnMap& JobColumns() {
  static const ColumnMap m = {
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
      {"", {"seq", ColType::kInt}},
  };
  return m;
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

// The placeholder of argument number `n` (1-based), typed so that PostgreSQL need not guess.
std::string Placeholder(const SqlArg& a, size_t n) {
  const char* cast = std::holds_alternative<std::string>(a)  ? "::text"
                     : std::holds_alternative<int64_t>(a) ? "::bigint"
                                                           : "::float8";
  return "$" + std::to_string(n) + cast;
}

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

// Appends the SQL for one expression; false when it cannot be expressed on these columns.
bool Translate(const Expr& e, const ColumnMap& cols, std::string* sql, std::vector<SqlArg>* args) {
  if (e.kind != Expr::Kind::kPredicate) {
    if (e.children.empty()) return false;
    const char* join = e.kind == Expr::Kind::kOr ? " OR " : " AND ";
    std::string inner;
    std::vector<SqlArg> inner_args = *args;
    for (size_t i = 0; i < e.children.size(); ++i) {
      if (i) inner += join;
      if (!Translate(e.children[i], cols, &inner, &inner_args)) return false;
    }
    *args = std::move(inner_args);
    *sql += (e.kind == Expr::Kind::kNot ? "NOT (" : "(") + inner + ")";
    return true;
  }
  const model::Predicate& p = e.pred;
  auto col = cols.find(p.field);
  if (col == cols.end()) return false;
  const std::string& c = col->second.name;
  ColType type = col->second.type;
  auto param = [&](const bj::value& v) -> bool {
    SqlArg a;
    if (!ToArg(v, type, &a)) return false;
    args->push_back(std::move(a));
    *sql += Placeholder(args->back(), args->size());
    return true;
  };
  if (type == ColType::kIterationJob) {
    // Iteration ids start with their job's id: a job filter is a range of the primary key.
    if ((p.op != Op::kEquals && p.op != Op::kIn) || p.values.empty()) return false;
    std::string sql_part = "(";
    std::vector<SqlArg> extra;
    for (size_t i = 0; i < p.values.size(); ++i) {
      if (!p.values[i].is_string() || !base::IsObjectId(p.values[i].get_string())) return false;
      std::string prefix = base::IterationUuidPrefix(p.values[i].get_string());
      if (i) sql_part += " OR ";
      size_t n = args->size() + extra.size();
      sql_part += "(" + c + " >= $" + std::to_string(n + 1) + "::text AND " + c + " < $" +
                  std::to_string(n + 2) + "::text)";
      extra.push_back(prefix);
      extra.push_back(prefix + "~");
    }
    *sql += sql_part + ")";
    for (auto& a : extra) args->push_back(std::move(a));
    return true;
  }
  std::vector<SqlArg> saved = *args;
  std::string saved_sql = *sql;
  auto fail = [&] {
    *args = saved;
    *sql = saved_sql;
    return false;
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
      *sql += c + (p.op == Op::kIn ? " IN (" : " NOT IN (");
      for (size_t i = 0; i < p.values.size(); ++i) {
        if (i) *sql += ",";
        if (!param(p.values[i])) return fail();
      }
      *sql += ")";
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
    *sql += c + op;
    return param(v) || fail();
  }
  if (type != ColType::kText) return fail();
  if (p.op == Op::kStartsWith && v.is_string()) {
    // A range of the column, so a btree index on it serves the filter (the text columns are
    // COLLATE "C", which compares bytes, and a byte prefix of UTF-8 text is a character prefix).
    std::string lo(v.get_string());
    std::string hi = lo;
    while (!hi.empty() && static_cast<unsigned char>(hi.back()) == 0xff) hi.pop_back();
    args->push_back(lo);
    *sql += "(" + c + " >= $" + std::to_string(args->size()) + "::text";
    if (!hi.empty()) {
      hi.back() = static_cast<char>(static_cast<unsigned char>(hi.back()) + 1);
      args->push_back(std::move(hi));
      *sql += " AND " + c + " < $" + std::to_string(args->size()) + "::text";
    }
    *sql += ")";
    return true;
  }
  if (p.op == Op::kContains) {
    *sql += "strpos(" + c + ", ";
  } else if (p.op == Op::kStartsWith) {
    *sql += "(left(" + c + ", char_length(";
  } else {
    *sql += "(right(" + c + ", char_length(";
  }
  std::string before = *sql;
  if (!param(v)) return fail();
  std::string ph = sql->substr(before.size());
  if (p.op == Op::kContains)
    *sql += ") > 0";
  else
    *sql += ")) = " + ph + ")";
  return true;
}

}  // namespace

SqlQuery TranslateQuery(const model::ListQuery& q, const ColumnMap& cols,
                        std::vector<Expr>* residual) {
  SqlQuery out;
  size_t before = residual->size();
  for (const Expr& e : q.filters) {
    std::string sql;
    if (Translate(e, cols, &sql, &out.args)) {
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
  // SQLite puts NULLs first in ascending order and last in descending order; so does this.
  const char* dir = q.order < 0 ? " DESC NULLS LAST" : " ASC NULLS FIRST";
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

std::optional<SqlQuery> CountFromTable(const model::ListQuery& q, const std::string& table,
                                       const std::map<std::string, std::string>& fields) {
  if (q.visible_groups) return std::nullopt;
  std::map<std::string, std::string> found;
  for (const Expr& e : q.filters) {
    if (!CollectEquals(e, fields, &found)) return std::nullopt;
  }
  SqlQuery out;
  out.where = "SELECT COALESCE(SUM(n), 0)::bigint FROM " + table;
  for (auto& [col, value] : found) {
    out.where += out.args.empty() ? " WHERE " : " AND ";
    out.args.emplace_back(value);
    out.where += col + " = $" + std::to_string(out.args.size()) + "::text";
  }
  return out;
}

std::string GroupScopeSql(const std::string& groups_col, const std::vector<std::string>& groups,
                          std::vector<SqlArg>* args) {
  // The runtime and the API write the column with bj::serialize, so "no groups" is exactly "[]".
  std::string sql = "(" + groups_col + " = '[]'";
  if (!groups.empty()) {
    sql += " OR EXISTS (SELECT 1 FROM jsonb_array_elements_text(" + groups_col +
           "::jsonb) AS g(v) WHERE g.v IN (";
    for (size_t i = 0; i < groups.size(); ++i) {
      args->push_back(groups[i]);
      sql += (i ? ",$" : "$") + std::to_string(args->size()) + "::text";
    }
    sql += "))";
  }
  return sql + ")";
}

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
