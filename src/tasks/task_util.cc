#include "tasks/task_util.h"

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>

#include "json/compare.h"
#include "json/parse.h"

namespace opsflow::tasks::internal {

namespace json = boost::json;

const json::value* Find(const json::object& obj, std::string_view key) {
  auto it = obj.find(key);
  return it == obj.end() ? nullptr : &it->value();
}

const char* TypeName(const json::value& v) {
  switch (v.kind()) {
    case json::kind::string:
      return "string";
    case json::kind::int64:
    case json::kind::uint64:
    case json::kind::double_:
      return "number";
    case json::kind::bool_:
      return "boolean";
    case json::kind::null:
      return "null";
    case json::kind::array:
      return "array";
    case json::kind::object:
      return "object";
  }
  return "unknown";
}

TaskResult WrongType(std::string_view task, std::string_view input, std::string_view expected,
                     const json::value* got) {
  std::string msg = std::string(task) + ": input \"" + std::string(input) + "\" must be " +
                    std::string(expected) + ", got " + (got ? TypeName(*got) : "nothing");
  return Error(std::move(msg));
}

std::optional<double> ParseNumber(std::string_view text) {
  size_t b = 0, e = text.size();
  while (b < e && std::isspace(static_cast<unsigned char>(text[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(text[e - 1]))) --e;
  text = text.substr(b, e - b);
  if (text.empty()) return std::nullopt;
  std::string_view body = text;
  bool negative = false;
  if (body.front() == '+' || body.front() == '-') {
    negative = body.front() == '-';
    body.remove_prefix(1);
  }
  if (body == "Infinity") return negative ? -HUGE_VAL : HUGE_VAL;
  if (body.empty() || body.front() == '+' || body.front() == '-') return std::nullopt;
  double d = 0;
  auto [ptr, ec] = std::from_chars(body.data(), body.data() + body.size(), d);
  if (ec != std::errc() || ptr != body.data() + body.size()) return std::nullopt;
  return negative ? -d : d;
}

std::optional<double> AsNumber(const json::value& v) {
  switch (v.kind()) {
    case json::kind::int64:
      return static_cast<double>(v.get_int64());
    case json::kind::uint64:
      return static_cast<double>(v.get_uint64());
    case json::kind::double_:
      return v.get_double();
    case json::kind::string:
      return ParseNumber(v.get_string());
    default:
      return std::nullopt;
  }
}

std::optional<bool> AsBool(const json::value& v) {
  if (v.is_bool()) return v.get_bool();
  if (!v.is_string()) return std::nullopt;
  std::string s(v.get_string());
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (s == "true") return true;
  if (s == "false") return false;
  return std::nullopt;
}

std::optional<int64_t> AsInteger(const json::value& v) {
  if (v.is_int64()) return v.get_int64();
  if (v.is_uint64()) {
    if (v.get_uint64() > static_cast<uint64_t>(INT64_MAX)) return std::nullopt;
    return static_cast<int64_t>(v.get_uint64());
  }
  auto d = AsNumber(v);
  if (!d || !std::isfinite(*d) || std::trunc(*d) != *d) return std::nullopt;
  if (*d < -9.2e18 || *d > 9.2e18) return std::nullopt;
  return static_cast<int64_t>(*d);
}

std::string JsNumberToString(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
  if (d == 0) return "0";
  std::string sign = d < 0 ? "-" : "";
  d = std::fabs(d);
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof(buf), d, std::chars_format::scientific);
  std::string sci(buf, res.ptr);  // d.ddde[+-]xx
  size_t epos = sci.find('e');
  std::string digits = sci.substr(0, epos);
  digits.erase(std::remove(digits.begin(), digits.end(), '.'), digits.end());
  int exp10 = std::atoi(sci.c_str() + epos + 1);
  int k = static_cast<int>(digits.size());
  int n = exp10 + 1;
  std::string out;
  if (k <= n && n <= 21) {
    out = digits + std::string(n - k, '0');
  } else if (0 < n && n <= 21) {
    out = digits.substr(0, n) + "." + digits.substr(n);
  } else if (-6 < n && n <= 0) {
    out = "0." + std::string(-n, '0') + digits;
  } else {
    out = digits.substr(0, 1);
    if (k > 1) out += "." + digits.substr(1);
    out += "e";
    out += (n - 1 >= 0) ? "+" : "-";
    out += std::to_string(std::abs(n - 1));
  }
  return sign + out;
}

std::string ToText(const json::value& v) {
  switch (v.kind()) {
    case json::kind::string:
      return std::string(v.get_string());
    case json::kind::int64:
      return std::to_string(v.get_int64());
    case json::kind::uint64:
      return std::to_string(v.get_uint64());
    case json::kind::double_:
      return JsNumberToString(v.get_double());
    case json::kind::bool_:
      return v.get_bool() ? "true" : "false";
    case json::kind::null:
      return "null";
    default:
      return opsflow::json::Serialize(v);
  }
}

bool DeepEqual(const json::value& a, const json::value& b) {
  return opsflow::json::DeepEqual(a, b, /*max_depth=*/256);
}

bool LooseEqual(const json::value& a, const json::value& b) {
  if (DeepEqual(a, b)) return true;
  if (a.is_number() && b.is_string()) {
    auto n = ParseNumber(b.get_string());
    return n && *n == *AsNumber(a);
  }
  if (a.is_string() && b.is_number()) return LooseEqual(b, a);
  if (a.is_bool() && b.is_string()) {
    auto x = AsBool(b);
    return x && *x == a.get_bool();
  }
  if (a.is_string() && b.is_bool()) return LooseEqual(b, a);
  return false;
}

std::optional<int64_t> SecondsToMs(const json::value* v, bool empty_is_zero) {
  if (!v || v->is_null() || (v->is_string() && v->get_string().empty())) {
    if (empty_is_zero) return 0;
    return std::nullopt;
  }
  if (!v->is_number() && !v->is_string()) return std::nullopt;
  auto s = AsNumber(*v);
  constexpr double kMaxSeconds = 10.0 * 365 * 24 * 3600;
  if (!s || !(*s >= 0) || *s > kMaxSeconds) return std::nullopt;
  return static_cast<int64_t>(std::llround(*s * 1000));
}

base::Result<std::pair<std::string, json::array>> JobArrayVariable(const TaskContext& ctx,
                                                                   std::string_view task) {
  const json::value* name = Find(ctx.incoming, "job_variable");
  if (!name || !name->is_string() || name->get_string().empty()) {
    return base::InvalidArgument(
        std::string(task) + ": input \"job_variable\" must be the name of a job variable, got " +
        (name ? TypeName(*name) : "nothing"));
  }
  std::string n(name->get_string());
  const json::value* var = Find(ctx.job_variables, n);
  if (!var) {
    return base::InvalidArgument(std::string(task) + ": job variable \"" + n + "\" does not exist");
  }
  if (!var->is_array()) {
    return base::InvalidArgument(std::string(task) + ": job variable \"" + n +
                                 "\" must be an array, got " + TypeName(*var));
  }
  return std::make_pair(std::move(n), var->get_array());
}

size_t CodePointCount(std::string_view s) {
  size_t n = 0;
  for (char c : s) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
  }
  return n;
}

size_t CodePointOffset(std::string_view s, size_t index) {
  size_t seen = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) {
      if (seen == index) return i;
      ++seen;
    }
  }
  return s.size();
}

}  // namespace opsflow::tasks::internal
