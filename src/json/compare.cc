#include "json/compare.h"

#include <boost/json/value.hpp>
#include <cstdint>

namespace opsflow::json {
namespace bj = boost::json;
namespace {

template <typename T>
int Cmp3(T a, T b) {
  return a < b ? -1 : a > b ? 1 : 0;
}

bool EqualAt(const bj::value& a, const bj::value& b, size_t depth, size_t max_depth,
             bool* too_deep) {
  if (depth > max_depth) {
    if (too_deep) *too_deep = true;
    return false;
  }
  if (IsNumber(a) && IsNumber(b)) return CompareNumbers(a, b) == 0;
  if (a.kind() != b.kind()) return false;
  switch (a.kind()) {
    case bj::kind::null:
      return true;
    case bj::kind::bool_:
      return a.get_bool() == b.get_bool();
    case bj::kind::string:
      return a.get_string() == b.get_string();
    case bj::kind::array: {
      const auto& x = a.get_array();
      const auto& y = b.get_array();
      if (x.size() != y.size()) return false;
      for (size_t i = 0; i < x.size(); ++i) {
        if (!EqualAt(x[i], y[i], depth + 1, max_depth, too_deep)) return false;
      }
      return true;
    }
    case bj::kind::object: {
      const auto& x = a.get_object();
      const auto& y = b.get_object();
      if (x.size() != y.size()) return false;
      for (const auto& kv : x) {
        auto it = y.find(kv.key());
        if (it == y.end() || !EqualAt(kv.value(), it->value(), depth + 1, max_depth, too_deep)) {
          return false;
        }
      }
      return true;
    }
    default:
      return false;
  }
}

}  // namespace

bool IsNumber(const bj::value& v) { return v.is_int64() || v.is_uint64() || v.is_double(); }

double AsDouble(const bj::value& v) {
  if (v.is_int64()) return static_cast<double>(v.get_int64());
  if (v.is_uint64()) return static_cast<double>(v.get_uint64());
  return v.get_double();
}

int CompareNumbers(const bj::value& a, const bj::value& b) {
  if (a.is_int64() && b.is_int64()) return Cmp3(a.get_int64(), b.get_int64());
  if (a.is_uint64() && b.is_uint64()) return Cmp3(a.get_uint64(), b.get_uint64());
  if (a.is_int64() && b.is_uint64()) {
    return a.get_int64() < 0 ? -1 : Cmp3(static_cast<uint64_t>(a.get_int64()), b.get_uint64());
  }
  if (a.is_uint64() && b.is_int64()) {
    return b.get_int64() < 0 ? 1 : Cmp3(a.get_uint64(), static_cast<uint64_t>(b.get_int64()));
  }
  return Cmp3(AsDouble(a), AsDouble(b));
}

bool DeepEqual(const bj::value& a, const bj::value& b, size_t max_depth, bool* too_deep) {
  return EqualAt(a, b, 0, max_depth, too_deep);
}

}  // namespace opsflow::json
