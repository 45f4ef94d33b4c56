// A JSON Schema validator (drafts 4, 6 and 7) with ajv-style errors.
//
// Schema::Compile turns a schema document into an immutable tree of nodes once: keywords are
// checked, `pattern`s are compiled with RE2 (linear time, no backtracking), and `$ref`s are
// linked (local "#", "#/definitions/X", "#/$defs/X", and named schemas "name#/..."; a named
// schema's own "$id"/"id" also works as its name). An invalid schema gives InvalidArgument;
// no input crashes Compile or Validate.
//
// Bounds: schema nesting and the depth of validation (which grows with every subschema step,
// `$ref` hops included) stop at SchemaOptions::max_depth, and one Validate call visits at most
// max_steps subschemas; hitting either ends that validation with an error, never a stack
// overflow. A `$ref` that only leads back to itself is rejected at Compile.
//
// Semantics follow ajv with allErrors: every failing keyword is reported (up to max_errors).
// Siblings of `$ref` are ignored (drafts 4-7). `default`, unknown keywords and unknown formats
// are ignored. Known formats: date-time, date, time, email, ipv4, ipv6, uri, uuid.
//
// Thread-safety: a compiled Schema is immutable; Validate may run on many threads at once.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "base/status.h"

namespace opsflow::json {

// One failed keyword, as ajv reports it.
struct SchemaError {
  std::string keyword;        // "required", "type", ...
  std::string instance_path;  // JSON pointer into the instance: "/options/groups/0" ("" = root)
  std::string schema_path;    // "#/properties/options/required", or "common#/definitions/X/pattern"
  std::string message;        // ajv wording: "must have required property 'workflow'"
  boost::json::object params;  // ajv params: {"missingProperty":"workflow"}
};

struct SchemaOptions {
  size_t max_depth = 64;             // schema nesting, and validation depth (incl. $ref hops)
  size_t max_pattern_length = 1000;  // longer `pattern`/`patternProperties` keys are rejected
  size_t max_steps = 1000000;        // subschema visits per Validate call
  // External schemas by name, e.g. {"common", {...}} so "common#/definitions/X" resolves.
  std::map<std::string, boost::json::value> named;
};

namespace schema_internal {
struct Node;
struct Tree;
}  // namespace schema_internal

class Schema {
 public:
  // Compiles `schema` (and whatever it reaches in options.named). InvalidArgument naming the
  // keyword and schema path for an invalid schema.
  static base::Result<std::shared_ptr<const Schema>> Compile(const boost::json::value& schema,
                                                             const SchemaOptions& options = {});

  // The errors of `instance` (empty when valid), at most max_errors (0 = no limit) of them.
  std::vector<SchemaError> Validate(const boost::json::value& instance,
                                    size_t max_errors = 50) const;
  bool IsValid(const boost::json::value& instance) const { return Validate(instance, 1).empty(); }

  ~Schema();
  Schema(const Schema&) = delete;
  Schema& operator=(const Schema&) = delete;

 private:
  explicit Schema(std::unique_ptr<schema_internal::Tree> tree);
  std::unique_ptr<schema_internal::Tree> tree_;
};

// [{keyword, instancePath, schemaPath, params, message}, ...]
boost::json::array ErrorsToJson(const std::vector<SchemaError>& errors);

// One readable line: "/options must have required property 'workflow'; /workflow must be
// string". The root path is left out; additionalProperties names the extra property.
std::string ErrorsToMessage(const std::vector<SchemaError>& errors);

}  // namespace opsflow::json
