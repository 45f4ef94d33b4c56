#include "fuzz_common.h"

#include <unistd.h>

#include <boost/json.hpp>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace opsflow::fuzz {

std::pair<std::string_view, std::string_view> SplitOnce(std::string_view text, std::string_view sep,
                                                        bool* found) {
  size_t at = text.find(sep);
  if (found) *found = at != std::string_view::npos;
  if (at == std::string_view::npos) return {text, std::string_view()};
  return {text.substr(0, at), text.substr(at + sep.size())};
}

void Fail(std::string_view what, std::string_view detail) {
  std::fprintf(stderr, "\n==fuzz== oracle failure: %.*s\n", static_cast<int>(what.size()),
               what.data());
  if (!detail.empty()) {
    std::fprintf(stderr, "==fuzz== detail: %.*s\n", static_cast<int>(detail.size()), detail.data());
  }
  std::fflush(stderr);
  std::abort();
}

std::string NewStateDir(const char* name) {
  const char* env = std::getenv("OPSFLOW_FUZZ_STATE_DIR");
  std::string base = env && *env ? env : access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
  std::string dir = base + "/opsflow-fuzz-" + name + "-XXXXXX";
  if (!mkdtemp(dir.data())) Fail("mkdtemp failed", dir);
  return dir;
}

boost::json::value Fixture(std::string_view text) {
  boost::json::error_code ec;
  boost::json::value v = boost::json::parse(text, ec);
  if (ec) Fail("bad fixture JSON in a fuzz target", text);
  return v;
}

}  // namespace opsflow::fuzz
