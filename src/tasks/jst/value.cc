// JS-like conversions and the method table of the JST runtime.
#include <boost/json.hpp>
#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>
#include <mutex>
#include <unordered_map>

#include "tasks/jst/lib.h"
#include "tasks/task_util.h"

namespace opsflow::tasks::jst::internal {

namespace {

constexpr std::string_view kRegExpKey = "$jstRegExp";

using Table = std::unordered_map<std::string, MethodFn>;

const Table& Methods() {
  static const Table kTable = [] {
    Table t;
    for (auto lib : {ObjectMethods, ArrayMethods, StringMethods, NumberMethods, LogicMethods,
                     DateMethods, RegExpMethods, MiscMethods}) {
      for (const Entry& e : lib()) t.emplace(e.name, e.fn);
    }
    return t;
  }();
  return kTable;
}

std::string_view Trim(std::string_view s) {
  const char* ws = " \t\n\r\f\v";
  size_t b = s.find_first_not_of(ws);
  if (b == std::string_view::npos) return {};
  size_t e = s.find_last_not_of(ws);
  return s.substr(b, e - b + 1);
}

}  // namespace

const bj::value& Args::operator[](size_t i) const {
  static const bj::value kNull;
  return i < v.size() ? v[i] : kNull;
}

std::vector<bj::value> Args::From(size_t from) const {
  std::vector<bj::value> out;
  for (size_t i = from; i < v.size(); ++i) out.push_back(v[i]);
  return out;
}

base::Status Args::Fail(std::string_view what) const {
  return base::InvalidArgument(std::string(name) + ": " + std::string(what));
}

base::Status Args::Check(const bj::value& value, size_t extra_depth) const {
  base::Status st = caller.CheckValue(value, extra_depth);
  if (st.ok()) return st;
  return base::Status(st.code(), std::string(name) + ": " + st.message());
}

void Measure(const bj::value& v, size_t limit, size_t depth_limit, size_t* nodes, size_t* depth) {
  *nodes = 0;
  *depth = 0;
  std::vector<std::pair<const bj::value*, size_t>> stack{{&v, 0}};
  while (!stack.empty()) {
    auto [cur, d] = stack.back();
    stack.pop_back();
    if (++*nodes > limit) return;
    if (cur->is_array()) {
      if (d + 1 > *depth) *depth = d + 1;
      if (*depth > depth_limit) return;
      for (const bj::value& e : cur->get_array()) stack.emplace_back(&e, d + 1);
    } else if (cur->is_object()) {
      if (d + 1 > *depth) *depth = d + 1;
      if (*depth > depth_limit) return;
      for (const auto& kv : cur->get_object()) stack.emplace_back(&kv.value(), d + 1);
    }
  }
}

MethodFn FindMethod(std::string_view library, std::string_view method) {
  std::string key = std::string(library) + "." + std::string(method);
  auto it = Methods().find(key);
  return it == Methods().end() ? nullptr : it->second;
}

bool IsNumber(const bj::value& v) { return v.is_int64() || v.is_uint64() || v.is_double(); }

bool Truthy(const bj::value& v) {
  switch (v.kind()) {
    case bj::kind::null:
      return false;
    case bj::kind::bool_:
      return v.get_bool();
    case bj::kind::int64:
      return v.get_int64() != 0;
    case bj::kind::uint64:
      return v.get_uint64() != 0;
    case bj::kind::double_:
      return v.get_double() != 0 && !std::isnan(v.get_double());
    case bj::kind::string:
      return !v.get_string().empty();
    default:
      return true;
  }
}

double ToNumber(const bj::value& v) {
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  switch (v.kind()) {
    case bj::kind::null:
      return 0;
    case bj::kind::bool_:
      return v.get_bool() ? 1 : 0;
    case bj::kind::int64:
      return static_cast<double>(v.get_int64());
    case bj::kind::uint64:
      return static_cast<double>(v.get_uint64());
    case bj::kind::double_:
      return v.get_double();
    case bj::kind::string: {
      std::string_view s = Trim(v.get_string());
      if (s.empty()) return 0;
      if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        uint64_t n = 0;
        auto [p, ec] = std::from_chars(s.data() + 2, s.data() + s.size(), n, 16);
        return (ec == std::errc() && p == s.data() + s.size()) ? static_cast<double>(n) : kNaN;
      }
      auto d = tasks::internal::ParseNumber(s);
      return d ? *d : kNaN;
    }
    case bj::kind::array: {
      const bj::array& a = v.get_array();
      if (a.empty()) return 0;
      if (a.size() == 1) return ToNumber(bj::value(ToJsString(a[0])));
      return kNaN;
    }
    default:
      return kNaN;
  }
}

bj::value Num(double d) {
  if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9007199254740992.0) {
    if (d == 0 && std::signbit(d)) return bj::value(0);
    return bj::value(static_cast<int64_t>(d));
  }
  return bj::value(d);
}

std::string ToJsString(const bj::value& v) {
  switch (v.kind()) {
    case bj::kind::null:
      return "null";
    case bj::kind::bool_:
      return v.get_bool() ? "true" : "false";
    case bj::kind::int64:
      return std::to_string(v.get_int64());
    case bj::kind::uint64:
      return std::to_string(v.get_uint64());
    case bj::kind::double_:
      return tasks::internal::JsNumberToString(v.get_double());
    case bj::kind::string:
      return std::string(v.get_string());
    case bj::kind::array: {
      std::string out;
      bool first = true;
      for (const bj::value& e : v.get_array()) {
        if (!first) out += ',';
        first = false;
        if (!e.is_null()) out += ToJsString(e);
      }
      return out;
    }
    case bj::kind::object:
      if (IsRegExp(v)) {
        const bj::object& r = v.get_object().at(kRegExpKey).get_object();
        return "/" + ToJsString(r.at("source")) + "/" + ToJsString(r.at("flags"));
      }
      return "[object Object]";
  }
  return "";
}

const char* JsTypeName(const bj::value& v) {
  if (IsRegExp(v)) return "RegExp";
  return tasks::internal::TypeName(v);
}

bool LooseEquals(const bj::value& a, const bj::value& b) {
  if (a.is_null() || b.is_null()) return a.is_null() && b.is_null();
  bool a_prim = !a.is_structured(), b_prim = !b.is_structured();
  if (a_prim && b_prim) {
    if (a.is_string() && b.is_string()) return a.get_string() == b.get_string();
    return ToNumber(a) == ToNumber(b);
  }
  if (!a_prim && !b_prim) return tasks::internal::DeepEqual(a, b);
  // An object against a primitive compares its string form.
  const bj::value& obj = a_prim ? b : a;
  const bj::value& prim = a_prim ? a : b;
  bj::value s(ToJsString(obj));
  return LooseEquals(s, prim);
}

bool StrictEquals(const bj::value& a, const bj::value& b) {
  if (IsNumber(a) && IsNumber(b)) return ToNumber(a) == ToNumber(b);
  if (a.kind() != b.kind()) return false;
  return tasks::internal::DeepEqual(a, b);
}

int64_t ToIntegerClamped(const bj::value& v, int64_t lo, int64_t hi, int64_t dflt) {
  if (v.is_null()) return dflt;
  double d = ToNumber(v);
  if (std::isnan(d)) return 0 < lo ? lo : (0 > hi ? hi : 0);
  d = std::trunc(d);
  if (d < static_cast<double>(lo)) return lo;
  if (d > static_cast<double>(hi)) return hi;
  return static_cast<int64_t>(d);
}

size_t RelIndex(const bj::value& v, size_t len, size_t dflt) {
  if (v.is_null()) return dflt;
  int64_t n = static_cast<int64_t>(len);
  int64_t i = ToIntegerClamped(v, -n - 1, n + 1, 0);
  if (i < 0) i = std::max<int64_t>(0, n + i);
  return static_cast<size_t>(std::min(i, n));
}

void Sanitize(bj::value& v) {
  if (v.is_double() && !std::isfinite(v.get_double())) {
    v = nullptr;
  } else if (v.is_array()) {
    for (bj::value& e : v.get_array()) Sanitize(e);
  } else if (v.is_object()) {
    for (auto& kv : v.get_object()) Sanitize(kv.value());
  }
}

bool IsRegExp(const bj::value& v) {
  if (!v.is_object() || v.get_object().size() != 1) return false;
  auto it = v.get_object().find(kRegExpKey);
  return it != v.get_object().end() && it->value().is_object();
}

bj::value MakeRegExp(std::string source, std::string flags) {
  bj::object inner;
  inner["source"] = std::move(source);
  inner["flags"] = std::move(flags);
  bj::object o;
  o[kRegExpKey] = std::move(inner);
  return o;
}

}  // namespace opsflow::tasks::jst::internal
