// The planned form of a JST document's steps, shared by the interpreter (runtime.cc) and the
// checks of `context` (switch) steps (context.cc). Internal.
//
// A switch is a step {"type": "context", "library": "Conditional", "method": "switch",
// "return": [case values]}. Its input is an assign to {location: "context", name: <switch>,
// ptr: "/args/0/value"}; its case ports are {location: "context", name: <switch>,
// ptr: "/return/case_N"}, assigned to the "/context" pointer of the steps of case N. Every
// step (and assign) may carry a `context` key: "#" at top level, "#/24[1]" inside case 1 of
// switch 24, "#/24[1]/30[2]" inside case 2 of switch 30, itself inside case 1 of switch 24.
// See IAP-REFERENCE §7 and docs/DECISIONS.md ("JST switch").
// Thread-safety: plain data and stateless functions.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "base/status.h"
#include "tasks/jst/lib.h"

namespace opsflow::tasks::jst::internal {

enum class Kind { kAssign, kMethod, kDeclaration, kTemplate, kFunction, kSwitch };

struct Ref {
  std::string location;
  std::string name;
  std::string ptr;
};

// One case of a switch: the switch step's id and the case number (from 1).
struct CaseRef {
  std::string switch_id;
  size_t case_no = 0;
  bool operator==(const CaseRef&) const = default;
};

// A step's `context`: the cases that enclose it, outermost first ("#" is the empty path).
using ContextPath = std::vector<CaseRef>;

struct PlanStep {
  Kind kind = Kind::kAssign;
  const bj::object* step = nullptr;
  std::string id;
  Ref from, to;           // assign
  MethodFn fn = nullptr;  // method, declaration
  int polymorph = -1;
  std::vector<std::string> placeholders;  // template
  std::string text;                       // template text, function name
  const bj::array* cases = nullptr;       // switch: the case values (its `return`)
  ContextPath context;                    // where the step runs ("#" when it has no key)
  bool has_context = false;               // the step carries a `context` key
};

// Parses a `context` value: "#" or "#" followed by "/<switch id>[<case>]" parts.
base::Result<ContextPath> ParseContext(std::string_view text);
std::string ContextText(const ContextPath& path);

// The case number N of a case port pointer "/return/case_N", 0 when `ptr` is no such pointer.
size_t PortCase(std::string_view ptr);

// Checks that the contexts and case ports of one JST's steps fit together (every context names
// switches and cases that exist, nested as the switches themselves are; an assign runs in the
// context of what it reads; a case port feeds only the "/context" of a step of that case);
// gives an assign without a `context` key the context of its source. `node_index` maps the id
// of every non-assign step to its index. Appends to `edges` the ordering (switch, step) for
// every step inside one of the switch's cases. InvalidArgument naming the step otherwise.
base::Status CheckContexts(std::vector<PlanStep>& steps,
                           const std::unordered_map<std::string, size_t>& node_index,
                           const std::string& jst_name,
                           std::vector<std::pair<size_t, size_t>>* edges);

}  // namespace opsflow::tasks::jst::internal
