// $var resolution (SPEC §5 "Variables", IAP-REFERENCE §3) as tables of cases: a reference or a
// task's incoming/outgoing, the job variables and earlier outputs, and the expected result.
#include "engine/variables.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <map>
#include <string>
#include <vector>

namespace opsflow::engine {
namespace {

namespace bj = boost::json;

bj::value J(const std::string& text) { return bj::parse(text); }
bj::object O(const std::string& text) { return bj::parse(text).as_object(); }

// Job variables and task outputs shared by the tables below.
const char* kJobVars = R"({
  "x": 5,
  "s": "text",
  "nul": null,
  "dev": {"host": "r1", "ports": [22, 80], "a": {"b": "deep"}},
  "a.b": "exact",
  "a": {"b": "nested"},
  "list": [1, {"k": "v"}],
  "slash/key": {"t~ilde": 7}
})";
const char* kOutputs = R"({
  "t1": {"return_data": {"k": [1, 2, 3]}, "length": 3, "flag": true, "empty": null},
  "5860": {"launchComplete": false}
})";

class Fixture {
 public:
  Fixture() : job_(O(kJobVars)), outputs_(O(kOutputs)) {}
  VarScope Scope() const {
    return VarScope{job_, [this](std::string_view id) -> const bj::object* {
                      auto it = outputs_.find(id);
                      return it == outputs_.end() ? nullptr : &it->value().as_object();
                    }};
  }
  bj::object& job() { return job_; }

 private:
  bj::object job_;
  bj::object outputs_;
};

model::TaskDef Task(const std::string& method, const std::string& incoming,
                    const std::string& outgoing = "{}") {
  model::TaskDef t;
  t.id = "t9";
  t.method = method;
  t.app = "WorkFlowEngine";
  t.location = "Application";
  t.incoming = O(incoming);
  t.outgoing = O(outgoing);
  return t;
}

// ---------------------------------------------------------------------------------------------
// ResolveVarString: a whole "$var..." string.

struct StringCase {
  const char* text;
  bool is_ref;
  const char* want;  // JSON of the resolved value (ignored when !is_ref)
};

TEST(ResolveVarString, Table) {
  const StringCase cases[] = {
      // job variables, whole value
      {"$var.job.x", true, "5"},
      {"$var.job.s", true, R"("text")"},
      {"$var.job.dev", true, R"({"host":"r1","ports":[22,80],"a":{"b":"deep"}})"},
      {"$var.job.nul", true, "null"},
      // a missing variable resolves to null
      {"$var.job.missing", true, "null"},
      {"$var.job.missing.deeper", true, "null"},
      // earlier task outputs
      {"$var.t1.length", true, "3"},
      {"$var.t1.return_data", true, R"({"k":[1,2,3]})"},
      {"$var.t1.flag", true, "true"},
      {"$var.t1.empty", true, "null"},
      {"$var.5860.launchComplete", true, "false"},
      {"$var.t1.nothing", true, "null"},   // the task ran, the output does not exist
      {"$var.t404.length", true, "null"},  // the task has not run
      // the #/json/pointer suffix
      {"$var.job.dev#/host", true, R"("r1")"},
      {"$var.job.dev#/ports/1", true, "80"},
      {"$var.job.dev#/ports/9", true, "null"},
      {"$var.job.dev#/nope", true, "null"},
      {"$var.job.dev#", true, R"({"host":"r1","ports":[22,80],"a":{"b":"deep"}})"},
      {"$var.job.slash/key#/t~0ilde", true, "7"},
      {"$var.t1.return_data#/k/2", true, "3"},
      {"$var.job.missing#/a", true, "null"},
      // a dotted name reads a nested field when no variable has that exact name
      {"$var.job.dev.host", true, R"("r1")"},
      {"$var.job.dev.a.b", true, R"("deep")"},
      {"$var.job.dev.ports.0", true, "22"},
      {"$var.job.list.1.k", true, R"("v")"},
      {"$var.t1.return_data.k", true, "[1,2,3]"},
      // ... but an exact variable name wins over the nested reading
      {"$var.job.a.b", true, R"("exact")"},
      // not references: kept as they are by the caller
      {"plain", false, ""},
      {"", false, ""},
      {"$var.job", false, ""},
      {"$var.job.", false, ""},
      {"$var.", false, ""},
      {"$var..x", false, ""},
      {"$VAR.job.x", false, ""},
      {" $var.job.x", false, ""},
      {"$varjob.x", false, ""},
  };
  Fixture f;
  for (const StringCase& c : cases) {
    SCOPED_TRACE(c.text);
    bj::value out = "untouched";
    bool is_ref = ResolveVarString(c.text, f.Scope(), &out);
    EXPECT_EQ(is_ref, c.is_ref);
    if (c.is_ref) {
      EXPECT_EQ(out, J(c.want)) << "got " << bj::serialize(out);
    }
  }
}

TEST(ResolveVarString, NoOutputLookupReadsJobOnly) {
  bj::object job = O(R"({"x": 1})");
  VarScope scope{job, nullptr};
  bj::value out;
  ASSERT_TRUE(ResolveVarString("$var.job.x", scope, &out));
  EXPECT_EQ(out, J("1"));
  ASSERT_TRUE(ResolveVarString("$var.t1.x", scope, &out));
  EXPECT_TRUE(out.is_null());
}

// ---------------------------------------------------------------------------------------------
// ResolveStructured: {task, variable|value}.

struct RefCase {
  const char* ref;
  const char* want;
};

TEST(ResolveStructured, Table) {
  const RefCase cases[] = {
      // static: the literal, whatever its type
      {R"({"task":"static","variable":"vpc-id"})", R"("vpc-id")"},
      {R"({"task":"static","variable":true})", "true"},
      {R"({"task":"static","variable":1})", "1"},
      {R"({"task":"static","variable":""})", R"("")"},
      {R"({"task":"static","variable":{"a":[1]}})", R"({"a":[1]})"},
      {R"({"task":"static","variable":"$var.job.x"})", R"("$var.job.x")"},  // no re-resolution
      {R"({"task":"static","value":"v"})", R"("v")"},
      {R"({"task":"static","variable":"attachment.vpc-id","editable":true})",
       R"("attachment.vpc-id")"},
      // job
      {R"({"task":"job","variable":"x"})", "5"},
      {R"({"task":"job","value":"s"})", R"("text")"},
      {R"({"task":"job","variable":"missing"})", "null"},
      {R"({"task":"job","variable":"dev.host"})", R"("r1")"},
      {R"({"task":"job","variable":"a.b"})", R"("exact")"},
      // an earlier task's output
      {R"({"task":"t1","variable":"length"})", "3"},
      {R"({"task":"5860","variable":"launchComplete"})", "false"},
      {R"({"task":"t1","variable":"return_data.k"})", "[1,2,3]"},
      {R"({"task":"t1","variable":"nothing"})", "null"},
      {R"({"task":"t404","variable":"length"})", "null"},
      // malformed
      {R"({"task":7,"variable":"x"})", "null"},
      {R"({"task":"job"})", "null"},
      {R"({"task":"job","variable":5})", "null"},
  };
  Fixture f;
  for (const RefCase& c : cases) {
    SCOPED_TRACE(c.ref);
    bj::value got = ResolveStructured(O(c.ref), f.Scope());
    EXPECT_EQ(got, J(c.want)) << "got " << bj::serialize(got);
  }
}

// ---------------------------------------------------------------------------------------------
// ResolveIncoming: what a task receives.

struct IncomingCase {
  const char* name;
  const char* method;
  const char* incoming;
  const char* want;
};

TEST(ResolveIncoming, Table) {
  const IncomingCase cases[] = {
      {"top-level references resolve, literals stay", "query",
       R"({"obj":"$var.job.dev","query":"host","pass_on_null":false,"n":"$var.t1.length"})",
       R"({"obj":{"host":"r1","ports":[22,80],"a":{"b":"deep"}},"query":"host",
           "pass_on_null":false,"n":3})"},
      {"missing reference becomes null", "query", R"({"obj":"$var.job.missing"})",
       R"({"obj":null})"},
      {"pointer suffix at top level", "newVariable", R"({"name":"h","value":"$var.job.dev#/host"})",
       R"({"name":"h","value":"r1"})"},
      {"references nested in objects and arrays stay literal", "makeData",
       R"({"input":{"a":"$var.job.x","b":["$var.job.s",{"c":"$var.t1.length"}]},
           "list":["$var.job.x"]})",
       R"({"input":{"a":"$var.job.x","b":["$var.job.s",{"c":"$var.t1.length"}]},
           "list":["$var.job.x"]})"},
      {"structured refs outside merge/evaluation/childJob stay literal", "newVariable",
       R"({"name":"n","value":{"task":"job","variable":"x"}})",
       R"({"name":"n","value":{"task":"job","variable":"x"}})"},
      {"a string embedding a reference stays literal", "stringConcat",
       R"({"str":"prefix $var.job.x","stringN":["$var.job.s"]})",
       R"({"str":"prefix $var.job.x","stringN":["$var.job.s"]})"},

      // evaluation operands
      {"evaluation operands job/static/task", "evaluation",
       R"({"all_true_flag":false,"evaluation_groups":[{"all_true_flag":true,"evaluations":[
            {"operand_1":{"task":"job","variable":"x"},"operator":"==",
             "operand_2":{"task":"static","variable":5}},
            {"query":"","operand_1":{"variable":"launchComplete","task":"5860"},"operator":"==",
             "operand_2":{"variable":true,"task":"static"}},
            {"operand_1":{"task":"t1","variable":"length"},"operator":">",
             "operand_2":{"task":"static","variable":""}}]}]})",
       R"({"all_true_flag":false,"evaluation_groups":[{"all_true_flag":true,"evaluations":[
            {"operand_1":5,"operator":"==","operand_2":5},
            {"query":"","operand_1":false,"operator":"==","operand_2":true},
            {"operand_1":3,"operator":">","operand_2":""}]}]})"},
      {"evaluation operand given as a $var string", "evaluation",
       R"({"evaluation_groups":[{"evaluations":[
            {"operand_1":"$var.job.s","operator":"==","operand_2":"text"}]}]})",
       R"({"evaluation_groups":[{"evaluations":[
            {"operand_1":"text","operator":"==","operand_2":"text"}]}]})"},
      {"evaluation: other fields of an evaluation stay literal", "evaluation",
       R"({"evaluation_groups":[{"evaluations":[
            {"operand_1":{"task":"job","variable":"x"},"operator":"==",
             "operand_2":{"task":"static","variable":5},"query":"$var.job.s"}]}]})",
       R"({"evaluation_groups":[{"evaluations":[
            {"operand_1":5,"operator":"==","operand_2":5,"query":"$var.job.s"}]}]})"},

      // merge / deepmerge
      {"merge keyed items", "merge",
       R"({"data_to_merge":[
            {"key":"name","value":{"task":"static","variable":"vpc-id","editable":true}},
            {"key":"value","value":{"task":"job","variable":"dev"}},
            {"key":"n","value":{"task":"t1","variable":"length"}}]})",
       R"({"data_to_merge":[
            {"key":"name","value":"vpc-id"},
            {"key":"value","value":{"host":"r1","ports":[22,80],"a":{"b":"deep"}}},
            {"key":"n","value":3}]})"},
      {"merge unkeyed items", "merge",
       R"({"data_to_merge":[{"task":"job","variable":"dev"},{"task":"t1","variable":"return_data"},
                            {"task":"static","variable":{"z":1}}]})",
       R"({"data_to_merge":[{"host":"r1","ports":[22,80],"a":{"b":"deep"}},{"k":[1,2,3]},
                            {"z":1}]})"},
      {"deepmerge keyed items", "deepmerge",
       R"({"data_to_merge":[{"key":"a","value":{"task":"job","variable":"x"}}]})",
       R"({"data_to_merge":[{"key":"a","value":5}]})"},
      {"merge literal item value stays", "merge",
       R"({"data_to_merge":[{"key":"a","value":"lit"}]})",
       R"({"data_to_merge":[{"key":"a","value":"lit"}]})"},

      // childJob
      {"childJob variables: {task,value}, {task,variable} and $var strings", "childJob",
       R"({"task":"","workflow":"child","variables":{
            "a":{"task":"job","value":"x"},
            "b":{"task":"static","value":{"q":[1]}},
            "c":{"task":"t1","value":"length"},
            "d":"$var.job.s",
            "e":"lit",
            "f":{"task":"job","variable":"dev.host"}},
          "data_array":"$var.job.list","loopType":"parallel"})",
       R"({"task":"","workflow":"child","variables":{
            "a":5,"b":{"q":[1]},"c":3,"d":"text","e":"lit","f":"r1"},
          "data_array":[1,{"k":"v"}],"loopType":"parallel"})"},
      {"childJob nested values inside a variable stay literal", "childJob",
       R"({"workflow":"child","variables":{"a":{"inner":"$var.job.x"}}})",
       R"({"workflow":"child","variables":{"a":{"inner":"$var.job.x"}}})"},

      // transformation.variableMap: values resolved one level deep
      {"transformation variableMap values", "transformation",
       R"({"tr_id":"abc","variableMap":{"in":"$var.job.dev","n":"$var.t1.length",
            "p":"$var.job.dev#/ports","lit":"text"},"options":{"extractOutput":true}})",
       R"({"tr_id":"abc","variableMap":{"in":{"host":"r1","ports":[22,80],"a":{"b":"deep"}},
            "n":3,"p":[22,80],"lit":"text"},"options":{"extractOutput":true}})"},
      {"transformation variableMap: deeper values stay literal", "transformation",
       R"({"tr_id":"abc","variableMap":{"o":{"x":"$var.job.x"},"l":["$var.job.x"]}})",
       R"({"tr_id":"abc","variableMap":{"o":{"x":"$var.job.x"},"l":["$var.job.x"]}})"},
      {"variableMap of another method is not special", "query",
       R"({"variableMap":{"in":"$var.job.x"}})", R"({"variableMap":{"in":"$var.job.x"}})"},
  };
  Fixture f;
  for (const IncomingCase& c : cases) {
    SCOPED_TRACE(c.name);
    bj::object got = ResolveIncoming(Task(c.method, c.incoming), f.Scope());
    EXPECT_EQ(bj::value(got), J(c.want)) << "got " << bj::serialize(got);
  }
}

TEST(ResolveIncoming, DoesNotChangeTheDefinition) {
  Fixture f;
  model::TaskDef t = Task("query", R"({"obj":"$var.job.x"})");
  ResolveIncoming(t, f.Scope());
  EXPECT_EQ(bj::value(t.incoming), J(R"({"obj":"$var.job.x"})"));
}

// IAP-REFERENCE §3 names exceptions to "only the whole top-level value resolves":
// GatewayManager.runService/runServiceStatic.params, runCode.data and
// AgentSessionManager.runAgent.inputs: references one level inside those maps resolve, so a
// worker serving those apps gets the values.
TEST(ResolveIncoming, IapExceptionsResolveInsideTheirMaps) {
  Fixture f;
  model::TaskDef gw = Task("runService", R"({"params":{"host":"$var.job.dev#/host","n":"lit"}})");
  gw.app = "GatewayManager";
  EXPECT_EQ(bj::value(ResolveIncoming(gw, f.Scope())), J(R"({"params":{"host":"r1","n":"lit"}})"));
  model::TaskDef rc = Task("runCode", R"({"data":{"x":"$var.job.x"}})");
  EXPECT_EQ(bj::value(ResolveIncoming(rc, f.Scope())), J(R"({"data":{"x":5}})"));
  model::TaskDef ag = Task("runAgent", R"({"inputs":{"s":"$var.job.s"}})");
  ag.app = "AgentSessionManager";
  EXPECT_EQ(bj::value(ResolveIncoming(ag, f.Scope())), J(R"({"inputs":{"s":"text"}})"));
}

// ---------------------------------------------------------------------------------------------
// ApplyOutgoing: outputs copied to job variables.

struct OutgoingCase {
  const char* name;
  const char* outgoing;
  const char* outputs;
  const char* job_before;
  const char* job_after;
};

TEST(ApplyOutgoing, Table) {
  const OutgoingCase cases[] = {
      {"copies an output to a job variable", R"({"return_data":"$var.job.host"})",
       R"({"return_data":"r1"})", R"({"x":1})", R"({"x":1,"host":"r1"})"},
      {"overwrites an existing job variable", R"({"value":"$var.job.x"})", R"({"value":{"a":[1]}})",
       R"({"x":1})", R"({"x":{"a":[1]}})"},
      {"several outputs, one target each", R"({"a":"$var.job.p","b":"$var.job.q"})",
       R"({"a":1,"b":false})", "{}", R"({"p":1,"q":false})"},
      {"a null output value is copied as null", R"({"a":"$var.job.p"})", R"({"a":null})",
       R"({"p":1})", R"({"p":null})"},
      {"null target keeps the output on the iteration only", R"({"value":null})",
       R"({"value":"v"})", R"({"x":1})", R"({"x":1})"},
      {"empty string target is ignored", R"({"value":""})", R"({"value":"v"})", "{}", "{}"},
      {"a task-output target is not a job variable", R"({"value":"$var.t1.value"})",
       R"({"value":"v"})", "{}", "{}"},
      {"a plain string target is ignored", R"({"value":"job.x"})", R"({"value":"v"})", "{}", "{}"},
      {"$var.job. without a name is ignored", R"({"value":"$var.job."})", R"({"value":"v"})", "{}",
       "{}"},
      {"non-string targets are ignored", R"({"a":5,"b":{"task":"job","variable":"x"},"c":true})",
       R"({"a":1,"b":2,"c":3})", "{}", "{}"},
  };
  for (const OutgoingCase& c : cases) {
    SCOPED_TRACE(c.name);
    bj::object job = O(c.job_before);
    ApplyOutgoing(Task("stub", "{}", c.outgoing), O(c.outputs), &job);
    EXPECT_EQ(bj::value(job), J(c.job_after)) << "got " << bj::serialize(job);
  }
}

}  // namespace
}  // namespace opsflow::engine
