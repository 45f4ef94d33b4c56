// The Object library of the JST runtime.
#include <boost/json.hpp>

#include "tasks/jst/lib.h"
#include "tasks/task_util.h"

namespace opsflow::tasks::jst::internal {

namespace {

// obj[key] as JS reads it; null (undefined) for anything missing.
bj::value GetProp(const bj::value& obj, const bj::value& key) {
  std::string k = ToJsString(key);
  if (obj.is_object()) {
    const bj::value* v = obj.get_object().if_contains(k);
    return v ? *v : bj::value();
  }
  if (obj.is_array()) {
    const bj::array& a = obj.get_array();
    if (k == "length") return Num(static_cast<double>(a.size()));
    double d = ToNumber(key);
    if (d >= 0 && d < static_cast<double>(a.size()) && d == static_cast<int64_t>(d)) {
      return a[static_cast<size_t>(d)];
    }
    return bj::value();
  }
  if (obj.is_string()) {
    std::string_view s = obj.get_string();
    if (k == "length") return Num(static_cast<double>(tasks::internal::CodePointCount(s)));
    double d = ToNumber(key);
    size_t n = tasks::internal::CodePointCount(s);
    if (d >= 0 && d < static_cast<double>(n) && d == static_cast<int64_t>(d)) {
      size_t b = tasks::internal::CodePointOffset(s, static_cast<size_t>(d));
      size_t e = tasks::internal::CodePointOffset(s, static_cast<size_t>(d) + 1);
      return bj::value(s.substr(b, e - b));
    }
  }
  return bj::value();
}

Ret GetProperty(Args& a) { return GetProp(a[0], a[1]); }

Ret SetProperty(Args& a) {
  bj::value obj = a.v.size() > 0 ? std::move(a.v[0]) : bj::value();
  if (obj.is_null()) obj = bj::object();
  OPSFLOW_RETURN_IF_ERROR(a.Check(a[2]));
  if (obj.is_object()) {
    obj.get_object()[ToJsString(a[1])] = a[2];
    return obj;
  }
  if (obj.is_array()) {
    double d = ToNumber(a[1]);
    if (!(d >= 0) || d != static_cast<int64_t>(d)) return obj;  // a named property: not JSON
    if (d >= static_cast<double>(a.caller.MaxArrayLength())) {
      return base::ResourceExhausted(std::string(a.name) + ": index " + ToJsString(a[1]) +
                                     " exceeds the array length limit");
    }
    bj::array& arr = obj.get_array();
    size_t i = static_cast<size_t>(d);
    if (arr.size() <= i) arr.resize(i + 1);
    arr[i] = a[2];
    return obj;
  }
  return a.Fail(std::string("cannot set a property on a ") + JsTypeName(obj));
}

Ret Keys(Args& a) {
  bj::array out;
  if (a[0].is_object()) {
    for (const auto& kv : a[0].get_object()) out.emplace_back(kv.key());
  } else if (a[0].is_array()) {
    for (size_t i = 0; i < a[0].get_array().size(); ++i) out.emplace_back(std::to_string(i));
  } else if (a[0].is_null()) {
    return a.Fail("cannot convert undefined or null to object");
  }
  return out;
}

Ret Values(Args& a) {
  bj::array out;
  if (a[0].is_object()) {
    for (const auto& kv : a[0].get_object()) out.push_back(kv.value());
  } else if (a[0].is_array()) {
    out = a[0].get_array();
  } else if (a[0].is_null()) {
    return a.Fail("cannot convert undefined or null to object");
  }
  return out;
}

Ret Entries(Args& a) {
  bj::array out;
  OPSFLOW_RETURN_IF_ERROR(a.Check(a[0], 2));
  if (a[0].is_object()) {
    for (const auto& kv : a[0].get_object()) out.push_back(bj::array{kv.key(), kv.value()});
  } else if (a[0].is_null()) {
    return a.Fail("cannot convert undefined or null to object");
  }
  return out;
}

Ret HasOwnProperty(Args& a) {
  if (a[0].is_object()) return a[0].get_object().contains(ToJsString(a[1]));
  if (a[0].is_array()) {
    double d = ToNumber(a[1]);
    return d >= 0 && d < static_cast<double>(a[0].get_array().size()) &&
           d == static_cast<int64_t>(d);
  }
  return false;
}

Ret Assign(Args& a) {
  bj::value target = a[0].is_object() ? a[0] : bj::value(bj::object());
  for (size_t i = 1; i < a.size(); ++i) {
    if (!a[i].is_object()) continue;
    for (const auto& kv : a[i].get_object()) target.get_object()[kv.key()] = kv.value();
  }
  return target;
}

Ret DeleteProperty(Args& a) {
  bj::value obj = a[0];
  if (obj.is_object()) obj.get_object().erase(ToJsString(a[1]));
  return obj;
}

Ret FromEntries(Args& a) {
  bj::object out;
  if (!a[0].is_array()) return a.Fail("argument must be an array of [key, value] pairs");
  for (const bj::value& e : a[0].get_array()) {
    if (e.is_array() && !e.get_array().empty()) {
      const bj::array& p = e.get_array();
      out[ToJsString(p[0])] = p.size() > 1 ? p[1] : bj::value();
    }
  }
  return out;
}

}  // namespace

std::vector<Entry> ObjectMethods() {
  return {
      {"Object.getProperty", GetProperty},
      {"Object.setProperty", SetProperty},
      {"Object.keys", Keys},
      {"Object.values", Values},
      {"Object.entries", Entries},
      {"Object.hasOwnProperty", HasOwnProperty},
      {"Object.assign", Assign},
      {"Object.deleteProperty", DeleteProperty},
      {"Object.fromEntries", FromEntries},
  };
}

}  // namespace opsflow::tasks::jst::internal
