// Fuzz target: `$var` resolution (src/engine/variables.h): ResolveVarString, ResolveStructured,
// ResolveIncoming and ApplyOutgoing against fixed job variables and task outputs.
//
// Input: either a bare reference string ("$var.job.x#/a/0") or <method> "\n" <JSON object>:
// the object is used as the task's incoming and as its outgoing map (and as a structured
// reference), with the method (evaluation, merge, childJob, transformation, query, ...) picking
// which structured references ResolveIncoming follows. The whole input is also resolved as a
// reference string.
// Oracles: no crash or sanitizer report; resolution is deterministic.
#include <boost/json.hpp>
#include <cstddef>
#include <cstdint>
#include <string>

#include "engine/variables.h"
#include "fuzz_common.h"
#include "json/parse.h"

namespace {

namespace bj = boost::json;
namespace engine = opsflow::engine;

const bj::object& JobVariables() {
  static const bj::object vars = opsflow::fuzz::Fixture(R"({
    "x":5,"s":"text","nul":null,"dev":{"host":"r1","ports":[22,80],"a":{"b":"deep"}},
    "a.b":"exact","a":{"b":"nested"},"list":[1,{"k":"v"}],"slash/key":{"t~ilde":7},
    "_id":"65a1b2c3d4e5f60718293a4b","initiator":"admin","":"empty key"})")
                                     .as_object();
  return vars;
}

const bj::object& Outputs() {
  static const bj::object outs = opsflow::fuzz::Fixture(R"({
    "t1":{"return_data":{"k":[1,2,3]},"length":3,"flag":true,"empty":null},
    "5860":{"launchComplete":false},
    "d9b4":{"result":{"response":{"id":"abc","status":"FINISHED"}}},
    "workflow_start":{"x":1},"job":{"shadow":"not the job scope"}})")
                                     .as_object();
  return outs;
}

engine::VarScope Scope() {
  return engine::VarScope{JobVariables(), [](std::string_view id) -> const bj::object* {
                            const bj::object& o = Outputs();
                            auto it = o.find(id);
                            if (it == o.end() || !it->value().is_object()) return nullptr;
                            return &it->value().get_object();
                          }};
}

void ResolveString(std::string_view text) {
  bj::value a, b;
  bool ra = engine::ResolveVarString(text, Scope(), &a);
  bool rb = engine::ResolveVarString(text, Scope(), &b);
  opsflow::fuzz::Check(ra == rb && a == b, "ResolveVarString is not deterministic");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text = opsflow::fuzz::AsText(data, size);
  ResolveString(text);
  bool found = false;
  auto [method, rest] = opsflow::fuzz::SplitOnce(text, "\n", &found);
  if (!found) return 0;
  ResolveString(rest);
  auto doc = opsflow::json::Parse(rest);
  if (!doc.ok() || !doc->is_object()) return 0;
  opsflow::model::TaskDef def;
  def.id = "f1";
  def.method = std::string(method);
  def.app = "WorkFlowEngine";
  def.location = "Application";
  def.type = "automatic";
  def.incoming = doc->get_object();
  def.outgoing = doc->get_object();
  bj::object in1 = engine::ResolveIncoming(def, Scope());
  bj::object in2 = engine::ResolveIncoming(def, Scope());
  opsflow::fuzz::Check(in1 == in2, "ResolveIncoming is not deterministic");
  (void)engine::ResolveStructured(doc->get_object(), Scope());
  bj::object job = JobVariables();
  engine::ApplyOutgoing(def, in1, &job);
  engine::ApplyOutgoing(def, doc->get_object(), &job);
  return 0;
}
