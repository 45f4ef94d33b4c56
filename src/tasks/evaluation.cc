// evaluation (WorkFlowEngine): compares operands and finishes success or failure.
//
// IAP inputs:  all_true_flag (bool), evaluation_groups: [{all_true_flag, evaluations:
//              [{operand_1, operator, operand_2, query, rightQuery}]}]
// IAP outputs: return_value
// The engine has already replaced each operand's {task, variable} object by the value it names.
//
// Rules implemented:
// * `query` (json-query) is applied to operand_1 and `rightQuery` to operand_2 when non-empty.
// * A group is true when all (group all_true_flag true) or any (false) of its evaluations are;
//   the task is true when all (top all_true_flag true) or any (false) of its groups are. A
//   missing flag counts as true; the strings "true"/"false" are accepted. all() of nothing is
//   true, any() of nothing is false.
// * true -> success with return_value true; false -> failure with return_value false (IAP leaves
//   it undefined; we write false so the iteration document shows the answer).
// * Every evaluation runs (no short circuit), so a bad one is reported even when the answer is
//   already known.
// Decisions where IAP is silent or undocumented:
// * An unknown operator makes its evaluation false, as in IAP (issue 10: refuse only what IAP
//   refuses). A malformed query, a regex RE2 cannot compile, or an operator that is not a
//   string is an error.
// * == / != : structural equality (numbers by value), plus number vs numeric string by value
//   (1 == "1", as JS == does; "" is not 0), and boolean vs "true"/"false". Objects and arrays
//   compare by content (JS would compare references).
// * < <= > >= : numbers, or numeric strings, compare numerically; two other strings compare by
//   bytes (JS compares UTF-16 units: the same order for ASCII); an array compared with a number
//   stands for its length (so `loop[*status=FAILED] < 1` means "no element failed", the intent of
//   the real exports that use it; JS coerces [] to 0 and gets the same answers there). Anything
//   else (null, objects, booleans) makes the comparison false.
// * contains: string operand_1 -> operand_2 is an RE2 regex searched anywhere in it (numbers and
//   booleans are used as their text; null -> false; an object or array pattern is an error);
//   array -> some element == operand_2 (the == above); object -> operand_2 (as text) is a key;
//   any other operand_1 (null, number, boolean) -> false. !contains is its negation.
#include <re2/re2.h>

#include <boost/json.hpp>
#include <optional>
#include <string>

#include "tasks/builtins.h"
#include "tasks/query/json_query.h"
#include "tasks/task_util.h"

namespace opsflow::tasks::internal {

namespace {

namespace json = boost::json;
using base::Result;

std::optional<double> OrderNumber(const json::value& v, const json::value& other) {
  if (v.is_array() && AsNumber(other) && !other.is_array()) {
    return static_cast<double>(v.get_array().size());
  }
  if (v.is_number() || v.is_string()) return AsNumber(v);
  return std::nullopt;
}

// -1/0/1, or nullopt when the operands are not comparable.
std::optional<int> Order(const json::value& a, const json::value& b) {
  auto na = OrderNumber(a, b);
  auto nb = OrderNumber(b, a);
  if (na && nb) {
    if (*na != *na || *nb != *nb) return std::nullopt;  // NaN
    return *na < *nb ? -1 : (*na > *nb ? 1 : 0);
  }
  if (a.is_string() && b.is_string()) {
    int c = a.get_string().subview().compare(b.get_string().subview());
    return c < 0 ? -1 : (c > 0 ? 1 : 0);
  }
  return std::nullopt;
}

Result<bool> Contains(const json::value& a, const json::value& b) {
  if (a.is_string()) {
    if (b.is_null()) return false;
    if (b.is_array() || b.is_object()) {
      return base::InvalidArgument(std::string("contains: operand_2 must be a regex string, got ") +
                                   TypeName(b));
    }
    std::string pattern = ToText(b);
    RE2::Options opts;
    opts.set_log_errors(false);
    opts.set_max_mem(8 << 20);
    RE2 re(pattern, opts);
    if (!re.ok()) {
      return base::InvalidArgument("contains: invalid regular expression \"" + pattern +
                                   "\": " + re.error());
    }
    const json::string& s = a.get_string();
    return RE2::PartialMatch(re2::StringPiece(s.data(), s.size()), re);
  }
  if (a.is_array()) {
    for (const json::value& el : a.get_array()) {
      if (LooseEqual(el, b)) return true;
    }
    return false;
  }
  if (a.is_object()) {
    if (b.is_null() || b.is_array() || b.is_object()) return false;
    return Find(a.get_object(), ToText(b)) != nullptr;
  }
  return false;
}

Result<bool> Compare(const json::value& a, const std::string& op, const json::value& b) {
  if (op == "==") return LooseEqual(a, b);
  if (op == "!=") return !LooseEqual(a, b);
  if (op == "contains") return Contains(a, b);
  if (op == "!contains") {
    OPSFLOW_ASSIGN_OR_RETURN(bool c, Contains(a, b));
    return !c;
  }
  if (op == "<" || op == "<=" || op == ">" || op == ">=") {
    auto o = Order(a, b);
    if (!o) return false;
    if (op == "<") return *o < 0;
    if (op == "<=") return *o <= 0;
    if (op == ">") return *o > 0;
    return *o >= 0;
  }
  return false;  // an unknown operator: IAP fails the evaluation silently (issue 10)
}

Result<json::value> ApplyQuery(const json::object& ev, std::string_view field,
                               const json::value& operand) {
  const json::value* q = Find(ev, field);
  if (!q || q->is_null()) return operand;
  if (!q->is_string()) {
    return base::InvalidArgument(std::string(field) + " must be a string, got " + TypeName(*q));
  }
  if (q->get_string().empty()) return operand;
  return JsonQuery(operand, q->get_string());
}

Result<bool> Flag(const json::object& obj, std::string_view where) {
  const json::value* f = Find(obj, "all_true_flag");
  if (!f || f->is_null()) return true;
  auto b = AsBool(*f);
  if (!b) {
    return base::InvalidArgument(std::string(where) + "all_true_flag must be a boolean, got " +
                                 TypeName(*f));
  }
  return *b;
}

Result<bool> EvalOne(const json::value& item, size_t g, size_t e) {
  std::string where =
      "evaluation_groups[" + std::to_string(g) + "].evaluations[" + std::to_string(e) + "]";
  if (!item.is_object()) {
    return base::InvalidArgument(where + " must be an object, got " + TypeName(item));
  }
  const json::object& ev = item.get_object();
  const json::value* op = Find(ev, "operator");
  if (!op || !op->is_string()) {
    return base::InvalidArgument(where + ".operator must be a string, got " +
                                 (op ? TypeName(*op) : "nothing"));
  }
  static const json::value kNull;
  const json::value* o1 = Find(ev, "operand_1");
  const json::value* o2 = Find(ev, "operand_2");
  auto left = ApplyQuery(ev, "query", o1 ? *o1 : kNull);
  if (!left.ok()) return base::InvalidArgument(where + ": " + left.status().message());
  auto right = ApplyQuery(ev, "rightQuery", o2 ? *o2 : kNull);
  if (!right.ok()) return base::InvalidArgument(where + ": " + right.status().message());
  auto r = Compare(*left, std::string(op->get_string()), *right);
  if (!r.ok()) return base::InvalidArgument(where + ": " + r.status().message());
  return *r;
}

Result<bool> EvalGroup(const json::value& group, size_t g) {
  std::string where = "evaluation_groups[" + std::to_string(g) + "]";
  if (!group.is_object()) {
    return base::InvalidArgument(where + " must be an object, got " + TypeName(group));
  }
  OPSFLOW_ASSIGN_OR_RETURN(bool all, Flag(group.get_object(), where + "."));
  const json::value* evs = Find(group.get_object(), "evaluations");
  if (!evs || !evs->is_array()) {
    return base::InvalidArgument(where + ".evaluations must be an array, got " +
                                 (evs ? TypeName(*evs) : "nothing"));
  }
  bool all_true = true, any_true = false;
  for (size_t e = 0; e < evs->get_array().size(); ++e) {
    OPSFLOW_ASSIGN_OR_RETURN(bool r, EvalOne(evs->get_array()[e], g, e));
    all_true = all_true && r;
    any_true = any_true || r;
  }
  return all ? all_true : any_true;
}

}  // namespace

TaskResult RunEvaluation(const TaskContext& ctx) {
  auto top = Flag(ctx.incoming, "");
  if (!top.ok()) return Error("evaluation: " + top.status().message());
  const json::value* groups = Find(ctx.incoming, "evaluation_groups");
  if (!groups || !groups->is_array()) {
    return WrongType("evaluation", "evaluation_groups", "an array", groups);
  }
  bool all_true = true, any_true = false;
  for (size_t g = 0; g < groups->get_array().size(); ++g) {
    auto r = EvalGroup(groups->get_array()[g], g);
    if (!r.ok()) return Error("evaluation: " + r.status().message());
    all_true = all_true && *r;
    any_true = any_true || *r;
  }
  bool result = *top ? all_true : any_true;
  json::object out;
  out["return_value"] = result;
  return result ? Success(std::move(out)) : Failure(std::move(out));
}

}  // namespace opsflow::tasks::internal
