#include "loadgen_api.h"

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <charconv>
#include <cmath>
#include <fstream>

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

std::optional<int64_t> CountList(const Options& o, const std::string& token,
                                 std::string_view collection, const std::string& query,
                                 std::string& error) {
  std::string target = std::string(collection) + "?" + query + "&limit=1";
  auto doc = GetJson(o, token, target, error);
  if (!doc) return std::nullopt;
  auto n = IntAt(*doc, "/metadata/total");
  if (!n) error = "GET " + target + " has no metadata.total";
  return n;
}

std::optional<int64_t> CountJobs(const Options& o, const std::string& token,
                                 const std::string& filter, std::string& error) {
  return CountList(o, token, kJobs, "equals%5Bname%5D=" + UrlEncode(o.workflow) + filter, error);
}

}  // namespace opsflow::bench
