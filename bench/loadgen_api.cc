#include "loadgen_api.h"

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <fstream>
#include <thread>

#include "loadgen_http.h"

namespace opsflow::bench {

namespace json = boost::json;

double Percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  size_t rank = static_cast<size_t>(std::ceil(p * static_cast<double>(values.size())));
  size_t index = rank == 0 ? 0 : rank - 1;
  std::nth_element(values.begin(), values.begin() + static_cast<ptrdiff_t>(index), values.end());
  return values[index];
}

std::optional<int64_t> ProcStatusField(int pid, std::string_view key) {
  if (pid <= 0) return std::nullopt;
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.size() <= key.size() || line.compare(0, key.size(), key) != 0 ||
        line[key.size()] != ':') {
      continue;
    }
    size_t begin = line.find_first_not_of(" \t", key.size() + 1);
    if (begin == std::string::npos) return std::nullopt;
    int64_t v = 0;
    auto [end, ec] = std::from_chars(line.data() + begin, line.data() + line.size(), v);
    if (ec != std::errc()) return std::nullopt;
    return v;
  }
  return std::nullopt;
}

std::optional<std::string> Login(const Options& o, std::string& error) {
  json::object user{{"username", o.user}, {"password", o.password}};
  std::string body = json::serialize(json::object{{"user", std::move(user)}});
  Reply r = Fetch(o, "POST", "/login", body, "");
  if (r.status != 200) {
    error = "Login as " + o.user +
            " failed: " + (r.status == 0 ? r.transport_error : "HTTP " + std::to_string(r.status));
    return std::nullopt;
  }
  std::string token = r.body;
  while (!token.empty() && std::isspace(static_cast<unsigned char>(token.back()))) {
    token.pop_back();
  }
  if (token.size() >= 2 && token.front() == '"' && token.back() == '"') {
    token = token.substr(1, token.size() - 2);  // tolerate a JSON-quoted token
  }
  if (token.empty()) error = "Login answered 200 with an empty token.";
  return token.empty() ? std::nullopt : std::optional<std::string>(token);
}

std::optional<json::value> GetJson(const Options& o, const std::string& token,
                                   const std::string& target, std::string& error) {
  Reply r = Fetch(o, "GET", target, "", token);
  if (r.status != 200) {
    error = "GET " + target + " gave " +
            (r.status == 0 ? r.transport_error
                           : "HTTP " + std::to_string(r.status) + ": " + r.body.substr(0, 300));
    return std::nullopt;
  }
  boost::system::error_code ec;
  json::value v = json::parse(r.body, ec);
  if (ec || !v.is_object()) {
    error = "GET " + target + " did not answer a JSON object";
    return std::nullopt;
  }
  return v;
}

std::optional<int64_t> IntAt(const json::value& doc, std::string_view pointer) {
  boost::system::error_code ec;
  const json::value* v = doc.find_pointer(pointer, ec);
  if (v == nullptr) return std::nullopt;
  if (v->is_int64()) return v->get_int64();
  if (v->is_uint64()) return static_cast<int64_t>(v->get_uint64());
  if (v->is_double()) return static_cast<int64_t>(v->get_double());
  return std::nullopt;
}

std::optional<int64_t> GetInt(const Options& o, const std::string& token, const std::string& target,
                              std::string_view pointer, std::string_view field,
                              std::string& error) {
  auto doc = GetJson(o, token, target, error);
  if (!doc) return std::nullopt;
  auto n = IntAt(*doc, pointer);
  if (!n) error = "GET " + target + " has no " + std::string(field);
  return n;
}

std::optional<int64_t> CountList(const Options& o, const std::string& token,
                                 std::string_view collection, const std::string& query,
                                 std::string& error) {
  std::string target = std::string(collection) + "?" + query + "&limit=1";
  return GetInt(o, token, target, "/metadata/total", "metadata.total", error);
}

std::optional<int64_t> CountJobs(const Options& o, const std::string& token,
                                 const std::string& filter, std::string& error) {
  return CountList(o, token, kJobs, "equals%5Bname%5D=" + UrlEncode(o.workflow) + filter, error);
}

std::optional<Session> BeginSession(const Options& o) {
  boost::system::error_code ec;
  json::value variables = json::parse(o.variables, ec);
  if (ec || !variables.is_object()) {
    Fail("--variables must be a JSON object.");
    return std::nullopt;
  }
  Session s;
  s.start_body = json::serialize(
      json::object{{"workflow", o.workflow}, {"options", json::object{{"variables", variables}}}});
  std::string error;
  auto token = Login(o, error);
  if (!token) {
    Fail(error);
    return std::nullopt;
  }
  s.token = std::move(*token);
  return s;
}

bool PollUntil(const Options& o, const std::function<bool()>& done,
               const std::function<std::string()>& note) {
  using Clock = std::chrono::steady_clock;
  auto deadline = Clock::now() + std::chrono::seconds(o.timeout_s);
  auto next_note = Clock::now() + std::chrono::seconds(5);
  while (Clock::now() < deadline) {
    if (done()) return true;
    if (Clock::now() >= next_note) {
      std::fprintf(stderr, "loadgen: %s\n", note().c_str());
      next_note += std::chrono::seconds(5);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(o.poll_ms));
  }
  return false;
}

void NoteFailures(std::string_view what, std::string_view requests, int64_t total,
                  const StartStats& s, std::vector<std::string>& problems) {
  for (const std::string& e : s.error_samples) {
    std::fprintf(stderr, "loadgen: %s failed: %s\n", std::string(what).c_str(), e.c_str());
  }
  if (s.errors > 0) {
    problems.push_back(std::to_string(s.errors) + " of " + std::to_string(total) + " " +
                       std::string(requests) + " failed.");
  }
}

std::string Printf(const char* format, ...) {
  va_list args;
  va_start(args, format);
  va_list again;
  va_copy(again, args);
  int size = std::vsnprintf(nullptr, 0, format, args);
  va_end(args);
  std::string text(size > 0 ? static_cast<size_t>(size) : 0, '\0');
  if (size > 0) std::vsnprintf(text.data(), text.size() + 1, format, again);
  va_end(again);
  return text;
}

std::string FormatResult(const Options& o, std::string_view fields) {
  return "RESULT name=" + o.name + " scenario=" + o.scenario + " " + std::string(fields);
}

int Fail(const std::string& sentence) {
  std::fprintf(stderr, "opsflow_loadgen: %s\n", sentence.c_str());
  return 1;
}

int Conclude(const std::string& line, const std::vector<std::string>& problems) {
  if (!problems.empty()) {
    std::fprintf(stderr, "measured (not a valid result): %s\n", line.c_str());
    std::string all;
    for (const std::string& p : problems) all += (all.empty() ? "" : " ") + p;
    return Fail(all);
  }
  std::printf("%s\n", line.c_str());
  return 0;
}

}  // namespace opsflow::bench
