// numberToString (WorkFlowEngine): a number as text in a radix.
//
// IAP inputs:  num (number), radix (number 2..36, optional, default 10)
// IAP outputs: numToString
// Rules (JS Number.prototype.toString): radix 10 prints as JS does (255 -> "255", 0.1 ->
// "0.1", 1e21 -> "1e+21"); other radixes print integers in lower-case digits ("ff").
// Decisions: a numeric string is accepted as num (IAP would pass it through unchanged); a
// non-integer in a radix other than 10, an integer beyond 2^53 in such a radix, a radix outside
// 2..36, or a num that is not a number is an error naming the input.
#include <boost/json.hpp>
#include <cmath>

#include "tasks/builtins.h"
#include "tasks/task_util.h"

namespace opsflow::tasks::internal {

namespace json = boost::json;

TaskResult RunNumberToString(const TaskContext& ctx) {
  const json::value* num = Find(ctx.incoming, "num");
  std::optional<double> n;
  if (num && (num->is_number() || num->is_string())) n = AsNumber(*num);
  if (!n) return WrongType("numberToString", "num", "a number", num);
  int64_t radix = 10;
  const json::value* r = Find(ctx.incoming, "radix");
  if (r && !r->is_null() && !(r->is_string() && r->get_string().empty())) {
    auto rv = AsInteger(*r);
    if (!rv || *rv < 2 || *rv > 36) {
      return WrongType("numberToString", "radix", "an integer from 2 to 36", r);
    }
    radix = *rv;
  }
  std::string text;
  if (radix == 10) {
    text = JsNumberToString(*n);
  } else {
    double x = *n;
    if (!std::isfinite(x) || std::trunc(x) != x || std::fabs(x) > 9007199254740992.0) {
      return Error("numberToString: only integers up to 2^53 can be printed in radix " +
                   std::to_string(radix) + ", got " + JsNumberToString(x));
    }
    bool neg = x < 0;
    uint64_t u = static_cast<uint64_t>(std::fabs(x));
    static constexpr char kDigits[] = "0123456789abcdefghijklmnopqrstuvwxyz";
    do {
      text.insert(text.begin(), kDigits[u % static_cast<uint64_t>(radix)]);
      u /= static_cast<uint64_t>(radix);
    } while (u > 0);
    if (neg) text.insert(text.begin(), '-');
  }
  json::object out;
  out["numToString"] = std::move(text);
  return Success(std::move(out));
}

}  // namespace opsflow::tasks::internal
