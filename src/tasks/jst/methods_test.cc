// One test per JST library method: constant arguments in, the JS result out.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "tasks/jst/jst_test_util.h"

namespace opsflow::tasks::jst {
namespace {

namespace bj = boost::json;
using testing::Call;
using testing::Obj;

bj::value J(const char* text) { return bj::parse(text); }

struct Case {
  const char* method;
  const char* args;
  const char* want;  // JSON
};

class JstMethodCases : public ::testing::TestWithParam<Case> {};

TEST_P(JstMethodCases, Returns) {
  const Case& c = GetParam();
  EXPECT_EQ(Call(c.method, c.args), J(c.want)) << c.method << " " << c.args;
}

INSTANTIATE_TEST_SUITE_P(
    Object, JstMethodCases,
    ::testing::Values(Case{"Object.getProperty", R"([{"a":1}, "a"])", "1"},
                      Case{"Object.getProperty", R"([{"a":1}, "b"])", "null"},
                      Case{"Object.getProperty", R"([null, "b"])", "null"},
                      Case{"Object.getProperty", R"([[5,6], 1])", "6"},
                      Case{"Object.getProperty", R"([[5,6], "length"])", "2"},
                      Case{"Object.setProperty", R"([{"a":1}, "b", 2])", R"({"a":1,"b":2})"},
                      Case{"Object.setProperty", R"([null, "b", 2])", R"({"b":2})"},
                      Case{"Object.setProperty", R"([[1], 2, 3])", R"([1,null,3])"},
                      Case{"Object.setProperty", R"([[1], "x", 3])", R"([1])"},
                      Case{"Object.keys", R"([{"a":1,"b":2}])", R"(["a","b"])"},
                      Case{"Object.values", R"([{"a":1,"b":2}])", R"([1,2])"},
                      Case{"Object.entries", R"([{"a":1}])", R"([["a",1]])"},
                      Case{"Object.hasOwnProperty", R"([{"a":null}, "a"])", "true"},
                      Case{"Object.hasOwnProperty", R"([{"a":1}, "b"])", "false"},
                      Case{"Object.assign", R"([{"a":1}, {"b":2}])", R"({"a":1,"b":2})"},
                      Case{"Object.new Object", R"(["{}"])", "{}"},
                      Case{"Object.new Object", R"([{"module":"x"}])", R"({"module":"x"})"},
                      Case{"Object.new Object", R"([null])", "{}"}));

INSTANTIATE_TEST_SUITE_P(
    Array, JstMethodCases,
    ::testing::Values(
        Case{"Array.getIndex", R"([[1,2,3], 0])", "1"},
        Case{"Array.getIndex", R"([[1,2,3], 5])", "null"},
        Case{"Array.getIndex", R"([[1,2,3], -1])", "3"}, Case{"Array.isArray", R"([[1]])", "true"},
        Case{"Array.isArray", R"([{}])", "false"}, Case{"Array.length", R"([[1,2]])", "2"},
        Case{"Array.push", R"([[1], 2])", "[1,2]"},
        Case{"Array.pop", R"([[1,2]])", R"({"value":2,"array":[1]})"},
        Case{"Array.pop", R"([[]])", R"({"value":null,"array":[]})"},
        Case{"Array.shift", R"([[1,2]])", R"({"value":1,"array":[2]})"},
        Case{"Array.unshift", R"([[2], 1])", "[1,2]"},
        Case{"Array.slice", R"([[1,2,3,4], 1, 3])", "[2,3]"},
        Case{"Array.slice", R"([[1,2,3,4], -2, null])", "[3,4]"},
        Case{"Array.concat", R"([[], {"a":1}])", R"([{"a":1}])"},
        Case{"Array.concat", R"([[1], [2,3], 4])", "[1,2,3,4]"},
        Case{"Array.fill", R"([[0,0,0], [], null, null])", "[[],[],[]]"},
        Case{"Array.fill", R"([[0,0,0], 7, 1, 2])", "[0,7,0]"},
        Case{"Array.includes", R"([[1,"a"], "a"])", "true"},
        Case{"Array.indexOf", R"([[1,"a"], "a"])", "1"},
        Case{"Array.indexOf", R"([[1,"a"], "b"])", "-1"},
        Case{"Array.join", R"([[1,null,"x"], "-"])", R"("1--x")"},
        // join is generic (Array.prototype.join.call): objects are array-likes, strings
        // join their characters, other values have no length.
        Case{"Array.join", R"([{"k": 1}, ", "])", R"("")"},
        Case{"Array.join", R"([{"length": 3, "0": "a", "2": 2}, null])", R"("a,,2")"},
        Case{"Array.join", R"(["h\u00e9!", "-"])", R"("h-\u00e9-!")"},
        Case{"Array.join", R"([7, "-"])", R"("")"},
        Case{"JSON.type of", R"(["s"])", R"("string")"},
        Case{"JSON.type of", R"([[1]])", R"("object")"},
        Case{"JSON.type of", R"([{}])", R"("object")"},
        Case{"JSON.type of", R"([1.5])", R"("number")"},
        Case{"JSON.type of", R"([false])", R"("boolean")"},
        Case{"JSON.type of", R"([null])", R"("undefined")"},
        Case{"Array.reverse", R"([[1,2]])", "[2,1]"},
        Case{"Array.sort", R"([["b","a",10,9]])", R"([10,9,"a","b"])"},
        Case{"Array.flat", R"([[1,[2,[3]]]])", "[1,2,[3]]"},
        Case{"Array.new Array", R"([1, 2])", "[1,2]"}, Case{"Array.new Array", R"([])", "[]"},
        Case{
            "Array.length", R"([5])",
            R"j({"error":"Array.length: argument 0 must be an array, got number (step 1 of one)"})j"}));

INSTANTIATE_TEST_SUITE_P(
    String, JstMethodCases,
    ::testing::Values(Case{"String.concat", R"(["a", 1, null, "b"])", R"("a1nullb")"},
                      Case{"String.includes", R"(["abc", "bc"])", "true"},
                      Case{"String.includes", R"(["abc", "x", null])", "false"},
                      Case{"String.length", R"(["héllo"])", "5"},
                      Case{"String.replace", R"(["a:b:c", ":", "-"])", R"("a-b:c")"},
                      Case{"String.replaceAll", R"(["a:b:c", ":", "-"])", R"("a-b-c")"},
                      Case{"String.split", R"(["a,b,,c", ",", null])", R"(["a","b","","c"])"},
                      Case{"String.split", R"(["a,b,c", ",", 2])", R"(["a","b"])"},
                      Case{"String.split", R"(["abc", "", null])", R"(["a","b","c"])"},
                      Case{"String.split", R"(["abc", null, null])", R"(["abc"])"},
                      Case{"String.trim", R"(["  a b \n"])", R"("a b")"},
                      Case{"String.charAt", R"(["abc", 1])", R"("b")"},
                      Case{"String.charAt", R"(["0", 1])", R"("")"},
                      Case{"String.toUpperCase", R"(["aB"])", R"("AB")"},
                      Case{"String.toLowerCase", R"(["aB"])", R"("ab")"},
                      Case{"String.startsWith", R"(["abc", "ab"])", "true"},
                      Case{"String.endsWith", R"(["abc", "bc"])", "true"},
                      Case{"String.indexOf", R"(["abc", "c"])", "2"},
                      Case{"String.substring", R"(["abcdef", 4, 1])", R"("bcd")"},
                      Case{"String.slice", R"(["abcdef", -2, null])", R"("ef")"},
                      Case{"String.padStart", R"(["7", 3, "0"])", R"("007")"},
                      Case{"String.repeat", R"(["ab", 2])", R"("abab")"},
                      Case{"String.new String", R"(["SUCCESS"])", R"("SUCCESS")"},
                      Case{"String.new String", R"([null])", R"("")"}));

INSTANTIATE_TEST_SUITE_P(
    NumberMathBoolean, JstMethodCases,
    ::testing::Values(
        Case{"Number.parseFloat", R"(["12.49"])", "12.49"},
        Case{"Number.parseFloat", R"(["3.5abc"])", "3.5"},
        Case{"Number.parseFloat", R"(["abc"])", "null"},  // NaN leaves as null
        Case{"Number.parseFloat", R"([7])", "7"}, Case{"Number.parseInt", R"(["42px"])", "42"},
        Case{"Number.parseInt", R"(["ff", 16])", "255"}, Case{"Number.isInteger", R"([3])", "true"},
        Case{"Number.toFixed", R"([3.14159, 2])", R"("3.14")"},
        Case{"Number.new Number", R"(["20.24"])", "20.24"},
        Case{"Number.new Number", R"([null])", "0"}, Case{"Math.add", R"([1, 2])", "3"},
        Case{"Math.add", R"(["1", 2])", R"("12")"}, Case{"Math.subtract", R"(["5", 1])", "4"},
        Case{"Math.multiply", R"([2, 2.5])", "5"}, Case{"Math.divide", R"([7, 2])", "3.5"},
        Case{"Math.divide", R"([1, 0])", "null"},  // Infinity leaves as null
        Case{"Math.ceil", R"([2.1])", "3"}, Case{"Math.floor", R"([2.9])", "2"},
        Case{"Math.round", R"([2.5])", "3"}, Case{"Math.max", R"([1, 5, 3])", "5"},
        Case{"Math.min", R"([[4, 2]])", "2"}, Case{"Boolean.new Boolean", R"([false])", "false"},
        Case{"Boolean.new Boolean", R"(["x"])", "true"}));

INSTANTIATE_TEST_SUITE_P(
    Logic, JstMethodCases,
    ::testing::Values(
        Case{"Conditional.ternary", R"([true, "a", "b"])", R"("a")"},
        Case{"Conditional.ternary", R"(["", "a", "b"])", R"("b")"},
        Case{"Equality.equality", R"([1, "1"])", "true"},
        Case{"Equality.equality", R"([null, 0])", "false"},
        Case{"Equality.inequality", R"(["a", "b"])", "true"},
        Case{"Equality.identity", R"([1, "1"])", "false"},
        Case{"Equality.identity", R"([2, 2.0])", "true"},
        Case{"Equality.nonidentity", R"([1, "1"])", "true"},
        Case{"Equality.deepEquals", R"([{"a":[1]}, {"a":[1]}])", "true"},
        Case{"Logical.and", R"([true, 5])", "5"}, Case{"Logical.and", R"([0, 5])", "0"},
        Case{"Logical.or", R"([null, "x"])", R"("x")"}, Case{"Logical.not", R"([[]])", "false"},
        Case{"Logical.nullish", R"([null, {"id":"Not Found"}])", R"({"id":"Not Found"})"},
        Case{"Logical.nullish", R"([0, 1])", "0"},
        Case{"Relational.greaterThan", R"([2, 1])", "true"},
        Case{"Relational.greaterThan", R"(["b", "a"])", "true"},
        Case{"Relational.greaterThanOrEqual", R"(["15", 15])", "true"},
        Case{"Relational.lessThan", R"(["x", 1])", "false"},
        Case{"Relational.lessThanOrEqual", R"([1, 2])", "true"}));

INSTANTIATE_TEST_SUITE_P(
    DateRegExpJsonQuery, JstMethodCases,
    ::testing::Values(
        Case{"Date.parse", R"(["2023-05-16T00:00:00Z"])", "1684195200000"},
        Case{"Date.parse", R"(["2023-05-16"])", "1684195200000"},
        Case{"Date.parse", R"(["Tue May 16 2023"])", "1684195200000"},
        Case{"Date.parse", R"(["Tue, 16 May 2023 00:00:00 GMT"])", "1684195200000"},
        Case{"Date.parse", R"(["2023-05-16T02:00:00+02:00"])", "1684195200000"},
        Case{"Date.parse", R"(["nonsense"])", "null"},
        Case{"Date.toISOString", R"([1684195200000])", R"("2023-05-16T00:00:00.000Z")"},
        Case{"Date.toDateString", R"(["2023-05-16T10:00:00Z"])", R"("Tue May 16 2023")"},
        Case{"Date.toUTCString", R"([0])", R"("Thu, 01 Jan 1970 00:00:00 GMT")"},
        Case{"Date.getTime", R"(["1970-01-01T00:00:01Z"])", "1000"},
        Case{"RegExp.test", R"(["^[0-9]+$|^[0-9]+\\.[0-9]*$", "12.5"])", "true"},
        Case{"RegExp.test", R"(["^[0-9]+$|^[0-9]+\\.[0-9]*$", "x1"])", "false"},
        Case{"JSON.parse", R"(["{\"a\":[1]}"])", R"({"a":[1]})"},
        Case{"JSON.stringify", R"([{"a":[1,"x"]}])", R"("{\"a\":[1,\"x\"]}")"},
        Case{"WorkFlowEngine.query", R"([false, "a.b[0]", {"a":{"b":[7]}}])", "7"},
        Case{"WorkFlowEngine.query", R"([false, "a.c", {"a":{"b":[7]}}])", "null"}));

TEST(JstMethods, Declarations) {
  EXPECT_EQ(Call("Array.new Array", "[3]", {}, "declaration"), J("[3]"));
  EXPECT_EQ(Call("Boolean.new Boolean", "[true]", {}, "declaration"), J("true"));
  EXPECT_EQ(Call("Null.new Null", "[]", {}, "declaration"), J("null"));
  EXPECT_EQ(Call("Date.new Date", "[2023, 4, 16, null, null, null, null]", {}, "declaration"),
            J(R"("2023-05-16T00:00:00.000Z")"));
  EXPECT_EQ(Call("Date.new Date", "[]", {}, "declaration", 1000),
            J(R"("1970-01-01T00:00:01.000Z")"));
  EXPECT_EQ(Call("Date.now", "[]", {}, "method", 1234), J("1234"));
  bj::value re = Call("RegExp.new RegExp", R"(["a+", "gm"])", {}, "declaration");
  EXPECT_EQ(re, J(R"({"$jstRegExp":{"source":"a+","flags":"gm"}})"));
  bj::value bad = Call("RegExp.new RegExp", R"(["(", ""])", {}, "declaration");
  ASSERT_TRUE(bad.is_object() && bad.as_object().contains("error"));
}

TEST(JstMethods, ArrayNewArrayOfLength) {
  bj::object doc = testing::OneMethod("Array.new Array", bj::array{3}, "declaration");
  doc["steps"].as_array()[0].as_object()["polymorphIndex"] = 1;
  auto r = RunJst(doc, {}, {});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->at("out"), J("[null,null,null]"));
  doc["steps"].as_array()[0].as_object()["args"] = bj::array{1e9};
  r = RunJst(doc, {}, {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), base::Code::kResourceExhausted);
}

// RegExp values flow between steps: exec with a leading lookbehind, split and replace.
TEST(JstMethods, RegExpValues) {
  bj::value re = bj::parse(R"({"$jstRegExp":{"source":"(?<=Date\\s).*","flags":"gm"}})");
  bj::array args{re, "Service Check Date   2023/05/16\nnext"};
  auto r = RunJst(testing::OneMethod("RegExp.exec", args), {}, {});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->at("out"), J(R"(["  2023/05/16"])"));
  bj::value disk = bj::parse(R"({"$jstRegExp":{"source":"\\/.*free","flags":"gm"}})");
  r = RunJst(testing::OneMethod("RegExp.exec", bj::array{disk, "[1 GiB used / 20.24 GiB free]"}),
             {}, {});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->at("out"), J(R"(["/ 20.24 GiB free"])"));
  bj::value digits = bj::parse(R"j({"$jstRegExp":{"source":"(\\d)","flags":"g"}})j");
  r = RunJst(testing::OneMethod("String.replace", bj::array{"a1b2", digits, "<$1>"}), {}, {});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->at("out"), J(R"("a<1>b<2>")"));
  bj::value comma = bj::parse(R"({"$jstRegExp":{"source":"\\s*,\\s*","flags":""}})");
  r = RunJst(testing::OneMethod("String.split", bj::array{"a , b,c", comma, nullptr}), {}, {});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->at("out"), J(R"(["a","b","c"])"));
}

}  // namespace
}  // namespace opsflow::tasks::jst
