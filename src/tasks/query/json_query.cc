#include "tasks/query/json_query.h"

#include <boost/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "tasks/query/js_ops.h"
#include "tasks/query/tokenize.h"

namespace opsflow::tasks {

namespace {

namespace json = boost::json;
using base::Result;
using query::JsArena;
using query::SelectPart;
using query::Token;
using query::TokenKind;
using query::Tokens;
using query::Val;

constexpr size_t kMaxQueryBytes = 4096;
constexpr int kMaxNesting = 16;

const json::value kNull;

// Evaluates tokens as json-query's handleQuery does, with `data` as the root object.
class Evaluator {
 public:
  explicit Evaluator(const json::value& data) : root_(data.is_null() ? nullptr : &data) {}

  // Runs `tokens` with `item` as the current item (json-query's options.currentItem).
  Result<Val> Run(const Tokens& tokens, Val item);

 private:
  Result<Val> Resolve(const query::Operand& op) {
    switch (op.kind) {
      case query::Operand::Kind::kParam:
        return Val{nullptr};
      case query::Operand::Kind::kSub:
        return Run(*op.sub, nullptr);
      case query::Operand::Kind::kText:
        break;
    }
    return arena_.Keep(json::value(op.text));
  }
  Result<Val> Values(Val cur, bool deep);
  Result<Val> Get(Val cur, const Token& t);
  Result<Val> Select(Val cur, const Token& t);
  Result<bool> Matches(Val item, const std::vector<SelectPart>& parts,
                       const std::vector<std::pair<Val, Val>>& operands);
  Result<Val> Helper(Val cur, const Token& t);

  Val root_;
  JsArena arena_;
};

Result<Val> Evaluator::Run(const Tokens& tokens, Val item) {
  Val context = query::IsNullish(item) ? nullptr : item;
  Val cur = context ? context : root_;
  for (const Token& t : tokens) {
    switch (t.kind) {
      case TokenKind::kRoot: {
        if (!t.args.empty()) {
          OPSFLOW_ASSIGN_OR_RETURN(cur, Resolve(t.args[0]));
        } else {
          cur = root_;
        }
        break;
      }
      case TokenKind::kParent:
        cur = nullptr;  // the query task gives json-query no parent
        break;
      case TokenKind::kOr:
        if (query::Truthy(cur)) return cur;
        cur = context;
        break;
      case TokenKind::kValues: {
        OPSFLOW_ASSIGN_OR_RETURN(cur, Values(cur, t.deep));
        break;
      }
      case TokenKind::kGet: {
        OPSFLOW_ASSIGN_OR_RETURN(cur, Get(cur, t));
        break;
      }
      case TokenKind::kSelect: {
        OPSFLOW_ASSIGN_OR_RETURN(cur, Select(cur, t));
        break;
      }
      case TokenKind::kHelper: {
        OPSFLOW_ASSIGN_OR_RETURN(cur, Helper(cur, t));
        break;
      }
    }
  }
  return cur;
}

Result<Val> Evaluator::Values(Val cur, bool deep) {
  json::array out;
  auto add = [&](const json::value& v) {
    if (deep && v.is_array()) {
      for (const json::value& el : v.get_array()) out.push_back(el);
    } else {
      out.push_back(v);
    }
  };
  if (query::Truthy(cur)) {
    if (cur->is_array()) {
      for (const json::value& el : cur->get_array()) add(el);
    } else if (cur->is_object()) {
      for (const auto& [k, v] : query::OrderedEntries(cur->get_object())) add(*v);
    } else if (cur->is_string()) {
      for (std::string& unit : query::Utf16Units(cur->get_string())) out.emplace_back(unit);
    }
  }
  return arena_.Keep(std::move(out));
}

// json-query's isDeepAccessor: parseInt(key) != key.
bool PlucksFromArray(Val key) {
  double n = query::JsParseInt(query::ToPropertyKey(key));
  if (n != n || query::IsNullish(key)) return true;
  if (key->is_bool()) return n != (key->get_bool() ? 1 : 0);
  if (key->is_number()) return n != key->to_number<double>();
  return n != query::JsStringToNumber(query::ToPropertyKey(key));
}

Result<Val> Evaluator::Get(Val cur, const Token& t) {
  OPSFLOW_ASSIGN_OR_RETURN(Val key, Resolve(t.get));
  if (!query::Truthy(cur)) return &kNull;
  if (!cur->is_array() || !PlucksFromArray(key)) return query::GetProperty(cur, key, arena_);
  std::string k = query::ToPropertyKey(key);
  json::array out;
  for (const json::value& el : cur->get_array()) {
    OPSFLOW_ASSIGN_OR_RETURN(Val v, query::GetProperty(&el, k, arena_));
    if (!v) continue;
    if (v->is_array()) {
      for (const json::value& x : v->get_array()) out.push_back(x);
    } else {
      out.push_back(*v);
    }
  }
  return arena_.Keep(std::move(out));
}

Result<Val> Evaluator::Select(Val cur, const Token& t) {
  if (!cur || !cur->is_array()) return &kNull;
  if (t.first_part_bad) {
    return base::InvalidArgument("json-query: a filter's first part has no operator");
  }
  std::vector<std::pair<Val, Val>> operands;  // key and value of each part
  for (const SelectPart& p : t.parts) {
    if (p.regex) {
      return base::InvalidArgument(
          "json-query: regular expressions (~ /re/) are not enabled (options.allowRegexp)");
    }
    OPSFLOW_ASSIGN_OR_RETURN(Val key, Resolve(p.key));
    Val value = nullptr;
    if (!p.func) {
      OPSFLOW_ASSIGN_OR_RETURN(value, Resolve(p.value));
    }
    operands.emplace_back(key, value);
  }
  json::array out;
  for (const json::value& item : cur->get_array()) {
    OPSFLOW_ASSIGN_OR_RETURN(bool m, Matches(&item, t.parts, operands));
    if (!m) continue;
    if (!t.multiple) return &item;
    out.push_back(item);
  }
  if (!t.multiple) return &kNull;
  return arena_.Keep(std::move(out));
}

Result<bool> Evaluator::Matches(Val item, const std::vector<SelectPart>& parts,
                                const std::vector<std::pair<Val, Val>>& operands) {
  bool result = false;
  for (size_t i = 0; i < parts.size(); ++i) {
    const SelectPart& p = parts[i];
    auto [key, value] = operands[i];
    bool r = false;
    if (p.func) {
      Val it = item;
      if (query::Truthy(key)) {
        OPSFLOW_ASSIGN_OR_RETURN(it, query::GetProperty(item, key, arena_));
      }
      OPSFLOW_ASSIGN_OR_RETURN(Val got, Run(*p.func, it));
      r = query::Truthy(got);
    } else {
      OPSFLOW_ASSIGN_OR_RETURN(Val a, query::GetProperty(item, key, arena_));
      if (p.op == "=") {
        bool text_bool = value && value->is_string() && a && a->is_bool() &&
                         value->get_string() == (a->get_bool() ? "true" : "false");
        r = text_bool || query::LooseEquals(a, value);
      } else if (p.op == "~") {
        if (!query::Truthy(a)) {
          r = false;
        } else if (a->is_string()) {
          r = std::string_view(a->get_string()).find(query::ToPropertyKey(value)) !=
              std::string_view::npos;
        } else if (a->is_array()) {
          for (const json::value& el : a->get_array()) r = r || query::StrictEquals(&el, value);
        } else {
          return base::InvalidArgument("json-query: '~' needs a string or an array, got " +
                                       query::ToPropertyKey(a));
        }
      } else {
        r = query::Relation(a, value, p.op);
      }
    }
    if (p.negate) r = !r;
    if (p.boolean_op == '&') {
      result = result && r;
    } else if (p.boolean_op == '|') {
      result = result || r;
    } else {
      result = r;
    }
  }
  return result;
}

// opsflow's helpers (json-query `locals`); tests/jsonquery_oracle/oracle.js defines the same.
Result<Val> Evaluator::Helper(Val cur, const Token& t) {
  const std::string& name = t.helper;
  std::vector<Val> args;
  for (const query::Operand& op : t.args) {
    OPSFLOW_ASSIGN_OR_RETURN(Val a, Resolve(op));
    args.push_back(a);
  }
  Val arg0 = args.empty() ? nullptr : args[0];
  bool is_obj = cur && cur->is_object();
  bool is_arr = cur && cur->is_array();
  if (name == "get") {
    if (query::IsNullish(cur)) return Val{nullptr};
    return query::GetProperty(cur, arg0, arena_);
  }
  if (name == "keys") {
    if (!is_obj) return Val{nullptr};
    json::array out;
    for (const auto& [k, v] : query::OrderedEntries(cur->get_object())) out.emplace_back(k);
    return arena_.Keep(std::move(out));
  }
  if (name == "values") {
    if (is_arr) return cur;
    if (!is_obj) return Val{nullptr};
    json::array out;
    for (const auto& [k, v] : query::OrderedEntries(cur->get_object())) out.push_back(*v);
    return arena_.Keep(std::move(out));
  }
  if (name == "length") {
    if (is_arr) return arena_.Keep(json::value(static_cast<int64_t>(cur->get_array().size())));
    if (is_obj) return arena_.Keep(json::value(static_cast<int64_t>(cur->get_object().size())));
    if (cur && cur->is_string()) {
      return arena_.Keep(json::value(static_cast<int64_t>(query::Utf16Length(cur->get_string()))));
    }
    return Val{nullptr};
  }
  if (name == "first" || name == "last") {
    if (!is_arr || cur->get_array().empty()) return Val{nullptr};
    return name == "first" ? &cur->get_array().front() : &cur->get_array().back();
  }
  if (name == "select") {
    if (!is_arr) return Val{nullptr};
    json::array out;
    for (const json::value& item : cur->get_array()) {
      json::object o;
      if (item.is_object()) {
        for (Val a : args) {
          std::string k = query::ToPropertyKey(a);
          if (const json::value* v = item.get_object().if_contains(k)) o[k] = *v;
        }
      }
      out.emplace_back(std::move(o));
    }
    return arena_.Keep(std::move(out));
  }
  return cur;  // json-query leaves the value alone when no helper has the name
}

}  // namespace

base::Result<JsonQueryResult> EvaluateJsonQuery(const json::value& obj, std::string_view query) {
  if (query.size() > kMaxQueryBytes) {
    return base::InvalidArgument("json-query is longer than 4096 bytes");
  }
  OPSFLOW_ASSIGN_OR_RETURN(auto tokens, query::TokenizeQuery(query, kMaxNesting));
  Evaluator ev(obj);
  OPSFLOW_ASSIGN_OR_RETURN(Val v, ev.Run(*tokens, nullptr));
  JsonQueryResult out;
  if (v) {
    out.value = *v;
  } else {
    out.undefined = true;
  }
  return out;
}

base::Result<json::value> JsonQuery(const json::value& obj, std::string_view query) {
  OPSFLOW_ASSIGN_OR_RETURN(JsonQueryResult r, EvaluateJsonQuery(obj, query));
  return std::move(r.value);
}

}  // namespace opsflow::tasks
