// The Array library of the JST runtime. Callback methods (map, filter, reduce, find, ...)
// take the name of a nested JST as argument 1; map-like callbacks receive
// (element, index, array) and reduce callbacks (accumulator, element, index, array), with the
// arguments after the standard ones as thisArg values. Mutators (push, pop, shift, ...) work
// on a copy and return the array (push, unshift) or {value, array} (pop, shift), as IAP's JST
// library does.
#include <algorithm>
#include <boost/json.hpp>

#include "tasks/jst/lib.h"
#include "tasks/task_util.h"

namespace opsflow::tasks::jst::internal {

namespace {

base::Result<const bj::array*> ArrayArg(Args& a, size_t i) {
  if (!a[i].is_array()) {
    return a.Fail("argument " + std::to_string(i) + " must be an array, got " + JsTypeName(a[i]));
  }
  return &a[i].get_array();
}

base::Status CheckLength(Args& a, size_t n) {
  if (n > a.caller.MaxArrayLength()) {
    return base::ResourceExhausted(std::string(a.name) + ": array length " + std::to_string(n) +
                                   " exceeds the limit of " +
                                   std::to_string(a.caller.MaxArrayLength()));
  }
  return base::Status::Ok();
}

// Runs the callback for element i of arr with (element, index, array).
Ret Each(Args& a, const bj::value& whole, size_t i, const std::vector<bj::value>& extras) {
  const bj::array& arr = whole.get_array();
  bj::value index = Num(static_cast<double>(i));
  std::vector<const bj::value*> pos{&arr[i], &index, &whole};
  auto r = a.caller.Call(a[1], pos, extras);
  if (!r.ok())
    return base::Status(r.status().code(), std::string(a.name) + ": " + r.status().message());
  return r;
}

enum class Mode { kMap, kFilter, kFind, kFindIndex, kSome, kEvery, kFlatMap, kForEach };

Ret Iterate(Args& a, Mode mode) {
  OPSFLOW_ASSIGN_OR_RETURN(const bj::array* arr, ArrayArg(a, 0));
  std::vector<bj::value> extras = a.From(2);
  const bj::value& whole = a[0];
  bj::array out;
  for (size_t i = 0; i < arr->size(); ++i) {
    OPSFLOW_ASSIGN_OR_RETURN(bj::value r, Each(a, whole, i, extras));
    switch (mode) {
      case Mode::kMap:
        OPSFLOW_RETURN_IF_ERROR(a.Check(r));
        out.push_back(std::move(r));
        break;
      case Mode::kFilter:
        if (Truthy(r)) out.push_back((*arr)[i]);
        break;
      case Mode::kFind:
        if (Truthy(r)) return (*arr)[i];
        break;
      case Mode::kFindIndex:
        if (Truthy(r)) return Num(static_cast<double>(i));
        break;
      case Mode::kSome:
        if (Truthy(r)) return true;
        break;
      case Mode::kEvery:
        if (!Truthy(r)) return false;
        break;
      case Mode::kFlatMap:
        OPSFLOW_RETURN_IF_ERROR(a.Check(r));
        if (r.is_array()) {
          for (bj::value& e : r.get_array()) out.push_back(std::move(e));
        } else {
          out.push_back(std::move(r));
        }
        OPSFLOW_RETURN_IF_ERROR(CheckLength(a, out.size()));
        break;
      case Mode::kForEach:
        break;
    }
  }
  switch (mode) {
    case Mode::kFind:
      return bj::value();
    case Mode::kFindIndex:
      return -1;
    case Mode::kSome:
      return false;
    case Mode::kEvery:
      return true;
    case Mode::kForEach:
      return bj::value();
    default:
      return out;
  }
}

Ret Map(Args& a) { return Iterate(a, Mode::kMap); }
Ret Filter(Args& a) { return Iterate(a, Mode::kFilter); }
Ret Find(Args& a) { return Iterate(a, Mode::kFind); }
Ret FindIndex(Args& a) { return Iterate(a, Mode::kFindIndex); }
Ret Some(Args& a) { return Iterate(a, Mode::kSome); }
Ret Every(Args& a) { return Iterate(a, Mode::kEvery); }
Ret FlatMap(Args& a) { return Iterate(a, Mode::kFlatMap); }
Ret ForEach(Args& a) { return Iterate(a, Mode::kForEach); }

Ret Reduce(Args& a, bool right) {
  OPSFLOW_ASSIGN_OR_RETURN(const bj::array* arr, ArrayArg(a, 0));
  std::vector<bj::value> extras = a.From(3);
  const size_t n = arr->size();
  size_t k = 0;
  bj::value acc;
  if (a[2].is_null()) {  // no initial value: the first element is the accumulator
    if (n == 0) return a.Fail("reduce of empty array with no initial value");
    acc = (*arr)[right ? n - 1 : 0];
    k = 1;
  } else {
    acc = a[2];
  }
  const bj::value& whole = a[0];
  for (; k < n; ++k) {
    size_t i = right ? n - 1 - k : k;
    bj::value index = Num(static_cast<double>(i));
    std::vector<const bj::value*> pos{&acc, &(*arr)[i], &index, &whole};
    auto r = a.caller.Call(a[1], pos, extras);
    if (!r.ok()) {
      return base::Status(r.status().code(), std::string(a.name) + ": " + r.status().message());
    }
    acc = std::move(r).value();
  }
  return acc;
}

Ret ReduceLeft(Args& a) { return Reduce(a, false); }
Ret ReduceRight(Args& a) { return Reduce(a, true); }

Ret GetIndex(Args& a) {
  OPSFLOW_ASSIGN_OR_RETURN(const bj::array* arr, ArrayArg(a, 0));
  double d = ToNumber(a[1]);
  if (d < 0) d += static_cast<double>(arr->size());  // like Array.prototype.at
  if (d >= 0 && d < static_cast<double>(arr->size()) && d == static_cast<int64_t>(d)) {
    return (*arr)[static_cast<size_t>(d)];
  }
  return bj::value();
}

Ret IsArray(Args& a) { return a[0].is_array(); }

Ret Length(Args& a) {
  OPSFLOW_ASSIGN_OR_RETURN(const bj::array* arr, ArrayArg(a, 0));
  return Num(static_cast<double>(arr->size()));
}

Ret Push(Args& a) {
  OPSFLOW_ASSIGN_OR_RETURN(const bj::array* arr, ArrayArg(a, 0));
  OPSFLOW_RETURN_IF_ERROR(CheckLength(a, arr->size() + a.size()));
  bj::array out = *arr;
  for (size_t i = 1; i < a.size(); ++i) {
    OPSFLOW_RETURN_IF_ERROR(a.Check(a[i]));
    out.push_back(a[i]);
  }
  return out;
}

Ret Unshift(Args& a) {
  OPSFLOW_ASSIGN_OR_RETURN(const bj::array* arr, ArrayArg(a, 0));
  OPSFLOW_RETURN_IF_ERROR(CheckLength(a, arr->size() + a.size()));
  bj::array out;
  for (size_t i = 1; i < a.size(); ++i) {
    OPSFLOW_RETURN_IF_ERROR(a.Check(a[i]));
    out.push_back(a[i]);
  }
  for (const bj::value& e : *arr) out.push_back(e);
  OPSFLOW_RETURN_IF_ERROR(CheckLength(a, out.size()));
  return out;
}

Ret PopOrShift(Args& a, bool front) {
  OPSFLOW_ASSIGN_OR_RETURN(const bj::array* arr, ArrayArg(a, 0));
  OPSFLOW_RETURN_IF_ERROR(a.Check(a[0]));  // the result wraps the array one level deeper
  bj::array rest = *arr;
  bj::value value;
  if (!rest.empty()) {
    if (front) {
      value = rest.front();
      rest.erase(rest.begin());
    } else {
      value = rest.back();
      rest.pop_back();
    }
  }
  bj::object out;
  out["value"] = std::move(value);
  out["array"] = std::move(rest);
  return out;
}

Ret Pop(Args& a) { return PopOrShift(a, false); }
Ret Shift(Args& a) { return PopOrShift(a, true); }

Ret Slice(Args& a) {
  OPSFLOW_ASSIGN_OR_RETURN(const bj::array* arr, ArrayArg(a, 0));
  size_t b = RelIndex(a[1], arr->size(), 0);
  size_t e = RelIndex(a[2], arr->size(), arr->size());
  bj::array out;
  for (size_t i = b; i < e; ++i) out.push_back((*arr)[i]);
  return out;
}

Ret Concat(Args& a) {
  bj::array out;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].is_array()) {
      for (const bj::value& e : a[i].get_array()) out.push_back(e);
    } else if (i > 0 || !a[i].is_null()) {
      OPSFLOW_RETURN_IF_ERROR(a.Check(a[i]));
      out.push_back(a[i]);
    }
    OPSFLOW_RETURN_IF_ERROR(CheckLength(a, out.size()));
  }
  return out;
}

Ret Fill(Args& a) {
  OPSFLOW_ASSIGN_OR_RETURN(const bj::array* arr, ArrayArg(a, 0));
  bj::array out = *arr;
  size_t b = RelIndex(a[2], out.size(), 0);
  size_t e = RelIndex(a[3], out.size(), out.size());
  if (b < e) {
    // The filled array holds (e - b) copies of the value.
    size_t nodes = 0, depth = 0;
    Measure(a[1], a.caller.MaxArrayLength(), 1u << 20, &nodes, &depth);
    OPSFLOW_RETURN_IF_ERROR(CheckLength(a, nodes * (e - b)));
    OPSFLOW_RETURN_IF_ERROR(a.Check(a[1]));
  }
  for (size_t i = b; i < e; ++i) out[i] = a[1];
  return out;
}

Ret Includes(Args& a) {
  OPSFLOW_ASSIGN_OR_RETURN(const bj::array* arr, ArrayArg(a, 0));
  for (const bj::value& e : *arr) {
    if (StrictEquals(e, a[1])) return true;
  }
  return false;
}

Ret IndexOf(Args& a) {
  OPSFLOW_ASSIGN_OR_RETURN(const bj::array* arr, ArrayArg(a, 0));
  for (size_t i = RelIndex(a[2], arr->size(), 0); i < arr->size(); ++i) {
    if (StrictEquals((*arr)[i], a[1])) return Num(static_cast<double>(i));
  }
  return -1;
}

// Array.prototype.join is generic, as in JS: a string joins its characters (code points), an
// object its array-like elements "0".."length-1", a number or boolean gives "" (no length);
// only undefined fails. (The corpus JST "Standard Output" joins an object it then discards.)
Ret Join(Args& a) {
  const bj::value& x = a[0];
  std::string sep = a[1].is_null() ? "," : ToJsString(a[1]);
  std::string out;
  auto add = [&](size_t i, const bj::value* v) {
    if (i) out += sep;
    if (v && !v->is_null()) out += ToJsString(*v);
  };
  if (x.is_null()) return ArrayArg(a, 0).status();
  if (x.is_array()) {
    const bj::array& arr = x.get_array();
    for (size_t i = 0; i < arr.size(); ++i) add(i, &arr[i]);
  } else if (x.is_string()) {
    std::string_view s = x.get_string();
    for (size_t i = 0, n = 0; i < s.size(); ++n) {
      size_t j = i + 1;
      while (j < s.size() && (static_cast<unsigned char>(s[j]) & 0xC0) == 0x80) ++j;
      if (n) out += sep;
      out.append(s, i, j - i);
      i = j;
    }
  } else if (x.is_object() && !IsRegExp(x)) {
    const bj::object& o = x.get_object();
    const bj::value* len = o.if_contains("length");
    int64_t n = len ? ToIntegerClamped(*len, 0, INT64_MAX, 0) : 0;
    OPSFLOW_RETURN_IF_ERROR(CheckLength(a, static_cast<size_t>(n)));
    for (int64_t i = 0; i < n; ++i) {
      add(static_cast<size_t>(i), o.if_contains(std::to_string(i)));
    }
  }
  return bj::value(std::move(out));
}

Ret Reverse(Args& a) {
  OPSFLOW_ASSIGN_OR_RETURN(const bj::array* arr, ArrayArg(a, 0));
  bj::array out(arr->rbegin(), arr->rend());
  return out;
}

// Default sort: by string form, nulls last (no comparator callbacks).
Ret Sort(Args& a) {
  OPSFLOW_ASSIGN_OR_RETURN(const bj::array* arr, ArrayArg(a, 0));
  std::vector<bj::value> v(arr->begin(), arr->end());
  std::stable_sort(v.begin(), v.end(), [](const bj::value& x, const bj::value& y) {
    if (x.is_null() || y.is_null()) return !x.is_null() && y.is_null();
    return ToJsString(x) < ToJsString(y);
  });
  return bj::array(v.begin(), v.end());
}

void FlatInto(const bj::array& in, int64_t depth, bj::array& out) {
  for (const bj::value& e : in) {
    if (e.is_array() && depth > 0)
      FlatInto(e.get_array(), depth - 1, out);
    else
      out.push_back(e);
  }
}

Ret Flat(Args& a) {
  OPSFLOW_ASSIGN_OR_RETURN(const bj::array* arr, ArrayArg(a, 0));
  bj::array out;
  FlatInto(*arr, ToIntegerClamped(a[1], 0, 64, 1), out);
  return out;
}

Ret NewArray(Args& a) {
  // polymorphIndex 1 is new Array(length); otherwise new Array(...elements).
  if (a.polymorph == 1) {
    double d = ToNumber(a[0]);
    if (!(d >= 0) || d != static_cast<int64_t>(d)) return a.Fail("invalid array length");
    OPSFLOW_RETURN_IF_ERROR(CheckLength(a, static_cast<size_t>(d)));
    bj::array out;
    out.resize(static_cast<size_t>(d));
    return out;
  }
  for (const bj::value& e : a.v) OPSFLOW_RETURN_IF_ERROR(a.Check(e));
  return bj::array(a.v.begin(), a.v.end());
}

}  // namespace

std::vector<Entry> ArrayMethods() {
  return {
      {"Array.map", Map},
      {"Array.filter", Filter},
      {"Array.find", Find},
      {"Array.findIndex", FindIndex},
      {"Array.some", Some},
      {"Array.every", Every},
      {"Array.flatMap", FlatMap},
      {"Array.forEach", ForEach},
      {"Array.reduce", ReduceLeft},
      {"Array.reduceRight", ReduceRight},
      {"Array.getIndex", GetIndex},
      {"Array.isArray", IsArray},
      {"Array.length", Length},
      {"Array.push", Push},
      {"Array.unshift", Unshift},
      {"Array.pop", Pop},
      {"Array.shift", Shift},
      {"Array.slice", Slice},
      {"Array.concat", Concat},
      {"Array.fill", Fill},
      {"Array.includes", Includes},
      {"Array.indexOf", IndexOf},
      {"Array.join", Join},
      {"Array.reverse", Reverse},
      {"Array.sort", Sort},
      {"Array.flat", Flat},
      {"Array.new Array", NewArray},
  };
}

}  // namespace opsflow::tasks::jst::internal
