// The Number, Math and Boolean libraries of the JST runtime (JS semantics on doubles).
#include <boost/json.hpp>
#include <cmath>
#include <cstdlib>
#include <limits>

#include "tasks/jst/lib.h"
#include "tasks/task_util.h"

namespace opsflow::tasks::jst::internal {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Number.parseFloat: the longest numeric prefix after leading whitespace.
Ret ParseFloat(Args& a) {
  if (IsNumber(a[0])) return a[0];
  std::string s = ToJsString(a[0]);
  size_t b = s.find_first_not_of(" \t\n\r\f\v");
  if (b == std::string::npos) return bj::value(kNaN);
  const char* start = s.c_str() + b;
  if (std::string_view(start).rfind("Infinity", 0) == 0) return bj::value(HUGE_VAL);
  if (std::string_view(start).rfind("-Infinity", 0) == 0) return bj::value(-HUGE_VAL);
  if (std::string_view(start).rfind("+Infinity", 0) == 0) return bj::value(HUGE_VAL);
  // strtod also reads hex and "inf"/"nan"; accept only decimal digits, sign, '.', exponent.
  size_t i = 0;
  std::string_view t(start);
  if (i < t.size() && (t[i] == '+' || t[i] == '-')) ++i;
  size_t digits_start = i;
  while (i < t.size() && (std::isdigit(static_cast<unsigned char>(t[i])) || t[i] == '.')) ++i;
  if (i == digits_start) return bj::value(kNaN);
  if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
    size_t j = i + 1;
    if (j < t.size() && (t[j] == '+' || t[j] == '-')) ++j;
    if (j < t.size() && std::isdigit(static_cast<unsigned char>(t[j]))) {
      while (j < t.size() && std::isdigit(static_cast<unsigned char>(t[j]))) ++j;
      i = j;
    }
  }
  std::string prefix(t.substr(0, i));
  char* end = nullptr;
  double d = std::strtod(prefix.c_str(), &end);
  if (end == prefix.c_str()) return bj::value(kNaN);
  return Num(d);
}

Ret ParseInt(Args& a) {
  std::string s = ToJsString(a[0]);
  int radix = static_cast<int>(ToIntegerClamped(a[1], 0, 36, 0));
  size_t b = s.find_first_not_of(" \t\n\r\f\v");
  if (b == std::string::npos) return bj::value(kNaN);
  std::string_view t = std::string_view(s).substr(b);
  bool neg = false;
  if (!t.empty() && (t[0] == '+' || t[0] == '-')) {
    neg = t[0] == '-';
    t.remove_prefix(1);
  }
  if ((radix == 0 || radix == 16) && t.size() > 1 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X')) {
    radix = 16;
    t.remove_prefix(2);
  }
  if (radix == 0) radix = 10;
  if (radix < 2) return bj::value(kNaN);
  double v = 0;
  size_t n = 0;
  for (char c : t) {
    int d = std::isdigit(static_cast<unsigned char>(c)) ? c - '0'
            : std::isalpha(static_cast<unsigned char>(c))
                ? std::tolower(static_cast<unsigned char>(c)) - 'a' + 10
                : 99;
    if (d >= radix) break;
    v = v * radix + d;
    ++n;
  }
  if (n == 0) return bj::value(kNaN);
  return Num(neg ? -v : v);
}

Ret IsInteger(Args& a) {
  if (!IsNumber(a[0])) return false;
  double d = ToNumber(a[0]);
  return std::isfinite(d) && d == std::trunc(d);
}
Ret IsNaNM(Args& a) { return IsNumber(a[0]) && std::isnan(ToNumber(a[0])); }
Ret IsFiniteM(Args& a) { return IsNumber(a[0]) && std::isfinite(ToNumber(a[0])); }

Ret ToFixed(Args& a) {
  double d = ToNumber(a[0]);
  int digits = static_cast<int>(ToIntegerClamped(a[1], 0, 100, 0));
  if (!std::isfinite(d)) return bj::value(tasks::internal::JsNumberToString(d));
  char buf[512];
  std::snprintf(buf, sizeof buf, "%.*f", digits, d);
  return bj::value(buf);
}

Ret NumberToString(Args& a) { return bj::value(tasks::internal::JsNumberToString(ToNumber(a[0]))); }

Ret NewNumber(Args& a) { return Num(ToNumber(a[0])); }

// Math.add is JS `+`: string concatenation when either side is a string.
Ret Add(Args& a) {
  if (a[0].is_string() || a[1].is_string() || a[0].is_structured() || a[1].is_structured()) {
    return bj::value(ToJsString(a[0]) + ToJsString(a[1]));
  }
  return Num(ToNumber(a[0]) + ToNumber(a[1]));
}
Ret Subtract(Args& a) { return Num(ToNumber(a[0]) - ToNumber(a[1])); }
Ret Multiply(Args& a) { return Num(ToNumber(a[0]) * ToNumber(a[1])); }
Ret Divide(Args& a) { return Num(ToNumber(a[0]) / ToNumber(a[1])); }
Ret Modulo(Args& a) { return Num(std::fmod(ToNumber(a[0]), ToNumber(a[1]))); }
Ret Pow(Args& a) { return Num(std::pow(ToNumber(a[0]), ToNumber(a[1]))); }
Ret Ceil(Args& a) { return Num(std::ceil(ToNumber(a[0]))); }
Ret Floor(Args& a) { return Num(std::floor(ToNumber(a[0]))); }
Ret Round(Args& a) { return Num(std::floor(ToNumber(a[0]) + 0.5)); }
Ret Trunc(Args& a) { return Num(std::trunc(ToNumber(a[0]))); }
Ret Abs(Args& a) { return Num(std::fabs(ToNumber(a[0]))); }
Ret Sqrt(Args& a) { return Num(std::sqrt(ToNumber(a[0]))); }

Ret MinMax(Args& a, bool max) {
  std::vector<bj::value> vals =
      a[0].is_array() && a.size() == 1
          ? std::vector<bj::value>(a[0].get_array().begin(), a[0].get_array().end())
          : a.v;
  double r = max ? -HUGE_VAL : HUGE_VAL;
  for (const bj::value& v : vals) {
    double d = ToNumber(v);
    if (std::isnan(d)) return bj::value(kNaN);
    r = max ? std::max(r, d) : std::min(r, d);
  }
  return Num(r);
}
Ret Max(Args& a) { return MinMax(a, true); }
Ret Min(Args& a) { return MinMax(a, false); }

Ret NewBoolean(Args& a) { return Truthy(a[0]); }
Ret BooleanToString(Args& a) { return bj::value(Truthy(a[0]) ? "true" : "false"); }

}  // namespace

std::vector<Entry> NumberMethods() {
  return {
      {"Number.parseFloat", ParseFloat},
      {"Number.parseInt", ParseInt},
      {"Number.isInteger", IsInteger},
      {"Number.isNaN", IsNaNM},
      {"Number.isFinite", IsFiniteM},
      {"Number.toFixed", ToFixed},
      {"Number.toString", NumberToString},
      {"Number.new Number", NewNumber},
      {"Math.add", Add},
      {"Math.subtract", Subtract},
      {"Math.multiply", Multiply},
      {"Math.divide", Divide},
      {"Math.modulo", Modulo},
      {"Math.pow", Pow},
      {"Math.ceil", Ceil},
      {"Math.floor", Floor},
      {"Math.round", Round},
      {"Math.trunc", Trunc},
      {"Math.abs", Abs},
      {"Math.sqrt", Sqrt},
      {"Math.max", Max},
      {"Math.min", Min},
      {"Boolean.new Boolean", NewBoolean},
      {"Boolean.toString", BooleanToString},
  };
}

}  // namespace opsflow::tasks::jst::internal
