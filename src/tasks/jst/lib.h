// Internals of the JST runtime: JS-like value helpers and the method library table.
// Values are Boost.JSON values; JS `undefined` is represented as null. A RegExp is an object
// {"$jstRegExp": {"source", "flags"}}; a Date is its ISO-8601 string (as JSON.stringify writes
// it). Numbers that are whole and fit in int64 are stored as int64, others as double (NaN and
// Infinity only live inside a run; outputs turn them into null, as JSON.stringify does).
// Thread-safety: stateless functions; the method table is immutable after first use.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/value.hpp>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "base/status.h"

namespace opsflow::tasks::jst::internal {

namespace bj = boost::json;

// Runs nested JSTs for callback-taking methods (Array.map & co.).
class Caller {
 public:
  virtual ~Caller() = default;
  // Calls the nested JST named `fn` with `positional` bound to its incoming schemas in order
  // (the thisArg schema is skipped and built from `extras`); returns its first outgoing value.
  // Only the inputs the callee reads are copied.
  virtual base::Result<bj::value> Call(const bj::value& fn,
                                       const std::vector<const bj::value*>& positional,
                                       const std::vector<bj::value>& extras) = 0;
  virtual int64_t NowMs() const = 0;
  virtual size_t MaxArrayLength() const = 0;
  // ResourceExhausted when `v`, placed `extra_depth` levels deep, would break the value
  // limits (nodes, depth) or the run's budget of checked nodes.
  virtual base::Status CheckValue(const bj::value& v, size_t extra_depth) = 0;
};

// The arguments of one method or declaration call.
struct Args {
  std::string_view name;      // "Array.map", for messages
  std::vector<bj::value>& v;  // positional, mutable (methods may move from them)
  Caller& caller;
  int polymorph = -1;  // a declaration's polymorphIndex, -1 when absent

  const bj::value& operator[](size_t i) const;  // null past the end
  size_t size() const { return v.size(); }
  // Extra arguments from index `from` on (a callback's thisArg values).
  std::vector<bj::value> From(size_t from) const;
  base::Status Fail(std::string_view what) const;  // InvalidArgument "<name>: <what>"
  // Caller::CheckValue with the method's name in the message.
  base::Status Check(const bj::value& v, size_t extra_depth = 1) const;
};

// A method's result: a Result<value> that also converts from anything a value can be built
// from (bool, int, array, ...), so methods can `return true;`.
class Ret : public base::Result<bj::value> {
 public:
  using base::Result<bj::value>::Result;
  Ret(base::Result<bj::value> r) : base::Result<bj::value>(std::move(r)) {}  // NOLINT
  template <typename T, std::enable_if_t<std::is_constructible_v<bj::value, T&&> &&
                                             !std::is_same_v<std::decay_t<T>, bj::value>,
                                         int> = 0>
  Ret(T&& v) : base::Result<bj::value>(bj::value(std::forward<T>(v))) {}  // NOLINT
};

using MethodFn = Ret (*)(Args& a);

// The function for "<library>.<method>" (declarations: "Array.new Array"), or nullptr.
MethodFn FindMethod(std::string_view library, std::string_view method);

// Library registration, one per file.
struct Entry {
  const char* name;
  MethodFn fn;
};
std::vector<Entry> ObjectMethods();
std::vector<Entry> ArrayMethods();
std::vector<Entry> StringMethods();
std::vector<Entry> NumberMethods();  // Number, Math, Boolean
std::vector<Entry> LogicMethods();   // Conditional, Equality, Logical, Relational
std::vector<Entry> DateMethods();
std::vector<Entry> RegExpMethods();
std::vector<Entry> MiscMethods();  // JSON, WorkFlowEngine, declarations

// --- JS-like conversions ---
bool Truthy(const bj::value& v);
double ToNumber(const bj::value& v);         // JS Number(v); NaN when not a number
bj::value Num(double d);                     // int64 when whole and in range
std::string ToJsString(const bj::value& v);  // JS String(v) (null -> "null")
const char* JsTypeName(const bj::value& v);
bool IsNumber(const bj::value& v);
bool LooseEquals(const bj::value& a, const bj::value& b);   // ==
bool StrictEquals(const bj::value& a, const bj::value& b);  // === (structures by value)
int64_t ToIntegerClamped(const bj::value& v, int64_t lo, int64_t hi, int64_t dflt);
// Relative index as Array.prototype.slice reads it (negative counts from the end).
size_t RelIndex(const bj::value& v, size_t len, size_t dflt);
// Nodes of `v` (each value counts one) up to `limit`+1, and its depth (a scalar is 0,
// [] is 1) up to `depth_limit`+1; iterative, so any depth is safe.
void Measure(const bj::value& v, size_t limit, size_t depth_limit, size_t* nodes, size_t* depth);
// NaN and infinities become null, recursively (the shape JSON.stringify gives).
void Sanitize(bj::value& v);

bool IsRegExp(const bj::value& v);

// One match of a JS regular expression: byte offsets into the text and the capture groups
// (groups[0] is the whole match; an unmatched group is null).
struct RegexMatch {
  size_t begin = 0, end = 0;
  bj::array groups;
};
// Matches `re` (a RegExp value or a pattern string) in `text`: every match when `all` or the
// RegExp has the g flag, else the first. RE2 syntax with JS flags i, m, s, g; a leading
// lookbehind "(?<=x)" is emulated. InvalidArgument for a pattern RE2 cannot compile.
base::Result<std::vector<RegexMatch>> RegexFind(const bj::value& re, std::string_view text,
                                                bool all);
bool RegexGlobal(const bj::value& re);
bj::value MakeRegExp(std::string source, std::string flags);

}  // namespace opsflow::tasks::jst::internal
