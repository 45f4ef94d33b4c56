// parse (WorkFlowEngine, "parse (string)"): parses JSON text.
//
// IAP inputs:  text (string)
// IAP outputs: textObject
// Rules: the parsed value (any JSON type); malformed JSON is an error (IAP throws), with the
// parser's message and byte offset. opsflow's JSON limits apply (depth 64, 10 MiB).
// Decision: a text that is not a string is an error naming the input.
#include "json/parse.h"

#include <boost/json.hpp>

#include "tasks/builtins.h"
#include "tasks/task_util.h"

namespace opsflow::tasks::internal {

namespace json = boost::json;

TaskResult RunParse(const TaskContext& ctx) {
  const json::value* text = Find(ctx.incoming, "text");
  if (!text || !text->is_string()) return WrongType("parse", "text", "a string", text);
  auto parsed = opsflow::json::Parse(text->get_string());
  if (!parsed.ok()) return Error("parse: text is not valid JSON: " + parsed.status().message());
  json::object out;
  out["textObject"] = std::move(parsed).value();
  return Success(std::move(out));
}

}  // namespace opsflow::tasks::internal
