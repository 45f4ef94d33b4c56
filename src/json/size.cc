#include "json/size.h"

#include <boost/json.hpp>
#include <charconv>

namespace opsflow::json {
namespace bj = boost::json;

namespace {

size_t NumberSize(const bj::value& v) {
  char buf[32];
  if (v.is_int64()) {
    return static_cast<size_t>(std::to_chars(buf, buf + 32, v.get_int64()).ptr - buf);
  }
  if (v.is_uint64()) {
    return static_cast<size_t>(std::to_chars(buf, buf + 32, v.get_uint64()).ptr - buf);
  }
  return 24;  // a double: at most this many characters
}

bool Add(const bj::value& v, size_t stop_after, size_t* n);

bool AddObject(const bj::object& o, size_t stop_after, size_t* n) {
  *n += o.empty() ? 2 : 1;
  for (const auto& kv : o) {
    *n += kv.key().size() + 4;  // "key": and a comma or the closing brace
    if (!Add(kv.value(), stop_after, n)) return false;
  }
  return *n <= stop_after;
}

// Adds v's size to *n; false once *n passed stop_after.
bool Add(const bj::value& v, size_t stop_after, size_t* n) {
  switch (v.kind()) {
    case bj::kind::null:
      *n += 4;
      break;
    case bj::kind::bool_:
      *n += v.get_bool() ? 4 : 5;
      break;
    case bj::kind::int64:
    case bj::kind::uint64:
    case bj::kind::double_:
      *n += NumberSize(v);
      break;
    case bj::kind::string:
      *n += v.get_string().size() + 2;
      break;
    case bj::kind::array: {
      const bj::array& a = v.get_array();
      *n += a.empty() ? 2 : 1;  // brackets, and a comma or bracket after each element
      for (const bj::value& e : a) {
        *n += 1;
        if (!Add(e, stop_after, n)) return false;
      }
      break;
    }
    case bj::kind::object:
      return AddObject(v.get_object(), stop_after, n);
  }
  return *n <= stop_after;
}

}  // namespace

size_t TextSize(const bj::object& o, size_t stop_after) {
  size_t n = 0;
  AddObject(o, stop_after, &n);
  return n;
}

size_t TextSize(const bj::value& v, size_t stop_after) {
  size_t n = 0;
  Add(v, stop_after, &n);
  return n;
}

}  // namespace opsflow::json
