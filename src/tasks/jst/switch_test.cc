// The JST `context` (switch) step: case choice, nesting, no match, unchosen cases left unrun,
// and documents whose contexts or case ports do not fit together.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <functional>
#include <string>

#include "tasks/jst/jst.h"
#include "tasks/jst/jst_test_util.h"

namespace opsflow::tasks::jst {
namespace {

namespace bj = boost::json;
using testing::Obj;

// Switch 10 on incoming x ("a" -> case 1, "b" -> case 2). Case 1 copies x to out1 through
// new String (step 20) and holds switch 30 on y (1 -> case 1, 2 -> case 2); case 2 of switch 30
// writes "nested" to deep (step 40). Case 2 of switch 10 writes x + "-two" to out1 (step 50)
// and reverses y (step 60, which fails on a number: it must not run unless chosen).
constexpr const char* kNested = R"({
  "name": "nested",
  "incoming": [{"$id": "x"}, {"$id": "y"}],
  "outgoing": [{"$id": "out1", "default": "dflt"}, {"$id": "deep"}, {"$id": "reversed"}],
  "steps": [
    {"id": 10, "type": "context", "library": "Conditional", "method": "switch", "args": [null],
     "context": "#", "return": ["a", "b"]},
    {"id": 11, "type": "assign", "from": {"location": "incoming", "name": "x", "ptr": ""},
     "to": {"location": "context", "name": 10, "ptr": "/args/0/value"}, "context": "#"},
    {"id": 20, "type": "declaration", "library": "String", "method": "new String",
     "args": [null], "context": "#/10[1]"},
    {"id": 21, "type": "assign", "from": {"location": "context", "name": 10, "ptr": "/return/case_1"},
     "to": {"location": "declaration", "name": 20, "ptr": "/context"}, "context": "#/10[1]"},
    {"id": 22, "type": "assign", "from": {"location": "incoming", "name": "x", "ptr": ""},
     "to": {"location": "declaration", "name": 20, "ptr": "/args/0/value"}, "context": "#"},
    {"id": 23, "type": "assign", "from": {"location": "declaration", "name": 20, "ptr": "/return"},
     "to": {"location": "outgoing", "name": "out1", "ptr": ""}, "context": "#/10[1]"},
    {"id": 30, "type": "context", "library": "Conditional", "method": "switch", "args": [null],
     "context": "#/10[1]", "return": [1, 2]},
    {"id": 31, "type": "assign", "from": {"location": "incoming", "name": "y", "ptr": ""},
     "to": {"location": "context", "name": 30, "ptr": "/args/0/value"}, "context": "#"},
    {"id": 40, "type": "declaration", "library": "String", "method": "new String",
     "args": ["nested"], "context": "#/10[1]/30[2]"},
    {"id": 41, "type": "assign", "from": {"location": "context", "name": 30, "ptr": "/return/case_2"},
     "to": {"location": "declaration", "name": 40, "ptr": "/context"}, "context": "#/10[1]/30[2]"},
    {"id": 42, "type": "assign", "from": {"location": "declaration", "name": 40, "ptr": "/return"},
     "to": {"location": "outgoing", "name": "deep", "ptr": ""}, "context": "#/10[1]/30[2]"},
    {"id": 50, "type": "method", "library": "String", "method": "concat", "args": [null, "-two"],
     "context": "#/10[2]"},
    {"id": 51, "type": "assign", "from": {"location": "context", "name": 10, "ptr": "/return/case_2"},
     "to": {"location": "method", "name": 50, "ptr": "/context"}, "context": "#/10[2]"},
    {"id": 52, "type": "assign", "from": {"location": "incoming", "name": "x", "ptr": ""},
     "to": {"location": "method", "name": 50, "ptr": "/args/0/value"}, "context": "#"},
    {"id": 53, "type": "assign", "from": {"location": "method", "name": 50, "ptr": "/return"},
     "to": {"location": "outgoing", "name": "out1", "ptr": ""}, "context": "#/10[2]"},
    {"id": 60, "type": "method", "library": "Array", "method": "reverse", "args": [null],
     "context": "#/10[2]"},
    {"id": 61, "type": "assign", "from": {"location": "context", "name": 10, "ptr": "/return/case_2"},
     "to": {"location": "method", "name": 60, "ptr": "/context"}, "context": "#/10[2]"},
    {"id": 62, "type": "assign", "from": {"location": "incoming", "name": "y", "ptr": ""},
     "to": {"location": "method", "name": 60, "ptr": "/args/0/value"}, "context": "#"},
    {"id": 63, "type": "assign", "from": {"location": "method", "name": 60, "ptr": "/return"},
     "to": {"location": "outgoing", "name": "reversed", "ptr": ""}}
  ],
  "functions": []
})";

base::Result<bj::object> RunDoc(const bj::object& doc, const char* inputs, bool revert = false) {
  JstOptions opts;
  opts.revert_to_default = revert;
  return RunJst(doc, Obj(inputs), opts);
}

bj::value Out(const char* inputs, bool revert = false) {
  auto r = RunDoc(Obj(kNested), inputs, revert);
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? bj::value(*r) : bj::value();
}

TEST(JstSwitch, ChoosesTheCaseEqualToTheInput) {
  EXPECT_EQ(Out(R"({"x": "a", "y": 2})"), bj::parse(R"({"out1": "a", "deep": "nested"})"));
  // Case 2 ran, and the in-case reverse of case 2 with it (on an array here).
  EXPECT_EQ(Out(R"({"x": "b", "y": [1, 2]})"),
            bj::parse(R"({"out1": "b-two", "reversed": [2, 1]})"));
}

// Numbers compare as numbers: 2.0 chooses the case 2.
TEST(JstSwitch, NestedSwitchFollowsTheSameRule) {
  EXPECT_EQ(Out(R"({"x": "a", "y": 2.0})"), bj::parse(R"({"out1": "a", "deep": "nested"})"));
  EXPECT_EQ(Out(R"({"x": "a", "y": 1})"), bj::parse(R"({"out1": "a"})"));
  EXPECT_EQ(Out(R"({"x": "a", "y": "2"})"), bj::parse(R"({"out1": "a"})"));  // === : no match
  // Switch 30 lies in case 1 of switch 10: with case 2 chosen it does not run, even on y = 2.
  // The reverse of case 2 fails on a number: case 2 did run.
  auto r = RunDoc(Obj(kNested), R"({"x": "b", "y": 2})");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("step 60"), std::string::npos) << r.status().message();
}

// A case that is not chosen does not run: the reverse of a number (step 60) would fail.
TEST(JstSwitch, UnchosenCaseDoesNotRun) {
  EXPECT_EQ(Out(R"({"x": "a", "y": 7})"), bj::parse(R"({"out1": "a"})"));
}

TEST(JstSwitch, NoMatchRunsNoCase) {
  EXPECT_EQ(Out(R"({"x": "c", "y": 2})"), bj::parse(R"({})"));
  EXPECT_EQ(Out(R"({"y": 2})"), bj::parse(R"({})"));  // an unset input matches nothing
  // An outgoing value left unset by the cases takes its default under revertToDefaultValue.
  EXPECT_EQ(Out(R"({"x": "c", "y": 2})", true), bj::parse(R"({"out1": "dflt"})"));
}

// The first of two equal case values wins.
TEST(JstSwitch, FirstEqualCaseWins) {
  bj::object doc = Obj(kNested);
  doc["steps"].as_array()[0].as_object()["return"] = bj::parse(R"(["a", "a"])");
  auto r = RunDoc(doc, R"({"x": "a", "y": 0})");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(bj::value(*r), bj::parse(R"({"out1": "a"})"));
}

// A switch inside a nested function (here called by Array.map) works the same way.
TEST(JstSwitch, SwitchInsideAFunction) {
  bj::object inner = Obj(kNested);
  inner["name"] = "inner";
  inner["incoming"] = bj::parse(R"([{"$id": "x"}, {"$id": "index"}])");
  bj::array& steps = inner["steps"].as_array();
  for (bj::value& s : steps) {
    bj::object& o = s.as_object();
    if (o.contains("from") && o["from"].as_object()["name"] == "y") {
      o["from"].as_object()["name"] = "index";
    }
  }
  bj::object outer = Obj(R"({
    "name": "outer", "incoming": [{"$id": "list"}], "outgoing": [{"$id": "out"}],
    "steps": [
      {"id": 1, "type": "method", "library": "Array", "method": "map", "args": [null, "inner"]},
      {"id": 2, "type": "assign", "from": {"location": "incoming", "name": "list", "ptr": ""},
       "to": {"location": "method", "name": 1, "ptr": "/args/0/value"}},
      {"id": 3, "type": "assign", "from": {"location": "method", "name": 1, "ptr": "/return"},
       "to": {"location": "outgoing", "name": "out", "ptr": ""}}]})");
  outer["functions"] = bj::array{inner};
  // "a" -> case 1 (out1 "a", switch 30 on the index 0: no case); "c" -> no case (unset).
  auto r = RunJst(outer, Obj(R"({"list": ["a", "c"]})"), {});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->at("out"), bj::parse(R"(["a", null])"));
  // "b" -> case 2 runs: the reverse of the index 1 fails, naming the step of "inner".
  r = RunJst(outer, Obj(R"({"list": ["a", "b"]})"), {});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("(step 60 of inner)"), std::string::npos)
      << r.status().message();
}

// Each change breaks the fit of contexts and case ports; the run fails naming the step.
TEST(JstSwitch, MalformedDocumentsFailNamingTheStep) {
  struct Bad {
    size_t index;     // the step to change, by position in kNested
    const char* key;  // the key to set ("" : replace `from`'s ptr, see below)
    const char* value;
    const char* step;  // the id the message must name
  };
  const Bad kBad[] = {
      {2, "context", R"("#/99[1]")", "20"},            // no step 99
      {2, "context", R"("#/20[1]")", "20"},            // 20 is not a switch
      {2, "context", R"("#/10[3]")", "20"},            // switch 10 has 2 cases
      {8, "context", R"("#/30[2]")", "40"},            // 30 lies inside #/10[1]
      {6, "context", R"("#/30[1]")", "30"},            // a switch inside its own case
      {2, "context", R"("10[1]")", "20"},              // not starting with #
      {2, "context", R"("#/10[0]")", "20"},            // cases count from 1
      {2, "context", R"("#/10[x]")", "20"},            //
      {2, "context", "5", "20"},                       // not a string
      {3, "from", R"({"location": "context", "name": 10, "ptr": "/return/case_3"})", "21"},
      {3, "from", R"({"location": "context", "name": 10, "ptr": "/return"})", "21"},
      {3, "from", R"({"location": "context", "name": 20, "ptr": "/return/case_1"})", "21"},
      {3, "from", R"({"location": "context", "name": 10, "ptr": "/return/case_2"})", "21"},
      {3, "to", R"({"location": "outgoing", "name": "out1", "ptr": ""})", "21"},
      {3, "to", R"({"location": "declaration", "name": 20, "ptr": "/args/0/value"})", "21"},
      {3, "context", R"("#")", "21"},                   // the port of case 1 read at "#"
      {5, "context", R"("#")", "23"},                   // reads step 20 of #/10[1] at "#"
      {5, "to", R"({"location": "method", "name": 50, "ptr": "/args/1/value"})", "23"},
      {1, "to", R"({"location": "context", "name": 10, "ptr": "/args/1/value"})", "11"},
      {1, "to", R"({"location": "context", "name": 20, "ptr": "/args/0/value"})", "11"},
      {4, "to", R"({"location": "declaration", "name": 20, "ptr": "/context"})", "22"},
      {0, "return", "null", "10"},
      {0, "method", R"("ifElse")", "10"},
  };
  for (const Bad& b : kBad) {
    bj::object doc = Obj(kNested);
    bj::object& step = doc["steps"].as_array()[b.index].as_object();
    step[b.key] = bj::parse(b.value);
    auto r = RunDoc(doc, R"({"x": "a", "y": 2})");
    ASSERT_FALSE(r.ok()) << b.key << " " << b.value;
    EXPECT_EQ(r.status().code(), base::Code::kInvalidArgument) << r.status().message();
    EXPECT_NE(r.status().message().find(std::string("(step ") + b.step + " of nested)"),
              std::string::npos)
        << b.key << " " << b.value << ": " << r.status().message();
  }
}

// Without `context` keys an assign takes the context of what it reads, so a document whose
// assigns carry no key still runs by the same rule.
TEST(JstSwitch, AssignWithoutContextKeyTakesItsSource) {
  bj::object doc = Obj(kNested);
  for (bj::value& s : doc["steps"].as_array()) {
    if (s.as_object()["type"] == "assign") s.as_object().erase("context");
  }
  auto r = RunDoc(doc, R"({"x": "a", "y": 2})");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(bj::value(*r), bj::parse(R"({"out1": "a", "deep": "nested"})"));
  r = RunDoc(doc, R"({"x": "c", "y": 2})");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(bj::value(*r), bj::parse(R"({})"));
}

}  // namespace
}  // namespace opsflow::tasks::jst
