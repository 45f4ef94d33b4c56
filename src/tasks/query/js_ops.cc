#include "tasks/query/js_ops.h"

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>

#include "tasks/task_util.h"

namespace opsflow::tasks::query {

namespace json = boost::json;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double Num(const json::value& v) {
  if (v.is_int64()) return static_cast<double>(v.get_int64());
  if (v.is_uint64()) return static_cast<double>(v.get_uint64());
  return v.get_double();
}

std::string_view TrimJs(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// A canonical array index ("0", "17"; not "01", "-1", "1.0") below 2^32 - 1.
std::optional<uint64_t> ArrayIndex(std::string_view key) {
  if (key.empty() || key.size() > 10 || (key.size() > 1 && key[0] == '0')) return std::nullopt;
  uint64_t n = 0;
  for (char c : key) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + static_cast<uint64_t>(c - '0');
  }
  if (n >= 4294967295ull) return std::nullopt;
  return n;
}

// A primitive after JS ToPrimitive: arrays and objects become their string form.
struct Prim {
  enum class Kind { kUndefined, kNull, kBool, kNumber, kString, kObject };
  Kind kind = Kind::kUndefined;
  bool b = false;
  double num = 0;
  std::string str;
};

Prim ToPrim(Val v) {
  Prim p;
  if (!v) return p;
  switch (v->kind()) {
    case json::kind::null:
      p.kind = Prim::Kind::kNull;
      break;
    case json::kind::bool_:
      p.kind = Prim::Kind::kBool;
      p.b = v->get_bool();
      break;
    case json::kind::int64:
    case json::kind::uint64:
    case json::kind::double_:
      p.kind = Prim::Kind::kNumber;
      p.num = Num(*v);
      break;
    case json::kind::string:
      p.kind = Prim::Kind::kString;
      p.str = std::string(v->get_string());
      break;
    default:
      p.kind = Prim::Kind::kString;
      p.str = ToPropertyKey(v);
      break;
  }
  return p;
}

double PrimToNumber(const Prim& p) {
  switch (p.kind) {
    case Prim::Kind::kUndefined:
      return kNaN;
    case Prim::Kind::kNull:
      return 0;
    case Prim::Kind::kBool:
      return p.b ? 1 : 0;
    case Prim::Kind::kNumber:
      return p.num;
    default:
      return JsStringToNumber(p.str);
  }
}

bool IsContainer(Val v) { return v && (v->is_array() || v->is_object()); }

}  // namespace

base::Result<Val> JsArena::Keep(json::value v) {
  if (v.is_array()) elements_ += v.get_array().size();
  if (v.is_object()) elements_ += v.get_object().size();
  if (elements_ > kMaxElements) {
    return base::ResourceExhausted("json-query: the query builds more than " +
                                   std::to_string(kMaxElements) + " values");
  }
  values_.push_back(std::move(v));
  return &values_.back();
}

bool IsNullish(Val v) { return !v || v->is_null(); }

bool Truthy(Val v) {
  if (IsNullish(v)) return false;
  if (v->is_bool()) return v->get_bool();
  if (v->is_number()) {
    double d = Num(*v);
    return d == d && d != 0;
  }
  if (v->is_string()) return !v->get_string().empty();
  return true;
}

std::string ToPropertyKey(Val v) {
  if (!v) return "undefined";
  switch (v->kind()) {
    case json::kind::null:
      return "null";
    case json::kind::bool_:
      return v->get_bool() ? "true" : "false";
    case json::kind::int64:
    case json::kind::uint64:
    case json::kind::double_:
      return internal::JsNumberToString(Num(*v));
    case json::kind::string:
      return std::string(v->get_string());
    case json::kind::array: {
      std::string out;
      bool first = true;
      for (const json::value& el : v->get_array()) {
        if (!first) out += ',';
        first = false;
        if (!el.is_null()) out += ToPropertyKey(&el);
      }
      return out;
    }
    case json::kind::object:
      return "[object Object]";
  }
  return "undefined";
}

double JsStringToNumber(std::string_view text) {
  std::string_view s = TrimJs(text);
  if (s.empty()) return 0;
  if (s == "Infinity" || s == "+Infinity") return std::numeric_limits<double>::infinity();
  if (s == "-Infinity") return -std::numeric_limits<double>::infinity();
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X' || s[1] == 'o' || s[1] == 'O' ||
                                      s[1] == 'b' || s[1] == 'B')) {
    int base = (s[1] == 'x' || s[1] == 'X') ? 16 : (s[1] == 'o' || s[1] == 'O') ? 8 : 2;
    double n = 0;
    for (char c : s.substr(2)) {
      int d = std::isdigit(static_cast<unsigned char>(c)) ? c - '0'
              : std::isalpha(static_cast<unsigned char>(c))
                  ? std::tolower(static_cast<unsigned char>(c)) - 'a' + 10
                  : 99;
      if (d >= base) return kNaN;
      n = n * base + d;
    }
    return n;
  }
  // [+-] (digits [. digits] | . digits) [e [+-] digits]
  size_t i = 0;
  if (s[i] == '+' || s[i] == '-') ++i;
  size_t int_digits = 0, frac_digits = 0;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i, ++int_digits;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i, ++frac_digits;
  }
  if (int_digits + frac_digits == 0) return kNaN;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    size_t exp_digits = 0;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i, ++exp_digits;
    if (exp_digits == 0) return kNaN;
  }
  if (i != s.size()) return kNaN;
  return std::strtod(std::string(s).c_str(), nullptr);
}

double JsParseInt(std::string_view text) {
  size_t i = 0;
  while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
  double sign = 1;
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) sign = text[i++] == '-' ? -1 : 1;
  int base = 10;
  if (i + 1 < text.size() && text[i] == '0' && (text[i + 1] == 'x' || text[i + 1] == 'X')) {
    base = 16;
    i += 2;
  }
  double n = 0;
  size_t digits = 0;
  for (; i < text.size(); ++i, ++digits) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    int d = std::isdigit(c) ? c - '0' : std::isalpha(c) ? std::tolower(c) - 'a' + 10 : 99;
    if (d >= base) break;
    n = n * base + d;
  }
  return digits == 0 ? kNaN : sign * n;
}

std::vector<std::pair<std::string_view, Val>> OrderedEntries(const json::object& obj) {
  std::vector<std::pair<uint64_t, std::pair<std::string_view, Val>>> indexed;
  std::vector<std::pair<std::string_view, Val>> rest;
  for (const auto& kv : obj) {
    std::string_view k = kv.key();
    if (auto n = ArrayIndex(k)) {
      indexed.push_back({*n, {k, &kv.value()}});
    } else {
      rest.emplace_back(k, &kv.value());
    }
  }
  std::sort(indexed.begin(), indexed.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::pair<std::string_view, Val>> out;
  for (auto& e : indexed) out.push_back(e.second);
  out.insert(out.end(), rest.begin(), rest.end());
  return out;
}

namespace {

// Decodes UTF-8 into UTF-16 code units (invalid bytes count as one unit each).
std::u16string ToUtf16(std::string_view s) {
  std::u16string out;
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    uint32_t cp = c;
    size_t len = 1;
    if (c >= 0xF0 && i + 3 < s.size()) {
      cp = ((c & 0x07u) << 18) | ((s[i + 1] & 0x3Fu) << 12) | ((s[i + 2] & 0x3Fu) << 6) |
           (s[i + 3] & 0x3Fu);
      len = 4;
    } else if (c >= 0xE0 && i + 2 < s.size()) {
      cp = ((c & 0x0Fu) << 12) | ((s[i + 1] & 0x3Fu) << 6) | (s[i + 2] & 0x3Fu);
      len = 3;
    } else if (c >= 0xC0 && i + 1 < s.size()) {
      cp = ((c & 0x1Fu) << 6) | (s[i + 1] & 0x3Fu);
      len = 2;
    }
    if (cp >= 0x10000) {
      cp -= 0x10000;
      out.push_back(static_cast<char16_t>(0xD800 + (cp >> 10)));
      out.push_back(static_cast<char16_t>(0xDC00 + (cp & 0x3FF)));
    } else {
      out.push_back(static_cast<char16_t>(cp));
    }
    i += len;
  }
  return out;
}

}  // namespace

size_t Utf16Length(std::string_view s) { return ToUtf16(s).size(); }

namespace {

std::string UnitToUtf8(char16_t unit) {
  uint32_t cp = unit;
  if (cp >= 0xD800 && cp <= 0xDFFF) cp = 0xFFFD;  // a lone surrogate has no UTF-8 form
  std::string out;
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
  return out;
}

}  // namespace

std::optional<std::string> Utf16UnitAt(std::string_view s, size_t index) {
  std::u16string u = ToUtf16(s);
  if (index >= u.size()) return std::nullopt;
  return UnitToUtf8(u[index]);
}

std::vector<std::string> Utf16Units(std::string_view s) {
  std::vector<std::string> out;
  for (char16_t unit : ToUtf16(s)) out.push_back(UnitToUtf8(unit));
  return out;
}

base::Result<Val> GetProperty(Val v, std::string_view key, JsArena& arena) {
  if (IsNullish(v)) {
    return base::InvalidArgument(std::string("json-query: cannot read property '") +
                                 std::string(key) + "' of " + (v ? "null" : "undefined"));
  }
  if (v->is_object()) return internal::Find(v->get_object(), key);
  if (v->is_array()) {
    const json::array& arr = v->get_array();
    if (key == "length") return arena.Keep(json::value(static_cast<int64_t>(arr.size())));
    auto i = ArrayIndex(key);
    return (i && *i < arr.size()) ? &arr[*i] : nullptr;
  }
  if (v->is_string()) {
    std::string_view s = v->get_string();
    if (key == "length") return arena.Keep(json::value(static_cast<int64_t>(Utf16Length(s))));
    auto i = ArrayIndex(key);
    if (!i) return Val{nullptr};
    auto unit = Utf16UnitAt(s, *i);
    if (!unit) return Val{nullptr};
    return arena.Keep(json::value(*unit));
  }
  return Val{nullptr};
}

base::Result<Val> GetProperty(Val v, Val key, JsArena& arena) {
  return GetProperty(v, ToPropertyKey(key), arena);
}

bool StrictEquals(Val a, Val b) {
  if (!a || !b) return !a && !b;
  if (a->is_number() && b->is_number()) return Num(*a) == Num(*b);
  if (a->kind() != b->kind()) return false;
  if (a->is_null()) return true;
  if (a->is_bool()) return a->get_bool() == b->get_bool();
  if (a->is_string()) return a->get_string() == b->get_string();
  return a == b;  // arrays and objects: the same value, not an equal one
}

bool LooseEquals(Val a, Val b) {
  if (IsNullish(a) || IsNullish(b)) return IsNullish(a) && IsNullish(b);
  if (IsContainer(a) && IsContainer(b)) return a == b;
  if (!IsContainer(a) && !IsContainer(b) && a->kind() == b->kind()) return StrictEquals(a, b);
  if (a->is_number() && b->is_number()) return Num(*a) == Num(*b);
  Prim pa = ToPrim(a), pb = ToPrim(b);
  if (pa.kind == Prim::Kind::kString && pb.kind == Prim::Kind::kString) return pa.str == pb.str;
  return PrimToNumber(pa) == PrimToNumber(pb);
}

bool Relation(Val a, Val b, std::string_view op) {
  Prim pa = ToPrim(a), pb = ToPrim(b);
  int cmp;
  if (pa.kind == Prim::Kind::kString && pb.kind == Prim::Kind::kString) {
    std::u16string ua = ToUtf16(pa.str), ub = ToUtf16(pb.str);
    cmp = ua < ub ? -1 : (ub < ua ? 1 : 0);
  } else {
    double x = PrimToNumber(pa), y = PrimToNumber(pb);
    if (x != x || y != y) return false;
    cmp = x < y ? -1 : (x > y ? 1 : 0);
  }
  if (op == "<") return cmp < 0;
  if (op == "<=") return cmp <= 0;
  if (op == ">") return cmp > 0;
  return cmp >= 0;
}

}  // namespace opsflow::tasks::query
