// The Conditional, Equality, Logical and Relational libraries of the JST runtime.
#include <boost/json.hpp>
#include <cmath>

#include "tasks/jst/lib.h"
#include "tasks/task_util.h"

namespace opsflow::tasks::jst::internal {

namespace {

Ret Ternary(Args& a) { return Truthy(a[0]) ? a[1] : a[2]; }

Ret Equality(Args& a) { return LooseEquals(a[0], a[1]); }
Ret Inequality(Args& a) { return !LooseEquals(a[0], a[1]); }
Ret Identity(Args& a) { return StrictEquals(a[0], a[1]); }
Ret Nonidentity(Args& a) { return !StrictEquals(a[0], a[1]); }
Ret DeepEquals(Args& a) { return tasks::internal::DeepEqual(a[0], a[1]); }

// JS && and || return one of their operands.
Ret And(Args& a) { return Truthy(a[0]) ? a[1] : a[0]; }
Ret Or(Args& a) { return Truthy(a[0]) ? a[0] : a[1]; }
Ret Not(Args& a) { return !Truthy(a[0]); }
Ret Nullish(Args& a) { return a[0].is_null() ? a[1] : a[0]; }

// JS relational comparison: strings by code units when both are strings, else numbers.
int Compare(const bj::value& x, const bj::value& y, bool* unordered) {
  *unordered = false;
  if (x.is_string() && y.is_string()) {
    int c = std::string_view(x.get_string()).compare(y.get_string());
    return c < 0 ? -1 : (c > 0 ? 1 : 0);
  }
  double a = ToNumber(x.is_structured() ? bj::value(ToJsString(x)) : x);
  double b = ToNumber(y.is_structured() ? bj::value(ToJsString(y)) : y);
  if (std::isnan(a) || std::isnan(b)) {
    *unordered = true;
    return 0;
  }
  return a < b ? -1 : (a > b ? 1 : 0);
}

Ret Greater(Args& a) {
  bool u;
  int c = Compare(a[0], a[1], &u);
  return !u && c > 0;
}
Ret GreaterEq(Args& a) {
  bool u;
  int c = Compare(a[0], a[1], &u);
  return !u && c >= 0;
}
Ret Less(Args& a) {
  bool u;
  int c = Compare(a[0], a[1], &u);
  return !u && c < 0;
}
Ret LessEq(Args& a) {
  bool u;
  int c = Compare(a[0], a[1], &u);
  return !u && c <= 0;
}

}  // namespace

std::vector<Entry> LogicMethods() {
  return {
      {"Conditional.ternary", Ternary},
      {"Equality.equality", Equality},
      {"Equality.inequality", Inequality},
      {"Equality.identity", Identity},
      {"Equality.nonidentity", Nonidentity},
      {"Equality.deepEquals", DeepEquals},
      {"Logical.and", And},
      {"Logical.or", Or},
      {"Logical.not", Not},
      {"Logical.nullish", Nullish},
      {"Relational.greaterThan", Greater},
      {"Relational.greaterThanOrEqual", GreaterEq},
      {"Relational.lessThan", Less},
      {"Relational.lessThanOrEqual", LessEq},
  };
}

}  // namespace opsflow::tasks::jst::internal
