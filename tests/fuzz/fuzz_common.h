// Helpers shared by the libFuzzer targets in tests/fuzz (see README.md).
// Thread-safety: stateless functions.
#pragma once

#include <boost/json/fwd.hpp>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

namespace opsflow::fuzz {

// The fuzzer's bytes as text.
inline std::string_view AsText(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// Splits `text` at the first `sep`: {before, after}; after is empty (and `found` false) when
// `sep` does not occur.
std::pair<std::string_view, std::string_view> SplitOnce(std::string_view text, std::string_view sep,
                                                        bool* found = nullptr);

// An oracle failure: prints `what` (and `detail`) to stderr and aborts, which libFuzzer reports
// as a crash with the input saved.
[[noreturn]] void Fail(std::string_view what, std::string_view detail = {});

// Fails unless `cond`.
inline void Check(bool cond, std::string_view what, std::string_view detail = {}) {
  if (!cond) Fail(what, detail);
}

// A new empty directory for a target's store: under $OPSFLOW_FUZZ_STATE_DIR when set (scripts/fuzz
// sets it and removes it afterwards), else under /dev/shm (or /tmp). Aborts on failure.
std::string NewStateDir(const char* name);

// Parses trusted JSON text written in a target (seed documents, fixtures); aborts when invalid.
boost::json::value Fixture(std::string_view text);

}  // namespace opsflow::fuzz
