// Table-driven tests of every built-in task: incoming JSON -> finish, outgoing, side effects.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <string>

#include "json/parse.h"
#include "tasks/task.h"

namespace opsflow::tasks {
namespace {

namespace json = boost::json;

struct Case {
  const char* name;  // test label
  const char* method;
  const char* incoming;  // JSON object
  Finish finish;
  const char* outgoing = nullptr;   // exact JSON object, or nullptr to skip
  const char* error_has = nullptr;  // substring of the error message (kError)
  const char* job_vars = "{}";      // job variables snapshot
  const char* set_vars = nullptr;   // JSON object of the expected set_job_variables
  int64_t delay_ms = 0;
  int64_t now_ms = 1'687'359'727'254;  // 2023-06-21T15:02:07.254Z
};

std::ostream& operator<<(std::ostream& os, const Case& c) { return os << c.name; }

class BuiltinCases : public ::testing::TestWithParam<Case> {};

// Exact number round trips (Boost.JSON's own parser may be off by one ulp).
json::value P(const char* text) {
  auto r = opsflow::json::Parse(text);
  EXPECT_TRUE(r.ok()) << text << ": " << r.status().ToString();
  return r.ok() ? *r : json::value();
}

TEST_P(BuiltinCases, Runs) {
  const Case& c = GetParam();
  const TaskDescriptor* d = FindBuiltin(c.method);
  ASSERT_NE(d, nullptr) << c.method;
  json::object incoming = P(c.incoming).as_object();
  json::object vars = P(c.job_vars).as_object();
  TaskContext ctx{incoming, vars, c.now_ms};
  TaskResult r = d->run(ctx);
  EXPECT_EQ(static_cast<int>(r.finish), static_cast<int>(c.finish)) << r.error;
  if (c.outgoing) {
    EXPECT_EQ(json::value(r.outgoing), P(c.outgoing)) << json::serialize(r.outgoing);
  }
  if (c.finish == Finish::kError) {
    EXPECT_FALSE(r.error.empty());
    if (c.error_has) {
      EXPECT_NE(r.error.find(c.error_has), std::string::npos) << r.error;
    }
  }
  if (c.set_vars) {
    json::object got;
    for (const auto& [k, v] : r.set_job_variables) got[k] = v;
    EXPECT_EQ(json::value(got), P(c.set_vars));
  } else {
    EXPECT_TRUE(r.set_job_variables.empty());
  }
  EXPECT_EQ(r.delay_ms, c.delay_ms);
}

constexpr Finish S = Finish::kSuccess;
constexpr Finish F = Finish::kFailure;
constexpr Finish E = Finish::kError;

// ---- evaluation ----
#define EVAL1(op1, op, op2)                                                                              \
  R"({"all_true_flag":true,"evaluation_groups":[{"all_true_flag":true,"evaluations":[{"operand_1":)" op1 \
  R"(,"operator":")" op R"(","operand_2":)" op2 R"(,"query":"","rightQuery":""}]}]})"

INSTANTIATE_TEST_SUITE_P(
    Evaluation, BuiltinCases,
    ::testing::Values(
        Case{"eq_true", "evaluation", EVAL1("true", "==", "true"), S, R"({"return_value":true})"},
        Case{"eq_false", "evaluation", EVAL1("1", "==", "2"), F, R"({"return_value":false})"},
        Case{"eq_num_str", "evaluation", EVAL1("1", "==", "\"1\""), S},
        Case{"eq_num_float", "evaluation", EVAL1("1", "==", "1.0"), S},
        Case{"eq_empty_zero", "evaluation", EVAL1("0", "==", "\"\""), F},
        Case{"eq_bool_str", "evaluation", EVAL1("true", "==", "\"true\""), S},
        Case{"eq_obj", "evaluation", EVAL1("{\"a\":[1]}", "==", "{\"a\":[1.0]}"), S},
        Case{"ne_str", "evaluation", EVAL1("\"rtb-1\"", "!=", "\"\""), S},
        Case{"ne_null_empty", "evaluation", EVAL1("null", "!=", "\"\""), S},
        Case{"lt", "evaluation", EVAL1("0", "<", "1"), S},
        Case{"lt_str_num", "evaluation", EVAL1("\"10\"", "<", "9"), F},
        Case{"le", "evaluation", EVAL1("1", "<=", "1"), S},
        Case{"gt", "evaluation", EVAL1("2", ">", "1"), S},
        Case{"ge", "evaluation", EVAL1("0", ">=", "1"), F},
        Case{"lt_strings", "evaluation", EVAL1("\"abc\"", "<", "\"abd\""), S},
        Case{"lt_null", "evaluation", EVAL1("null", "<", "1"), F},
        Case{"lt_array_len", "evaluation", EVAL1("[]", "<", "1"), S},
        Case{"lt_array_len2", "evaluation", EVAL1("[{\"a\":1}]", "<", "1"), F},
        Case{"contains_regex", "evaluation",
             EVAL1("\"Cisco IOS XE\"", "contains", "\"IOS\\\\s+X\""), S},
        Case{"contains_regex_no", "evaluation", EVAL1("\"Cisco\"", "contains", "\"^isco\""), F},
        Case{"contains_array", "evaluation", EVAL1("[1,\"a\"]", "contains", "\"a\""), S},
        Case{"contains_object_key", "evaluation", EVAL1("{\"k\":1}", "contains", "\"k\""), S},
        Case{"contains_null", "evaluation", EVAL1("null", "contains", "\"k\""), F},
        Case{"not_contains", "evaluation", EVAL1("\"abc\"", "!contains", "\"z\""), S},
        Case{"bad_regex", "evaluation", EVAL1("\"abc\"", "contains", "\"(\""), E, nullptr,
             "invalid regular expression"},
        Case{"unknown_op_is_false", "evaluation", EVAL1("1", "=~", "1"), F,
             R"({"return_value":false})"},
        Case{"query_left", "evaluation",
             R"({"all_true_flag":true,"evaluation_groups":[{"all_true_flag":true,"evaluations":[
                {"operand_1":{"response":{"status":"SUCCESS"}},"operator":"==",
                 "operand_2":"SUCCESS","query":"response.status"}]}]})",
             S},
        Case{"query_right", "evaluation",
             R"({"all_true_flag":true,"evaluation_groups":[{"all_true_flag":true,"evaluations":[
                {"operand_1":"x","operator":"==","operand_2":{"a":"x"},"rightQuery":"a"}]}]})",
             S},
        Case{"query_loop_failed", "evaluation",
             R"({"all_true_flag":false,"evaluation_groups":[{"all_true_flag":false,"evaluations":[
                {"operand_1":{"loop":[{"returnStatus":"SUCCESS"}]},"operator":"<",
                 "operand_2":1,"query":"loop[*returnStatus=FAILED]","rightQuery":""}]}]})",
             S},
        Case{"bad_query", "evaluation",
             R"({"evaluation_groups":[{"evaluations":[
                {"operand_1":{},"operator":"==","operand_2":1,"query":"a["}]}]})",
             E, nullptr, "evaluations[0]"},
        Case{"any_group", "evaluation",
             R"({"all_true_flag":false,"evaluation_groups":[
                {"all_true_flag":true,"evaluations":[{"operand_1":1,"operator":"==","operand_2":2}]},
                {"all_true_flag":true,"evaluations":[{"operand_1":1,"operator":"==","operand_2":1}]}]})",
             S},
        Case{"all_groups", "evaluation",
             R"({"all_true_flag":true,"evaluation_groups":[
                {"all_true_flag":true,"evaluations":[{"operand_1":1,"operator":"==","operand_2":2}]},
                {"all_true_flag":true,"evaluations":[{"operand_1":1,"operator":"==","operand_2":1}]}]})",
             F},
        Case{"any_in_group", "evaluation",
             R"({"all_true_flag":true,"evaluation_groups":[{"all_true_flag":false,"evaluations":[
                {"operand_1":1,"operator":"==","operand_2":2},
                {"operand_1":1,"operator":"==","operand_2":1}]}]})",
             S},
        Case{"flag_as_string", "evaluation", R"({"all_true_flag":"false","evaluation_groups":[]})",
             F},
        Case{"groups_missing", "evaluation", R"({"all_true_flag":true})", E, nullptr,
             "evaluation_groups"},
        Case{"evaluations_not_array", "evaluation", R"({"evaluation_groups":[{"evaluations":3}]})",
             E, nullptr, "evaluations must be an array"}));

INSTANTIATE_TEST_SUITE_P(
    Query, BuiltinCases,
    ::testing::Values(
        Case{"found", "query", R"({"pass_on_null":false,"query":"a.b","obj":{"a":{"b":5}}})", S,
             R"({"return_data":5})"},
        Case{"missing_fails", "query", R"({"pass_on_null":false,"query":"a.c","obj":{"a":{}}})", F,
             R"({"return_data":null})"},
        Case{"missing_passes", "query", R"({"pass_on_null":true,"query":"a.c","obj":{"a":{}}})", S,
             R"({"return_data":null})"},
        Case{"empty_array_found", "query", R"({"query":"a[*x=1]","obj":{"a":[]}})", S,
             R"({"return_data":[]})"},
        // Issue 10: json-query gives null (not undefined) for a path that holds null, a
        // missing parent and a filter without a match; only undefined fails the task.
        Case{"null_value_succeeds", "query",
             R"({"pass_on_null":false,"query":"a.b","obj":{"a":{"b":null}}})", S,
             R"({"return_data":null})"},
        Case{"missing_parent_is_null", "query",
             R"({"pass_on_null":false,"query":"a.b.c","obj":{"a":{}}})", S,
             R"({"return_data":null})"},
        Case{"no_filter_match_is_null", "query",
             R"({"pass_on_null":false,"query":"a[x=2]","obj":{"a":[{"x":1}]}})", S,
             R"({"return_data":null})"},
        Case{"missing_top_key_fails", "query",
             R"({"pass_on_null":false,"query":"nope","obj":{"a":1}})", F,
             R"({"return_data":null})"},
        Case{"missing_index_fails", "query",
             R"({"pass_on_null":false,"query":"a[3]","obj":{"a":[1]}})", F,
             R"({"return_data":null})"},
        Case{"pass_on_null_string", "query",
             R"({"pass_on_null":"true","query":"nope","obj":{"a":1}})", S,
             R"({"return_data":null})"},
        Case{"falsy_parent_is_null", "query",
             R"({"pass_on_null":false,"query":"a.b","obj":{"a":0}})", S,
             R"({"return_data":null})"},
        Case{"js_error_is_error", "query",
             R"({"query":"a.b","obj":{"a":[null,{"b":1}]}})", E, nullptr, "of null"},
        Case{"empty_query", "query", R"({"query":"","obj":[1]})", S, R"({"return_data":[1]})"},
        Case{"malformed", "query", R"({"query":"a[","obj":{}})", E, nullptr, "json-query"},
        Case{"query_not_string", "query", R"({"query":3,"obj":{}})", E, nullptr, "\"query\""}));

INSTANTIATE_TEST_SUITE_P(
    Variables, BuiltinCases,
    ::testing::Values(
        Case{"new_variable", "newVariable", R"({"name":"host","value":{"a":"$var.job.x"}})", S,
             R"({"value":{"a":"$var.job.x"}})", nullptr, "{}", R"({"host":{"a":"$var.job.x"}})"},
        Case{"new_variable_no_name", "newVariable", R"({"name":"","value":1})", E, nullptr,
             "\"name\""},
        Case{"push", "push", R"({"job_variable":"fruits","item_to_push":"pear"})", S,
             R"({"job_variable_value":["apple","pear"]})", nullptr, R"({"fruits":["apple"]})",
             R"({"fruits":["apple","pear"]})"},
        Case{"push_missing_var", "push", R"({"job_variable":"nope","item_to_push":1})", E, nullptr,
             "does not exist"},
        Case{"push_not_array", "push", R"({"job_variable":"x","item_to_push":1})", E, nullptr,
             "must be an array", R"({"x":3})"},
        Case{"pop", "pop", R"({"job_variable":"fruits"})", S, R"({"popped_item":"orange"})",
             nullptr, R"({"fruits":["apple","orange"]})", R"({"fruits":["apple"]})"},
        Case{"pop_empty", "pop", R"({"job_variable":"fruits"})", F, R"({"popped_item":null})",
             nullptr, R"({"fruits":[]})"},
        Case{"shift", "shift", R"({"job_variable":"fruits"})", S, R"({"shifted_item":"apple"})",
             nullptr, R"({"fruits":["apple","orange"]})", R"({"fruits":["orange"]})"},
        Case{"shift_empty", "shift", R"({"job_variable":"fruits"})", F, R"({"shifted_item":null})",
             nullptr, R"({"fruits":[]})"},
        Case{"shift_no_name", "shift", R"({})", E, nullptr, "job_variable"},
        Case{"update_description", "updateJobDescription", R"({"description":"new text"})", S,
             R"({"description":"new text"})"},
        Case{"update_description_bad", "updateJobDescription", R"({"description":5})", E, nullptr,
             "\"description\""}));

INSTANTIATE_TEST_SUITE_P(
    Merge, BuiltinCases,
    ::testing::Values(
        Case{"keyed", "merge",
             R"({"data_to_merge":[{"key":"name","value":"vpc-id","editable":true},
                                  {"key":"value","value":["vpc-1"]}]})",
             S, R"({"merged_object":{"name":"vpc-id","value":["vpc-1"]}})"},
        Case{"unkeyed", "merge", R"({"data_to_merge":[{"a":1},{"b":2},3]})", S,
             R"({"merged_object":[{"a":1},{"b":2},3]})"},
        Case{"empty_keys", "merge",
             R"({"data_to_merge":[{"key":"","value":1},{"key":"","value":2}]})", S,
             R"({"merged_object":[1,2]})"},
        Case{"duplicate_keys", "merge",
             R"({"data_to_merge":[{"key":"k","value":1},{"key":"k","value":[2]},
                                  {"key":"k","value":3}]})",
             S, R"({"merged_object":{"k":[1,[2],3]}})"},
        Case{"mixed", "merge", R"({"data_to_merge":[{"key":"k","value":1},5]})", E, nullptr,
             "every item"},
        // Issue 10: a recorded IAP job merged a single item and succeeded.
        Case{"single_keyed", "merge", R"({"data_to_merge":[{"key":"name","value":"x"}]})", S,
             R"({"merged_object":{"name":"x"}})"},
        Case{"single_unkeyed", "merge", R"({"data_to_merge":[{"a":1}]})", S,
             R"({"merged_object":[{"a":1}]})"},
        Case{"no_items", "merge", R"({"data_to_merge":[]})", S, R"({"merged_object":[]})"},
        Case{"not_array", "merge", R"({"data_to_merge":{}})", E, nullptr, "data_to_merge"}));

INSTANTIATE_TEST_SUITE_P(
    MakeData, BuiltinCases,
    ::testing::Values(
        Case{
            "string", "makeData",
            R"({"input":"Who are you <!var1!>","outputType":"string","variables":{"var1":"I'm Batman"}})",
            S, R"({"output":"Who are you I'm Batman"})"},
        Case{
            "json", "makeData",
            R"({"input":"{\"name\":\"<!v!>\",\"n\":<!n!>}","outputType":"json","variables":{"v":"Bruce","n":3}})",
            S, R"({"output":{"name":"Bruce","n":3}})"},
        Case{"number", "makeData", R"({"input":" 42.5 ","outputType":"number"})", S,
             R"({"output":42.5})"},
        Case{"integer", "makeData", R"({"input":"7","outputType":"number","variables":""})", S,
             R"({"output":7})"},
        Case{"boolean", "makeData", R"({"input":"True","outputType":"boolean","variables":""})", S,
             R"({"output":true})"},
        Case{"bad_json", "makeData", R"({"input":"{nope","outputType":"json"})", E, nullptr,
             "not valid JSON"},
        Case{"bad_number", "makeData", R"({"input":"12abc","outputType":"number"})", E, nullptr,
             "not a number"},
        Case{"bad_boolean", "makeData", R"({"input":"yes","outputType":"boolean"})", E, nullptr,
             "not true or false"},
        Case{"bad_type", "makeData", R"({"input":"x","outputType":"xml"})", E, nullptr,
             "outputType"},
        Case{"missing_var", "makeData", R"({"input":"<!x!>","outputType":"string","variables":{}})",
             E, nullptr, "<!x!>"}));

INSTANTIATE_TEST_SUITE_P(
    StubDelay, BuiltinCases,
    ::testing::Values(
        Case{"stub_success", "stub", R"({"type":"success","delay":"","response":"FAILED"})", S,
             R"({"response":"FAILED"})"},
        Case{"stub_error_delay", "stub", R"({"type":"error","delay":12,"response":"x"})", E,
             R"({"response":"x"})", "configured", "{}", nullptr, 12000},
        Case{"stub_failure", "stub", R"({"type":"failure","delay":"1.5","response":null})", F,
             R"({"response":null})", nullptr, "{}", nullptr, 1500},
        Case{"stub_bad_type", "stub", R"({"type":"maybe"})", E, nullptr, "maybe"},
        Case{"stub_bad_delay", "stub", R"({"type":"success","delay":"soon"})", E, nullptr,
             "\"delay\""},
        Case{"delay", "delay", R"({"time":60})", S, R"({"time_in_milliseconds":60000})", nullptr,
             "{}", nullptr, 60000},
        Case{"delay_string", "delay", R"({"time":"0.25"})", S, R"({"time_in_milliseconds":250})",
             nullptr, "{}", nullptr, 250},
        Case{"delay_negative", "delay", R"({"time":-1})", E, nullptr, "\"time\""},
        Case{"delay_missing", "delay", R"({})", E, nullptr, "\"time\""}));

INSTANTIATE_TEST_SUITE_P(
    Objects, BuiltinCases,
    ::testing::Values(
        Case{"set_key", "setObjectKey", R"({"obj":{},"path":["serials"],"value":[1,2]})", S,
             R"({"object":{"serials":[1,2]}})"},
        Case{"set_nested", "setObjectKey", R"({"obj":{"a":{"x":1}},"path":"a.b.c","value":2})", S,
             R"({"object":{"a":{"x":1,"b":{"c":2}}}})"},
        Case{"set_in_array", "setObjectKey", R"({"obj":{"a":[0,1]},"path":["a",2],"value":9})", S,
             R"({"object":{"a":[0,1,9]}})"},
        Case{"set_bad_index", "setObjectKey", R"({"obj":{"a":[0]},"path":["a",5],"value":9})", E,
             nullptr, "index"},
        Case{"set_bad_obj", "setObjectKey", R"({"obj":5,"path":["a"],"value":1})", E, nullptr,
             "\"obj\""},
        Case{"set_empty_path", "setObjectKey", R"({"obj":{},"path":[],"value":1})", E, nullptr,
             "path"},
        Case{"modify_scalar", "modify", R"({"object_to_update":false,"query":"","new_value":true})",
             S, R"({"updated_object":true})"},
        Case{"modify_field", "modify",
             R"({"object_to_update":{"sync-status":true,"d":{"description":"a"}},
                 "query":"d.description","new_value":"b"})",
             S, R"({"updated_object":{"sync-status":true,"d":{"description":"b"}}})"},
        Case{"modify_bracket", "modify",
             R"({"object_to_update":{"a":[{"x":1}]},"query":"a[0][\"x\"]","new_value":2})", S,
             R"({"updated_object":{"a":[{"x":2}]}})"},
        Case{"modify_filter_rejected", "modify",
             R"({"object_to_update":{"a":[]},"query":"a[x=1]","new_value":2})", E, nullptr,
             "plain path"}));

INSTANTIATE_TEST_SUITE_P(
    Arrays, BuiltinCases,
    ::testing::Values(
        Case{"array_push", "arrayPush", R"({"arr":[],"elementN":{"name":"vpc-id"}})", S,
             R"({"pushedArray":[{"name":"vpc-id"}]})"},
        Case{"array_push_array_el", "arrayPush", R"({"arr":[1],"elementN":[2,3]})", S,
             R"({"pushedArray":[1,[2,3]]})"},
        Case{"array_push_bad", "arrayPush", R"({"arr":"x","elementN":1})", E, nullptr, "\"arr\""},
        Case{"array_length", "arrayLength", R"({"arr":[1,2,3]})", S, R"({"length":3})"},
        Case{"array_length_bad", "arrayLength", R"({"arr":5})", E, nullptr,
             "input \"arr\" must be an array, got number"},
        Case{"index_of", "arrayIndexOf", R"({"arr":["a","b","c","b"],"searchElement":"b"})", S,
             R"({"index":1})"},
        Case{"index_of_from", "arrayIndexOf",
             R"({"arr":["a","b","c","b"],"searchElement":"b","fromIndex":2})", S, R"({"index":3})"},
        Case{"index_of_negative_from", "arrayIndexOf",
             R"({"arr":["a","b","c","b"],"searchElement":"a","fromIndex":-1})", S,
             R"({"index":-1})"},
        Case{"index_of_strict", "arrayIndexOf", R"({"arr":[1,"2"],"searchElement":2})", S,
             R"({"index":-1})"},
        Case{"index_of_object", "arrayIndexOf", R"({"arr":[{"a":1}],"searchElement":{"a":1}})", S,
             R"({"index":0})"},
        Case{"index_of_bad_from", "arrayIndexOf", R"({"arr":[],"searchElement":1,"fromIndex":{}})",
             E, nullptr, "fromIndex"}));

INSTANTIATE_TEST_SUITE_P(
    Strings, BuiltinCases,
    ::testing::Values(
        Case{"replace", "replace", R"({"str":"a __V__ b __V__","substr":"__V__","newSubstr":"10"})",
             S, R"({"replacedString":"a 10 b __V__"})"},
        Case{"replace_patterns", "replace", R"({"str":"xay","substr":"a","newSubstr":"[$&$$]"})", S,
             R"({"replacedString":"x[a$]y"})"},
        Case{"replace_none", "replace", R"({"str":"abc","substr":"z","newSubstr":"y"})", S,
             R"({"replacedString":"abc"})"},
        Case{"replace_number", "replace", R"({"str":"abc","substr":"b","newSubstr":5})", E, nullptr,
             "newSubstr"},
        Case{"parse", "parse", R"({"text":"{\"firstName\":\"John\",\"age\":22}"})", S,
             R"({"textObject":{"firstName":"John","age":22}})"},
        Case{"parse_bad", "parse", R"({"text":"{oops"})", E, nullptr, "not valid JSON"},
        Case{"parse_not_string", "parse", R"({"text":{}})", E, nullptr, "\"text\""},
        Case{"join", "join", R"({"arr":["a",1,null,true,[2,3]],"separator":"-"})", S,
             R"({"combinedString":"a-1--true-2,3"})"},
        Case{"join_default", "join", R"({"arr":["a","b"]})", S, R"({"combinedString":"a,b"})"},
        Case{"join_bad", "join", R"({"arr":"ab"})", E, nullptr, "\"arr\""},
        Case{"concat_array", "stringConcat",
             R"({"str":"Hello World","stringN":[", you will"," have high success today"]})", S,
             R"({"combinedStrings":"Hello World, you will have high success today"})"},
        Case{"concat_string", "stringConcat", R"({"str":"a","stringN":"b"})", S,
             R"({"combinedStrings":"ab"})"},
        Case{"concat_bad", "stringConcat", R"({"str":1,"stringN":"b"})", E, nullptr, "\"str\""},
        Case{"substring", "substring", R"({"str":"800-555-1212","indexStart":0,"indexEnd":3})", S,
             R"({"substring":"800"})"},
        Case{"substring_swap", "substring", R"({"str":"800-555-1212","indexStart":7,"indexEnd":4})",
             S, R"({"substring":"555"})"},
        Case{"substring_to_end", "substring", R"({"str":"héllo","indexStart":1})", S,
             R"({"substring":"éllo"})"},
        Case{"substring_clamp", "substring", R"({"str":"abc","indexStart":-5,"indexEnd":99})", S,
             R"({"substring":"abc"})"},
        Case{"substring_bad", "substring", R"({"str":"abc","indexStart":[]})", E, nullptr,
             "indexStart"},
        Case{"length", "stringLength", R"({"str":"12 Dollars And 43 Cents"})", S,
             R"({"length":23})"},
        Case{"length_utf8", "stringLength", R"({"str":"héllo"})", S, R"({"length":5})"},
        Case{"length_bad", "stringLength", R"({"str":null})", E, nullptr, "\"str\""},
        Case{"num_to_string", "numberToString", R"({"num":255})", S, R"({"numToString":"255"})"},
        Case{"num_to_hex", "numberToString", R"({"num":255,"radix":16})", S,
             R"({"numToString":"ff"})"},
        Case{"num_to_bin_neg", "numberToString", R"({"num":-5,"radix":2})", S,
             R"({"numToString":"-101"})"},
        Case{"num_fraction", "numberToString", R"({"num":0.1})", S, R"({"numToString":"0.1"})"},
        Case{"num_big", "numberToString", R"({"num":1e21})", S, R"({"numToString":"1e+21"})"},
        Case{"num_small", "numberToString", R"({"num":1.5e-7})", S, R"({"numToString":"1.5e-7"})"},
        Case{"num_string", "numberToString", R"({"num":"12","radix":10})", S,
             R"({"numToString":"12"})"},
        Case{"num_bad_radix", "numberToString", R"({"num":1,"radix":40})", E, nullptr, "radix"},
        Case{"num_fraction_radix", "numberToString", R"({"num":1.5,"radix":2})", E, nullptr,
             "integers"},
        Case{"num_bad", "numberToString", R"({"num":"abc"})", E, nullptr, "\"num\""}));

INSTANTIATE_TEST_SUITE_P(
    Time, BuiltinCases,
    ::testing::Values(
        Case{
            "get_time_default", "getTime", R"({})", S,
            R"({"time":{"time":"2023-06-21T15:02:07.254000+0000","formatString":"YYYY-MM-DDTHH:mm:ss.SSSSSSZZ"}})"},
        Case{"get_time_zone_offset", "getTime",
             R"({"timezone":"UTC -04:00","offsetDuration":{"days":7,"months":1},"format":"LLLL"})",
             S, R"({"time":{"time":"Friday, July 28, 2023 11:02 AM","formatString":"LLLL"}})"},
        Case{"get_time_ms_offset", "getTime",
             R"({"Timezone":"UTC","offsetDuration":1000,"format":"HH:mm:ss [at] X"})", S,
             R"({"time":{"time":"15:02:08 at 1687359728","formatString":"HH:mm:ss [at] X"}})"},
        Case{"get_time_text_duration", "getTime",
             R"({"offsetDuration":"{\"hours\": 4}","format":"YYYY-MM-DD HH:mm Z"})", S,
             R"({"time":{"time":"2023-06-21 19:02 +00:00","formatString":"YYYY-MM-DD HH:mm Z"}})"},
        Case{"get_time_named_zone", "getTime", R"({"timezone":"America/New_York"})", E, nullptr,
             "UTC offset"},
        Case{"get_time_bad_unit", "getTime", R"({"offsetDuration":{"fortnights":1}})", E, nullptr,
             "fortnights"},
        Case{
            "time_diff", "calculateTimeDiff",
            R"({"firstTime":{"formatString":"YYYY-MM-DDTHH:mm:ss.SSSSSSZZ","time":"2023-05-29T01:21:14.052000-1100"},
                 "secondTime":{"formatString":"YYYY-MM-DDTHH:mm:ss.SSSSSSZZ","time":"2023-06-28T01:21:14.052000-1100"}})",
            S,
            R"({"timeDiff":{"milliseconds":-2592000000,"seconds":-2592000,"minutes":-43200,"hours":-720,"days":-30,"months":-0.9856465225158627,"years":-0.08213721020965523}})"},
        Case{
            "time_diff_iso", "calculateTimeDiff",
            R"({"firstTime":"2023-06-21T15:02:08Z","secondTime":1687359727000})", S,
            R"({"timeDiff":{"milliseconds":1000,"seconds":1,"minutes":0.016666666666666666,"hours":0.0002777777777777778,"days":1.1574074074074073e-5,"months":3.8026486208173714e-7,"years":3.1688738506811426e-8}})"},
        Case{"time_diff_bad", "calculateTimeDiff",
             R"({"firstTime":{"time":"yesterday","formatString":"YYYY"},"secondTime":0})", E,
             nullptr, "firstTime"},
        Case{"time_diff_missing", "calculateTimeDiff", R"({"firstTime":0})", E, nullptr,
             "secondTime"}));

TEST(Registry, FindsEveryBuiltin) {
  const char* kMethods[] = {
      "evaluation",     "query",     "newVariable",       "merge",        "makeData",
      "stub",           "delay",     "setObjectKey",      "push",         "pop",
      "shift",          "arrayPush", "arrayLength",       "arrayIndexOf", "replace",
      "parse",          "join",      "stringConcat",      "substring",    "stringLength",
      "numberToString", "getTime",   "calculateTimeDiff", "modify",       "updateJobDescription",
      "transformation", "restCall"};
  EXPECT_EQ(AllBuiltins().size(), std::size(kMethods));
  for (const char* m : kMethods) {
    const TaskDescriptor* d = FindBuiltin(m);
    ASSERT_NE(d, nullptr) << m;
    EXPECT_EQ(d->method, m);
    std::string_view mv(m);
    EXPECT_EQ(d->reads_job_variables, mv == "push" || mv == "pop" || mv == "shift") << m;
  }
  EXPECT_EQ(FindBuiltin("nope"), nullptr);
  EXPECT_EQ(FindBuiltin("Query"), nullptr);
}

TEST(Registry, Helpers) {
  TaskResult s = Success(json::object{{"a", 1}});
  EXPECT_EQ(s.finish, Finish::kSuccess);
  EXPECT_EQ(s.outgoing.at("a"), json::value(1));
  EXPECT_EQ(Failure({}).finish, Finish::kFailure);
  TaskResult e = Error("boom");
  EXPECT_EQ(e.finish, Finish::kError);
  EXPECT_EQ(e.error, "boom");
}

// Every task, every input name, every kind of value: it finishes (an error has a message).
TEST(Registry, SurvivesAnyInput) {
  const char* kKeys[] = {"all_true_flag", "evaluation_groups",
                         "pass_on_null",  "query",
                         "obj",           "name",
                         "value",         "data_to_merge",
                         "input",         "outputType",
                         "variables",     "type",
                         "delay",         "response",
                         "time",          "path",
                         "job_variable",  "item_to_push",
                         "arr",           "elementN",
                         "searchElement", "fromIndex",
                         "str",           "substr",
                         "newSubstr",     "text",
                         "separator",     "stringN",
                         "indexStart",    "indexEnd",
                         "num",           "radix",
                         "timezone",      "offsetDuration",
                         "format",        "firstTime",
                         "secondTime",    "object_to_update",
                         "new_value",     "description"};
  const char* kValues[] = {"null",
                           "0",
                           "-1",
                           "1e300",
                           "-0.5",
                           "\"\"",
                           "\"x\"",
                           "\"-1\"",
                           "true",
                           "[]",
                           "{}",
                           "[[[[1]]]]",
                           "{\"a\":{\"b\":[1,{}]}}",
                           "[{\"evaluations\":[{\"operator\":\"==\"}]}]",
                           "{\"time\":\"2023-01-01\",\"formatString\":\"\"}",
                           "\"<!x!>\"",
                           "\"a[\"",
                           "\"9999999999999999999999\""};
  json::object vars = json::parse(R"({"x":[1],"y":3})").as_object();
  int runs = 0;
  for (const TaskDescriptor& d : AllBuiltins()) {
    for (const char* key : kKeys) {
      for (const char* val : kValues) {
        json::object incoming;
        incoming[key] = json::parse(val);
        incoming["job_variable"] = std::string(key) == "job_variable" ? incoming[key] : "x";
        TaskContext ctx{incoming, vars, 0};
        TaskResult r = d.run(ctx);
        if (r.finish == Finish::kError) {
          EXPECT_FALSE(r.error.empty()) << d.method << " " << key;
        }
        EXPECT_GE(r.delay_ms, 0);
        ++runs;
      }
    }
  }
  EXPECT_GT(runs, 10000);
}

}  // namespace
}  // namespace opsflow::tasks
