// makeData (WorkFlowEngine): fills <!name!> placeholders and converts the text to a type.
//
// IAP inputs:  input (string with <!name!> placeholders), outputType (string|json|number|
//              boolean), variables (object used to fill the placeholders; optional)
// IAP outputs: output
// Rules: each <!name!> is replaced by variables[name] (a string as is, anything else as its
// JSON text / JS number text); then the text becomes: string -> itself; json -> the parsed
// JSON value; number -> the number it spells (JS Number() reading, trimmed); boolean -> true or
// false from "true"/"false" (any case, trimmed). Text that cannot be read as the requested type
// is an error (SPEC §6).
// Decisions: a placeholder naming a variable that is absent is an error (IAP would insert
// "undefined"); an unterminated "<!" is left as text; variables may be absent, null or "" (the
// real exports send ""), otherwise it must be an object; an input that is not a string is used
// as its JSON text; an outputType other than the four is an error.
#include <boost/json.hpp>
#include <cctype>
#include <cmath>

#include "json/parse.h"
#include "tasks/builtins.h"
#include "tasks/task_util.h"

namespace opsflow::tasks::internal {

namespace json = boost::json;

namespace {

base::Result<std::string> Fill(std::string_view text, const json::object* vars) {
  std::string out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t open = text.find("<!", pos);
    if (open == std::string_view::npos) break;
    size_t close = text.find("!>", open + 2);
    if (close == std::string_view::npos) break;
    out.append(text.substr(pos, open - pos));
    std::string name(text.substr(open + 2, close - open - 2));
    const json::value* v = vars ? Find(*vars, name) : nullptr;
    if (!v) {
      return base::InvalidArgument("placeholder <!" + name + "!> has no entry in variables");
    }
    out += ToText(*v);
    pos = close + 2;
  }
  out.append(text.substr(pos));
  return out;
}

}  // namespace

TaskResult RunMakeData(const TaskContext& ctx) {
  const json::value* input = Find(ctx.incoming, "input");
  if (!input || input->is_null()) return WrongType("makeData", "input", "a string", input);
  const json::value* type = Find(ctx.incoming, "outputType");
  if (!type || !type->is_string()) return WrongType("makeData", "outputType", "a string", type);
  std::string out_type(type->get_string());
  for (char& c : out_type) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const json::value* vars = Find(ctx.incoming, "variables");
  const json::object* var_obj = nullptr;
  if (vars && vars->is_object()) {
    var_obj = &vars->get_object();
  } else if (vars && !vars->is_null() && !(vars->is_string() && vars->get_string().empty())) {
    return WrongType("makeData", "variables", "an object", vars);
  }
  std::string raw = ToText(*input);
  auto filled = Fill(raw, var_obj);
  if (!filled.ok()) return Error("makeData: " + filled.status().message());
  const std::string& text = *filled;
  json::value output;
  if (out_type == "string") {
    output = json::string(text);
  } else if (out_type == "json") {
    auto parsed = opsflow::json::Parse(text);
    if (!parsed.ok()) {
      return Error("makeData: input is not valid JSON for outputType json: " +
                   parsed.status().message());
    }
    output = std::move(parsed).value();
  } else if (out_type == "number") {
    auto n = ParseNumber(text);
    if (!n || !std::isfinite(*n)) {
      return Error("makeData: input \"" + text + "\" is not a number (outputType number)");
    }
    if (std::trunc(*n) == *n && std::fabs(*n) < 9e15) {
      output = static_cast<int64_t>(*n);
    } else {
      output = *n;
    }
  } else if (out_type == "boolean") {
    size_t first = text.find_first_not_of(" \t\r\n");
    size_t last = text.find_last_not_of(" \t\r\n");
    std::string trimmed = first == std::string::npos ? "" : text.substr(first, last - first + 1);
    auto b = AsBool(json::value(trimmed));
    if (!b) {
      return Error("makeData: input \"" + text + "\" is not true or false (outputType boolean)");
    }
    output = *b;
  } else {
    return Error("makeData: outputType must be string, json, number or boolean, got \"" +
                 std::string(type->get_string()) + "\"");
  }
  json::object out;
  out["output"] = std::move(output);
  return Success(std::move(out));
}

}  // namespace opsflow::tasks::internal
