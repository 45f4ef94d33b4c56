// The JST (JSON Schema Transformation) runtime: runs an IAP transformation document natively.
//
// A JST document is {incoming:[schema with $id], outgoing:[schema with $id], steps[],
// functions[] (nested JSTs)}. Steps are `assign` (copy a value from incoming/method/
// declaration/template/function output to a method argument or an outgoing value, via JSON
// pointers), `method` (a library call such as Object.getProperty or Array.map), `declaration`
// (new Array/Object/String/...), `template` (a template literal) and `function` (a call of a
// nested JST). Steps run in data-dependency order (document order breaks ties). Array
// methods that take a callback (map, filter, reduce, find, flatMap, ...) name a nested JST
// in their second argument; its incoming schemas bind (currentValue|accumulator, ..., index,
// array, thisArg), where thisArg's properties "<k>_<name>" receive the k-th extra argument.
// A `context` step (Conditional.switch) chooses the first case whose value (`return`, in
// order) equals its input; only the steps whose `context` key lies in a chosen case run
// ("#/24[1]", nested "#/24[1]/30[2]"), so an outgoing value written only by an unchosen case
// stays unset. See IAP-REFERENCE §7, plan.h and docs/DECISIONS.md ("JST switch").
//
// Errors: InvalidArgument for a malformed document (contexts and case ports that do not fit
// together included, naming the step), a validation failure (IAP wording, e.g.
// "Missing one of the following required instances: arg2, arg1"), an unknown method
// ("Unknown JST method Foo.bar") or a method failing on its arguments; ResourceExhausted when
// a run exceeds max_steps, max_depth or a value limit. Nothing throws.
// Cost: every step is bounded by the size of the values it touches, which the value limits
// bound; max_steps bounds the number of steps.
// Thread-safety: RunJst is reentrant; it shares nothing between calls.
#pragma once

#include <boost/json/object.hpp>
#include <cstddef>
#include <cstdint>

#include "base/status.h"

namespace opsflow::tasks::jst {

struct JstOptions {
  bool validate_incoming = false;     // check inputs against the incoming schemas
  bool revert_to_default = false;     // use schema `default`s for missing inputs/outputs
  size_t max_steps = 1000000;         // steps executed per run, nested calls included
  size_t max_depth = 64;              // nested function/callback calls
  size_t max_array_length = 1000000;  // arrays a method may create (new Array(n), fill, ...)
  // A value placed inside another one (by an assign to a path, push, setProperty, map, ...)
  // may have at most this many nodes and this nesting depth; the nodes such checks visit
  // count against max_check_nodes per run.
  size_t max_value_nodes = 1000000;
  size_t max_value_depth = 128;
  size_t max_check_nodes = 50000000;
  int64_t now_ms = 0;  // Date.now() and new Date() (from the runtime's clock)
};

// Runs `jst` on `inputs` (incoming values by $id) and returns the outgoing values by $id.
// An outgoing value nothing was assigned to is left out (unless it has a default and
// revert_to_default is set).
base::Result<boost::json::object> RunJst(const boost::json::object& jst,
                                         const boost::json::object& inputs, const JstOptions& opts);

}  // namespace opsflow::tasks::jst
