// Fuzz target: opsflow::json::Parse (src/json/parse.h) on arbitrary bytes.
// Oracles: no crash or sanitizer report; a parsed document serializes and parses back to the
// same value and the same text (exact doubles); the depth and size limits hold.
#include <boost/json.hpp>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "fuzz_common.h"
#include "json/parse.h"

namespace {

namespace bj = boost::json;
using opsflow::fuzz::Check;

// Nesting of arrays and objects: a scalar is 0, [] and {} are 1. Iterative.
size_t Depth(const bj::value& root) {
  size_t deepest = 0;
  std::vector<std::pair<const bj::value*, size_t>> todo{{&root, 0}};
  while (!todo.empty()) {
    auto [v, d] = todo.back();
    todo.pop_back();
    if (v->is_array()) {
      deepest = std::max(deepest, d + 1);
      for (const auto& e : v->get_array()) todo.push_back({&e, d + 1});
    } else if (v->is_object()) {
      deepest = std::max(deepest, d + 1);
      for (const auto& kv : v->get_object()) todo.push_back({&kv.value(), d + 1});
    }
  }
  return deepest;
}

// Nesting of the text itself, which can exceed the parsed value's: with a duplicate key the
// last value wins, so {"a":[[[]]],"a":1} nests 4 deep but parses to a value of depth 1.
// `text` is valid JSON here (Parse accepted it).
size_t TextDepth(std::string_view text) {
  size_t depth = 0, deepest = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return deepest;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text = opsflow::fuzz::AsText(data, size);
  auto r = opsflow::json::Parse(text);
  if (r.ok()) {
    const bj::value& v = *r;
    Check(Depth(v) <= 64, "Parse accepted a document deeper than max_depth 64");
    std::string once = opsflow::json::Serialize(v);
    auto again = opsflow::json::Parse(once);
    Check(again.ok(), "Serialize wrote text that Parse rejects", once);
    Check(*again == v, "Parse(Serialize(v)) != v", once);
    std::string twice = opsflow::json::Serialize(*again);
    Check(twice == once, "Serialize is not stable across a round trip", once + " vs " + twice);

    // Tight limits: a depth limit below the document's depth must refuse it, one at or above
    // must accept it; a byte limit below the size must refuse it.
    size_t depth = TextDepth(text);
    Check(Depth(v) <= depth, "the parsed value nests deeper than its text");
    size_t limit = size % 6;
    auto tight = opsflow::json::Parse(text, {.max_depth = limit, .max_bytes = size});
    if (depth > limit) Check(!tight.ok(), "Parse ignored a tight max_depth");
    if (depth < limit) Check(tight.ok(), "Parse refused a document within max_depth");
    if (size > 0) {
      Check(!opsflow::json::Parse(text, {.max_depth = 64, .max_bytes = size - 1}).ok(),
            "Parse ignored max_bytes");
    }
  } else {
    Check(!r.status().message().empty(), "Parse failed without a message");
  }
  return 0;
}
