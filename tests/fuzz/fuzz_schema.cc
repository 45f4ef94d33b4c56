// Fuzz target: JSON Schema compile and validate with a user-supplied schema (a workflow's
// `inputSchema` is user input), src/json/schema.h.
//
// Input: <schema JSON> [ "\n---\n" <instance JSON> ]. The schema is compiled the way the API
// compiles an inputSchema (default SchemaOptions) and, when its text mentions "common", also
// with a named "common" schema like the jobs/start body's; the instance (when given and valid
// JSON), the schema document itself and a few fixed values are validated against it.
// Oracles: no crash, sanitizer report or stall (libFuzzer -timeout); max_errors is honoured;
// IsValid agrees with Validate; errors convert to JSON and to a message.
#include <boost/json.hpp>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "fuzz_common.h"
#include "json/parse.h"
#include "json/schema.h"

namespace {

namespace bj = boost::json;
namespace json = opsflow::json;
using opsflow::fuzz::Check;

void Exercise(const json::Schema& schema, const bj::value& instance) {
  std::vector<json::SchemaError> all = schema.Validate(instance, 0);
  std::vector<json::SchemaError> few = schema.Validate(instance, 3);
  Check(few.size() <= 3, "Validate returned more than max_errors errors");
  Check(few.size() == std::min<size_t>(all.size(), 3),
        "Validate(max_errors=3) disagrees with Validate(max_errors=0)");
  Check(schema.IsValid(instance) == all.empty(), "IsValid disagrees with Validate");
  if (!all.empty()) {
    bj::array errors = json::ErrorsToJson(all);
    Check(errors.size() == all.size(), "ErrorsToJson lost errors");
    Check(!json::ErrorsToMessage(all).empty(), "ErrorsToMessage is empty for errors");
    for (const auto& e : all) Check(!e.keyword.empty(), "an error without a keyword");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const bj::value kFixed[] = {
      bj::value(),
      bj::value(bj::object()),
      bj::value(bj::array()),
      bj::value(""),
      bj::value(0),
      bj::value(-1.5),
      opsflow::fuzz::Fixture(R"({"a":1,"b":"x","c":[1,2,{"d":null}],"e":{"f":true}})")};
  auto [schema_text, instance_text] =
      opsflow::fuzz::SplitOnce(opsflow::fuzz::AsText(data, size), "\n---\n");
  auto schema_doc = json::Parse(schema_text);
  if (!schema_doc.ok()) return 0;
  std::vector<bj::value> instances(std::begin(kFixed), std::end(kFixed));
  instances.push_back(*schema_doc);
  if (auto inst = json::Parse(instance_text); inst.ok()) instances.push_back(std::move(*inst));

  auto plain = json::Schema::Compile(*schema_doc);
  if (plain.ok()) {
    for (const auto& inst : instances) Exercise(**plain, inst);
  } else {
    Check(!plain.status().message().empty(), "Compile failed without a message");
  }
  // With the named "common" schema (jobs/start body style), when the schema may refer to it.
  if (schema_text.find("common") != std::string_view::npos) {
    json::SchemaOptions with_common;
    with_common.named["common"] = opsflow::fuzz::Fixture(
        R"({"definitions":{"ObjectIdLikeString":{"type":"string","pattern":"^[0-9a-fA-F]{24}$"},)"
        R"("Any":{},)"
        R"("Obj":{"type":"object","additionalProperties":{"$ref":"#/definitions/Any"}}}})");
    auto named = json::Schema::Compile(*schema_doc, with_common);
    if (named.ok()) {
      for (const auto& inst : instances) Exercise(**named, inst);
    }
  }
  return 0;
}
