// replace (WorkFlowEngine, "replace (string)"): replaces the first occurrence of a substring.
//
// IAP inputs:  str (string), substr (string), newSubstr (string)
// IAP outputs: replacedString
// (Names as used by published IAP 6 workflow generators: incoming str/substr/newSubstr,
// outgoing replacedString.)
// Rules (JS String.prototype.replace with a string pattern): only the first occurrence is
// replaced; in newSubstr, $$ is "$", $& the match, $` the text before it, $' the text after it.
// An empty substr inserts newSubstr at the start. No match returns str unchanged.
// Decision: every input must be a string (IAP's replace "insists on string operands"); numbers
// must be converted first (numberToString). Otherwise the task errors naming the input.
#include <boost/json.hpp>

#include "tasks/builtins.h"
#include "tasks/task_util.h"

namespace opsflow::tasks::internal {

namespace json = boost::json;

TaskResult RunReplace(const TaskContext& ctx) {
  const json::value* str = Find(ctx.incoming, "str");
  const json::value* sub = Find(ctx.incoming, "substr");
  const json::value* rep = Find(ctx.incoming, "newSubstr");
  if (!str || !str->is_string()) return WrongType("replace", "str", "a string", str);
  if (!sub || !sub->is_string()) return WrongType("replace", "substr", "a string", sub);
  if (!rep || !rep->is_string()) return WrongType("replace", "newSubstr", "a string", rep);
  std::string_view s = str->get_string();
  std::string_view pat = sub->get_string();
  std::string_view with = rep->get_string();
  std::string result;
  size_t at = s.find(pat);
  if (at == std::string_view::npos) {
    result = std::string(s);
  } else {
    result.append(s.substr(0, at));
    for (size_t i = 0; i < with.size(); ++i) {
      char next = i + 1 < with.size() ? with[i + 1] : '\0';
      if (with[i] == '$' && next == '$') {
        result += '$';
      } else if (with[i] == '$' && next == '&') {
        result.append(pat);
      } else if (with[i] == '$' && next == '`') {
        result.append(s.substr(0, at));
      } else if (with[i] == '$' && next == '\'') {
        result.append(s.substr(at + pat.size()));
      } else {
        result += with[i];
        continue;
      }
      ++i;
    }
    result.append(s.substr(at + pat.size()));
  }
  json::object out;
  out["replacedString"] = std::move(result);
  return Success(std::move(out));
}

}  // namespace opsflow::tasks::internal
