// The JST runtime: step ordering, functions and callbacks, validation, limits, and the
// `transformation` task.
#include "tasks/jst/jst.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "tasks/jst/jst_test_util.h"
#include "tasks/task.h"

namespace opsflow::tasks::jst {
namespace {

namespace bj = boost::json;
using testing::Obj;

bj::value J(const char* text) { return bj::parse(text); }

// Steps listed before the assigns that feed them still run after them.
constexpr const char* kConcat = R"({
  "name": "concat",
  "incoming": [{"$id": "arg1", "type": "string"}, {"$id": "arg2", "type": "string"}],
  "outgoing": [{"$id": "out", "type": "object"}],
  "steps": [
    {"id": 3, "type": "method", "library": "String", "method": "concat", "args": [null, "-", null]},
    {"id": 5, "type": "assign", "from": {"location": "method", "name": 3, "ptr": "/return"},
     "to": {"location": "outgoing", "name": "out", "ptr": "/joined"}},
    {"id": 6, "type": "assign", "from": {"location": "incoming", "name": "arg1", "ptr": ""},
     "to": {"location": "outgoing", "name": "out", "ptr": ""}},
    {"id": 1, "type": "assign", "from": {"location": "incoming", "name": "arg1", "ptr": "/a"},
     "to": {"location": "method", "name": 3, "ptr": "/args/0/value"}},
    {"id": 2, "type": "assign", "from": {"location": "incoming", "name": "arg2", "ptr": ""},
     "to": {"location": "method", "name": 3, "ptr": "/args/2/value"}}
  ],
  "functions": []
})";

TEST(JstRuntime, RunsInDependencyOrder) {
  JstOptions opts;
  auto r = RunJst(Obj(kConcat), Obj(R"({"arg1": {"a": "x"}, "arg2": "y"})"), opts);
  ASSERT_TRUE(r.ok()) << r.status().message();
  // The whole-value assign (ptr "") runs before the one into /joined.
  EXPECT_EQ(bj::value(*r), J(R"({"out": {"a": "x", "joined": "x-y"}})"));
}

TEST(JstRuntime, ValidationReadsLikeIap) {
  JstOptions opts;
  opts.validate_incoming = true;
  auto r = RunJst(Obj(kConcat), {}, opts);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), base::Code::kInvalidArgument);
  EXPECT_EQ(r.status().message(), "Missing one of the following required instances: arg2, arg1");
  r = RunJst(Obj(kConcat), Obj(R"({"arg1": 5, "arg2": "y"})"), opts);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("Incoming \"arg1\" is invalid"), std::string::npos)
      << r.status().message();
  // Without validation a missing input is simply undefined.
  opts.validate_incoming = false;
  r = RunJst(Obj(kConcat), Obj(R"({"arg2": "y"})"), opts);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->at("out"), J(R"({"joined": "null-y"})"));
}

TEST(JstRuntime, RevertToDefault) {
  bj::object doc = Obj(R"({
    "incoming": [{"$id": "a", "type": "string", "default": "dflt"}],
    "outgoing": [{"$id": "x", "type": "string"}, {"$id": "y", "type": "number", "default": 7},
                 {"$id": "z"}],
    "steps": [{"id": 1, "type": "assign", "from": {"location": "incoming", "name": "a", "ptr": ""},
               "to": {"location": "outgoing", "name": "x", "ptr": ""}}]})");
  JstOptions opts;
  opts.validate_incoming = true;
  auto r = RunJst(doc, {}, opts);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "Missing one of the following required instances: a");
  opts.revert_to_default = true;
  r = RunJst(doc, {}, opts);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(bj::value(*r), J(R"({"x": "dflt", "y": 7})"));
}

TEST(JstRuntime, UnknownMethodIsNamed) {
  auto r = RunJst(testing::OneMethod("String.frobnicate", bj::array{"a"}), {}, {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "Unknown JST method String.frobnicate (step 1 of one)");
  r = RunJst(Obj(R"({"name":"n","steps":[{"id":1,"type":"bogus"}]})"), {}, {});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("Unknown JST step type \"bogus\""), std::string::npos);
}

// An unknown method in a nested function fails the run even when nothing calls it.
TEST(JstRuntime, UnknownMethodInUncalledFunction) {
  bj::object doc = Obj(kConcat);
  doc["functions"] = bj::array{testing::OneMethod("Array.zip", bj::array{})};
  auto r = RunJst(doc, Obj(R"({"arg1": {}, "arg2": "y"})"), {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "Unknown JST method Array.zip (step 1 of one)");
}

TEST(JstRuntime, MalformedDocuments) {
  const char* kBad[] = {
      R"({"steps": 5})",
      R"({"steps": [5]})",
      R"({"incoming": [{"type": "string"}]})",
      R"({"steps": [{"id": 1, "type": "assign"}]})",
      R"({"steps": [{"id": 1, "type": "assign", "from": {"location": "method", "name": 9, "ptr": ""},
                     "to": {"location": "outgoing", "name": "o", "ptr": ""}}]})",
      R"({"steps": [{"id": 1, "type": "method", "library": "Logical", "method": "not", "args": [null]},
                    {"id": 2, "type": "method", "library": "Logical", "method": "not", "args": [null]},
                    {"id": 3, "type": "assign", "from": {"location": "method", "name": 1, "ptr": "/return"},
                     "to": {"location": "method", "name": 2, "ptr": "/args/0/value"}},
                    {"id": 4, "type": "assign", "from": {"location": "method", "name": 2, "ptr": "/return"},
                     "to": {"location": "method", "name": 1, "ptr": "/args/0/value"}}]})",
      R"({"steps": [{"id": 1, "type": "context"}]})",
      R"({"steps": [{"id": 1, "type": "function", "function": "missing", "args": []}]})",
      R"({"functions": 5})",
      R"({"functions": [7]})",
      R"({"steps": [{"id": 1, "type": "assign", "from": {"location": "incoming", "name": "a", "ptr": ""},
                     "to": {"location": "method", "name": 1, "ptr": "/x"}}]})",
  };
  for (const char* text : kBad) {
    auto r = RunJst(Obj(text), {}, {});
    EXPECT_FALSE(r.ok()) << text;
    EXPECT_EQ(r.status().code(), base::Code::kInvalidArgument) << r.status().message();
  }
}

// map/filter/reduce/find call nested JSTs; extra arguments reach them as thisArg "<k>_<name>".
constexpr const char* kCallbacks = R"({
  "name": "callbacks",
  "incoming": [{"$id": "list", "type": "array"}, {"$id": "suffix", "type": "string"}],
  "outgoing": [{"$id": "mapped"}, {"$id": "kept"}, {"$id": "sum"}, {"$id": "found"}],
  "steps": [
    {"id": 1, "type": "method", "library": "Array", "method": "map", "args": [null, "addSuffix", null]},
    {"id": 2, "type": "method", "library": "Array", "method": "filter", "args": [null, "big"]},
    {"id": 3, "type": "method", "library": "Array", "method": "reduce", "args": [null, "add", 100]},
    {"id": 4, "type": "method", "library": "Array", "method": "find", "args": [null, "big"]},
    {"id": 10, "type": "assign", "from": {"location": "incoming", "name": "list", "ptr": ""},
     "to": {"location": "method", "name": 1, "ptr": "/args/0/value"}},
    {"id": 11, "type": "assign", "from": {"location": "incoming", "name": "suffix", "ptr": ""},
     "to": {"location": "method", "name": 1, "ptr": "/args/2/value"}},
    {"id": 12, "type": "assign", "from": {"location": "incoming", "name": "list", "ptr": ""},
     "to": {"location": "method", "name": 2, "ptr": "/args/0/value"}},
    {"id": 13, "type": "assign", "from": {"location": "incoming", "name": "list", "ptr": ""},
     "to": {"location": "method", "name": 3, "ptr": "/args/0/value"}},
    {"id": 14, "type": "assign", "from": {"location": "incoming", "name": "list", "ptr": ""},
     "to": {"location": "method", "name": 4, "ptr": "/args/0/value"}},
    {"id": 20, "type": "assign", "from": {"location": "method", "name": 1, "ptr": "/return"},
     "to": {"location": "outgoing", "name": "mapped", "ptr": ""}},
    {"id": 21, "type": "assign", "from": {"location": "method", "name": 2, "ptr": "/return"},
     "to": {"location": "outgoing", "name": "kept", "ptr": ""}},
    {"id": 22, "type": "assign", "from": {"location": "method", "name": 3, "ptr": "/return"},
     "to": {"location": "outgoing", "name": "sum", "ptr": ""}},
    {"id": 23, "type": "assign", "from": {"location": "method", "name": 4, "ptr": "/return"},
     "to": {"location": "outgoing", "name": "found", "ptr": ""}}
  ],
  "functions": [
    {"id": "addSuffix", "name": "addSuffix",
     "incoming": [{"$id": "currentValue"}, {"$id": "index"}, {"$id": "array"},
                  {"$id": "thisArg", "type": "object", "isContext": true,
                   "properties": {"0_suffix": {"type": "string"}}}],
     "outgoing": [{"$id": "newValue"}],
     "steps": [
       {"id": 1, "type": "template", "library": "String", "method": "templateLiteral",
        "template": "${v}${s}#${i}", "args": [null, null, null]},
       {"id": 2, "type": "assign", "from": {"location": "incoming", "name": "currentValue", "ptr": ""},
        "to": {"location": "template", "name": 1, "ptr": "/args/0/value"}},
       {"id": 3, "type": "assign", "from": {"location": "incoming", "name": "thisArg", "ptr": "/0_suffix"},
        "to": {"location": "template", "name": 1, "ptr": "/args/1/value"}},
       {"id": 4, "type": "assign", "from": {"location": "incoming", "name": "index", "ptr": ""},
        "to": {"location": "template", "name": 1, "ptr": "/args/2/value"}},
       {"id": 5, "type": "assign", "from": {"location": "template", "name": 1, "ptr": "/return"},
        "to": {"location": "outgoing", "name": "newValue", "ptr": ""}}]},
    {"id": "big", "name": "big",
     "incoming": [{"$id": "element"}, {"$id": "index"}, {"$id": "array"}],
     "outgoing": [{"$id": "return"}],
     "steps": [
       {"id": 1, "type": "method", "library": "Relational", "method": "greaterThan", "args": [null, 1]},
       {"id": 2, "type": "assign", "from": {"location": "incoming", "name": "element", "ptr": ""},
        "to": {"location": "method", "name": 1, "ptr": "/args/0/value"}},
       {"id": 3, "type": "assign", "from": {"location": "method", "name": 1, "ptr": "/return"},
        "to": {"location": "outgoing", "name": "return", "ptr": ""}}]},
    {"id": "add", "name": "add",
     "incoming": [{"$id": "accumulator"}, {"$id": "currentValue"}, {"$id": "index"}, {"$id": "array"}],
     "outgoing": [{"$id": "accumulator"}],
     "steps": [
       {"id": 1, "type": "method", "library": "Math", "method": "add", "args": [null, null]},
       {"id": 2, "type": "assign", "from": {"location": "incoming", "name": "accumulator", "ptr": ""},
        "to": {"location": "method", "name": 1, "ptr": "/args/0/value"}},
       {"id": 3, "type": "assign", "from": {"location": "incoming", "name": "currentValue", "ptr": ""},
        "to": {"location": "method", "name": 1, "ptr": "/args/1/value"}},
       {"id": 4, "type": "assign", "from": {"location": "method", "name": 1, "ptr": "/return"},
        "to": {"location": "outgoing", "name": "accumulator", "ptr": ""}}]}
  ]
})";

TEST(JstRuntime, CallbacksGetElementsIndexAndThisArg) {
  auto r = RunJst(Obj(kCallbacks), Obj(R"({"list": [1, 2, 3], "suffix": "!"})"), {});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(bj::value(*r), J(R"({"mapped": ["1!#0", "2!#1", "3!#2"], "kept": [2, 3],
                                 "sum": 106, "found": 2})"));
  r = RunJst(Obj(kCallbacks), Obj(R"({"list": "nope", "suffix": "!"})"), {});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("Array.map: argument 0 must be an array, got string"),
            std::string::npos)
      << r.status().message();
}

// A function that calls itself: the recursion limit stops it with a clear error.
TEST(JstRuntime, RecursionLimit) {
  bj::object doc = Obj(R"({
    "name": "rec", "incoming": [], "outgoing": [{"$id": "o"}],
    "steps": [{"id": 1, "type": "function", "function": "loop", "args": []}],
    "functions": [{"id": "loop", "incoming": [], "outgoing": [{"$id": "o"}],
                   "steps": [{"id": 1, "type": "function", "function": "loop", "args": []}]}]})");
  JstOptions opts;
  opts.max_depth = 10;
  auto r = RunJst(doc, {}, opts);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), base::Code::kResourceExhausted);
  EXPECT_NE(r.status().message().find("JST recursion limit of 10 nested calls exceeded"),
            std::string::npos)
      << r.status().message();
}

TEST(JstRuntime, StepLimit) {
  JstOptions opts;
  opts.max_steps = 20;
  bj::object in = Obj(R"({"list": [1,2,3,4,5,6,7,8,9,10], "suffix": "!"})");
  auto r = RunJst(Obj(kCallbacks), in, opts);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), base::Code::kResourceExhausted);
  EXPECT_NE(r.status().message().find("JST step limit of 20 steps exceeded"), std::string::npos);
  opts.max_steps = 1000;
  EXPECT_TRUE(RunJst(Obj(kCallbacks), in, opts).ok());
}

// reduce over `n` elements whose callback wraps the accumulator twice: {a: acc, b: acc}.
bj::object Doubling() {
  return Obj(R"({
    "name": "doubling", "incoming": [{"$id": "list"}], "outgoing": [{"$id": "o"}],
    "steps": [
      {"id": 1, "type": "method", "library": "Array", "method": "reduce", "args": [null, "dbl", 0]},
      {"id": 2, "type": "assign", "from": {"location": "incoming", "name": "list", "ptr": ""},
       "to": {"location": "method", "name": 1, "ptr": "/args/0/value"}},
      {"id": 3, "type": "assign", "from": {"location": "method", "name": 1, "ptr": "/return"},
       "to": {"location": "outgoing", "name": "o", "ptr": ""}}],
    "functions": [{"id": "dbl",
      "incoming": [{"$id": "accumulator"}, {"$id": "currentValue"}],
      "outgoing": [{"$id": "accumulator"}],
      "steps": [
        {"id": 1, "type": "assign", "from": {"location": "incoming", "name": "accumulator", "ptr": ""},
         "to": {"location": "outgoing", "name": "accumulator", "ptr": "/a"}},
        {"id": 2, "type": "assign", "from": {"location": "incoming", "name": "accumulator", "ptr": ""},
         "to": {"location": "outgoing", "name": "accumulator", "ptr": "/b"}}]}]})");
}

// Values cannot grow without bound: exponential size and deep nesting are both stopped.
TEST(JstRuntime, ValueLimits) {
  bj::array list;
  for (int i = 0; i < 40; ++i) list.push_back(i);
  JstOptions opts;
  opts.max_value_nodes = 20000;
  auto r = RunJst(Doubling(), bj::object{{"list", list}}, opts);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), base::Code::kResourceExhausted);
  EXPECT_NE(r.status().message().find("JST value exceeds the limit of 20000 elements"),
            std::string::npos)
      << r.status().message();
  opts.max_value_nodes = 1000000;
  opts.max_check_nodes = 100000;
  r = RunJst(Doubling(), bj::object{{"list", list}}, opts);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("work limit of 100000"), std::string::npos)
      << r.status().message();
  // Depth: wrapping in an array each time (new Array(acc)).
  bj::object doc = Doubling();
  bj::object& fn = doc["functions"].as_array()[0].as_object();
  fn["steps"] = bj::parse(R"([
      {"id": 1, "type": "declaration", "library": "Array", "method": "new Array", "args": [null],
       "polymorphIndex": 0},
      {"id": 2, "type": "assign", "from": {"location": "incoming", "name": "accumulator", "ptr": ""},
       "to": {"location": "declaration", "name": 1, "ptr": "/args/0/value"}},
      {"id": 3, "type": "assign", "from": {"location": "declaration", "name": 1, "ptr": "/return"},
       "to": {"location": "outgoing", "name": "accumulator", "ptr": ""}}])");
  list.clear();
  for (int i = 0; i < 5000; ++i) list.push_back(i);
  r = RunJst(doc, bj::object{{"list", list}}, {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), base::Code::kResourceExhausted);
  EXPECT_NE(r.status().message().find("nesting exceeds the limit of 128"), std::string::npos)
      << r.status().message();
  list.resize(100);
  r = RunJst(doc, bj::object{{"list", list}}, {});
  EXPECT_TRUE(r.ok()) << r.status().message();
}

// --- the transformation task ---

TaskResult RunTask(const bj::object& incoming, const bj::object* jst) {
  const TaskDescriptor* d = FindBuiltin("transformation");
  EXPECT_NE(d, nullptr);
  bj::object vars;
  TaskContext ctx{incoming, vars, 0, jst};
  return d->run(ctx);
}

TEST(TransformationTask, ProducesOneOutgoingPerId) {
  bj::object jst = Obj(kConcat);
  TaskResult r = RunTask(Obj(R"({"tr_id": "t1", "variableMap": {"arg1": {"a": "p"}, "arg2": "q"},
                                 "options": {"extractOutput": true, "validateIncoming": false,
                                             "revertToDefaultValue": false}})"),
                         &jst);
  ASSERT_EQ(r.finish, Finish::kSuccess) << r.error;
  EXPECT_EQ(bj::value(r.outgoing), J(R"({"out": {"a": "p", "joined": "p-q"}})"));
  // An outgoing value nothing was assigned to is null.
  bj::object empty = Obj(R"({"outgoing": [{"$id": "a"}, {"$id": "b"}]})");
  r = RunTask(Obj(R"({"tr_id": "t2"})"), &empty);
  ASSERT_EQ(r.finish, Finish::kSuccess) << r.error;
  EXPECT_EQ(bj::value(r.outgoing), J(R"({"a": null, "b": null})"));
}

TEST(TransformationTask, Errors) {
  TaskResult r = RunTask(Obj(R"({"tr_id": "abc"})"), nullptr);
  EXPECT_EQ(r.finish, Finish::kError);
  EXPECT_EQ(r.error, "Transformation abc not found");
  bj::object jst = Obj(kConcat);
  r = RunTask(Obj(R"({"tr_id": "t", "variableMap": {}, "options": {"validateIncoming": true}})"),
              &jst);
  EXPECT_EQ(r.finish, Finish::kError);
  EXPECT_EQ(r.error, "Missing one of the following required instances: arg2, arg1");
  r = RunTask(Obj(R"({"tr_id": "t", "variableMap": 5})"), &jst);
  EXPECT_EQ(r.finish, Finish::kError);
  r = RunTask(Obj(R"({"tr_id": "t", "options": {"extractOutput": 3}})"), &jst);
  EXPECT_EQ(r.finish, Finish::kError);
  bj::object unknown = testing::OneMethod("Foo.bar", bj::array{});
  r = RunTask(Obj(R"({"tr_id": "t"})"), &unknown);
  EXPECT_EQ(r.finish, Finish::kError);
  EXPECT_EQ(r.error, "Unknown JST method Foo.bar (step 1 of one)");
}

}  // namespace
}  // namespace opsflow::tasks::jst
