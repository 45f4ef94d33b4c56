#include "model/query.h"

#include <algorithm>
#include <boost/json.hpp>
#include <charconv>
#include <cmath>
#include <map>
#include <optional>
#include <string_view>

#include "base/civil.h"
#include "json/compare.h"
#include "json/parse.h"

namespace opsflow::model {
namespace bj = boost::json;
namespace {

constexpr size_t kMaxCandidates = 10000;  // values one dotted path may fan out to
constexpr size_t kMaxCompareDepth = 64;

// ---------------------------------------------------------------------------------------------
// Operators.

struct OpSpelling {
  std::string_view name;
  Op op;
};
constexpr OpSpelling kOps[] = {
    {"equals", Op::kEquals},
    {"contains", Op::kContains},
    {"starts-with", Op::kStartsWith},
    {"startsWith", Op::kStartsWith},
    {"ends-with", Op::kEndsWith},
    {"endsWith", Op::kEndsWith},
    {"in", Op::kIn},
    {"not-in", Op::kNotIn},
    {"notIn", Op::kNotIn},
    {"gt", Op::kGt},
    {"gte", Op::kGte},
    {"lt", Op::kLt},
    {"lte", Op::kLte},
    {"exists", Op::kExists},
};

std::optional<Op> OpByName(std::string_view name) {
  for (const auto& s : kOps) {
    if (s.name == name) return s.op;
  }
  return std::nullopt;
}

// ---------------------------------------------------------------------------------------------
// Value helpers.

using json::AsDouble;
using json::IsNumber;

template <typename T>
int Cmp3(T a, T b) {
  return a < b ? -1 : a > b ? 1 : 0;
}

// A number written as text ("42", "-1.5e3"), or nullopt.
std::optional<bj::value> ParseNumber(std::string_view s) {
  if (s.empty()) return std::nullopt;
  int64_t i;
  auto ri = std::from_chars(s.data(), s.data() + s.size(), i);
  if (ri.ec == std::errc() && ri.ptr == s.data() + s.size()) return bj::value(i);
  double d;
  auto rd = std::from_chars(s.data(), s.data() + s.size(), d);
  if (rd.ec == std::errc() && rd.ptr == s.data() + s.size() && std::isfinite(d) &&
      (s[0] == '-' || (s[0] >= '0' && s[0] <= '9'))) {
    return bj::value(d);
  }
  return std::nullopt;
}

// An ISO-8601 time (base::ParseIso8601's grammar) as epoch milliseconds.
std::optional<double> ParseIsoMs(std::string_view s) {
  std::optional<int64_t> ms = base::ParseIso8601(s);
  if (!ms) return std::nullopt;
  return static_cast<double>(*ms);
}

std::string NumberText(const bj::value& v) { return json::Serialize(v); }

int StrCmp(std::string_view a, std::string_view b) {
  int c = a.compare(b);
  return c < 0 ? -1 : c > 0 ? 1 : 0;
}

// Compares document value `d` with parameter `p` "as d's type"; nullopt when incomparable.
std::optional<int> CoerceCompare(const bj::value& d, const bj::value& p) {
  if (IsNumber(d)) {
    if (IsNumber(p)) return json::CompareNumbers(d, p);
    if (!p.is_string()) return std::nullopt;
    if (auto n = ParseNumber(p.get_string())) return json::CompareNumbers(d, *n);
    if (auto t = ParseIsoMs(p.get_string())) return Cmp3(AsDouble(d), *t);
    return std::nullopt;
  }
  if (d.is_string()) {
    std::string_view ds = d.get_string();
    std::optional<double> dt;
    if (ds.size() >= 10 && ds[4] == '-') dt = ParseIsoMs(ds);
    if (p.is_string()) {
      std::string_view ps = p.get_string();
      if (dt) {
        if (auto pt = ParseIsoMs(ps)) return Cmp3(*dt, *pt);
        if (auto pn = ParseNumber(ps)) return Cmp3(*dt, AsDouble(*pn));
      }
      return StrCmp(ds, ps);
    }
    if (IsNumber(p)) {
      if (dt) return Cmp3(*dt, AsDouble(p));
      return StrCmp(ds, NumberText(p));
    }
    if (p.is_bool()) return StrCmp(ds, p.get_bool() ? "true" : "false");
    return std::nullopt;
  }
  if (d.is_bool()) {
    std::optional<bool> pb;
    if (p.is_bool()) pb = p.get_bool();
    if (p.is_string() && p.get_string() == "true") pb = true;
    if (p.is_string() && p.get_string() == "false") pb = false;
    if (!pb) return std::nullopt;
    return static_cast<int>(d.get_bool()) - static_cast<int>(*pb);
  }
  if (d.is_null()) {
    if (p.is_null() || (p.is_string() && p.get_string() == "null")) return 0;
    return std::nullopt;
  }
  if (d.kind() == p.kind()) return Compare(&d, &p);  // whole objects or arrays
  return std::nullopt;
}

bool CoerceEqual(const bj::value& d, const bj::value& p) {
  auto c = CoerceCompare(d, p);
  return c && *c == 0;
}

// The parameter as text for substring tests.
std::optional<std::string> Text(const bj::value& p) {
  if (p.is_string()) return std::string(p.get_string());
  if (IsNumber(p)) return NumberText(p);
  if (p.is_bool()) return std::string(p.get_bool() ? "true" : "false");
  return std::nullopt;
}

// ---------------------------------------------------------------------------------------------
// Dotted paths.

std::vector<std::string_view> SplitPath(std::string_view path) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (true) {
    size_t dot = path.find('.', start);
    out.push_back(path.substr(start, dot == std::string_view::npos ? dot : dot - start));
    if (dot == std::string_view::npos) return out;
    start = dot + 1;
  }
}

bool ParseIndex(std::string_view s, size_t* out) {
  if (s.empty() || (s.size() > 1 && s[0] == '0')) return false;
  auto r = std::from_chars(s.data(), s.data() + s.size(), *out);
  return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

void Resolve(const bj::value& v, const std::vector<std::string_view>& segs, size_t i,
             std::vector<const bj::value*>* out) {
  if (out->size() >= kMaxCandidates) return;
  if (i == segs.size()) {
    out->push_back(&v);
    return;
  }
  if (const auto* o = v.if_object()) {
    auto it = o->find(segs[i]);
    if (it != o->end()) Resolve(it->value(), segs, i + 1, out);
  } else if (const auto* a = v.if_array()) {
    size_t idx;
    if (ParseIndex(segs[i], &idx)) {
      if (idx < a->size()) Resolve((*a)[idx], segs, i + 1, out);
      return;
    }
    for (const auto& e : *a) {
      if (e.is_object()) Resolve(e, segs, i, out);
    }
  }
}

std::vector<const bj::value*> Candidates(const bj::value& doc, std::string_view path) {
  std::vector<const bj::value*> out;
  Resolve(doc, SplitPath(path), 0, &out);
  return out;
}

// Whether scalar-ish `d` satisfies `op` against the predicate's values.
bool MatchValue(const Predicate& p, const bj::value& d) {
  if (p.values.empty()) return false;
  const bj::value& v = p.values[0];
  switch (p.op) {
    case Op::kEquals:
      return CoerceEqual(d, v);
    case Op::kIn:
      return std::any_of(p.values.begin(), p.values.end(),
                         [&](const bj::value& x) { return CoerceEqual(d, x); });
    case Op::kGt:
    case Op::kGte:
    case Op::kLt:
    case Op::kLte: {
      auto c = CoerceCompare(d, v);
      if (!c) return false;
      if (p.op == Op::kGt) return *c > 0;
      if (p.op == Op::kGte) return *c >= 0;
      if (p.op == Op::kLt) return *c < 0;
      return *c <= 0;
    }
    case Op::kContains:
    case Op::kStartsWith:
    case Op::kEndsWith: {
      if (!d.is_string()) return false;
      auto t = Text(v);
      if (!t) return false;
      std::string_view s = d.get_string();
      if (p.op == Op::kContains) return s.find(*t) != std::string_view::npos;
      if (p.op == Op::kStartsWith) return s.substr(0, t->size()) == *t;
      return s.size() >= t->size() && s.substr(s.size() - t->size()) == *t;
    }
    default:
      return false;
  }
}

bool MatchPredicate(const Predicate& p, const bj::value& doc) {
  auto cands = Candidates(doc, p.field);
  if (p.op == Op::kExists) {
    bool want = p.values.empty() || !p.values[0].is_bool() || p.values[0].get_bool();
    return cands.empty() != want;
  }
  if (p.op == Op::kNotIn) {
    Predicate in = p;
    in.op = Op::kIn;
    for (const bj::value* c : cands) {
      if (MatchValue(in, *c)) return false;
      if (const auto* a = c->if_array()) {
        for (const auto& e : *a) {
          if (MatchValue(in, e)) return false;
        }
      }
    }
    return true;
  }
  for (const bj::value* c : cands) {
    if (const auto* a = c->if_array()) {
      if (p.op == Op::kContains) {  // some element equals
        for (const auto& e : *a) {
          if (CoerceEqual(e, p.values.empty() ? bj::value() : p.values[0])) return true;
        }
        continue;
      }
      if (MatchValue(p, *c)) return true;  // the whole array
      for (const auto& e : *a) {
        if (MatchValue(p, e)) return true;
      }
      continue;
    }
    if (MatchValue(p, *c)) return true;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// Parsing.

base::Status Bad(std::string_view param, std::string_view value, std::string_view why) {
  return base::InvalidArgument("invalid query parameter " + std::string(param) + "=" +
                               std::string(value.substr(0, 100)) + ": " + std::string(why));
}

std::optional<int64_t> ParseInt(std::string_view s) {
  int64_t v;
  auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || r.ec != std::errc() || r.ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

std::optional<bool> ParseBool(std::string_view s) {
  if (s == "true" || s == "1") return true;
  if (s == "false" || s == "0") return false;
  return std::nullopt;
}

void SplitList(std::string_view s, std::vector<std::string>* out) {
  size_t start = 0;
  while (start <= s.size()) {
    size_t comma = s.find(',', start);
    std::string_view item =
        s.substr(start, comma == std::string_view::npos ? comma : comma - start);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (!item.empty()) out->emplace_back(item);
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
}

Expr PredicateExpr(Op op, std::string field, std::vector<bj::value> values) {
  Expr e;
  e.kind = Expr::Kind::kPredicate;
  e.pred = Predicate{op, std::move(field), std::move(values)};
  return e;
}

Expr AndOf(std::vector<Expr> parts) {
  if (parts.size() == 1) return std::move(parts[0]);
  Expr e;
  e.kind = Expr::Kind::kAnd;
  e.children = std::move(parts);
  return e;
}

base::Result<Expr> FromJson(const bj::value& v);

base::Result<Expr> OperatorFromJson(Op op, std::string_view name, const bj::value& v) {
  const auto* fields = v.if_object();
  if (fields == nullptr || fields->empty()) {
    return base::InvalidArgument("invalid q: \"" + std::string(name) +
                                 "\" takes an object of field: value");
  }
  std::vector<Expr> parts;
  for (const auto& kv : *fields) {
    std::string field(kv.key());
    if (field.empty()) return base::InvalidArgument("invalid q: empty field name");
    std::vector<bj::value> values;
    if (op == Op::kIn || op == Op::kNotIn) {
      if (const auto* a = kv.value().if_array()) {
        values.assign(a->begin(), a->end());
      } else {
        values.push_back(kv.value());
      }
    } else if (op == Op::kExists) {
      std::optional<bool> b;
      if (kv.value().is_bool()) b = kv.value().get_bool();
      if (kv.value().is_string()) b = ParseBool(kv.value().get_string());
      if (!b) return base::InvalidArgument("invalid q: exists takes true or false");
      values.emplace_back(*b);
    } else {
      values.push_back(kv.value());
    }
    parts.push_back(PredicateExpr(op, std::move(field), std::move(values)));
  }
  return AndOf(std::move(parts));
}

base::Result<Expr> FromJson(const bj::value& v) {
  const auto* o = v.if_object();
  if (o == nullptr || o->empty()) {
    return base::InvalidArgument("invalid q: an expression must be a non-empty JSON object");
  }
  std::vector<Expr> parts;
  for (const auto& kv : *o) {
    std::string_view key = kv.key();
    if (key == "and" || key == "or") {
      const auto* a = kv.value().if_array();
      if (a == nullptr) {
        return base::InvalidArgument("invalid q: \"" + std::string(key) + "\" takes an array");
      }
      Expr e;
      e.kind = key == "and" ? Expr::Kind::kAnd : Expr::Kind::kOr;
      for (const auto& child : *a) {
        OPSFLOW_ASSIGN_OR_RETURN(Expr c, FromJson(child));
        e.children.push_back(std::move(c));
      }
      parts.push_back(std::move(e));
    } else if (key == "not") {
      OPSFLOW_ASSIGN_OR_RETURN(Expr c, FromJson(kv.value()));
      Expr e;
      e.kind = Expr::Kind::kNot;
      e.children.push_back(std::move(c));
      parts.push_back(std::move(e));
    } else if (auto op = OpByName(key)) {
      OPSFLOW_ASSIGN_OR_RETURN(Expr e, OperatorFromJson(*op, key, kv.value()));
      parts.push_back(std::move(e));
    } else {
      return base::InvalidArgument("invalid q: unknown operator \"" + std::string(key) + "\"");
    }
  }
  return AndOf(std::move(parts));
}

// The values of in[f]/not-in[f]: a JSON array, or the text itself.
std::vector<bj::value> ListValues(std::string_view text) {
  if (!text.empty() && text.front() == '[') {
    auto parsed = json::Parse(text, {.max_depth = 8, .max_bytes = 1 << 20});
    if (parsed.ok() && parsed->is_array()) {
      const auto& a = parsed->get_array();
      return std::vector<bj::value>(a.begin(), a.end());
    }
  }
  return {bj::value(bj::string_view(text.data(), text.size()))};
}

struct PlainPair {
  std::optional<std::string> value, field;
};

}  // namespace

const char* OpName(Op op) {
  switch (op) {
    case Op::kEquals:
      return "equals";
    case Op::kContains:
      return "contains";
    case Op::kStartsWith:
      return "starts-with";
    case Op::kEndsWith:
      return "ends-with";
    case Op::kIn:
      return "in";
    case Op::kNotIn:
      return "not-in";
    case Op::kGt:
      return "gt";
    case Op::kGte:
      return "gte";
    case Op::kLt:
      return "lt";
    case Op::kLte:
      return "lte";
    case Op::kExists:
      return "exists";
  }
  return "?";
}

base::Result<Expr> ParseQueryExpr(std::string_view text) {
  auto parsed = json::Parse(text, {.max_depth = 16, .max_bytes = 1 << 20});
  if (!parsed.ok()) {
    return base::InvalidArgument("invalid query parameter q: " + parsed.status().message());
  }
  auto e = FromJson(*parsed);
  if (!e.ok()) return base::InvalidArgument("invalid query parameter q: " + e.status().message());
  return e;
}

base::Result<ListQuery> ParseListQuery(
    const std::vector<std::pair<std::string, std::string>>& params, const ListQueryOptions& opts) {
  ListQuery q;
  q.limit = opts.default_limit;
  q.sort = opts.default_sort;
  std::map<std::pair<Op, std::string>, size_t> lists;  // in/not-in field -> index in filters
  std::map<std::string, PlainPair> plain;              // equals/equalsField ...
  for (const auto& [key, value] : params) {
    if (key == "limit") {
      auto n = ParseInt(value);
      if (!n || *n < 0 || *n > opts.max_limit) {
        return Bad(key, value, "must be an integer from 0 to " + std::to_string(opts.max_limit));
      }
      q.limit = *n;
    } else if (key == "skip") {
      auto n = ParseInt(value);
      if (!n || *n < 0) return Bad(key, value, "must be a non-negative integer");
      q.skip = *n;
    } else if (key == "sort") {
      q.sort = value.empty() ? opts.default_sort : value;
    } else if (key == "order") {
      if (value == "1" || value == "asc" || value == "ASC") {
        q.order = 1;
      } else if (value == "-1" || value == "desc" || value == "DESC") {
        q.order = -1;
      } else {
        return Bad(key, value, "must be 1, -1, asc or desc");
      }
    } else if (key == "include") {
      SplitList(value, &q.include);
    } else if (key == "exclude") {
      SplitList(value, &q.exclude);
    } else if (key == "q") {
      OPSFLOW_ASSIGN_OR_RETURN(Expr e, ParseQueryExpr(value));
      q.filters.push_back(std::move(e));
    } else if (opts.allow_equals_field &&
               (key == "equals" || key == "contains" || key == "startsWith")) {
      plain[key].value = value;
    } else if (opts.allow_equals_field &&
               (key == "equalsField" || key == "containsField" || key == "startsWithField")) {
      plain[key.substr(0, key.size() - 5)].field = value;
    } else if (size_t lb = key.find('['); lb != std::string::npos && key.back() == ']') {
      auto op = OpByName(std::string_view(key).substr(0, lb));
      if (!op) continue;  // unknown operators are ignored, as IAP does
      std::string field = key.substr(lb + 1, key.size() - lb - 2);
      if (field.empty() || field.find_first_of("[]") != std::string::npos) {
        return Bad(key, value, "the operator needs one field name in brackets");
      }
      if (*op == Op::kIn || *op == Op::kNotIn) {
        auto values = ListValues(value);
        auto [it, fresh] = lists.emplace(std::pair{*op, field}, q.filters.size());
        if (fresh) {
          q.filters.push_back(PredicateExpr(*op, field, std::move(values)));
        } else {
          auto& dst = q.filters[it->second].pred.values;
          for (auto& v : values) dst.push_back(std::move(v));
        }
      } else if (*op == Op::kExists) {
        auto b = ParseBool(value);
        if (!b) return Bad(key, value, "must be true or false");
        q.filters.push_back(PredicateExpr(*op, field, {bj::value(*b)}));
      } else {
        q.filters.push_back(
            PredicateExpr(*op, field, {bj::value(bj::string_view(value.data(), value.size()))}));
      }
    }
  }
  for (const auto& [name, pair] : plain) {
    if (!pair.value || !pair.field || pair.field->empty()) {
      return Bad(pair.value ? name : name + "Field", pair.value ? *pair.value : *pair.field,
                 name + " and " + name + "Field must be given together");
    }
    Op op = name == "equals" ? Op::kEquals : name == "contains" ? Op::kContains : Op::kStartsWith;
    q.filters.push_back(PredicateExpr(op, *pair.field, {bj::value(*pair.value)}));
  }
  if (!q.include.empty() && !q.exclude.empty() &&
      !(q.exclude.size() == 1 && q.exclude[0] == "_id")) {
    return Bad("exclude", q.exclude[0], "include and exclude can only be combined as exclude=_id");
  }
  return q;
}

bool Matches(const Expr& e, const bj::value& doc) {
  switch (e.kind) {
    case Expr::Kind::kPredicate:
      return MatchPredicate(e.pred, doc);
    case Expr::Kind::kAnd:
      return std::all_of(e.children.begin(), e.children.end(),
                         [&](const Expr& c) { return Matches(c, doc); });
    case Expr::Kind::kOr:
      return std::any_of(e.children.begin(), e.children.end(),
                         [&](const Expr& c) { return Matches(c, doc); });
    case Expr::Kind::kNot:
      return !e.children.empty() && !Matches(e.children[0], doc);
  }
  return false;
}

bool MatchesAll(const ListQuery& q, const bj::value& doc) {
  return std::all_of(q.filters.begin(), q.filters.end(),
                     [&](const Expr& e) { return Matches(e, doc); });
}

namespace {

int Rank(const bj::value* v) {
  if (v == nullptr) return 0;
  switch (v->kind()) {
    case bj::kind::null:
      return 1;
    case bj::kind::int64:
    case bj::kind::uint64:
    case bj::kind::double_:
      return 2;
    case bj::kind::string:
      return 3;
    case bj::kind::object:
      return 4;
    case bj::kind::array:
      return 5;
    case bj::kind::bool_:
      return 6;
  }
  return 7;
}

int CompareAt(const bj::value* a, const bj::value* b, size_t depth) {
  int ra = Rank(a), rb = Rank(b);
  if (ra != rb) return ra < rb ? -1 : 1;
  if (depth > kMaxCompareDepth) return 0;
  switch (ra) {
    case 2:
      return json::CompareNumbers(*a, *b);
    case 3:
      return StrCmp(a->get_string(), b->get_string());
    case 6:
      return static_cast<int>(a->get_bool()) - static_cast<int>(b->get_bool());
    case 4: {
      const auto& x = a->get_object();
      const auto& y = b->get_object();
      auto ix = x.begin();
      auto iy = y.begin();
      for (; ix != x.end() && iy != y.end(); ++ix, ++iy) {
        if (int c = StrCmp(ix->key(), iy->key())) return c;
        if (int c = CompareAt(&ix->value(), &iy->value(), depth + 1)) return c;
      }
      return x.size() < y.size() ? -1 : x.size() > y.size() ? 1 : 0;
    }
    case 5: {
      const auto& x = a->get_array();
      const auto& y = b->get_array();
      for (size_t i = 0; i < x.size() && i < y.size(); ++i) {
        if (int c = CompareAt(&x[i], &y[i], depth + 1)) return c;
      }
      return x.size() < y.size() ? -1 : x.size() > y.size() ? 1 : 0;
    }
    default:
      return 0;
  }
}

// A trie of dotted paths; a node with `leaf` set takes the whole value.
struct PathTree {
  bool leaf = false;
  std::map<std::string, PathTree, std::less<>> kids;
  void Add(std::string_view path) {
    PathTree* cur = this;
    for (std::string_view seg : SplitPath(path)) {
      if (cur->leaf) return;
      cur = &cur->kids[std::string(seg)];
    }
    cur->leaf = true;
    cur->kids.clear();
  }
};

std::optional<bj::value> Keep(const bj::value& v, const PathTree& t) {
  if (t.leaf) return v;
  if (const auto* o = v.if_object()) {
    bj::object out;
    for (const auto& kv : *o) {  // document order
      auto it = t.kids.find(std::string_view(kv.key()));
      if (it == t.kids.end()) continue;
      if (auto kept = Keep(kv.value(), it->second)) out[kv.key()] = std::move(*kept);
    }
    return bj::value(std::move(out));
  }
  if (const auto* a = v.if_array()) {
    bj::array out;
    for (const auto& e : *a) {
      if (!e.is_object()) continue;
      if (auto kept = Keep(e, t)) out.push_back(std::move(*kept));
    }
    return bj::value(std::move(out));
  }
  return std::nullopt;  // a path through a scalar keeps nothing
}

void Drop(bj::value& v, const PathTree& t) {
  if (auto* o = v.if_object()) {
    for (const auto& [key, sub] : t.kids) {
      if (sub.leaf) {
        o->erase(key);
      } else if (auto it = o->find(key); it != o->end()) {
        Drop(it->value(), sub);
      }
    }
  } else if (auto* a = v.if_array()) {
    for (auto& e : *a) Drop(e, t);
  }
}

}  // namespace

int Compare(const bj::value* a, const bj::value* b) { return CompareAt(a, b, 0); }

const bj::value* SortKey(const bj::value& doc, std::string_view path) {
  if (path.empty()) return nullptr;
  auto c = Candidates(doc, path);
  return c.empty() ? nullptr : c[0];
}

bj::value Project(const bj::value& doc, const std::vector<std::string>& include,
                  const std::vector<std::string>& exclude) {
  if (!doc.is_object()) return doc;
  bj::value out;
  if (include.empty()) {
    out = doc;
  } else {
    PathTree keep;
    for (const auto& p : include) keep.Add(p);
    keep.Add("_id");
    out = Keep(doc, keep).value_or(bj::object());
  }
  if (!exclude.empty()) {
    PathTree drop;
    for (const auto& p : exclude) drop.Add(p);
    Drop(out, drop);
  }
  return out;
}

}  // namespace opsflow::model
