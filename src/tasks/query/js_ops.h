// JavaScript semantics over JSON values, as json-query relies on them: truthiness, property
// access (`v[key]`), `==`, `<`, `===`, parseInt, Number(), Object.keys order.
// A `Val` is a pointer to a JSON value; nullptr stands for JS `undefined`.
// Functions and prototype properties (`constructor`, `toString` ...) do not exist here: a
// property is an own key of an object, an index or `length` of an array or string.
// Thread-safety: stateless functions; JsArena is not thread-safe (one per evaluation).
#pragma once

#include <boost/json/value.hpp>
#include <cstddef>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"

namespace opsflow::tasks::query {

using Val = const boost::json::value*;  // nullptr: undefined

// Owns the values an evaluation builds; pointers stay valid while it lives. Counts the array
// elements it holds and refuses more than `kMaxElements` (ResourceExhausted).
class JsArena {
 public:
  static constexpr size_t kMaxElements = 5'000'000;
  base::Result<Val> Keep(boost::json::value v);

 private:
  std::deque<boost::json::value> values_;
  size_t elements_ = 0;
};

bool Truthy(Val v);
bool IsNullish(Val v);

// String(v) as a property key: numbers as JS prints them, arrays joined with ",",
// objects "[object Object]", undefined "undefined".
std::string ToPropertyKey(Val v);

// Number(text), NaN for text JS cannot read as a number ("" and blanks are 0).
double JsStringToNumber(std::string_view text);
// parseInt(text) (base 10, or 16 after 0x), NaN when no digits.
double JsParseInt(std::string_view text);

// The own keys in Object.keys order: array-index keys ascending, then the rest as stored.
std::vector<std::pair<std::string_view, Val>> OrderedEntries(const boost::json::object& obj);

// UTF-16 length of UTF-8 text, and the one-unit string at `index` (nullopt past the end).
size_t Utf16Length(std::string_view s);
std::optional<std::string> Utf16UnitAt(std::string_view s, size_t index);
// Every UTF-16 unit of `s` as UTF-8 text (a lone surrogate becomes U+FFFD).
std::vector<std::string> Utf16Units(std::string_view s);

// v[key]: undefined when absent; an error (JS TypeError) when v is null or undefined.
base::Result<Val> GetProperty(Val v, Val key, JsArena& arena);
base::Result<Val> GetProperty(Val v, std::string_view key, JsArena& arena);

bool LooseEquals(Val a, Val b);                      // a == b
bool StrictEquals(Val a, Val b);                     // a === b
bool Relation(Val a, Val b, std::string_view op);    // a < b, a <= b, a > b, a >= b

}  // namespace opsflow::tasks::query
