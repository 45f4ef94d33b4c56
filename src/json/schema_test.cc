#include "json/schema.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <string>
#include <thread>

#include "json/parse.h"

namespace opsflow::json {
namespace {
namespace bj = boost::json;

bj::value J(std::string_view text) {
  auto r = Parse(text);
  EXPECT_TRUE(r.ok()) << r.status().ToString() << " in " << text;
  return r.ok() ? std::move(r).value() : bj::value();
}

std::shared_ptr<const Schema> Must(std::string_view schema, const SchemaOptions& o = {}) {
  auto r = Schema::Compile(J(schema), o);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : nullptr;
}

// The keywords of the errors, in order.
std::string Keywords(const std::vector<SchemaError>& errors) {
  std::string out;
  for (const auto& e : errors) out += (out.empty() ? "" : ",") + e.keyword;
  return out;
}

std::string Kw(const Schema& s, std::string_view instance) {
  return Keywords(s.Validate(J(instance)));
}

constexpr std::string_view kJobsStart = R"({
  "type":"object","required":["workflow","options"],"additionalProperties":false,
  "properties":{
    "workflow":{"type":"string"},
    "options":{"type":"object","properties":{
      "description":{"type":"string"},
      "type":{"type":"string"},
      "variables":{"type":"object","additionalProperties":true},
      "groups":{"type":"array","items":{"$ref":"common#/definitions/ObjectIdLikeString"}}}}}})";

SchemaOptions CommonOptions() {
  SchemaOptions o;
  o.named["common"] = J(R"({"definitions":{"ObjectIdLikeString":
      {"type":"string","pattern":"^[0-9a-fA-F]{24}$"}}})");
  return o;
}

TEST(Schema, JobsStartBody) {
  auto s = Must(kJobsStart, CommonOptions());
  ASSERT_TRUE(s);
  EXPECT_EQ(Kw(*s, R"({"workflow":"wf","options":{}})"), "");
  EXPECT_EQ(Kw(*s, R"({"workflow":"wf","options":{"description":"d","type":"automation",
      "variables":{"a":1,"b":{"c":[1,2]}},"groups":["5f3b2c1d9e8f7a6b5c4d3e2f"]}})"),
            "");

  auto errors = s->Validate(J(R"({"options":{}})"));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].keyword, "required");
  EXPECT_EQ(errors[0].instance_path, "");
  EXPECT_EQ(errors[0].schema_path, "#/required");
  EXPECT_EQ(errors[0].message, "must have required property 'workflow'");
  EXPECT_EQ(errors[0].params.at("missingProperty").as_string(), "workflow");

  errors = s->Validate(J(R"({"workflow":7,"options":{"groups":["xyz",5]},"variables":{}})"));
  EXPECT_EQ(Keywords(errors), "type,pattern,type,additionalProperties");
  std::string msg = ErrorsToMessage(errors);
  EXPECT_EQ(msg,
            "/workflow must be string; /options/groups/0 must match pattern "
            "\"^[0-9a-fA-F]{24}$\"; /options/groups/1 must be string; must NOT have additional "
            "properties 'variables'");
  EXPECT_EQ(errors[1].schema_path, "common#/definitions/ObjectIdLikeString/pattern");
  EXPECT_EQ(errors[1].instance_path, "/options/groups/0");

  bj::array arr = ErrorsToJson(errors);
  ASSERT_EQ(arr.size(), 4u);
  EXPECT_EQ(arr[3].at("keyword").as_string(), "additionalProperties");
  EXPECT_EQ(arr[3].at("instancePath").as_string(), "");
  EXPECT_EQ(arr[3].at("schemaPath").as_string(), "#/additionalProperties");
  EXPECT_EQ(arr[3].at("params").at("additionalProperty").as_string(), "variables");
  EXPECT_EQ(arr[3].at("message").as_string(), "must NOT have additional properties");

  EXPECT_EQ(Kw(*s, R"([])"), "type");
  EXPECT_EQ(Kw(*s, R"({"workflow":"x","options":[]})"), "type");
  EXPECT_EQ(Kw(*s, R"({"workflow":"x","options":{"variables":"v"}})"), "type");
  // max_errors caps the list.
  EXPECT_EQ(s->Validate(J(R"({"a":1,"b":2,"c":3})"), 2).size(), 2u);
  EXPECT_EQ(s->Validate(J(R"({"a":1,"b":2,"c":3})"), 0).size(), 5u);
}

TEST(Schema, JobsStartNeedsCommon) {
  auto r = Schema::Compile(J(kJobsStart));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), base::Code::kInvalidArgument);
  EXPECT_NE(r.status().message().find("common#/definitions/ObjectIdLikeString"), std::string::npos)
      << r.status().message();
}

TEST(Schema, Types) {
  auto s = Must(R"({"type":"integer"})");
  EXPECT_EQ(Kw(*s, "1"), "");
  EXPECT_EQ(Kw(*s, "1.0"), "");
  EXPECT_EQ(Kw(*s, "-9223372036854775808"), "");
  EXPECT_EQ(Kw(*s, "18446744073709551615"), "");
  EXPECT_EQ(Kw(*s, "1.5"), "type");
  EXPECT_EQ(Kw(*s, "\"1\""), "type");
  s = Must(R"({"type":["string","null"]})");
  EXPECT_EQ(Kw(*s, "null"), "");
  EXPECT_EQ(Kw(*s, "\"a\""), "");
  auto errors = s->Validate(J("true"));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].message, "must be string,null");
  EXPECT_EQ(errors[0].params.at("type").as_string(), "string,null");
  for (auto [type, good, bad] : {std::tuple{"number", "1.5", "\"x\""},
                                 {"boolean", "false", "0"},
                                 {"null", "null", "0"},
                                 {"array", "[]", "{}"},
                                 {"object", "{}", "[]"},
                                 {"string", "\"\"", "null"}}) {
    auto t = Must(std::string(R"({"type":")") + type + "\"}");
    EXPECT_EQ(Kw(*t, good), "") << type;
    EXPECT_EQ(Kw(*t, bad), "type") << type;
  }
}

TEST(Schema, EnumAndConst) {
  auto s = Must(R"({"enum":["a",1,null,{"x":[1,2]}]})");
  EXPECT_EQ(Kw(*s, "\"a\""), "");
  EXPECT_EQ(Kw(*s, "1.0"), "");
  EXPECT_EQ(Kw(*s, "null"), "");
  EXPECT_EQ(Kw(*s, R"({"x":[1,2]})"), "");
  EXPECT_EQ(Kw(*s, R"({"x":[2,1]})"), "enum");
  auto errors = s->Validate(J("\"b\""));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].message, "must be equal to one of the allowed values");
  EXPECT_EQ(errors[0].params.at("allowedValues").as_array().size(), 4u);
  s = Must(R"({"const":{"a":[true]}})");
  EXPECT_EQ(Kw(*s, R"({"a":[true]})"), "");
  EXPECT_EQ(Kw(*s, R"({"a":[false]})"), "const");
}

TEST(Schema, ObjectKeywords) {
  auto s = Must(R"({"properties":{"a":{"type":"string"}},
      "patternProperties":{"^x-":{"type":"integer"}},
      "additionalProperties":{"type":"boolean"},
      "minProperties":1,"maxProperties":3,
      "propertyNames":{"maxLength":5}})");
  EXPECT_EQ(Kw(*s, R"({"a":"s","x-1":2,"z":true})"), "");
  EXPECT_EQ(Kw(*s, R"({})"), "minProperties");
  EXPECT_EQ(Kw(*s, R"({"a":"s","b":true,"c":true,"d":true})"), "maxProperties");
  EXPECT_EQ(Kw(*s, R"({"a":1})"), "type");
  EXPECT_EQ(Kw(*s, R"({"x-a":"no"})"), "type");
  EXPECT_EQ(Kw(*s, R"({"zz":1})"), "type");
  auto errors = s->Validate(J(R"({"toolong":true})"));
  ASSERT_EQ(Keywords(errors), "propertyNames");
  EXPECT_EQ(errors[0].params.at("propertyName").as_string(), "toolong");
  EXPECT_EQ(ErrorsToMessage(errors), "property name must be valid 'toolong'");
  // A property matched by `properties` or a pattern is not additional.
  auto strict = Must(R"({"properties":{"a":{}},"patternProperties":{"^b":{}},
      "additionalProperties":false})");
  EXPECT_EQ(Kw(*strict, R"({"a":1,"bcd":2})"), "");
  EXPECT_EQ(Kw(*strict, R"({"a":1,"c":2,"d":3})"), "additionalProperties,additionalProperties");
  // Non-objects ignore object keywords.
  EXPECT_EQ(Kw(*strict, "7"), "");
  auto req = Must(R"({"required":["a","b"]})");
  EXPECT_EQ(Kw(*req, R"({"a":1})"), "required");
  EXPECT_EQ(Kw(*req, R"({})"), "required,required");
  EXPECT_EQ(Kw(*req, R"("x")"), "");
}

TEST(Schema, Dependencies) {
  auto s = Must(R"({"dependencies":{"card":["billing","cvv"],"x":{"required":["y"]}}})");
  EXPECT_EQ(Kw(*s, R"({})"), "");
  EXPECT_EQ(Kw(*s, R"({"card":1,"billing":2,"cvv":3})"), "");
  auto errors = s->Validate(J(R"({"card":1,"billing":2})"));
  ASSERT_EQ(Keywords(errors), "dependencies");
  EXPECT_EQ(errors[0].message, "must have properties billing, cvv when property card is present");
  EXPECT_EQ(errors[0].params.at("missingProperty").as_string(), "cvv");
  EXPECT_EQ(Kw(*s, R"({"x":1})"), "required");
  EXPECT_EQ(Kw(*s, R"({"x":1,"y":2})"), "");
}

TEST(Schema, ArrayKeywords) {
  auto s = Must(R"({"items":{"type":"integer"},"minItems":1,"maxItems":3,"uniqueItems":true})");
  EXPECT_EQ(Kw(*s, "[1,2,3]"), "");
  EXPECT_EQ(Kw(*s, "[]"), "minItems");
  EXPECT_EQ(Kw(*s, "[1,2,3,4]"), "maxItems");
  EXPECT_EQ(Kw(*s, "[1,\"a\"]"), "type");
  auto errors = s->Validate(J("[1,2,1.0]"));
  ASSERT_EQ(Keywords(errors), "uniqueItems");
  EXPECT_EQ(errors[0].message, "must NOT have duplicate items (items ## 2 and 0 are identical)");
  auto u = Must(R"({"uniqueItems":true})");
  EXPECT_EQ(Kw(*u, R"([{"a":1,"b":2},{"b":2,"a":1}])"), "uniqueItems");
  EXPECT_EQ(Kw(*u, R"([{"a":1},{"a":2},[1],[1,2],"1",1])"), "");

  auto tuple = Must(R"({"items":[{"type":"string"},{"type":"number"}],"additionalItems":false})");
  EXPECT_EQ(Kw(*tuple, R"(["a",1])"), "");
  EXPECT_EQ(Kw(*tuple, R"(["a"])"), "");
  EXPECT_EQ(Kw(*tuple, R"([1,"a"])"), "type,type");
  errors = tuple->Validate(J(R"(["a",1,2])"));
  ASSERT_EQ(Keywords(errors), "additionalItems");
  EXPECT_EQ(errors[0].message, "must NOT have more than 2 items");
  auto tuple2 = Must(R"({"items":[{}],"additionalItems":{"type":"boolean"}})");
  EXPECT_EQ(Kw(*tuple2, R"([1,true,false])"), "");
  errors = tuple2->Validate(J(R"([1,true,3])"));
  ASSERT_EQ(Keywords(errors), "type");
  EXPECT_EQ(errors[0].instance_path, "/2");
  EXPECT_EQ(errors[0].schema_path, "#/additionalItems/type");

  auto contains = Must(R"({"contains":{"const":5}})");
  EXPECT_EQ(Kw(*contains, "[1,5]"), "");
  EXPECT_EQ(Kw(*contains, "[1,2]"), "contains");
  EXPECT_EQ(Kw(*contains, "[]"), "contains");
}

TEST(Schema, StringKeywords) {
  auto s = Must(R"({"minLength":2,"maxLength":3,"pattern":"^a"})");
  EXPECT_EQ(Kw(*s, "\"ab\""), "");
  EXPECT_EQ(Kw(*s, "\"a\""), "minLength");
  EXPECT_EQ(Kw(*s, "\"abcd\""), "maxLength");
  EXPECT_EQ(Kw(*s, "\"ba\""), "pattern");
  // Lengths count code points: "é€😀" is 3 code points, 9 bytes.
  EXPECT_EQ(Kw(*s, "\"a\u00e9\u20ac\""), "");
  auto three = Must(R"({"maxLength":3,"minLength":3})");
  EXPECT_EQ(Kw(*three, "\"\u00e9\u20ac\xf0\x9f\x98\x80\""), "");
  auto errors = s->Validate(J("\"abcd\""));
  EXPECT_EQ(errors[0].message, "must NOT have more than 3 characters");
  // Patterns search (not anchored) like ECMAScript's test().
  auto p = Must(R"({"pattern":"b+"})");
  EXPECT_EQ(Kw(*p, "\"abbbc\""), "");
}

TEST(Schema, Formats) {
  struct Case {
    const char* format;
    std::vector<const char*> good, bad;
  };
  std::vector<Case> cases = {
      {"date-time",
       {"2024-02-29T12:30:00Z", "2023-01-01T00:00:00.123+05:30", "2023-01-01t00:00:00z"},
       {"2023-02-29T12:30:00Z", "2023-01-01", "2023-13-01T00:00:00Z", "2023-01-01T25:00:00Z",
        "2023-01-01T00:00:00", "x"}},
      {"date", {"2023-12-31"}, {"2023-12-32", "23-12-31", "2023/12/31"}},
      {"email", {"a.b+c@example.com", "x@y"}, {"@x.com", "a@", "a b@x.com", "a@-x.com"}},
      {"ipv4", {"192.168.0.1", "0.0.0.0"}, {"256.1.1.1", "1.2.3", "01.2.3.4", "1.2.3.4.5"}},
      {"ipv6",
       {"::1", "2001:db8::8a2e:370:7334", "::", "fe80::1:2:3:4", "::ffff:192.168.1.1",
        "1:2:3:4:5:6:7:8"},
       {"1:2:3:4:5:6:7:8:9", "2001:db8:::1", "12345::", ":1:2", "1::2::3", "g::1"}},
      {"uri",
       {"https://example.com/a?b=c#d", "urn:isbn:123", "mailto:a@b.c"},
       {"/relative/path", "no scheme", "http://a b", "1http://x"}},
      {"uuid",
       {"123e4567-e89b-12d3-a456-426614174000", "urn:uuid:123e4567-e89b-12d3-a456-426614174000"},
       {"123e4567e89b12d3a456426614174000", "123e4567-e89b-12d3-a456-42661417400g"}},
  };
  for (const auto& c : cases) {
    auto s = Must(std::string(R"({"format":")") + c.format + "\"}");
    for (const char* g : c.good) {
      EXPECT_EQ(Keywords(s->Validate(bj::value(g))), "") << c.format << " " << g;
    }
    for (const char* b : c.bad) {
      EXPECT_EQ(Keywords(s->Validate(bj::value(b))), "format") << c.format << " " << b;
    }
    EXPECT_EQ(Kw(*s, "12"), "") << "formats apply to strings only";
  }
  auto unknown = Must(R"({"format":"made-up"})");
  EXPECT_EQ(Kw(*unknown, "\"anything\""), "");
}

TEST(Schema, NumberKeywords) {
  auto s = Must(R"({"minimum":1,"maximum":10,"multipleOf":0.5})");
  EXPECT_EQ(Kw(*s, "1"), "");
  EXPECT_EQ(Kw(*s, "10"), "");
  EXPECT_EQ(Kw(*s, "2.5"), "");
  EXPECT_EQ(Kw(*s, "0.5"), "minimum");
  EXPECT_EQ(Kw(*s, "11"), "maximum");
  EXPECT_EQ(Kw(*s, "2.3"), "multipleOf");
  auto errors = s->Validate(J("0.5"));
  EXPECT_EQ(errors[0].message, "must be >= 1");
  EXPECT_EQ(errors[0].params.at("comparison").as_string(), ">=");
  // Draft-4 boolean exclusives.
  auto d4 = Must(R"({"minimum":1,"exclusiveMinimum":true,"maximum":3,"exclusiveMaximum":true})");
  EXPECT_EQ(Kw(*d4, "2"), "");
  EXPECT_EQ(Kw(*d4, "1"), "minimum");
  EXPECT_EQ(Kw(*d4, "3"), "maximum");
  EXPECT_EQ(d4->Validate(J("1"))[0].message, "must be > 1");
  // Draft-6 numeric exclusives.
  auto d6 = Must(R"({"exclusiveMinimum":1,"exclusiveMaximum":3})");
  EXPECT_EQ(Kw(*d6, "2"), "");
  EXPECT_EQ(Kw(*d6, "1"), "exclusiveMinimum");
  EXPECT_EQ(Kw(*d6, "3.0"), "exclusiveMaximum");
  EXPECT_EQ(d6->Validate(J("3"))[0].message, "must be < 3");
  // Large integers compare exactly; 0.1 steps tolerate rounding.
  auto big = Must(R"({"maximum":9007199254740993})");
  EXPECT_EQ(Kw(*big, "9007199254740993"), "");
  EXPECT_EQ(Kw(*big, "9007199254740994"), "maximum");
  auto tenth = Must(R"({"multipleOf":0.1})");
  EXPECT_EQ(Kw(*tenth, "0.3"), "");
  auto ints = Must(R"({"multipleOf":3})");
  EXPECT_EQ(Kw(*ints, "-9"), "");
  EXPECT_EQ(Kw(*ints, "18446744073709551615"), "");
  EXPECT_EQ(Kw(*ints, "10"), "multipleOf");
  EXPECT_EQ(Kw(*ints, "\"10\""), "");
}

TEST(Schema, Combinators) {
  auto all = Must(R"({"allOf":[{"type":"integer"},{"minimum":3}]})");
  EXPECT_EQ(Kw(*all, "4"), "");
  EXPECT_EQ(Kw(*all, "2"), "minimum");
  auto any = Must(R"({"anyOf":[{"type":"string"},{"type":"integer"}]})");
  EXPECT_EQ(Kw(*any, "1"), "");
  EXPECT_EQ(Kw(*any, "null"), "type,type,anyOf");
  EXPECT_EQ(any->Validate(J("null")).back().message, "must match a schema in anyOf");
  auto one = Must(R"({"oneOf":[{"type":"integer"},{"minimum":3}]})");
  EXPECT_EQ(Kw(*one, "1"), "");
  EXPECT_EQ(Kw(*one, "3.5"), "");
  auto errors = one->Validate(J("4"));
  ASSERT_EQ(Keywords(errors), "oneOf");
  EXPECT_EQ(Serialize(errors[0].params.at("passingSchemas")), "[0,1]");
  EXPECT_EQ(Kw(*one, "1.5"), "type,minimum,oneOf");
  auto no = Must(R"({"not":{"type":"string"}})");
  EXPECT_EQ(Kw(*no, "1"), "");
  EXPECT_EQ(Kw(*no, "\"s\""), "not");
  auto cond = Must(R"({"if":{"properties":{"kind":{"const":"a"}}},
      "then":{"required":["a"]},"else":{"required":["b"]}})");
  EXPECT_EQ(Kw(*cond, R"({"kind":"a","a":1})"), "");
  EXPECT_EQ(Kw(*cond, R"({"kind":"z","b":1})"), "");
  EXPECT_EQ(Kw(*cond, R"({"kind":"a","b":1})"), "required,if");
  EXPECT_EQ(cond->Validate(J(R"({"kind":"z"})"))[1].message, "must match \"else\" schema");
  auto only_then = Must(R"({"then":{"required":["a"]}})");
  EXPECT_EQ(Kw(*only_then, "{}"), "");
  // Boolean schemas.
  EXPECT_EQ(Kw(*Must("true"), "1"), "");
  EXPECT_EQ(Kw(*Must("false"), "1"), "false schema");
  EXPECT_EQ(Kw(*Must(R"({"properties":{"a":false}})"), R"({"a":1})"), "false schema");
  // default and unknown keywords are ignored.
  EXPECT_EQ(Kw(*Must(R"({"default":5,"x-ui":{"widget":"y"},"title":"t"})"), "\"s\""), "");
}

TEST(Schema, Refs) {
  auto s = Must(R"({"definitions":{"pos":{"type":"integer","minimum":1}},
      "$defs":{"name":{"type":"string"}},
      "properties":{"a":{"$ref":"#/definitions/pos"},"b":{"$ref":"#/$defs/name"},
                    "c":{"$ref":"#/properties/a"},
                    "tree":{"type":"object","properties":{"kids":{"type":"array",
                            "items":{"$ref":"#/properties/tree"}}}}}})");
  EXPECT_EQ(Kw(*s, R"({"a":1,"b":"x","c":2})"), "");
  auto errors = s->Validate(J(R"({"a":0,"b":1,"c":"x"})"));
  EXPECT_EQ(Keywords(errors), "minimum,type,type");
  EXPECT_EQ(errors[0].schema_path, "#/definitions/pos/minimum");
  EXPECT_EQ(Kw(*s, R"({"tree":{"kids":[{"kids":[]},{"kids":[{"kids":[]}]}]}})"), "");
  errors = s->Validate(J(R"({"tree":{"kids":[{"kids":[{"kids":7}]}]}})"));
  ASSERT_EQ(Keywords(errors), "type");
  EXPECT_EQ(errors[0].instance_path, "/tree/kids/0/kids/0/kids");

  // "#" is the whole document; siblings of $ref are ignored.
  auto rec = Must(R"({"type":"object","properties":{"next":{"$ref":"#","type":"string"}}})");
  EXPECT_EQ(Kw(*rec, R"({"next":{"next":{}}})"), "");
  EXPECT_EQ(Kw(*rec, R"({"next":{"next":1}})"), "type");

  // Named schemas, their own local refs, a name without fragment, and "$id" aliases.
  SchemaOptions o;
  o.named["lib"] = J(R"({"$id":"http://x/lib.json","definitions":{"id":{"$ref":"#/definitions/hex"},
      "hex":{"pattern":"^[0-9a-f]+$"}}})");
  o.named["whole"] = J(R"({"type":"boolean"})");
  auto named = Must(R"({"properties":{"a":{"$ref":"lib#/definitions/id"},"b":{"$ref":"whole"},
      "c":{"$ref":"http://x/lib.json#/definitions/hex"}}})",
                    o);
  EXPECT_EQ(Kw(*named, R"({"a":"ff","b":true,"c":"0"})"), "");
  EXPECT_EQ(Kw(*named, R"({"a":"zz","b":1,"c":"q"})"), "pattern,type,pattern");
  // A root-level $ref to a named schema resolves (valijson's trap).
  auto root_ref = Must(R"({"$ref":"whole"})", o);
  EXPECT_EQ(Kw(*root_ref, "true"), "");
  EXPECT_EQ(Kw(*root_ref, "1"), "type");
  // Escaped pointer tokens.
  auto esc = Must(R"({"definitions":{"a/b":{"type":"integer"},"c d":{"type":"string"}},
      "properties":{"x":{"$ref":"#/definitions/a~1b"},"y":{"$ref":"#/definitions/c%20d"}}})");
  EXPECT_EQ(Kw(*esc, R"({"x":1,"y":"s"})"), "");
  EXPECT_EQ(Kw(*esc, R"({"x":"1","y":2})"), "type,type");
}

TEST(Schema, InvalidSchemasAreRejected) {
  for (const char* bad :
       {R"(7)",
        R"("string")",
        R"({"type":"text"})",
        R"({"type":[]})",
        R"({"type":5})",
        R"({"properties":[]})",
        R"({"properties":{"a":3}})",
        R"({"required":"a"})",
        R"({"required":[1]})",
        R"({"minLength":-1})",
        R"({"maxItems":1.5})",
        R"({"pattern":"("})",
        R"X({"pattern":"(?=lookahead)"})X",
        R"({"pattern":5})",
        R"({"patternProperties":{"[":{}}})",
        R"({"multipleOf":0})",
        R"({"minimum":"1"})",
        R"({"exclusiveMinimum":"x"})",
        R"({"enum":5})",
        R"({"allOf":[]})",
        R"({"anyOf":{}})",
        R"({"items":5})",
        R"({"uniqueItems":"yes"})",
        R"({"$ref":5})",
        R"({"$ref":"#/nowhere"})",
        R"({"$ref":"other#/x"})",
        R"({"$ref":"#anchor"})",
        R"({"$ref":"#"})",
        R"({"definitions":{"a":{"$ref":"#/definitions/b"},"b":{"$ref":"#/definitions/a"}},
               "properties":{"x":{"$ref":"#/definitions/a"}}})",
        R"({"definitions":{"n":5},"$ref":"#/definitions/n"})",
        R"({"dependencies":{"a":[1]}})",
        R"({"format":1})",
        R"({"not":[]})"}) {
    auto r = Schema::Compile(J(bad));
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) {
      EXPECT_EQ(r.status().code(), base::Code::kInvalidArgument) << bad;
      EXPECT_NE(r.status().message().find("invalid schema at #"), std::string::npos)
          << r.status().message();
    }
  }
  auto r = Schema::Compile(J(R"({"properties":{"a":{"minLength":"x"}}})"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "invalid schema at #/properties/a: minLength must be a non-negative integer");
  SchemaOptions o;
  o.max_pattern_length = 10;
  EXPECT_FALSE(Schema::Compile(J(R"({"pattern":"aaaaaaaaaaaaaaaaaaaaaa"})"), o).ok());
}

TEST(Schema, HostilePatternIsLinear) {
  auto s = Must(R"({"pattern":"(a*)*b"})");
  std::string long_a(100000, 'a');
  EXPECT_EQ(Keywords(s->Validate(bj::value(long_a))), "pattern");
  EXPECT_EQ(Keywords(s->Validate(bj::value(long_a + "b"))), "");
  auto props = Must(R"({"patternProperties":{"(x+x+)+y":{"type":"string"}}})");
  bj::object o;
  o[std::string(50000, 'x')] = 1;
  EXPECT_EQ(Keywords(props->Validate(o)), "");
}

bj::value DeepArray(size_t depth) {
  bj::value v = bj::array();
  for (size_t i = 0; i < depth; ++i) {
    bj::array a;
    a.push_back(std::move(v));
    v = std::move(a);
  }
  return v;
}

TEST(Schema, DeepInstancesEndWithAnError) {
  auto s = Must(R"({"items":{"$ref":"#"}})");
  EXPECT_EQ(Keywords(s->Validate(DeepArray(10))), "");
  bj::value deep = DeepArray(10000);
  auto errors = s->Validate(deep);
  ASSERT_EQ(Keywords(errors), "maxDepth");
  EXPECT_NE(errors[0].message.find("deeper than 64"), std::string::npos);
  // Unique items of deep equal arrays.
  auto u = Must(R"({"uniqueItems":true})");
  bj::array two{DeepArray(1000), DeepArray(1000)};
  EXPECT_FALSE(u->Validate(two).empty());
  // A shallow schema does not walk the deep instance at all.
  EXPECT_EQ(Keywords(Must(R"({"type":"array"})")->Validate(deep)), "");
  auto e = Must(R"({"enum":[[[1]]]})");
  EXPECT_EQ(Keywords(e->Validate(deep)), "enum");
}

TEST(Schema, DeepSchemasAreRejected) {
  bj::value schema = bj::object{{"type", "array"}};
  for (int i = 0; i < 10000; ++i) {
    bj::object o;
    o["items"] = std::move(schema);
    schema = std::move(o);
  }
  auto r = Schema::Compile(schema);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("nested deeper than 64"), std::string::npos);
  bj::value deep_enum = bj::object{{"enum", bj::array{DeepArray(10000)}}};
  EXPECT_FALSE(Schema::Compile(deep_enum).ok());
  // 60 levels is fine.
  schema = bj::object{{"type", "array"}};
  for (int i = 0; i < 60; ++i) schema = bj::object{{"items", std::move(schema)}};
  EXPECT_TRUE(Schema::Compile(schema).ok());
}

TEST(Schema, ExponentialSchemasHitTheStepLimit) {
  // Each level tries both branches: 2^64 paths without a budget.
  auto s = Must(R"({"anyOf":[{"allOf":[{"$ref":"#"}, false]},{"$ref":"#"}]})");
  auto errors = s->Validate(J("1"));
  ASSERT_FALSE(errors.empty());
  EXPECT_TRUE(errors.back().keyword == "maxSteps" || errors.back().keyword == "maxDepth")
      << errors.back().keyword;
  SchemaOptions o;
  o.max_steps = 1000;
  auto small = Must(R"({"items":{"anyOf":[{"type":"string"},{"type":"integer"}]}})", o);
  bj::array many(2000, bj::value(1));
  EXPECT_EQ(Keywords(small->Validate(many)), "maxSteps");
}

TEST(Schema, ValidateIsThreadSafe) {
  auto s = Must(kJobsStart, CommonOptions());
  bj::value good = J(R"({"workflow":"wf","options":{"groups":["5f3b2c1d9e8f7a6b5c4d3e2f"]}})");
  bj::value bad = J(R"({"workflow":1,"options":{"groups":["x"]}})");
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 2000; ++i) {
        if (!s->Validate(good).empty() || s->Validate(bad).size() != 2) ++failures;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
}

}  // namespace
}  // namespace opsflow::json
